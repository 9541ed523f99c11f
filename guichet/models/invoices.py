"""Invoices sent for reimbursement, their lines, pièces justificatives and history."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, ForeignKey, Index, Integer, Numeric, SmallInteger, String,
                        Text, UniqueConstraint, false, text, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db
from .types import UTCDateTime, utcnow

STATUS_DRAFT = "draft"
STATUS_SUBMITTED = "submitted"
STATUS_IN_REVIEW = "in_review"
STATUS_NEEDS_INFO = "needs_info"
STATUS_ACCEPTED = "accepted"
STATUS_REJECTED = "rejected"
STATUS_PAID = "paid"
#: Validated by a first gestionnaire, waiting for a second one's visa (the insured person reads
#: « En traitement »): it counts as « Validée » only once confirmed.
STATUS_VISA_PENDING = "visa_pending"

# The staff queue's order, most urgent first (``invoices.queue_rank``, then ``queue_since``,
# then ``id``), kept by :mod:`guichet.invoices.lifecycle` at every move.
RANK_COMPLEMENT_RECEIVED = 0   # the person answered a complement: since the answer
RANK_SECOND_VISA = 1           # a second visa is awaited: since the first visa
RANK_SENT = 2                  # Envoyée or En traitement: since it was sent
RANK_COMPLEMENT_OVERDUE = 3    # À compléter past its due date: since the due date
RANK_COMPLEMENT_WAITING = 4    # À compléter, not yet due: since the due date
RANK_DONE = 9                  # decided (Validée, Refusée, Payée) or still a draft


class Invoice(db.Model):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invoice_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=STATUS_DRAFT, index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"))
    bank_account_id: Mapped[int | None] = mapped_column(ForeignKey("bank_accounts.id"))
    iban: Mapped[str | None] = mapped_column(String(34))
    decision_number: Mapped[str | None] = mapped_column(String(14))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    remark: Mapped[str] = mapped_column(Text, default="")
    total_claimed: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0.00"))
    total_approved: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    flags: Mapped[list] = mapped_column(JSON, default=list)
    #: What the sent invoice's documents show from other records (the account holder and
    #: address, beneficiary, IBAN and holder, decision number, the lines as priced), kept at
    #: sending so that later changes of those records never change a sent invoice
    #: (``guichet.invoices.view.frozen_copy``); ``None`` for a draft.
    frozen: Mapped[dict | None] = mapped_column(JSON)
    receipt_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    submit_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow,
                                                 index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    # The office's side. The gestionnaire who took it (« En traitement »), and since when.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The queue's order (RANK_* above, kept by invoices.lifecycle): rank, then since when.
    queue_rank: Mapped[int] = mapped_column(SmallInteger, default=RANK_DONE,
                                            server_default=text(str(RANK_DONE)))
    queue_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whether ``flags`` holds something a human must look at (the queue's « signalées »).
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What the queue's search reads, written at sending (and at an identity correction): the
    # beneficiary's N° AVS (digits) and the names of the beneficiary and of the account holder
    # as ``normalize_name_for_match`` makes them ("muller lea"), so « muller » finds « Müller ».
    subject_navs13: Mapped[str | None] = mapped_column(String(13))
    subject_name_key: Mapped[str | None] = mapped_column(String(201))
    holder_name_key: Mapped[str | None] = mapped_column(String(201))
    #: What the invoice's transmission PDF reads from records that may change after its batch
    #: was built (the creditor's NIF, the names of the visa's gestionnaires, the reductions'
    #: reasons), kept when the batch is built so that its PDFs stay the same
    #: (``guichet.invoices.transmission_pdf.transmission_copy``); ``None`` outside a batch.
    transmission_copy: Mapped[dict | None] = mapped_column(JSON)
    # « Payée »: the day the Centrale de compensation paid and the amount it paid.
    paid_on: Mapped[date | None]
    paid_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # The transmission batch it went in (at most one: guichet.invoices.transmission).
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("transmission_batches.id"),
                                                 index=True)

    __mapper_args__ = {"version_id_col": version}
    # A person's list, newest first, a page at a time (services.invoices_of).
    # The staff queue, most urgent first, a page at a time (keyset on rank, since, id).
    # Its tabs and filters (state, gestionnaire, type, flagged) in the same order, its counts
    # per state, and its searches (migrations b9c0d1e2f3a4, d1e2f3a4b5c6; guichet.invoices.queue).
    __table_args__ = (Index("ix_invoices_user_list", "user_id", "created_at", "id"),
                      Index("ix_invoices_queue", "queue_rank", "queue_since", "id"),
                      Index("ix_invoices_status_queue", "status", "queue_rank", "queue_since",
                            "id"),
                      Index("ix_invoices_assignee_queue", "assignee_id", "queue_rank",
                            "queue_since", "id"),
                      Index("ix_invoices_type_queue", "invoice_type", "queue_rank",
                            "queue_since", "id"),
                      Index("ix_invoices_status_type_queue", "status", "invoice_type",
                            "queue_rank", "queue_since", "id"),
                      Index("ix_invoices_flagged_queue", "queue_rank", "queue_since", "id",
                            sqlite_where=text("flagged"), postgresql_where=text("flagged")),
                      Index("ix_invoices_status_assignee", "status", "assignee_id"),
                      Index("ix_invoices_subject_navs13", "subject_navs13", "status",
                            "queue_rank", "queue_since", "id"),
                      Index("ix_invoices_subject_name_key", "subject_name_key", "status",
                            "queue_rank", "queue_since", "id"),
                      Index("ix_invoices_holder_name_key", "holder_name_key", "status",
                            "queue_rank", "queue_since", "id"))

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="invoice", order_by="Attachment.id", cascade="all, delete-orphan")
    events: Mapped[list[InvoiceEvent]] = relationship(
        back_populates="invoice", order_by="InvoiceEvent.id", cascade="all, delete-orphan")


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int]
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0.00"))
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    approval_reason: Mapped[str | None] = mapped_column(String(300))

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class Attachment(db.Model):
    """A pièce justificative, stored outside static/ under a random name with its SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"),
                                            index=True)
    requirement: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    # indexed: a pièce already sent with another invoice is a flag (guichet.invoices.flags)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    scan_status: Mapped[str] = mapped_column(String(12), default="pending")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    complement_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("complement_requests.id"))
    # The Swiss QR-bill read in it (guichet.invoices.supplier_bills): NULL when it was never
    # looked for, {"bill": null} when none was found, else {"bill": QrBill.to_dict()}.
    qr_bill: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # indexed: the same supplier invoice in another invoice is a flag (guichet.invoices.flags)
    bill_fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    # the person's answer to « Reprendre ces informations ? » (BILL_TAKEN, BILL_DECLINED), and
    # what taking it wrote in the form ({"header": {name: text}, "lines": {"0": {name: text}}})
    bill_answer: Mapped[str | None] = mapped_column(String(8))
    bill_filled: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    invoice: Mapped[Invoice] = relationship(back_populates="attachments")


