"""Server-side login sessions: the cookie holds only a random id that the server can revoke."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db
from .types import UTCDateTime, utcnow
from .user import User

STAGE_PASSWORD = "password"  # password checked, second factor pending
STAGE_FULL = "full"          # both factors done
STAGE_PHANTOM = "phantom"    # answers like a real pending session, leads nowhere


class AuthSession(db.Model):
    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    stage: Mapped[str] = mapped_column(String(16))
    phone_hint: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ip: Mapped[str | None] = mapped_column(String(45))
    # When this session last proved the second factor (the login code, or a step-up code): a
    # step-up shortly after needs no new code (verification/step_up.py).
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()
