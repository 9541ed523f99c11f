"""The office's work on a sent invoice: taking it, asking for a complement, validating per line,
refusing, the second visa, notes.

Every verb takes the invoice's ``version`` as the gestionnaire's page showed it: when the
invoice changed meanwhile (another gestionnaire acted, the person answered) it raises
:class:`Conflict` and applies nothing. A verb the invoice's state or the gestionnaire's role
does not allow raises :class:`ReviewRefused` with a French message. Each change the insured
person sees writes their history (« l'Office AI ») and queues one e-mail that says only that
something changed; each writes an audit entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.i18n import today_in_zurich
from guichet.core.money import to_amount
from guichet.models import (ROLE_ADMIN, ComplementRequest, Invoice, RefusalReason, ReviewDecision,
                            StaffNote, User, utcnow)
from guichet.models.base import db
from guichet.models.invoices import (REASON_REDUCTION, REASON_REFUSAL, STATUS_ACCEPTED,
                                     STATUS_DRAFT, STATUS_IN_REVIEW, STATUS_NEEDS_INFO, STATUS_PAID,
                                     STATUS_REJECTED, STATUS_SUBMITTED, STATUS_VISA_PENDING)

from .lifecycle import OPEN_STATES, move
from .second_visa import visa_reasons
from .services import notify_change
from .view import InvoiceView

#: The reason (refusal or reduction) that needs the gestionnaire's text.
OTHER_REASON = "other"

VISA_CONFIRMED = "confirmed"
VISA_SENT_BACK = "sent_back"


class Conflict(RuntimeError):
    """The invoice changed since the gestionnaire's page was shown: nothing was applied."""


