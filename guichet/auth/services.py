"""The rules of registering, logging in and recovering an account.

Every answer a stranger can see is the same whether or not the e-mail address, the account or the
register entry exists; where no account exists, the same work (one password hash) is still done.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.identifiers import mask_phone
from guichet.core.passwords import dummy_verify, hash_password, needs_rehash, verify_password
from guichet.core.sessions import open_session, revoke
from guichet.core.signals import insured_logged_in
from guichet.core.web import external_url
from guichet.messaging import queue_email
from guichet.models import AuthSession, User, utcnow
from guichet.models.auth_session import STAGE_FULL, STAGE_PASSWORD, STAGE_PHANTOM
from guichet.models.base import db
from guichet.models.codes import PURPOSE_LOGIN
from guichet.register.lookup import find_in_register
from guichet.verification import links as tokens
from guichet.verification.codes import SendOutcome, SendResult, issue_code, seconds_until_resend
from guichet.verification.credentials import set_password
from guichet.verification.prompt import resend_widget, sms_status
from guichet.verification.second_factor import (SMS, check_second_factor, mark_proved, methods_for,
                                                pick_method)


@dataclass
class Registration:
    email: str
    password: str
    phone: str
    navs13: str
    civilite: str
    nom: str
    prenom: str
    date_naissance: date
    rue: str
    npa: str
    localite: str
    pays: str


def register(data: Registration) -> SendResult | None:
    """Creates the account and sends the SMS code, or, when that may not be, acts the same.

    Opens a pending session either way; returns the SMS result for a real account.
    """
    password_hash = hash_password(data.password)  # the same cost whatever happens next
    existing = db.session.scalar(select(User).where(
        (User.email == data.email) | (User.navs13 == data.navs13)))
    in_register = find_in_register(data.navs13, data.nom, data.date_naissance)
    if existing is not None:
        queue_email(existing.email, "already_registered",
                    subject=_("Tentative d'inscription avec vos données"), user=existing,
                    login_url=external_url("auth.login"),
                    reset_url=external_url("auth.forgot_password"))
        record("register_duplicate", actor=existing, object_type="user", object_id=existing.id)
    if existing is not None or in_register is None:
        if existing is None:
            record("register_not_in_register")
        open_session(None, STAGE_PHANTOM, phone_hint=data.phone)
        return None

    user = User(email=data.email, password_hash=password_hash, phone=data.phone,
                navs13=data.navs13, civilite=data.civilite, nom=data.nom, prenom=data.prenom,
                date_naissance=data.date_naissance, rue=data.rue, npa=data.npa,
                localite=data.localite, pays=data.pays)
    db.session.add(user)
    db.session.flush()
    record("register", actor=user, object_type="user", object_id=user.id)
    send_email_confirmation(user)
    pending = open_session(user, STAGE_PASSWORD, phone_hint=data.phone)
    return issue_code(pending, data.phone, PURPOSE_LOGIN, _login_code_action(user))


def _login_code_action(user: User) -> str:
    """What the login code authorises, as its SMS says: the first one confirms the mobile."""
    return (_("pour vous connecter") if user.phone_confirmed_at is not None
            else _("pour confirmer votre numéro de portable"))


def send_email_confirmation(user: User) -> None:
    token = tokens.make_token(user, tokens.CONFIRM_EMAIL)
    queue_email(user.email, "confirm_email", subject=_("Confirmez votre adresse e-mail"),
                user=user, confirm_url=external_url("auth.confirm_email", token=token))


@dataclass
class LoginStart:
    user: User
    sms: SendResult | None  # None when the authenticator app is asked (staff, and by choice)


def start_login(email: str, password: str) -> LoginStart | None:
    """Checks the password. On success opens a session that still needs the second factor."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        dummy_verify(password)
        record("login_failed", reason="unknown")
        return None
    if not verify_password(user.password_hash, password):
        record("login_failed", actor=user, object_type="user", object_id=user.id,
               reason="password")
        return None
    if not user.is_active or user.is_staff and not user.has_authenticator:
        # a disabled staff account, or one whose app was reset and not yet enrolled again:
        # the same answer as a wrong password
        record("login_failed", actor=user, object_type="user", object_id=user.id,
               reason="disabled" if not user.is_active else "no_authenticator")
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    pending = open_session(user, STAGE_PASSWORD, phone_hint=user.phone)
    record("login_password_ok", actor=user, object_type="user", object_id=user.id)
    # the authenticator app, when the person has one, comes first: no SMS unless they ask
    first = methods_for(user)[0]
    sms = (issue_code(pending, user.phone, PURPOSE_LOGIN, _login_code_action(user))
           if first == SMS else None)
    return LoginStart(user, sms)


