"""The links e-mailed to office staff (models/staff_invitation.py): an invitation makes a new
staff account (a password, then the authenticator app); after an administrator reset an
account's authenticator, a link enrolls the new app (the password is kept).

Shared by the staff feature (administrators send and revoke links) and the auth feature (the
public pages the link opens). The token is random, e-mailed once and stored only as its SHA-256;
a link works until it is used, revoked, replaced by a resend, or expired
(``STAFF_INVITATION_MAX_AGE``, 72 hours). Nothing here commits: the caller's unit of work does.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from sqlalchemy import select, update

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.passwords import hash_password
from guichet.core.web import external_url
from guichet.messaging import queue_email
from guichet.models import ROLE_ADMIN, ROLE_REVIEWER, ROLE_TRANSMISSION, User, utcnow
from guichet.models.base import db
from guichet.models.staff_invitation import KIND_ACCOUNT, KIND_AUTHENTICATOR, StaffInvitation

from .totp import check_totp_secret, new_secret

ROLE_LABELS = {ROLE_REVIEWER: _l("Gestionnaire"),
               ROLE_TRANSMISSION: _l("Gestionnaire, transmission à la CdC"),
               ROLE_ADMIN: _l("Administrateur·trice")}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(invitation: StaffInvitation) -> str:
    """A fresh token for ``invitation`` (the previous one dies), a new expiry, a new secret and
    nothing chosen yet: a resent link starts over."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation.token_hash = _token_hash(token)
    invitation.sent_at = now
    invitation.created_at = invitation.created_at or now
    invitation.expires_at = now + current_app.config["STAFF_INVITATION_MAX_AGE"]
    invitation.pending_password_hash = None
    invitation.pending_totp_secret = new_secret()
    return token


def open_invitation_for(email: str) -> StaffInvitation | None:
    """An invitation to ``email`` not used, revoked nor expired."""
    now = utcnow()
    return db.session.scalar(select(StaffInvitation).where(
        StaffInvitation.email == email, StaffInvitation.kind == KIND_ACCOUNT,
        StaffInvitation.used_at.is_(None), StaffInvitation.revoked_at.is_(None),
        StaffInvitation.expires_at > now))


def invite(email: str, role: str, prenom: str | None, nom: str | None,
           invited_by: User) -> StaffInvitation:
    """A new invitation, e-mailed to ``email``. The caller checked that the address is free."""
    invitation = StaffInvitation(kind=KIND_ACCOUNT, email=email, role=role,
                                 prenom=prenom or None, nom=nom or None, invited_by=invited_by)
    token = _new_token(invitation)
    db.session.add(invitation)
    db.session.flush()
    _send(invitation, token)
    return invitation


def send_authenticator_link(user: User, sent_by: User) -> StaffInvitation:
    """A link to enroll a new authenticator app for ``user`` (whose app was just reset); any
    earlier link of the account still open is revoked."""
    revoke_links_of(user)
    invitation = StaffInvitation(kind=KIND_AUTHENTICATOR, email=user.email, role=user.role,
                                 prenom=user.prenom, nom=user.nom, user=user,
                                 invited_by=sent_by)
    token = _new_token(invitation)
    db.session.add(invitation)
    db.session.flush()
    _send(invitation, token)
    return invitation


def resend(invitation: StaffInvitation) -> None:
    """The same invitation with a new token and a new delay (the old link no longer works)."""
    _send(invitation, _new_token(invitation))


def revoke(invitation: StaffInvitation) -> None:
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


def revoke_links_of(user: User) -> None:
    """Ends every link of ``user``'s account still open (disabled account, new reset)."""
    db.session.execute(update(StaffInvitation).where(
        StaffInvitation.user_id == user.id, StaffInvitation.used_at.is_(None),
        StaffInvitation.revoked_at.is_(None)).values(revoked_at=utcnow()))


def _send(invitation: StaffInvitation, token: str) -> None:
    hours = int(current_app.config["STAFF_INVITATION_MAX_AGE"].total_seconds() // 3600)
    url = external_url("auth.enroll_staff", token=token)
    if invitation.kind == KIND_ACCOUNT:
        inviter = invitation.invited_by
        queue_email(invitation.email, "staff_invitation",
                    subject=_("Votre compte du personnel sur Guichet"), invitation=invitation,
                    role=role_label(invitation.role), hours=hours, enroll_url=url,
                    inviter=inviter.display_name if inviter is not None else "")
    else:
        queue_email(invitation.email, "staff_authenticator_reset",
                    subject=_("Votre application d'authentification pour Guichet"),
                    invitation=invitation, hours=hours, enroll_url=url)


# --- The pages the link opens ------------------------------------------------------------------

def find_open_link(token: str) -> StaffInvitation | None:
    """The link ``token`` opens, when it still works: not used, revoked, replaced or expired;
    an invitation whose address got an account meanwhile, or a reset of an account since
    disabled or given an app, does not work either."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    invitation = db.session.scalar(select(StaffInvitation).where(
        StaffInvitation.token_hash == _token_hash(token)))
    if invitation is None or not invitation.is_open():
        return None
    if invitation.kind == KIND_ACCOUNT:
        if db.session.scalar(select(User.id).where(User.email == invitation.email)) is not None:
            return None
    else:
        user = invitation.user
        if user is None or not user.is_active or not user.is_staff or user.has_authenticator:
            return None
    return invitation


def choose_password(invitation: StaffInvitation, password: str) -> None:
    """An invitation's first step: the password (policy checked by the form), kept hashed on
    the link until the authenticator is confirmed."""
    invitation.pending_password_hash = hash_password(password)
    record("staff_invitation_password_chosen", object_type="staff_invitation",
           object_id=invitation.id)


def confirm_authenticator(invitation: StaffInvitation, code: str | None) -> User | None:
    """The first code of the app confirms it: an invitation becomes the staff account (usable
    from now on), a reset account gets its new app. The link is then used up. None (audited)
    when the code is not valid."""
    secret = invitation.pending_totp_secret
    step = check_totp_secret(secret, code, None)
    if step is None:
        record("staff_enrollment_code_refused", object_type="staff_invitation",
               object_id=invitation.id)
        return None
    now = utcnow()
    used = db.session.execute(update(StaffInvitation).where(
        StaffInvitation.id == invitation.id, StaffInvitation.used_at.is_(None)).values(
        used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:  # another request used it a moment ago
        return None
    if invitation.kind == KIND_ACCOUNT:
        user = User(email=invitation.email, password_hash=invitation.pending_password_hash,
                    role=invitation.role, prenom=invitation.prenom, nom=invitation.nom,
                    email_confirmed_at=now)
        db.session.add(user)
        invitation.user = user
    else:
        user = invitation.user
    user.totp_secret, user.totp_last_step, user.totp_confirmed_at = secret, step, now
    user.totp_pending_secret = None
    invitation.used_at = now
    invitation.pending_password_hash = invitation.pending_totp_secret = None
    db.session.flush()
    record("staff_account_enrolled" if invitation.kind == KIND_ACCOUNT
           else "staff_authenticator_enrolled", actor=user, object_type="user",
           object_id=user.id, invitation=invitation.id)
    return user


__all__ = ["KIND_ACCOUNT", "KIND_AUTHENTICATOR", "ROLE_LABELS", "choose_password",
           "confirm_authenticator", "find_open_link", "invite", "open_invitation_for",
           "resend", "revoke", "revoke_links_of", "role_label", "send_authenticator_link"]
