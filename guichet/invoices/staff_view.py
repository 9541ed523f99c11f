"""One invoice as the office's review screen shows it: the shared :class:`~.view.InvoiceView`
(every field, each line with its calculation, rate and source, the pièces by document) and what
only the office reads — the person and the beneficiary with their full N° AVS and IBAN, the
history with the gestionnaire of each step, the complements and their answers, the decisions so
far with the second visa, the staff notes, and each pièce as the screen shows it (a picture, or
the pages of a PDF drawn on the server).

The full identifiers are shown on this screen only, and every read of it is audited
(:func:`open_for_review`, :func:`open_piece`): ``person_id`` names the insured person whose data
was read, so that ``flask audit reads`` can answer whose data a gestionnaire read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from sqlalchemy import select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.i18n import today_in_zurich
from guichet.core.identifiers import format_navs13
from guichet.models import (Attachment, ComplementRequest, Invoice, RefusalReason, ReviewDecision,
                            User)
from guichet.models.base import db
from guichet.models.invoices import REASON_REFUSAL, STATUS_ACCEPTED, STATUS_VISA_PENDING
from guichet.qrbill.bill import QrBill
from guichet.uploads import preview
from guichet.uploads.scanner import PENDING

from . import supplier_bills
from .review import VISA_CONFIRMED, notes_of, reduction_reason_labels
from .second_visa import visa_reason_labels
from .status import status_text
from .types.days import day_text
from .view import InvoiceView

IMAGE_TYPES = ("image/jpeg", "image/png")
PDF_TYPE = "application/pdf"

#: What a pièce view records in the audit (``how``): shown on the screen, or downloaded.
SHOWN = "shown"
DOWNLOADED = "downloaded"


def full_navs13(digits: str | None) -> str:
    """``756.1234.5678.97`` (the review screen only); what is stored when it is not 13 digits."""
    try:
        return format_navs13(digits or "")
    except ValueError:
        return digits or "—"


def full_iban(compact: str | None) -> str:
    """``CH56 0483 5012 3456 7800 9`` (the review screen only)."""
    compact = (compact or "").replace(" ", "")
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4)) or "—"


@dataclass(frozen=True)
class PersonFacts:
    """The account holder or the beneficiary as the invoice was sent, identifiers in full."""

    name: str
    navs13: str
    born: date | None
    address: str = ""


@dataclass(frozen=True)
class StaffHistoryEntry:
    at: datetime
    who: str  # the gestionnaire's name, « l'assuré·e », or « l'Office AI » (a command)
    message: str
    status_label: str | None


@dataclass(frozen=True)
class ShownPiece:
    """A pièce as the screen shows it: an image inline, a PDF as pictures of its pages
    (``pages`` = 0: « Aperçu impossible »), anything else only to download."""

    attachment: Attachment
    kind: str  # "image", "pdf" or "other"
    pages: int = 0
    pages_shown: int = 0

    @property
    def scan_pending(self) -> bool:
        return self.attachment.scan_status == PENDING

    @property
    def page_numbers(self) -> range:
        return range(1, self.pages_shown + 1)

    @cached_property
    def bill(self) -> ReadBill | None:
        """The Swiss QR-bill read in it, as the screen lists it."""
        bill = supplier_bills.bill_of(self.attachment)
        return ReadBill(bill, self.attachment.bill_answer == supplier_bills.BILL_TAKEN) \
            if bill is not None else None


@dataclass(frozen=True)
class ReadBill:
    """What the QR-bill on a pièce says, for the gestionnaire to compare with the claim; and
    whether the person took its information into the form."""

    bill: QrBill
    taken: bool

    @property
    def facts(self) -> list[tuple[str, str]]:
        bill, billing = self.bill, self.bill.billing
        found = [(_("Créancier"), ", ".join(bill.creditor.lines())),
                 (_("IBAN du créancier"), full_iban(bill.iban)),
                 (_("Montant"), supplier_bills.amount_text(bill))]
        if bill.reference:
            found.append((_("Référence"), bill.formatted_reference))
        if billing and billing.invoice_number:
            found.append((_("N° de facture"), billing.invoice_number))
        if billing and billing.invoice_date:
            found.append((_("Date de la facture"), day_text(billing.invoice_date)))
        if billing and billing.vat_number:
            found.append((_("N° TVA"), billing.vat_number))
        if bill.message:
            found.append((_("Communication"), bill.message))
        if bill.debtor is not None:
            found.append((_("Débiteur"), ", ".join(bill.debtor.lines())))
        return found


@dataclass(frozen=True)
class ShownGroup:
    label: str
    required: bool
    pieces: list[ShownPiece]


@dataclass(frozen=True)
class ComplementFacts:
    request: ComplementRequest
    asked_by: str
    documents: list[str]
    answer_files: list[Attachment]
    overdue: bool


@dataclass(frozen=True)
class DecisionLine:
    label: str
    claimed: Decimal
    approved: Decimal
    reason: str  # the short list's label and the gestionnaire's text; "" when not reduced


@dataclass(frozen=True)
class DecisionFacts:
    decision: ReviewDecision
    accepted: bool
    decided_by: str
    lines: list[DecisionLine]
    refusal_reason: str
    visa_reasons: list[str]
    visa_by: str | None
    visa_confirmed: bool
    awaiting_visa: bool


class StaffInvoiceView:
    """What the review screen shows of one sent invoice (``view``: the shared presentation)."""

    def __init__(self, invoice: Invoice):
        self.invoice = invoice
        self.view = InvoiceView(invoice)

    # --- names of the people who acted --------------------------------------------------------

    @cached_property
    def _names(self) -> dict[int, str]:
        ids = {event.actor_id for event in self.invoice.events if event.actor_id}
        ids |= {note.author_id for note in self.notes_rows}
        ids |= {row.requested_by for row in self.complement_rows if row.requested_by}
        for row in self.decision_rows:
            ids |= {row.decided_by, row.visa_by} - {None}
        if self.invoice.assignee_id:
            ids.add(self.invoice.assignee_id)
        if not ids:
            return {}
        users = db.session.scalars(select(User).where(User.id.in_(ids)))
        return {user.id: user.display_name or user.email for user in users}

    def name_of(self, user_id: int | None) -> str:
        return self._names.get(user_id, _("l'Office AI")) if user_id else _("l'Office AI")

    # --- the state ----------------------------------------------------------------------------

    @property
    def status_label(self) -> str:
        """The state as the office reads it (the person reads « En traitement » while a second
        visa is awaited)."""
        if self.invoice.status == STATUS_VISA_PENDING:
            return _("Second visa attendu")
        return str(status_text(self.invoice.status).label)

    @cached_property
    def batch(self):
        """The transmission batch the invoice went in, or ``None``."""
        from .transmission import batch_of
        return batch_of(self.invoice)

    @property
    def assignee(self) -> str | None:
        return self.name_of(self.invoice.assignee_id) if self.invoice.assignee_id else None

    # --- who -----------------------------------------------------------------------------------

    @cached_property
    def holder_account(self) -> User:
        """The live account (its e-mail, phone, and the link to the person's file)."""
        return db.session.get(User, self.invoice.user_id)

    @cached_property
    def holder(self) -> PersonFacts:
        owner = self.view.owner
        address = ", ".join(part for part in (
            owner.rue or "", f"{owner.npa or ''} {owner.localite or ''}".strip()) if part)
        return PersonFacts(owner.display_name, full_navs13(owner.navs13),
                           owner.date_naissance, address)

    @cached_property
    def beneficiary(self) -> PersonFacts | None:
        person = self.view.beneficiary
        if person is None:
            return None
        return PersonFacts(person.display_name, full_navs13(person.navs13),
                           person.date_naissance)

    @property
    def iban(self) -> str:
        account = self.view.account
        return full_iban(account.iban if account is not None else self.view.iban)

    @property
    def iban_holder(self) -> str:
        account = self.view.account
        return account.holder if account is not None else ""

    @property
    def iban_bank(self) -> str:
        account = self.view.account
        return (account.bank_name or "") if account is not None else ""

    # --- the pièces ----------------------------------------------------------------------------

    @cached_property
    def piece_groups(self) -> list[ShownGroup]:
        return [ShownGroup(group.label, group.required,
                           [shown_piece(file) for file in group.files])
                for group in self.view.pieces_shown]

    # --- what happened -------------------------------------------------------------------------

    @cached_property
    def history(self) -> list[StaffHistoryEntry]:
        """Every line of the person's history, with who made it: the gestionnaire by name (the
        person reads « l'Office AI »), or the person."""
        found = []
        for event, entry in zip(self.invoice.events, self.view.history):
            who = (self.name_of(event.actor_id) if event.by_office
                   else _("l'assuré·e"))
            found.append(StaffHistoryEntry(entry.at, who, entry.message, entry.status_label))
        return found

    @cached_property
    def complement_rows(self) -> list[ComplementRequest]:
        return list(db.session.scalars(select(ComplementRequest).where(
            ComplementRequest.invoice_id == self.invoice.id).order_by(ComplementRequest.id)))

    @cached_property
    def complements(self) -> list[ComplementFacts]:
        today = today_in_zurich()
        return [ComplementFacts(
            row, self.name_of(row.requested_by), row.document_list,
            [a for a in self.invoice.attachments if a.complement_request_id == row.id],
            row.answered_at is None and row.due_date is not None and row.due_date < today)
            for row in self.complement_rows]

    @cached_property
    def decision_rows(self) -> list[ReviewDecision]:
        return list(db.session.scalars(select(ReviewDecision).where(
            ReviewDecision.invoice_id == self.invoice.id).order_by(ReviewDecision.id)))

    @cached_property
    def decisions(self) -> list[DecisionFacts]:
        refusal_labels = dict(db.session.execute(select(RefusalReason.code,
                                                        RefusalReason.label).where(
            RefusalReason.kind == REASON_REFUSAL)).all()) \
            if any(row.reason_code for row in self.decision_rows) else {}
        reduction_labels = reduction_reason_labels() if any(
            item.get("reason_code") for row in self.decision_rows
            for item in row.line_amounts or []) else {}
        labels = [str(line.label) for line in self.view.lines]
        found = []
        for row in self.decision_rows:
            lines = []
            for index, item in enumerate(row.line_amounts or []):
                reason = " — ".join(part for part in (
                    reduction_labels.get(item.get("reason_code"), "")
                    if item.get("reason_code") else "", item.get("reason") or "") if part)
                lines.append(DecisionLine(
                    labels[index] if index < len(labels) else f"{index + 1}",
                    Decimal(item["claimed"]), Decimal(item["approved"]), reason))
            found.append(DecisionFacts(
                row, row.outcome == STATUS_ACCEPTED, self.name_of(row.decided_by), lines,
                refusal_labels.get(row.reason_code, row.reason_code or ""),
                visa_reason_labels(row.visa_reasons or []),
                self.name_of(row.visa_by) if row.visa_by else None,
                row.visa_outcome == VISA_CONFIRMED,
                bool(row.visa_reasons) and row.visa_at is None))
        return found

    @cached_property
    def notes_rows(self):
        return notes_of(self.invoice)

    @property
    def notes(self) -> list[tuple[object, str]]:
        """Each staff note with its author's name, oldest first."""
        return [(note, self.name_of(note.author_id)) for note in self.notes_rows]


def shown_piece(attachment: Attachment) -> ShownPiece:
    if attachment.content_type in IMAGE_TYPES:
        return ShownPiece(attachment, "image")
    if attachment.content_type == PDF_TYPE:
        pages = preview.page_count(attachment.stored_name)
        return ShownPiece(attachment, "pdf", pages, preview.shown_pages(pages))
    return ShownPiece(attachment, "other")


# --- audited reads -----------------------------------------------------------------------------

def open_for_review(invoice: Invoice, staff: User) -> StaffInvoiceView:
    """The review screen's view of ``invoice``; the read is audited (whose data: the account
    holder's)."""
    record("staff_viewed_invoice", actor=staff, object_type="invoice", object_id=invoice.id,
           person_id=invoice.user_id)
    return StaffInvoiceView(invoice)


def piece_of(invoice: Invoice, attachment_id: int) -> Attachment | None:
    return next((a for a in invoice.attachments if a.id == attachment_id), None)


def open_piece(invoice: Invoice, attachment: Attachment, staff: User, how: str,
               page: int | None = None) -> None:
    """Audits a gestionnaire's view (``SHOWN``, with the PDF's ``page``) or download of a
    pièce."""
    detail = {"attachment_id": attachment.id, "how": how}
    if page is not None:
        detail["page"] = page
    record("staff_viewed_piece", actor=staff, object_type="invoice", object_id=invoice.id,
           person_id=invoice.user_id, **detail)
