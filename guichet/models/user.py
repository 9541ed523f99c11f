"""Accounts: insured persons and office staff."""
from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import db
from .types import UTCDateTime, utcnow

ROLE_INSURED = "insured"
ROLE_REVIEWER = "reviewer"
ROLE_ADMIN = "admin"
#: A gestionnaire who also builds the transmission batches for the Centrale de compensation and
#: records their payment (admins may do it too).
ROLE_TRANSMISSION = "transmission"
STAFF_ROLES = (ROLE_REVIEWER, ROLE_TRANSMISSION, ROLE_ADMIN)


class User(UserMixin, db.Model):
    """One login. Insured persons carry their identity and address; staff carry a TOTP secret."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=ROLE_INSURED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Moves with every change to the person's invoices or beneficiaries (list_version.py): the
    # home page's list is unchanged while it stays the same.
    list_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    phone: Mapped[str | None] = mapped_column(String(16))
    phone_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pending_email: Mapped[str | None] = mapped_column(String(254))
    pending_phone: Mapped[str | None] = mapped_column(String(16))

    navs13: Mapped[str | None] = mapped_column(String(13), unique=True)
    civilite: Mapped[str | None] = mapped_column(String(10))
    nom: Mapped[str | None] = mapped_column(String(100))
    prenom: Mapped[str | None] = mapped_column(String(100))
    date_naissance: Mapped[date | None]
    rue: Mapped[str | None] = mapped_column(String(120))
    npa: Mapped[str | None] = mapped_column(String(12))
    localite: Mapped[str | None] = mapped_column(String(100))
    pays: Mapped[str | None] = mapped_column(String(2))

    # The authenticator app (TOTP): staff always have one; an insured person may add one, first
    # kept in ``totp_pending_secret`` until a code from the app confirms it.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # The creditor number (NIF) the Centrale de compensation gives at the first payment to this
    # account's holder (the insured person or the legal representative), printed on every later
    # invoice; set by the payment import or by staff.
    nif: Mapped[str | None] = mapped_column(String(20))
    # A staff account an administrator disabled: it can no longer log in, its sessions ended.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def can_transmit(self) -> bool:
        """May build transmission batches and record payments."""
        return self.role in (ROLE_ADMIN, ROLE_TRANSMISSION)

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot be logged in
        return self.disabled_at is None

    @property
    def has_authenticator(self) -> bool:
        """A confirmed authenticator app: it is then the first way in, before the SMS."""
        return bool(self.totp_secret)

    @property
    def is_confirmed(self) -> bool:
        """Both the mobile and the e-mail address are confirmed: invoices may be opened."""
        return self.email_confirmed_at is not None and self.phone_confirmed_at is not None

    @property
    def display_name(self) -> str:
        if self.prenom or self.nom:
            return f"{self.prenom or ''} {self.nom or ''}".strip()
        return self.email

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
