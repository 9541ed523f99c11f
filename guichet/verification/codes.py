"""SMS one-time codes (NIST SP 800-63B): random, hashed, short-lived, single use, bounded tries.

Sending is limited per number (per hour, per day, a cooldown between two codes) and by a daily
budget for the whole office; when the budget is spent, sending stops and an alert is logged.
"""
from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import func, select

from guichet.core.audit import record
from guichet.core.i18n import ZURICH
from guichet.core.i18n import gettext as _
from guichet.core.i18n import local_datetime, today_in_zurich
from guichet.messaging import queue_sms
from guichet.models import AuthSession, SmsCode, utcnow
from guichet.models.base import db
from guichet.models.codes import PURPOSE_LOGIN

log = logging.getLogger("guichet.codes")


class SendOutcome(enum.Enum):
    SENT = "sent"
    COOLDOWN = "cooldown"
    NUMBER_LIMIT = "number_limit"
    IP_LIMIT = "ip_limit"
    BUDGET_SPENT = "budget_spent"


@dataclass
class SendResult:
    outcome: SendOutcome
    wait_seconds: int = 0
    retry_at: datetime | None = None  # when a code may be asked again (refusals only)

    @property
    def sent(self) -> bool:
        return self.outcome is SendOutcome.SENT


def _record(action: str, auth_session: AuthSession, **detail) -> None:
    """An audit entry about ``auth_session``'s codes, in the name of its person (if any)."""
    record(action, actor=auth_session.user, object_type="auth_session",
           object_id=auth_session.id, **detail)


