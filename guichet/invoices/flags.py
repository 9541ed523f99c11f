"""What a human must look at before deciding an invoice, each with its reason.

The review screen shows :func:`flags_of` and :func:`decision_check`; the queue's « signalées »
reads ``invoices.flagged``, which :func:`refresh_flags` writes with ``invoices.flags`` (a list of
``{"code", "reason"}``) at sending, when a complement is answered, and when a complement becomes
overdue (:func:`refresh_overdue_flags`, from the daily ``complements remind``).

The flags are of two kinds:

- those an invoice type raises while it prices the invoice (a hearing aid within six years of
  the previous one, an assistance cap exceeded, a meal allowance that follows from the times
  declared): :class:`~.types.base.Evaluation.flags`, kept with the copy made at sending, so that
  the type's rule is written once, in its module;
- those that compare the invoice with other records: the decision in the register, a pièce or
  an invoice already sent, a new IBAN, an overdue complement (here).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from guichet.core.formatting import format_decision_number
from guichet.core.i18n import gettext as _
from guichet.core.i18n import local_date, today_in_zurich
from guichet.core.money import format_chf
from guichet.models import Attachment, ComplementRequest, Decision, Invoice
from guichet.models.base import db
from guichet.models.invoices import (RANK_COMPLEMENT_WAITING, STATUS_DRAFT, STATUS_NEEDS_INFO,
                                     STATUS_REJECTED)

from . import pricing, supplier_bills
from .iban_check import new_iban_reason
from .lifecycle import mark_overdue
from .types import invoice_type
from .types.base import Flag
from .types.days import day_text

__all__ = ["Flag", "DecisionCheck", "flags_of", "decision_check", "refresh_flags",
           "refresh_overdue_flags", "flags_context", "stored_flags"]

# The keys of the flags raised here (the types' own keys are in their modules).
DECISION_MISSING = "decision_missing"
DECISION_OTHER_PERSON = "decision_other_person"
DECISION_OTHER_TYPE = "decision_other_type"
DECISION_DATES = "decision_dates"
DUPLICATE_PIECE = "duplicate_piece"
DUPLICATE_BILL = "duplicate_bill"
LOOK_ALIKE = "look_alike"
NEW_IBAN = "new_iban"
COMPLEMENT_OVERDUE = "complement_overdue"
_OWN_CODES = {DECISION_MISSING, DECISION_OTHER_PERSON, DECISION_OTHER_TYPE, DECISION_DATES,
              DUPLICATE_PIECE, DUPLICATE_BILL, LOOK_ALIKE, NEW_IBAN, COMPLEMENT_OVERDUE}


@dataclass(frozen=True)
class DecisionCheck:
    """The decision the invoice names, as the register has it (``None``: not found), and
    what does not fit, in French (the same reasons as its flags)."""

    decision: Decision | None
    problems: list[str] = field(default_factory=list)

    @property
    def number(self) -> str:
        """The decision's number as people read it (``324 2025 0000101``)."""
        return format_decision_number(self.decision.number) if self.decision else ""

    @property
    def type_label(self) -> str:
        if self.decision is None:
            return ""
        try:
            return str(invoice_type(self.decision.invoice_type).label)
        except KeyError:
            return self.decision.invoice_type

    @property
    def validity(self) -> str:
        """« valable du 01.01.2025 au 31.12.2025 » (or « … sans date de fin »)."""
        if self.decision is None:
            return ""
        if self.decision.valid_to is None:
            return _("valable dès le %(start)s, sans date de fin",
                     start=day_text(self.decision.valid_from))
        return _("valable du %(start)s au %(end)s", start=day_text(self.decision.valid_from),
                 end=day_text(self.decision.valid_to))


def flags_of(invoice: Invoice, today: date | None = None) -> list[Flag]:
    """Everything a human must look at for this invoice, as things are on ``today`` (in
    Switzerland by default): the decision's problems first, then the type's own flags (as
    priced at sending), then the comparisons with other invoices, the IBAN and the
    complement."""
    found = _decision_flags(invoice)[1]
    found += _type_flags(invoice)
    found += _duplicate_pieces(invoice)
    found += _duplicate_bills(invoice)
    found += _look_alikes(invoice)
    reason = new_iban_reason(invoice)
    if reason is not None:
        found.append(Flag(NEW_IBAN, reason))
    overdue = _overdue_complement(invoice, today)
    if overdue is not None:
        found.append(overdue)
    return found


def flags_context(invoice: Invoice) -> dict:
    """What ``templates/staff/_flags.html`` reads: ``flags`` (as things are now) and
    ``decision_check``."""
    return {"flags": flags_of(invoice), "decision_check": decision_check(invoice)}


def stored_flags(invoice: Invoice) -> list[Flag]:
    """The flags as :func:`refresh_flags` last stored them (no query: what the queue shows)."""
    return [Flag(item["code"], item["reason"]) for item in invoice.flags or []
            if isinstance(item, dict) and "code" in item and "reason" in item]


