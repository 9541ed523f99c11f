"""Links e-mailed to office staff: the invitation that makes a new staff account, and the link
that enrolls a new authenticator app after an administrator reset it.

The token itself is never stored: only its SHA-256 (the token has 256 random bits). A link is
open until it is used, revoked or replaced (a resend gives a new token), or past ``expires_at``.
While it is open it keeps what the person chose so far: the password's hash (an invitation's
first step) and the authenticator secret the page shows, until the first code confirms it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db
from .types import UTCDateTime, utcnow
from .user import User

#: A new staff account: password, then the authenticator app.
KIND_ACCOUNT = "account"
#: An existing account whose authenticator was reset: the app only, the password kept.
KIND_AUTHENTICATOR = "authenticator"
INVITATION_KINDS = (KIND_ACCOUNT, KIND_AUTHENTICATOR)


class StaffInvitation(db.Model):
    __tablename__ = "staff_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(16))
    prenom: Mapped[str | None] = mapped_column(String(100))
    nom: Mapped[str | None] = mapped_column(String(100))
    # the account: the one whose authenticator was reset, or the one the invitation made
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    pending_password_hash: Mapped[str | None] = mapped_column(String(255))
    pending_totp_secret: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def is_open(self, now: datetime | None = None) -> bool:
        """Neither used nor revoked, and not expired."""
        return (self.used_at is None and self.revoked_at is None
                and (now or utcnow()) < self.expires_at)

    @property
    def is_expired(self) -> bool:
        return self.used_at is None and self.revoked_at is None and utcnow() >= self.expires_at

    @property
    def display_name(self) -> str:
        return f"{self.prenom or ''} {self.nom or ''}".strip() or self.email
