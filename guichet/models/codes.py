"""One-time codes sent by SMS, stored hashed, bound to a session and a purpose."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import db
from .types import UTCDateTime, utcnow

PURPOSE_LOGIN = "login"
PURPOSE_PHONE_CHANGE = "phone_change"
PURPOSE_IBAN = "iban"
PURPOSE_STEP_UP = "step_up"  # other changes guarded by a second factor (the authenticator app)


class SmsCode(db.Model):
    __tablename__ = "sms_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    auth_session_id: Mapped[int] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(16), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dead: Mapped[bool] = mapped_column(default=False)