def refresh_flags(invoice: Invoice, today: date | None = None) -> None:
    """Stores :func:`flags_of` in ``invoice.flags`` (as JSON) and ``invoice.flagged``."""
    with db.session.no_autoflush:  # the caller's flush says whether its change stands
        found = flags_of(invoice, today)
    invoice.flags = [{"code": flag.code, "reason": str(flag.reason)} for flag in found]
    invoice.flagged = bool(found)


def refresh_overdue_flags(today: date | None = None) -> int:
    """Marks the invoices whose open complement is past its due date (``today`` in
    Switzerland by default): they move up the queue (« complément en retard ») and are
    flagged. Returns how many were marked; one already marked is not counted again. The
    caller's unit of work commits."""
    today = today or today_in_zurich()
    past_due = select(ComplementRequest.invoice_id).where(
        ComplementRequest.answered_at.is_(None), ComplementRequest.due_date < today)
    waiting = list(db.session.scalars(select(Invoice).where(
        Invoice.queue_rank == RANK_COMPLEMENT_WAITING, Invoice.status == STATUS_NEEDS_INFO,
        Invoice.id.in_(past_due)).order_by(Invoice.id)))
    marked = 0
    for invoice in waiting:
        mark_overdue(invoice)
        refresh_flags(invoice, today)
        marked += 1
    return marked


# --- The decision in the register -------------------------------------------------------------

def decision_check(invoice: Invoice) -> DecisionCheck:
    """The register's decision of the number the invoice carries, and what does not fit: not
    in the register, another person's, of another invoice type, not valid on the costs'
    dates."""
    decision, problems = _decision_flags(invoice)
    return DecisionCheck(decision, [flag.reason for flag in problems])


def _decision_flags(invoice: Invoice) -> tuple[Decision | None, list[Flag]]:
    number = invoice.decision_number
    if not number:
        typed = pricing.decision_number_of(invoice)
        return None, [Flag(DECISION_MISSING, _(
            "Le N° de décision « %(number)s » n'est pas un numéro valable : aucune décision du "
            "registre ne peut être vérifiée.", number=typed) if typed else _(
            "Aucun N° de décision n'est indiqué : aucune décision du registre ne peut être "
            "vérifiée."))]
    shown = format_decision_number(number)
    decision = db.session.scalar(select(Decision).where(Decision.number == number))
    if decision is None:
        return None, [Flag(DECISION_MISSING, _(
            "La décision %(number)s ne figure pas au registre des décisions.", number=shown))]
    problems = []
    subject = _subject_navs13(invoice)
    if subject is not None and decision.navs13 != subject:
        problems.append(Flag(DECISION_OTHER_PERSON, _(
            "La décision %(number)s concerne une autre personne que le ou la bénéficiaire de "
            "la demande.", number=shown)))
    if decision.invoice_type != invoice.invoice_type:
        check = DecisionCheck(decision)
        problems.append(Flag(DECISION_OTHER_TYPE, _(
            "La décision %(number)s couvre « %(decided)s », pas « %(claimed)s ».", number=shown,
            decided=check.type_label, claimed=invoice_type(invoice.invoice_type).label)))
    spec = invoice_type(invoice.invoice_type)
    header, lines = pricing.typed_answers(invoice)
    outside = pricing.outside_decision(decision, pricing.cost_periods(spec, header, lines))
    if outside:
        problems.append(Flag(DECISION_DATES, _(
            "La décision %(number)s (%(validity)s) ne couvre pas les frais du %(days)s.",
            number=shown, validity=DecisionCheck(decision).validity,
            days=", ".join(day_text(day) for day in sorted(set(outside))))))
    return decision, problems


def _subject_navs13(invoice: Invoice) -> str | None:
    """The N° AVS of the person the costs are for: as written at sending, else the chosen
    beneficiary's."""
    if invoice.subject_navs13:
        return invoice.subject_navs13
    beneficiary = pricing.chosen_beneficiary(invoice.user_id, invoice.beneficiary_id)
    return beneficiary.navs13 if beneficiary is not None else None


# --- The type's own flags ---------------------------------------------------------------------

def _type_flags(invoice: Invoice) -> list[Flag]:
    """What the type raised when pricing: from the copy kept at sending (nothing is priced
    again), or for a draft as priced now."""
    if invoice.status == STATUS_DRAFT:
        return list(pricing.evaluate(invoice).flags)
    kept = (invoice.frozen or {}).get("evaluation") or {}
    if "flags" in kept:
        return [Flag(item["code"], item["reason"]) for item in kept["flags"]]
    # sent before the copy kept them: what was stored at sending, less this module's flags
    return [flag for flag in stored_flags(invoice) if flag.code not in _OWN_CODES]


# --- Other invoices ---------------------------------------------------------------------------

