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
from guichet.core.i18n import gettext as _
from guichet.messaging import queue_sms
from guichet.models import AuthSession, SmsCode, utcnow
from guichet.models.base import db

log = logging.getLogger("guichet.codes")


class SendOutcome(enum.Enum):
    SENT = "sent"
    COOLDOWN = "cooldown"
    NUMBER_LIMIT = "number_limit"
    BUDGET_SPENT = "budget_spent"


@dataclass
class SendResult:
    outcome: SendOutcome
    wait_seconds: int = 0

    @property
    def sent(self) -> bool:
        return self.outcome is SendOutcome.SENT


def _record(action: str, auth_session: AuthSession, **detail) -> None:
    """An audit entry about ``auth_session``'s codes, in the name of its person (if any)."""
    record(action, actor=auth_session.user, object_type="auth_session",
           object_id=auth_session.id, **detail)


def _digest(auth_session: AuthSession, purpose: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{auth_session.id}:{purpose}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seconds_until_resend(phone: str) -> int:
    last = db.session.scalar(select(func.max(SmsCode.created_at)).where(SmsCode.phone == phone))
    if last is None:
        return 0
    if last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)
    cooldown = timedelta(seconds=current_app.config["SMS_COOLDOWN_SECONDS"])
    remaining = (last + cooldown - utcnow()).total_seconds()
    return max(0, int(remaining + 0.999))


def _count_since(since: datetime, phone: str | None = None) -> int:
    query = select(func.count(SmsCode.id)).where(SmsCode.created_at >= since)
    if phone is not None:
        query = query.where(SmsCode.phone == phone)
    return db.session.scalar(query)


def issue_code(auth_session: AuthSession, phone: str, purpose: str,
               action: str | None = None) -> SendResult:
    """Creates a code for ``auth_session`` and ``purpose``, queues the SMS; older codes die.
    ``action`` says in the SMS what the code authorises (« pour confirmer l'ajout d'un
    IBAN »), so that a code nobody asked for, or asked for something else, stands out."""
    config = current_app.config
    now = utcnow()
    wait = seconds_until_resend(phone)
    if wait:
        return SendResult(SendOutcome.COOLDOWN, wait)
    if (_count_since(now - timedelta(hours=1), phone) >= config["SMS_PER_HOUR"]
            or _count_since(now - timedelta(days=1), phone) >= config["SMS_PER_DAY"]):
        _record("sms_refused_number_limit", auth_session)
        return SendResult(SendOutcome.NUMBER_LIMIT)
    midnight = datetime.combine(now.date(), time.min, tzinfo=timezone.utc)
    if _count_since(midnight) >= config["SMS_DAILY_BUDGET"]:
        log.critical("ALERT: the daily SMS budget (%s) is spent; no more codes are sent today",
                     config["SMS_DAILY_BUDGET"])
        _record("sms_budget_spent", auth_session)
        return SendResult(SendOutcome.BUDGET_SPENT)

    for older in db.session.scalars(select(SmsCode).where(
            SmsCode.auth_session_id == auth_session.id, SmsCode.purpose == purpose,
            SmsCode.used_at.is_(None), SmsCode.dead.is_(False))):
        older.dead = True
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.add(SmsCode(auth_session_id=auth_session.id, purpose=purpose, phone=phone,
                           code_hash=_digest(auth_session, purpose, code), created_at=now,
                           expires_at=now + config["SMS_CODE_VALIDITY"]))
    minutes = int(config["SMS_CODE_VALIDITY"].total_seconds() // 60)
    queue_sms(phone, _("Code Guichet %(code)s %(action)s. Valable %(minutes)s minutes. Ne le "
                       "communiquez à personne.", code=code, action=action, minutes=minutes)
              if action else
              _("Code Guichet %(code)s. Valable %(minutes)s minutes. Ne le communiquez à "
                "personne.", code=code, minutes=minutes))
    _record("sms_sent", auth_session, purpose=purpose)
    return SendResult(SendOutcome.SENT)


def check_code(auth_session: AuthSession, purpose: str, code: str) -> SmsCode | None:
    """The live code if ``code`` matches (and it is then used up); otherwise counts a wrong try."""
    now = utcnow()
    live = db.session.scalars(select(SmsCode).where(
        SmsCode.auth_session_id == auth_session.id, SmsCode.purpose == purpose,
        SmsCode.used_at.is_(None), SmsCode.dead.is_(False), SmsCode.expires_at > now)
        .order_by(SmsCode.id.desc())).first()
    if live is None:
        _record("sms_code_refused", auth_session, reason="no live code")
        return None
    candidate = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(candidate) == 6 and hmac.compare_digest(live.code_hash,
                                                   _digest(auth_session, purpose, candidate)):
        live.used_at = now
        _record("sms_code_accepted", auth_session)
        return live
    live.attempts += 1
    if live.attempts >= current_app.config["SMS_CODE_MAX_ATTEMPTS"]:
        live.dead = True
    _record("sms_code_refused", auth_session, reason="wrong code", attempts=live.attempts)
    return None


def send_refusal_message(result: SendResult) -> str:
    """The French sentence telling the person why no new code was sent."""
    if result.outcome is SendOutcome.COOLDOWN:
        return _("Veuillez patienter encore %(seconds)s secondes avant de demander un nouveau "
                 "code.", seconds=result.wait_seconds)
    if result.outcome is SendOutcome.NUMBER_LIMIT:
        return _("Trop de codes ont été demandés pour ce numéro. Réessayez plus tard ou "
                 "appelez l'office.")
    return _("L'envoi de SMS est momentanément indisponible. Réessayez plus tard ou appelez "
             "l'office.")