def pending_phone_hint(pending: AuthSession) -> str:
    return mask_phone(pending.phone_hint) if pending.phone_hint else ""


def resend_wait(pending: AuthSession) -> int:
    """Seconds before « J'ai besoin d'un nouveau code » works again.

    A phantom session waits as if it had sent a code when it was opened (and at each pretended
    resend, kept in ``last_seen_at``), so its page looks like a real one.
    """
    wait = seconds_until_resend(pending.phone_hint) if pending.phone_hint else 0
    if pending.stage == STAGE_PHANTOM:
        cooldown = timedelta(seconds=current_app.config["SMS_COOLDOWN_SECONDS"])
        remaining = (pending.last_seen_at + cooldown - utcnow()).total_seconds()
        wait = max(wait, int(remaining + 0.999))
    return wait


def resend_login_code(pending: AuthSession) -> SendResult | None:
    """A new code for the pending login (None for a phantom session: nothing is sent)."""
    if pending.stage == STAGE_PHANTOM or pending.user is None:
        wait = resend_wait(pending)
        if wait:
            return SendResult(SendOutcome.COOLDOWN, wait)
        pending.last_seen_at = utcnow()
        return None
    if pending.user.is_staff:
        return None  # staff use their authenticator app: no SMS (and no phone number)
    return issue_code(pending, pending.user.phone, PURPOSE_LOGIN,
                      _login_code_action(pending.user))


def complete_second_factor(pending: AuthSession, method: str | None, code: str) -> User | None:
    """Checks the code (SMS, authenticator app or recovery code, as ``method`` says); on
    success replaces the pending session by a full one, freshly proved."""
    user = pending.user
    if pending.stage != STAGE_PASSWORD or user is None or not user.is_active:
        return None
    if not check_second_factor(user, pending, PURPOSE_LOGIN, method, code):
        return None
    if not user.is_staff:
        insured_logged_in.send(user)
    if pick_method(user, method) == SMS and user.phone_confirmed_at is None:
        user.phone_confirmed_at = utcnow()
        record("phone_confirmed", actor=user, object_type="user", object_id=user.id)
    revoke(pending)
    mark_proved(open_session(user, STAGE_FULL))
    record("login", actor=user, object_type="user", object_id=user.id,
           method=pick_method(user, method))
    return user


def phantom_prompt(pending: AuthSession, page_url: str, resend_url: str,
                   message: str | None = None) -> dict:
    """The code page of a phantom session, as a real one with a code sent when it was opened
    (or at its last pretended resend, kept in ``last_seen_at``)."""
    wait = resend_wait(pending)
    sent_at = pending.last_seen_at
    return {"method": SMS, "code_label": _("Code reçu par SMS"), "other_methods": [],
            "code_hint": sms_status(sent_at, sent_at + current_app.config["SMS_CODE_VALIDITY"],
                                    pending.phone_hint or ""),
            "resend": resend_widget(SendResult(SendOutcome.COOLDOWN, wait) if wait else None,
                                    resend_url, page_url, first=False, message=message)}


def confirm_email(token: str) -> User | None:
    found = tokens.read_token(token, tokens.CONFIRM_EMAIL)
    if found is None:
        return None
    user, target, token_id = found
    if target != user.email or not tokens.use_up(token_id):
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    record("email_confirmed", actor=user, object_type="user", object_id=user.id)
    return user


def request_password_reset(email: str) -> None:
    """Sends a reset link when the account exists; does the same amount of work otherwise."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        record("password_reset_unknown")
        return
    token = tokens.make_token(user, tokens.RESET_PASSWORD)
    queue_email(user.email, "reset_password", subject=_("Nouveau mot de passe"),
                user=user, reset_url=external_url("auth.reset_password", token=token),
                minutes=int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60))
    record("password_reset_requested", actor=user, object_type="user", object_id=user.id)


def user_for_reset(token: str) -> User | None:
    found = tokens.read_token(token, tokens.RESET_PASSWORD)
    return found[0] if found else None


def reset_password(token: str, new_password: str) -> User | None:
    found = tokens.read_token(token, tokens.RESET_PASSWORD)
    if found is None:
        return None
    user, _target, token_id = found
    if not tokens.use_up(token_id):
        return None
    set_password(user, new_password)
    record("password_reset", actor=user, object_type="user", object_id=user.id)
    return user


def logout(auth_session: AuthSession | None) -> None:
    if auth_session is not None and auth_session.user is not None:
        record("logout", actor=auth_session.user, object_type="user",
               object_id=auth_session.user_id)
    revoke(auth_session)