def _duplicate_pieces(invoice: Invoice) -> list[Flag]:
    """A pièce whose content (SHA-256) was already sent with another invoice, anyone's."""
    hashes = {attachment.sha256: attachment for attachment in invoice.attachments}
    if not hashes:
        return []
    rows = db.session.execute(
        select(Attachment.sha256, Invoice.receipt_number)
        .join(Invoice, Invoice.id == Attachment.invoice_id)
        .where(Attachment.sha256.in_(list(hashes)), Attachment.invoice_id != invoice.id,
               Invoice.status != STATUS_DRAFT)
        .order_by(Invoice.submitted_at, Invoice.id))
    receipts: dict[str, list[str]] = {}
    for sha256, receipt in rows:
        listed = receipts.setdefault(sha256, [])
        if receipt and receipt not in listed:
            listed.append(receipt)
    found = []
    for attachment in invoice.attachments:
        listed = receipts.pop(attachment.sha256, None)
        if listed:
            found.append(Flag(DUPLICATE_PIECE, _(
                "La pièce « %(name)s » a déjà été envoyée avec la demande %(receipts)s "
                "(même fichier).", name=attachment.filename, receipts=", ".join(listed))))
    return found


def _duplicate_bills(invoice: Invoice) -> list[Flag]:
    """A supplier invoice (the same QR-bill fingerprint: creditor IBAN, reference or invoice
    number, amount, currency) already in another invoice sent, anyone's: with both receipt
    numbers, and whether the other is the same account's."""
    found = []
    for same in supplier_bills.same_bills(invoice):
        bill = supplier_bills.bill_of(same.attachment)
        found.append(Flag(DUPLICATE_BILL, _(
            "La facture de %(supplier)s (%(facts)s) lue dans la pièce « %(name)s » figure aussi "
            "dans la demande %(other)s, %(whose)s ; cette demande : %(this)s.",
            supplier=bill.creditor.name if bill else "—", facts=_bill_facts(bill),
            name=same.attachment.filename, other=same.receipt_number,
            whose=_("envoyée par le même compte") if same.same_account
            else _("envoyée par un autre compte"), this=invoice.receipt_number or "—")))
    return found


def _bill_facts(bill) -> str:
    """« 1'650.00 CHF, facture n° 2026-0412, réf. 21 00000 … »: what tells the bill apart."""
    if bill is None:
        return "—"
    parts = [supplier_bills.amount_text(bill)]
    if bill.billing and bill.billing.invoice_number:
        parts.append(_("facture n° %(number)s", number=bill.billing.invoice_number))
    if bill.reference:
        parts.append(_("réf. %(reference)s", reference=bill.formatted_reference))
    return ", ".join(parts)


def _look_alikes(invoice: Invoice) -> list[Flag]:
    """Another invoice sent and not refused for the same beneficiary, of the same type, with
    the same cost date and the same amount."""
    first_day = _first_cost_day(invoice)
    if first_day is None:
        return []
    subject = _subject_navs13(invoice)
    same_person = (Invoice.subject_navs13 == subject if subject is not None
                   else (Invoice.user_id == invoice.user_id)
                   & (Invoice.beneficiary_id == invoice.beneficiary_id))
    others = db.session.scalars(select(Invoice).where(
        same_person, Invoice.invoice_type == invoice.invoice_type,
        Invoice.total_claimed == invoice.total_claimed, Invoice.id != invoice.id,
        Invoice.status.not_in((STATUS_DRAFT, STATUS_REJECTED))).order_by(Invoice.id))
    found = []
    for other in others:
        if _first_cost_day(other) == first_day:
            found.append(Flag(LOOK_ALIKE, _(
                "La demande %(receipt)s ressemble à celle-ci : même bénéficiaire, même type, "
                "frais du %(day)s, même montant (%(amount)s).",
                receipt=other.receipt_number or "—", day=day_text(first_day),
                amount=format_chf(invoice.total_claimed))))
    return found


def _first_cost_day(invoice: Invoice) -> date | None:
    """The earliest day of the invoice's costs (a month: its first day)."""
    spec = invoice_type(invoice.invoice_type)
    header, lines = pricing.typed_answers(invoice)
    periods = pricing.cost_periods(spec, header, lines)
    return min(start for start, _end in periods) if periods else None


# --- The complement ---------------------------------------------------------------------------

def _overdue_complement(invoice: Invoice, today: date | None = None) -> Flag | None:
    """The office's open request for a complement, once its due date has passed."""
    if invoice.status != STATUS_NEEDS_INFO:
        return None
    today = today or today_in_zurich()
    complement = db.session.scalars(select(ComplementRequest).where(
        ComplementRequest.invoice_id == invoice.id, ComplementRequest.answered_at.is_(None))
        .order_by(ComplementRequest.id.desc())).first()
    if complement is None or complement.due_date is None or complement.due_date >= today:
        return None
    return Flag(COMPLEMENT_OVERDUE, _(
        "Complément demandé le %(asked)s, attendu au plus tard le %(due)s : le délai est "
        "dépassé et la personne n'a pas encore répondu.",
        asked=local_date(complement.created_at), due=day_text(complement.due_date)))