class ReviewRefused(RuntimeError):
    """Not allowed in the invoice's state or for this gestionnaire; the message says why.
    ``field`` names the form field it is about (``lines-0-reason_code``), when there is one,
    so that the form shows the message next to it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LineApproval:
    """What the gestionnaire approves for one priced line (in the evaluation's order)."""

    approved: Decimal
    reason_code: str | None = None
    reason: str = ""


def check_version(invoice: Invoice, version: int | None) -> None:
    if version is None or int(version) != invoice.version:
        raise Conflict()


def _flush() -> None:
    """Writes now, so that a concurrent change of the same invoice (its version) is a
    :class:`Conflict` here rather than an error at the commit."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict() from None


def _owner(invoice: Invoice) -> User:
    return db.session.get(User, invoice.user_id)


def _require_assignee(invoice: Invoice, staff: User) -> None:
    if invoice.status != STATUS_IN_REVIEW or invoice.assignee_id != staff.id:
        raise ReviewRefused(_("Prenez d'abord cette demande en charge : seul·e le ou la "
                              "gestionnaire qui la traite peut décider."))


# --- taking ------------------------------------------------------------------------------------

def take(invoice: Invoice, staff: User, version: int | None) -> None:
    """« Prendre en charge »: the invoice becomes « En traitement », assigned to ``staff``."""
    check_version(invoice, version)
    if invoice.status not in (STATUS_SUBMITTED, STATUS_IN_REVIEW):
        raise ReviewRefused(_("Cette demande ne peut pas être prise en charge dans son état."))
    if invoice.assignee_id not in (None, staff.id):
        raise ReviewRefused(_("Cette demande est déjà traitée par un·e autre gestionnaire."))
    _assign(invoice, staff, actor=staff)
    record("invoice_taken", actor=staff, object_type="invoice", object_id=invoice.id)
    _flush()


def release(invoice: Invoice, staff: User, version: int | None) -> None:
    """« Libérer »: no gestionnaire any more (it stays « En traitement » for the person)."""
    check_version(invoice, version)
    if invoice.status not in OPEN_STATES:
        raise ReviewRefused(_("Cette demande est déjà décidée."))
    if invoice.assignee_id is None or (invoice.assignee_id != staff.id
                                       and staff.role != ROLE_ADMIN):
        raise ReviewRefused(_("Seul·e le ou la gestionnaire qui traite cette demande peut la "
                              "libérer."))
    invoice.assignee_id = None
    invoice.assigned_at = None
    record("invoice_released", actor=staff, object_type="invoice", object_id=invoice.id)
    _flush()


def reassign(invoice: Invoice, admin: User, to: User, version: int | None) -> None:
    """An administrator gives the invoice to another gestionnaire."""
    check_version(invoice, version)
    if admin.role != ROLE_ADMIN:
        raise ReviewRefused(_("Seul·e un·e administrateur·trice peut réattribuer une demande."))
    if not to.is_staff:
        raise ReviewRefused(_("Choisissez un·e gestionnaire."))
    if invoice.status not in OPEN_STATES:
        raise ReviewRefused(_("Cette demande est déjà décidée."))
    _assign(invoice, to, actor=admin)
    record("invoice_reassigned", actor=admin, object_type="invoice", object_id=invoice.id,
           to_staff=to.id)
    _flush()


def _assign(invoice: Invoice, staff: User, actor: User) -> None:
    """``staff`` works on the invoice now; a sent one becomes « En traitement » for the person
    (one line of history, one e-mail)."""
    if invoice.assignee_id != staff.id:
        invoice.assignee_id = staff.id
        invoice.assigned_at = utcnow()
    if invoice.status == STATUS_SUBMITTED:
        move(invoice, STATUS_IN_REVIEW, actor=actor, by_office=True,
             message=_("L'office examine votre demande."))
        notify_change(invoice, _owner(invoice))


# --- a complement ------------------------------------------------------------------------------

#: The latest due date a gestionnaire may give for a complement.
MAX_DUE_DAYS = 365


def default_due_date(today: date | None = None) -> date:
    return (today or today_in_zurich()) + timedelta(days=current_app.config["COMPLEMENT_DUE_DAYS"])


def ask_complement(invoice: Invoice, staff: User, version: int | None, message: str,
                   documents: list[str], due_date: date) -> ComplementRequest:
    """« À compléter »: the person reads the message, the documents wanted (one per line)
    and the due date, and answers with a message and pièces."""
    check_version(invoice, version)
    _require_assignee(invoice, staff)
    message = (message or "").strip()
    if not message:
        raise ReviewRefused(_("Écrivez le message à la personne."), field="message")
    if due_date is None or due_date <= today_in_zurich():
        raise ReviewRefused(_("La date limite doit être dans le futur."), field="due_date")
    if due_date > today_in_zurich() + timedelta(days=MAX_DUE_DAYS):
        raise ReviewRefused(_("La date limite doit être dans l'année qui vient."),
                            field="due_date")
    wanted = [item.strip() for item in documents if item and item.strip()]
    complement = ComplementRequest(invoice_id=invoice.id, message=message,
                                   documents="\n".join(wanted), due_date=due_date,
                                   requested_by=staff.id)
    db.session.add(complement)
    move(invoice, STATUS_NEEDS_INFO, actor=staff, by_office=True, due_date=due_date,
         message=_("L'office demande un complément."))
    record("invoice_complement_requested", actor=staff, object_type="invoice",
           object_id=invoice.id, due_date=due_date.isoformat())
    notify_change(invoice, _owner(invoice))
    _flush()
    return complement


# --- deciding ----------------------------------------------------------------------------------

def claimed_lines(invoice: Invoice) -> list:
    """The priced lines as sent (:class:`~.types.amounts.LineResult`), in order."""
    return InvoiceView(invoice).lines


def validate(invoice: Invoice, staff: User, version: int | None,
             approvals: list[LineApproval]) -> ReviewDecision:
    """« Valider »: an approved amount per line (a lower one with a reason). It counts as
    « Validée » at once, or once a second gestionnaire's visa confirms it when
    :func:`~.second_visa.visa_reasons` finds one needed."""
    check_version(invoice, version)
    _require_assignee(invoice, staff)
    amounts, total = approved_amounts(invoice, approvals)
    reasons = visa_reasons(invoice, total)
    decision = ReviewDecision(invoice_id=invoice.id, outcome=STATUS_ACCEPTED,
                              decided_by=staff.id, total_approved=total, line_amounts=amounts,
                              visa_reasons=reasons, reason_text="", visa_note="")
    db.session.add(decision)
    if reasons:
        move(invoice, STATUS_VISA_PENDING, actor=staff, by_office=True, message="")
    else:
        _accept(invoice, staff, total)
    record("invoice_validated", actor=staff, object_type="invoice", object_id=invoice.id,
           total_approved=str(total), visa_reasons=reasons)
    _flush()
    return decision


def approved_amounts(invoice: Invoice, approvals: list[LineApproval]) -> tuple[list, Decimal]:
    """Each line's approved amount checked against what was claimed (never more; a lower one
    with its reason), and the total approved. Writes nothing: « Calculer le total » shows it
    before the gestionnaire validates. Raises :class:`ReviewRefused` on the first wrong line."""
    lines = claimed_lines(invoice)
    if len(approvals) != len(lines):
        raise ReviewRefused(_("Indiquez le montant validé de chaque ligne."))
    offered = {reason.code for reason in active_reduction_reasons()}
    amounts = [_line_amount(index, line.amount, approval, offered)
               for index, (line, approval) in enumerate(zip(lines, approvals))]
    total = to_amount(sum((Decimal(item["approved"]) for item in amounts), Decimal("0")))
    return amounts, total


def _line_amount(index: int, claimed: Decimal, approval: LineApproval,
                 offered: set[str]) -> dict:
    number, field = index + 1, f"lines-{index}-"
    approved = approval.approved
    if approved is None or approved < 0:
        raise ReviewRefused(_("Ligne %(n)s : indiquez un montant validé de 0 ou plus.",
                              n=number), field=field + "approved")
    approved = to_amount(approved)
    if approved > claimed:
        raise ReviewRefused(_("Ligne %(n)s : le montant validé ne peut pas dépasser le montant "
                              "demandé.", n=number), field=field + "approved")
    code, text = approval.reason_code or None, (approval.reason or "").strip()
    if approved < claimed:
        if code not in offered:
            raise ReviewRefused(_("Ligne %(n)s : choisissez le motif de la réduction.",
                                  n=number), field=field + "reason_code")
        if code == OTHER_REASON and not text:
            raise ReviewRefused(_("Ligne %(n)s : précisez le motif de la réduction.", n=number),
                                field=field + "reason")
    else:
        code, text = None, ""
    return {"claimed": str(claimed), "approved": str(approved), "reason_code": code,
            "reason": text}


def _accept(invoice: Invoice, actor: User, total: Decimal) -> None:
    invoice.total_approved = total
    move(invoice, STATUS_ACCEPTED, actor=actor, by_office=True,
         message=_("L'office a validé votre demande ; elle est transmise pour paiement."))
    notify_change(invoice, _owner(invoice))


def _active_reasons(kind: str) -> list[RefusalReason]:
    return list(db.session.scalars(select(RefusalReason).where(
        RefusalReason.kind == kind, RefusalReason.active)
        .order_by(RefusalReason.position, RefusalReason.id)))


def active_refusal_reasons() -> list[RefusalReason]:
    """The refusal reasons the refusal form offers, in the administrators' order."""
    return _active_reasons(REASON_REFUSAL)


