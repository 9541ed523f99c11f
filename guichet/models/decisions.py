"""Decisions of the office, imported with the register: what each insured person is granted."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import db
from .types import UTCDateTime, utcnow


class Decision(db.Model):
    """``invoice_type`` is the key of the invoice type it covers
    (:data:`guichet.invoices.types.INVOICE_TYPES`, checked when decisions are imported)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    navs13: Mapped[str] = mapped_column(String(13), index=True)
    number: Mapped[str] = mapped_column(String(14), unique=True)
    invoice_type: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    degree: Mapped[str | None] = mapped_column(String(20))
    monthly_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
