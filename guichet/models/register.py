"""The office register of insured persons, imported from CSV."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import db
from .types import UTCDateTime, utcnow


class RegisteredPerson(db.Model):
    __tablename__ = "registered_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    navs13: Mapped[str] = mapped_column(String(13), unique=True)
    nom: Mapped[str] = mapped_column(String(100))
    prenom: Mapped[str] = mapped_column(String(100))
    date_naissance: Mapped[date]
    nom_match: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