def active_reduction_reasons() -> list[RefusalReason]:
    """The reduction reasons a validation's lines offer, in the administrators' order."""
    return _active_reasons(REASON_REDUCTION)


def reduction_reason_labels() -> dict[str, str]:
    """Every reduction reason's label by code, deactivated ones too (old decisions show
    theirs)."""
    return dict(db.session.execute(select(RefusalReason.code, RefusalReason.label).where(
        RefusalReason.kind == REASON_REDUCTION)).all())


def reduction_reason_label(code: str | None) -> str:
    """The label of a reduction reason, deactivated or not; empty for no or an unknown code."""
    if not code:
        return ""
    return db.session.scalar(select(RefusalReason.label).where(
        RefusalReason.kind == REASON_REDUCTION, RefusalReason.code == code)) or ""


def refuse(invoice: Invoice, staff: User, version: int | None, reason_code: str,
           text: str) -> ReviewDecision:
    """« Refuser »: a reason from the office's list (mandatory) and a text."""
    check_version(invoice, version)
    _require_assignee(invoice, staff)
    reason = db.session.scalar(select(RefusalReason).where(
        RefusalReason.kind == REASON_REFUSAL, RefusalReason.code == reason_code,
        RefusalReason.active))
    if reason is None:
        raise ReviewRefused(_("Choisissez le motif du refus."), field="reason_code")
    text = (text or "").strip()
    if reason.code == OTHER_REASON and not text:
        raise ReviewRefused(_("Précisez le motif du refus."), field="text")
    decision = ReviewDecision(invoice_id=invoice.id, outcome=STATUS_REJECTED,
                              decided_by=staff.id, reason_code=reason.code, reason_text=text,
                              line_amounts=[], visa_reasons=[], visa_note="")
    db.session.add(decision)
    move(invoice, STATUS_REJECTED, actor=staff, by_office=True,
         message=_("L'office a refusé votre demande."))
    notify_change(invoice, _owner(invoice))
    record("invoice_refused", actor=staff, object_type="invoice", object_id=invoice.id,
           reason=reason.code)
    _flush()
    return decision


