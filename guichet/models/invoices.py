"""Invoices sent for reimbursement, their lines, pièces justificatives and history."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
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

    __mapper_args__ = {"version_id_col": version}
    # A person's list, newest first, a page at a time (services.invoices_of).
    __table_args__ = (Index("ix_invoices_user_list", "user_id", "created_at", "id"),)

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
    sha256: Mapped[str] = mapped_column(String(64))
    scan_status: Mapped[str] = mapped_column(String(12), default="pending")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    complement_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("complement_requests.id"))

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
    documents: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReceiptCounter(db.Model):
    """The last receipt number given per office and year (NE-2026-000123)."""

    __tablename__ = "receipt_counters"
    __table_args__ = (UniqueConstraint("prefix", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4))
    year: Mapped[int]
    last: Mapped[int] = mapped_column(default=0)
