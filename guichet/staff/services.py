"""The office's first staff account: made by an operator (``flask staff create``), never by a
form. Once an active administrator exists, every other account comes from an invitation
(« Personnel », staff/accounts.py): the command then refuses.

A staff member logs in with a password and the code of an authenticator app (TOTP), not SMS:
the account is created with its TOTP secret, and the operator hands the ``otpauth://`` URI to
the person, who adds it to the app.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyotp
from sqlalchemy import select

from guichet.core.passwords import check_password, hash_password
from guichet.models import ROLE_ADMIN, STAFF_ROLES, User, utcnow
from guichet.models.base import db

TOTP_ISSUER = "Guichet Office AI"


class StaffAccountRefused(Exception):
    """The account was not created; the message (French) says why."""


@dataclass(frozen=True)
class NewStaffAccount:
    user: User
    provisioning_uri: str
    """``otpauth://totp/…`` for the authenticator app (it holds the secret: show it once)."""


def create_staff_account(email: str, role: str, password: str, name: str = "") -> NewStaffAccount:
    """A confirmed staff account with a new TOTP secret. Refused (:class:`StaffAccountRefused`)
    when an active administrator exists already (they invite the others), the address already
    has an account, the role is not a staff role, or the password breaks the policy. Adds the user to the session; the caller's unit of work commits."""
    email = email.strip().lower()
    if role not in STAFF_ROLES:
        raise StaffAccountRefused(f"Rôle inconnu : {role} ({', '.join(STAFF_ROLES)}).")
    if db.session.scalar(select(User.id).where(User.role == ROLE_ADMIN,
                                               User.disabled_at.is_(None)).limit(1)):
        raise StaffAccountRefused("Un compte administrateur actif existe déjà : invitez les "
                                  "autres membres du personnel depuis Administration › "
                                  "Personnel.")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise StaffAccountRefused("Un compte existe déjà pour cette adresse.")
    problems = check_password(password, email=email)
    if problems:
        raise StaffAccountRefused(" ".join(str(problem) for problem in problems))
    secret = pyotp.random_base32()
    prenom, _, nom = name.partition(" ")
    user = User(email=email, password_hash=hash_password(password), role=role,
                totp_secret=secret, email_confirmed_at=utcnow(), prenom=prenom or None,
                nom=nom or None)
    db.session.add(user)
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)
    return NewStaffAccount(user, uri)
