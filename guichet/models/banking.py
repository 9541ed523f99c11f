"""Bank accounts (IBAN) to which an account holder's reimbursements are paid."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from .base import db
from .types import UTCDateTime, utcnow


class BankAccount(db.Model):
    """A new IBAN counts only once confirmed by an SMS code; removal keeps the row for history."""

    __tablename__ = "bank_accounts"
    __table_args__ = (UniqueConstraint("user_id", "iban"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    iban: Mapped[str] = mapped_column(String(34))
    holder: Mapped[str] = mapped_column(String(140))
    bank_name: Mapped[str | None] = mapped_column(String(140))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def active_accounts(user) -> list[BankAccount]:
    """The confirmed IBANs of ``user`` that were not removed, oldest first."""
    return list(db.session.scalars(select(BankAccount).where(
        BankAccount.user_id == user.id, BankAccount.confirmed_at.is_not(None),
        BankAccount.removed_at.is_(None)).order_by(BankAccount.id)))
