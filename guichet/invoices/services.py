"""The rules of an invoice's life on the insured person's side: drafts, sending, answering.

Drafts keep the texts as typed (editing them is :mod:`.drafts`); sending checks everything, takes
a receipt number and is idempotent (a second click or a retry lands on the same receipt).
"""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.messaging import queue_email
from guichet.models import ComplementRequest, Invoice, InvoiceLine, User, utcnow
from guichet.models.banking import active_accounts
from guichet.models.base import db
from guichet.models.beneficiaries import beneficiaries_of
from guichet.models.invoices import STATUS_DRAFT, STATUS_NEEDS_INFO, STATUS_SUBMITTED
from guichet.uploads.accept import AcceptedFile
from guichet.uploads.storage import delete_after_commit

from . import pieces
from .flags import refresh_flags
from .lifecycle import add_event, move, write_search_keys
from .pricing import chosen_account, chosen_beneficiary, evaluate, remember_amounts
from .receipts import next_receipt_number, next_steps
from .types import invoice_type
from .types.base import Evaluation
from .view import frozen_copy

PAGE_SIZE = 20


def invoices_of(user: User, page: int = 1) -> tuple[list[Invoice], bool]:
    """One page of the person's invoices, newest first, and whether older ones follow."""
    rows = list(db.session.scalars(
        select(Invoice).where(Invoice.user_id == user.id)
        .order_by(Invoice.created_at.desc(), Invoice.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def any_may_change(user: User) -> bool:
    """Whether the office may still move one of the person's invoices (the list then polls)."""
    from .status import STATUS_INFO
    moving = [status for status, info in STATUS_INFO.items() if info.may_change]
    return db.session.scalar(select(Invoice.id).where(
        Invoice.user_id == user.id, Invoice.status.in_(moving)).limit(1)) is not None


def list_stamp(user: User) -> str:
    """A short fingerprint of the list: it changes whenever an invoice is added or changed
    (``users.list_version``, moved by ``models.list_version``). Read from the account as the
    request loaded it, with its login session: no query of its own."""
    return str(user.list_version)


def owned_invoice(user: User, invoice_id: int) -> Invoice | None:
    invoice = db.session.get(Invoice, invoice_id)
    return invoice if invoice is not None and invoice.user_id == user.id else None


def create_draft(user: User, type_key: str) -> Invoice:
    """A new Brouillon, pre-filled with what the account already knows."""
    spec = invoice_type(type_key)
    beneficiaries = beneficiaries_of(user)
    accounts = active_accounts(user)
    invoice = Invoice(user_id=user.id, invoice_type=type_key, fields={}, remark="",
                      beneficiary_id=beneficiaries[0].id if len(beneficiaries) == 1 else None,
                      bank_account_id=accounts[0].id if len(accounts) == 1 else None)
    if len(beneficiaries) == 1 and len(beneficiaries[0].decisions) == 1:
        invoice.decision_number = beneficiaries[0].decisions[0].number
    if spec.has_lines and spec.lines_wanted is None:
        invoice.lines.append(InvoiceLine(position=0, data={}))
    db.session.add(invoice)
    db.session.flush()
    add_event(invoice, _("Brouillon créé."), actor=user, status_to=STATUS_DRAFT)
    record("invoice_draft_created", actor=user, object_type="invoice", object_id=invoice.id,
           invoice_type=type_key)
    return invoice


def delete_draft(invoice: Invoice, user: User) -> None:
    """Deletes a Brouillon; its pièces' files go once that is committed."""
    if invoice.status != STATUS_DRAFT:
        raise NotEditable()
    delete_after_commit(attachment.stored_name for attachment in invoice.attachments)
    record("invoice_draft_deleted", actor=user, object_type="invoice", object_id=invoice.id)
    db.session.delete(invoice)


class NotEditable(RuntimeError):
    """Only a Brouillon can be changed by the insured person."""


class AlreadySent(RuntimeError):
    """Another request sent this invoice first: go to its receipt."""


def new_submit_token() -> str:
    return secrets.token_urlsafe(24)


def submit(invoice: Invoice, user: User, token: str) -> Invoice:
    """Sends the draft: the amounts as computed now from dated rates, receipt number, status
    Envoyée, the IBAN as it is now, a copy of everything its documents show from other records
    (:func:`~.view.frozen_copy`), history, the receipt by e-mail.

    The caller has checked completeness. Raises ``AlreadySent`` when the same token (or another
    request) already sent it, so the caller can redirect to the existing receipt.
    """
    if invoice.status != STATUS_DRAFT:
        raise AlreadySent()
    evaluation = _finalise_amounts(invoice)
    now = utcnow()
    invoice.submit_token = token
    invoice.submitted_at = now
    invoice.receipt_number = next_receipt_number(now)
    bank = chosen_account(invoice.user_id, invoice.bank_account_id)
    invoice.bank_account_id = bank.id if bank else None
    invoice.iban = bank.iban if bank else None
    beneficiary = chosen_beneficiary(invoice.user_id, invoice.beneficiary_id)
    invoice.beneficiary_id = beneficiary.id if beneficiary else None
    invoice.frozen = frozen_copy(invoice, evaluation)
    write_search_keys(invoice, user, beneficiary)
    move(invoice, STATUS_SUBMITTED, actor=user, message=_("Demande envoyée à l'office."))
    refresh_flags(invoice)
    record("invoice_submitted", actor=user, object_type="invoice", object_id=invoice.id)
    notify_received(invoice, user)
    try:
        db.session.flush()
    except StaleDataError:
        raise AlreadySent() from None
    return invoice


def _finalise_amounts(invoice: Invoice) -> Evaluation:
    """The amounts per line and the total, as computed now from dated rates."""
    evaluation = evaluate(invoice, strict=True)
    remember_amounts(invoice, evaluation)
    for line, priced in zip(invoice.lines, evaluation.priced_lines):
        line.amount = priced.amount
    return evaluation


def notify_received(invoice: Invoice, user: User) -> None:
    """The receipt by e-mail: the number, when, and what happens next (no health details: not
    even the type of costs)."""
    from guichet.core.web import external_url
    queue_email(user.email, "invoice_received",
                subject=_("Demande %(receipt)s bien reçue", receipt=invoice.receipt_number),
                receipt=invoice.receipt_number, submitted_at=invoice.submitted_at,
                next_steps=next_steps(),
                url=external_url("invoices.show_invoice", invoice_id=invoice.id))


def notify_change(invoice: Invoice, user: User) -> None:
    """An e-mail that says only that something changed (no health details)."""
    from guichet.core.web import external_url
    queue_email(user.email, "invoice_changed",
                subject=_("Votre demande %(receipt)s a changé", receipt=invoice.receipt_number),
                receipt=invoice.receipt_number,
                url=external_url("invoices.show_invoice", invoice_id=invoice.id))


def open_complement(invoice: Invoice) -> ComplementRequest | None:
    """The office's latest unanswered request for a complement."""
    return db.session.scalars(select(ComplementRequest).where(
        ComplementRequest.invoice_id == invoice.id, ComplementRequest.answered_at.is_(None))
        .order_by(ComplementRequest.id.desc())).first()


def answer_complement(invoice: Invoice, user: User, answer: str,
                      files: list[AcceptedFile] = ()) -> None:
    """The person answers, with new pièces filed under the office's request: the invoice goes
    back to « Envoyée ». Raises :class:`~.pieces.NothingStored` when a file cannot be written."""
    complement = open_complement(invoice)
    if invoice.status != STATUS_NEEDS_INFO or complement is None:
        raise NotEditable()
    pieces.attach(invoice, user, list(files), complement_id=complement.id)
    complement.answer = answer
    complement.answered_at = utcnow()
    move(invoice, STATUS_SUBMITTED, actor=user, message=_("Complément envoyé à l'office."))
    refresh_flags(invoice)
    record("invoice_complement_answered", actor=user, object_type="invoice",
           object_id=invoice.id)
    notify_change(invoice, user)
