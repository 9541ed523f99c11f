"""The persons an account acts for, and the decision numbers saved for each of them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from .base import db
from .types import UTCDateTime, utcnow

RELATION_SELF = "self"
RELATION_CHILD = "child"
RELATION_WARD = "ward"
RELATION_OTHER = "other"


class Beneficiary(db.Model):
    __tablename__ = "beneficiaries"
    __table_args__ = (UniqueConstraint("user_id", "navs13"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    navs13: Mapped[str] = mapped_column(String(13))
    nom: Mapped[str] = mapped_column(String(100))
    prenom: Mapped[str] = mapped_column(String(100))
    date_naissance: Mapped[date]
    relation: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    decisions: Mapped[list[SavedDecision]] = relationship(
        back_populates="beneficiary", order_by="SavedDecision.id", cascade="all, delete-orphan")

    @property
    def display_name(self) -> str:
        return f"{self.prenom} {self.nom}"


class SavedDecision(db.Model):
    """A decision number the person saved for a beneficiary, with a short description."""

    __tablename__ = "saved_decisions"
    __table_args__ = (UniqueConstraint("beneficiary_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(14))
    description: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    beneficiary: Mapped[Beneficiary] = relationship(back_populates="decisions")


def beneficiaries_of(user, *, with_decisions: bool = False) -> list[Beneficiary]:
    """The holder first, then the others (the holder's entry is made at login); with their
    saved decision numbers loaded in the same go when ``with_decisions``."""
    query = (select(Beneficiary).where(Beneficiary.user_id == user.id,
                                       Beneficiary.removed_at.is_(None))
             .order_by(Beneficiary.relation != RELATION_SELF, Beneficiary.id))
    if with_decisions:
        query = query.options(selectinload(Beneficiary.decisions))
    return list(db.session.scalars(query))