class InvoiceEvent(db.Model):
    """One line of the history the insured person sees: who, when, what."""

    __tablename__ = "invoice_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"),
                                            index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None]
    by_office: Mapped[bool] = mapped_column(default=False)
    status_from: Mapped[str | None] = mapped_column(String(12))
    status_to: Mapped[str | None] = mapped_column(String(12))
    message: Mapped[str] = mapped_column(Text, default="")

    invoice: Mapped[Invoice] = relationship(back_populates="events")


class ComplementRequest(db.Model):
    """What the office asks for when an invoice is « À compléter », and the answer."""

    __tablename__ = "complement_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"),
                                            index=True)
    message: Mapped[str] = mapped_column(Text)
    #: The documents wanted, one per line (the type's pièces ticked, then free lines).
    documents: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # ``flask complements remind``: when the reminder before the due date, and the one once it
    # passed, were queued (each is sent once).
    reminded_before_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]


class ReviewDecision(db.Model):
    """A gestionnaire's decision on an invoice (Valider or Refuser), with the second visa when
    one is required. The latest row is the one that stands; one sent back by the second visa
    stays as history."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"),
                                            index=True)
    outcome: Mapped[str] = mapped_column(String(12))  # STATUS_ACCEPTED or STATUS_REJECTED
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    total_approved: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # a validation: per priced line of the invoice (in the order of its evaluation), the
    # amount claimed and approved, and for a lower one the reason's key
    # (a ``refusal_reasons`` row of kind ``reduction``) and text:
    # [{"claimed": "12.40", "approved": "10.00", "reason_code": "above_rate", "reason": "…"}]
    line_amounts: Mapped[list] = mapped_column(JSON, default=list)
    # a refusal: the reason's code (refusal_reasons.code) and the gestionnaire's text
    reason_code: Mapped[str | None] = mapped_column(String(30))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    # why a second visa is required (keys, e.g. ["new_iban", "above_amount"]); empty: none
    visa_reasons: Mapped[list] = mapped_column(JSON, default=list)
    visa_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    visa_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    visa_outcome: Mapped[str | None] = mapped_column(String(12))  # "confirmed" or "sent_back"
    visa_note: Mapped[str] = mapped_column(Text, default="")


class StaffNote(db.Model):
    """A note of the office about an invoice: never shown to the insured person."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"),
                                            index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    text: Mapped[str] = mapped_column(Text)


#: The two lists of reasons the administrators keep (``RefusalReason.kind``).
REASON_REFUSAL = "refusal"
REASON_REDUCTION = "reduction"
REASON_KINDS = (REASON_REFUSAL, REASON_REDUCTION)


class RefusalReason(db.Model):
    """A reason from a list the administrators keep: why an invoice is refused (``kind``
    ``refusal``) or why a line's approved amount is lower than claimed (``reduction``).
    Decisions refer to it by its code, unique within its list."""

    __tablename__ = "refusal_reasons"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default=REASON_REFUSAL,
                                      server_default=REASON_REFUSAL)
    code: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ReceiptCounter(db.Model):
    """The last receipt number given per office and year (NE-2026-000123)."""

    __tablename__ = "receipt_counters"
    __table_args__ = (UniqueConstraint("prefix", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4))
    year: Mapped[int]
    last: Mapped[int] = mapped_column(default=0)
