"""Dated rates: the rate in force on the date of a cost applies. The office edits them as data."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import db


class Rate(db.Model):
    __tablename__ = "rates"
    __table_args__ = (UniqueConstraint("key", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), index=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    label: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(120))