# --- the second visa ---------------------------------------------------------------------------

def latest_decision(invoice: Invoice) -> ReviewDecision | None:
    return db.session.scalars(select(ReviewDecision).where(
        ReviewDecision.invoice_id == invoice.id).order_by(ReviewDecision.id.desc())).first()


def standing_decision(invoice: Invoice) -> ReviewDecision | None:
    """The decision the insured person reads: a refusal, or a validation that counts
    (« Validée » or later); ``None`` while nothing is decided."""
    if invoice.status not in (STATUS_ACCEPTED, STATUS_REJECTED, STATUS_PAID):
        return None
    return latest_decision(invoice)


def _pending_visa(invoice: Invoice, staff: User) -> ReviewDecision:
    decision = latest_decision(invoice)
    if invoice.status != STATUS_VISA_PENDING or decision is None or decision.visa_at:
        raise ReviewRefused(_("Cette demande n'attend pas de second visa."))
    if decision.decided_by == staff.id:
        raise ReviewRefused(_("Le second visa doit être donné par un·e autre gestionnaire que "
                              "celui ou celle qui a validé."))
    return decision


def confirm_visa(invoice: Invoice, staff: User, version: int | None,
                 note: str = "") -> ReviewDecision:
    """The second gestionnaire confirms the first one's amounts: « Validée »."""
    check_version(invoice, version)
    decision = _pending_visa(invoice, staff)
    decision.visa_by, decision.visa_at = staff.id, utcnow()
    decision.visa_outcome, decision.visa_note = VISA_CONFIRMED, (note or "").strip()
    _accept(invoice, staff, decision.total_approved)
    record("invoice_visa_confirmed", actor=staff, object_type="invoice", object_id=invoice.id)
    _flush()
    return decision


def send_back(invoice: Invoice, staff: User, version: int | None, note: str) -> ReviewDecision:
    """The second gestionnaire sends the validation back to the first one, saying why."""
    check_version(invoice, version)
    decision = _pending_visa(invoice, staff)
    note = (note or "").strip()
    if not note:
        raise ReviewRefused(_("Dites au ou à la gestionnaire pourquoi vous renvoyez la "
                              "validation."), field="note")
    decision.visa_by, decision.visa_at = staff.id, utcnow()
    decision.visa_outcome, decision.visa_note = VISA_SENT_BACK, note
    move(invoice, STATUS_IN_REVIEW, actor=staff, by_office=True, message="")
    record("invoice_visa_sent_back", actor=staff, object_type="invoice", object_id=invoice.id)
    _flush()
    return decision


# --- notes -------------------------------------------------------------------------------------

def add_note(invoice: Invoice, staff: User, text: str) -> StaffNote:
    """A note for the office only (never shown to the insured person)."""
    text = (text or "").strip()
    if not text:
        raise ReviewRefused(_("Écrivez la note."))
    if invoice.status == STATUS_DRAFT:
        raise ReviewRefused(_("Cette demande n'a pas été envoyée."))
    note = StaffNote(invoice_id=invoice.id, author_id=staff.id, text=text)
    db.session.add(note)
    record("invoice_note_added", actor=staff, object_type="invoice", object_id=invoice.id)
    return note


def notes_of(invoice: Invoice) -> list[StaffNote]:
    return list(db.session.scalars(select(StaffNote).where(StaffNote.invoice_id == invoice.id)
                                   .order_by(StaffNote.id)))
