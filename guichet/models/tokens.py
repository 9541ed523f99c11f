"""Identifiers of e-mail tokens already used, so that each link works once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import db
from .types import UTCDateTime, utcnow


class UsedToken(db.Model):
    __tablename__ = "used_tokens"

    jti: Mapped[str] = mapped_column(String(32), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