def _digest(auth_session_id: int, purpose: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{auth_session_id}:{purpose}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def seconds_until_resend(phone: str) -> int:
    last = db.session.scalar(select(func.max(SmsCode.created_at)).where(SmsCode.phone == phone))
    if last is None:
        return 0
    cooldown = timedelta(seconds=current_app.config["SMS_COOLDOWN_SECONDS"])
    remaining = (_aware(last) + cooldown - utcnow()).total_seconds()
    return max(0, int(remaining + 0.999))


def _count_since(since: datetime, phone: str | None = None) -> int:
    query = select(func.count(SmsCode.id)).where(SmsCode.created_at >= since)
    if phone is not None:
        query = query.where(SmsCode.phone == phone)
    return db.session.scalar(query)


def _window_end(query, since: datetime, limit: int, window: timedelta) -> datetime | None:
    """When the codes ``query`` selects within the last ``window`` fall below ``limit`` again
    (None when they already are)."""
    times = db.session.scalars(query.where(SmsCode.created_at >= since)
                               .order_by(SmsCode.created_at)).all()
    if len(times) < limit:
        return None
    return _aware(times[len(times) - limit]) + window


def send_refusal(auth_session: AuthSession, phone: str) -> SendResult | None:
    """Why no code may be sent to ``phone`` for ``auth_session`` now, and from when one may;
    None when one may. Limits: a cooldown, per number (hour, day), per IP (hour), and the
    office's daily budget."""
    config = current_app.config
    now = utcnow()
    hour, day = timedelta(hours=1), timedelta(days=1)
    by_phone = select(SmsCode.created_at).where(SmsCode.phone == phone)
    refusals = []
    wait = seconds_until_resend(phone)
    if wait:
        refusals.append((SendOutcome.COOLDOWN, now + timedelta(seconds=wait)))
    for window, limit in ((hour, config["SMS_PER_HOUR"]), (day, config["SMS_PER_DAY"])):
        until = _window_end(by_phone, now - window, limit, window)
        if until is not None:
            refusals.append((SendOutcome.NUMBER_LIMIT, until))
    # against SMS pumping, which costs only when a gateway really sends: the console backend
    # (demo, local development, many persons trying Guichet from one address) has no such limit
    if auth_session.ip and config["SMS_BACKEND"] != "console":
        by_ip = (select(SmsCode.created_at).join(AuthSession)
                 .where(AuthSession.ip == auth_session.ip))
        until = _window_end(by_ip, now - hour, config["SMS_PER_IP_PER_HOUR"], hour)
        if until is not None:
            refusals.append((SendOutcome.IP_LIMIT, until))
    midnight = datetime.combine(now.astimezone(ZURICH).date(), time.min, tzinfo=ZURICH)  # Swiss day
    if _count_since(midnight) >= config["SMS_DAILY_BUDGET"]:
        refusals.append((SendOutcome.BUDGET_SPENT, midnight + day))
    if not refusals:
        return None
    outcome, retry_at = max(refusals, key=lambda refusal: refusal[1])
    return SendResult(outcome, max(1, int((retry_at - now).total_seconds() + 0.999)), retry_at)


def issue_code(auth_session: AuthSession, phone: str, purpose: str,
               action: str | None = None) -> SendResult:
    """Creates a code for ``auth_session`` and ``purpose``, queues the SMS; older codes die.
    ``action`` says in the SMS what the code authorises (« pour confirmer l'ajout d'un
    IBAN »), so that a code nobody asked for, or asked for something else, stands out.

    When no code may be sent, nothing changes: the last code still valid keeps working."""
    config = current_app.config
    now = utcnow()
    refused = send_refusal(auth_session, phone)
    if refused is not None:
        if refused.outcome is SendOutcome.BUDGET_SPENT:
            log.critical("ALERT: the daily SMS budget (%s) is spent; no more codes are sent "
                         "today", config["SMS_DAILY_BUDGET"])
            _record("sms_budget_spent", auth_session)
        elif refused.outcome is not SendOutcome.COOLDOWN:
            _record(f"sms_refused_{refused.outcome.value}", auth_session)
        return refused

    for older in db.session.scalars(select(SmsCode).where(
            SmsCode.auth_session_id == auth_session.id, SmsCode.purpose == purpose,
            SmsCode.used_at.is_(None), SmsCode.dead.is_(False))):
        older.dead = True
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.add(SmsCode(auth_session_id=auth_session.id, purpose=purpose, phone=phone,
                           code_hash=_digest(auth_session.id, purpose, code), created_at=now,
                           expires_at=now + config["SMS_CODE_VALIDITY"]))
    minutes = int(config["SMS_CODE_VALIDITY"].total_seconds() // 60)
    queue_sms(phone, _("Code Guichet %(code)s %(action)s. Valable %(minutes)s minutes. Ne le "
                       "communiquez à personne.", code=code, action=action, minutes=minutes)
              if action else
              _("Code Guichet %(code)s. Valable %(minutes)s minutes. Ne le communiquez à "
                "personne.", code=code, minutes=minutes))
    _record("sms_sent", auth_session, purpose=purpose)
    return SendResult(SendOutcome.SENT)


def live_code(auth_session: AuthSession, purpose: str) -> SmsCode | None:
    """The code ``auth_session`` may use for ``purpose`` now: its own live code; or, for a login
    whose session could get no code of its own, the last live login code sent to the person's
    number for another of their pending logins (the code received a minute earlier)."""
    now = utcnow()
    live = (SmsCode.used_at.is_(None), SmsCode.dead.is_(False), SmsCode.expires_at > now,
            SmsCode.purpose == purpose)
    own = db.session.scalars(select(SmsCode).where(
        SmsCode.auth_session_id == auth_session.id, *live).order_by(SmsCode.id.desc())).first()
    if own is not None or purpose != PURPOSE_LOGIN or auth_session.user_id is None:
        return own
    had_own = db.session.scalar(select(SmsCode.id).where(
        SmsCode.auth_session_id == auth_session.id, SmsCode.purpose == purpose).limit(1))
    if had_own is not None:
        return None
    return db.session.scalars(select(SmsCode).join(AuthSession).where(
        AuthSession.user_id == auth_session.user_id, AuthSession.revoked_at.is_(None),
        AuthSession.stage == auth_session.stage, SmsCode.phone == auth_session.phone_hint,
        *live).order_by(SmsCode.id.desc())).first()


def check_code(auth_session: AuthSession, purpose: str, code: str) -> SmsCode | None:
    """The live code if ``code`` matches (and it is then used up); otherwise counts a wrong try."""
    now = utcnow()
    live = live_code(auth_session, purpose)
    if live is None:
        _record("sms_code_refused", auth_session, reason="no live code")
        return None
    candidate = "".join(ch for ch in (code or "") if ch.isdigit())
    expected = _digest(live.auth_session_id, purpose, candidate)  # the session it was sent for
    if len(candidate) == 6 and hmac.compare_digest(live.code_hash, expected):
        live.used_at = now
        _record("sms_code_accepted", auth_session)
        return live
    live.attempts += 1
    if live.attempts >= current_app.config["SMS_CODE_MAX_ATTEMPTS"]:
        live.dead = True
    _record("sms_code_refused", auth_session, reason="wrong code", attempts=live.attempts)
    return None


def send_refusal_message(result: SendResult) -> str:
    """The French sentence telling the person that no new code could be sent, and when one can
    be asked again."""
    if result.outcome is SendOutcome.COOLDOWN:
        return _("Vous pourrez demander un nouveau code dans %(seconds)s secondes.",
                 seconds=result.wait_seconds)
    when = _from_when(result.retry_at)
    if result.outcome is SendOutcome.BUDGET_SPENT:
        return _("L'envoi de SMS est momentanément indisponible. Vous pourrez demander un "
                 "nouveau code %(when)s, ou appeler l'office.", when=when)
    if result.outcome is SendOutcome.IP_LIMIT:
        return _("Trop de codes ont été demandés depuis cette connexion. Vous pourrez demander "
                 "un nouveau code %(when)s.", when=when)
    return _("Trop de codes ont été demandés pour ce numéro. Vous pourrez demander un nouveau "
             "code %(when)s.", when=when)


def _from_when(moment: datetime) -> str:
    """« à partir de 14:05 » today, « à partir du 02.12.2026 à 09:12 » another day."""
    if moment.astimezone(ZURICH).date() == today_in_zurich():
        return _("à partir de %(time)s", time=clock_time(moment))
    return _("à partir du %(date)s", date=local_datetime(moment))


def clock_time(moment: datetime | None) -> str:
    """``14:05`` in Swiss time."""
    return moment.astimezone(ZURICH).strftime("%H:%M") if moment else ""
