"""Transmission batches (« lots de transmission ») of validated invoices for the Centrale de
compensation, their yearly counter, and the lines of a payment list that could not be applied."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import db
from .types import UTCDateTime, utcnow

ZURICH = ZoneInfo("Europe/Zurich")


class TransmissionBatch(db.Model):
    """A frozen set of « Validée » invoices (``invoices.batch_id``) sent together to the CdC:
    its number (NE-LOT-2026-0007), its count and control sum (fixed at creation), when it was
    transmitted and, when paid by hand, when it was paid."""

    __tablename__ = "transmission_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    count: Mapped[int]
    control_sum: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    transmitted_on: Mapped[date | None]
    transmitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_on: Mapped[date | None]
    paid_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def created_on(self) -> date:
        """The day it was built, in Neuchâtel."""
        return self.created_at.astimezone(ZURICH).date()


class BatchCounter(db.Model):
    """The last batch number given per prefix and year (NE-LOT-2026-0007)."""

    __tablename__ = "batch_counters"
    __table_args__ = (UniqueConstraint("prefix", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4))
    year: Mapped[int]
    last: Mapped[int] = mapped_column(default=0)


class PaymentIssue(db.Model):
    """A line of the CdC's payment list that changed nothing (an amount that differs, a
    receipt not in the batch, an invoice not payable, a line given twice, a NIF that differs
    from the account's), kept until a gestionnaire decides: accept (the amount paid is
    recorded as paid, or the new NIF is kept) or dismiss."""

    __tablename__ = "payment_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("transmission_batches.id",
                                                     ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id",
                                                              ondelete="SET NULL"))
    receipt_number: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    paid_on: Mapped[date | None]
    nif: Mapped[str | None] = mapped_column(String(20))
    problem: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(12))  # "accepted" or "dismissed"
    note: Mapped[str] = mapped_column(Text, default="")
