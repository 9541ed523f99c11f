"""The second factor, at login and at each step-up: a code by SMS, from the authenticator app,
or a recovery code; and the freshness that spares a new code shortly after one was proved.

A person with an authenticator app is asked for it first (no SMS is sent unless they ask for
one); the SMS and the recovery codes stay offered on the same page. Staff have only the app.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from guichet.models import AuthSession, User, utcnow

from .codes import SendResult, check_code, issue_code
from .recovery import use_recovery_code
from .totp import check_totp

APP, SMS, RECOVERY = "app", "sms", "secours"


def methods_for(user: User) -> tuple[str, ...]:
    """The ways ``user`` may prove the second factor, the first one asked by default."""
    if user.is_staff:
        return (APP,)
    if user.has_authenticator:
        return (APP, SMS, RECOVERY) if user.phone else (APP, RECOVERY)
    return (SMS,)


def pick_method(user: User, requested: str | None) -> str:
    """``requested`` when the person may use it, else their first method."""
    methods = methods_for(user)
    return requested if requested in methods else methods[0]


def check_second_factor(user: User, auth_session: AuthSession, purpose: str, method: str | None,
                        code: str | None) -> bool:
    """Checks ``code`` by ``method`` (an SMS code of ``auth_session`` and ``purpose``, a code of
    the app, or a recovery code); on success the session counts as freshly proved."""
    method = pick_method(user, method)
    if method == APP:
        ok = check_totp(user, code)
    elif method == RECOVERY:
        ok = use_recovery_code(user, code)
    else:
        ok = check_code(auth_session, purpose, code) is not None
    if ok:
        mark_proved(auth_session)
    return ok


def mark_proved(auth_session: AuthSession) -> None:
    auth_session.second_factor_at = utcnow()


def is_fresh(auth_session: AuthSession | None) -> bool:
    """The session proved its second factor within ``STEP_UP_FRESHNESS`` (5 minutes)."""
    at = auth_session.second_factor_at if auth_session is not None else None
    return at is not None and utcnow() - at <= current_app.config["STEP_UP_FRESHNESS"]


def freshness_minutes() -> int:
    return int(current_app.config["STEP_UP_FRESHNESS"].total_seconds() // 60)


@dataclass
class StepUp:
    fresh: bool                   # nothing more to ask: the change may be made at once
    sms: SendResult | None = None  # the SMS sent (or refused) when one was needed


def begin_step_up(user: User, auth_session: AuthSession, purpose: str,
                  action: str | None = None) -> StepUp:
    """What a sensitive change needs after the password: nothing when the session is fresh; the
    app's code for a person who has one (no SMS sent); else an SMS code, sent now, whose text
    says what it authorises (``action``)."""
    if is_fresh(auth_session):
        return StepUp(fresh=True)
    if pick_method(user, None) != SMS:
        return StepUp(fresh=False)
    return StepUp(fresh=False, sms=issue_code(auth_session, user.phone, purpose, action))
