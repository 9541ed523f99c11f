"""Changing what the account holds. Each change is audited and noticed to the old address."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.signals import profile_changed
from guichet.core.web import external_url
from guichet.messaging import queue_email
from guichet.models import AuthSession, User, utcnow
from guichet.models.base import db
from guichet.models.codes import PURPOSE_PHONE_CHANGE
from guichet.verification import links as tokens
from guichet.verification.codes import SendResult, check_code, issue_code
from guichet.verification.credentials import notify_old_address, set_password


@dataclass
class Profile:
    """What the insured person may change in « Vos données ». The identity checked against the
    register at registration (N° AVS, nom, prénom, date de naissance) is not part of it: only
    the office corrects it (security.md 7), so the account, and the holder's beneficiary entry
    that follows it, keep the identity that was checked."""

    civilite: str
    rue: str
    npa: str
    localite: str
    pays: str


def update_profile(user: User, profile: Profile) -> None:
    changed = [name for name, value in vars(profile).items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, getattr(profile, name))
    if changed:
        profile_changed.send(user)
        record("profile_changed", actor=user, object_type="user", object_id=user.id,
               fields=sorted(changed))


def request_email_change(user: User, new_email: str) -> None:
    """Sends a link to the new address; the old one stays until the link is used."""
    user.pending_email = new_email
    taken = db.session.scalar(select(User.id).where(User.email == new_email)) is not None
    if taken:
        queue_email(new_email, "email_taken", subject=_("Changement d'adresse e-mail"),
                    login_url=external_url("auth.login"))
    else:
        token = tokens.make_token(user, tokens.CHANGE_EMAIL, target_email=new_email)
        queue_email(new_email, "confirm_email_change", subject=_("Confirmez votre nouvelle adresse"),
                    user=user, confirm_url=external_url("account.confirm_email_change",
                                                              token=token))
    notify_old_address(user, "email_requested")
    record("email_change_requested", actor=user, object_type="user", object_id=user.id)


def confirm_email_change(token: str) -> User | None:
    found = tokens.read_token(token, tokens.CHANGE_EMAIL)
    if found is None:
        return None
    user, new_email, token_id = found
    if new_email != user.pending_email:  # a later request replaced this one: its link is dead
        return None
    if db.session.scalar(select(User.id).where(User.email == new_email)) is not None:
        return None
    if not tokens.use_up(token_id):
        return None
    notify_old_address(user, "email_changed")
    user.email = new_email
    user.email_confirmed_at = utcnow()
    user.pending_email = None
    record("email_changed", actor=user, object_type="user", object_id=user.id)
    return user


def request_phone_change(user: User, auth_session: AuthSession, new_phone: str) -> SendResult:
    result = issue_code(auth_session, new_phone, PURPOSE_PHONE_CHANGE,
                        _("pour confirmer votre nouveau numéro de portable"))
    if result.sent:  # a refused send leaves the account as it was
        user.pending_phone = new_phone
        record("phone_change_requested", actor=user, object_type="user", object_id=user.id)
    return result


def confirm_phone_change(user: User, auth_session: AuthSession, code: str) -> bool:
    if not user.pending_phone:
        return False
    used = check_code(auth_session, PURPOSE_PHONE_CHANGE, code)
    if used is None or used.phone != user.pending_phone:
        return False
    notify_old_address(user, "phone_changed")
    user.phone = user.pending_phone
    user.phone_confirmed_at = utcnow()
    user.pending_phone = None
    record("phone_changed", actor=user, object_type="user", object_id=user.id)
    return True


def change_password(user: User, auth_session: AuthSession, new_password: str) -> None:
    set_password(user, new_password, keep=auth_session)
    record("password_changed", actor=user, object_type="user", object_id=user.id)

