"""Recovery codes: ten single-use codes shown once when the authenticator app is added (or the
set renewed), stored as SHA-256; each use is audited and noticed by e-mail."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, func, select, update

from guichet.core.audit import record
from guichet.models import RecoveryCode, User, utcnow
from guichet.models.base import db

from .credentials import notify_old_address

CODES_PER_SET = 10
# letters and digits that cannot be mistaken for one another (no i, l, o, 0, 1)
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 16  # 16 of 31 signs, 79 random bits: a SHA-256 of it cannot be reversed by guessing


def _normalize(code: str | None) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalize(code).encode()).hexdigest()


def _shown(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def renew_recovery_codes(user: User) -> list[str]:
    """A new set of codes (the old set dies); returns them as shown, once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
             for _ in range(CODES_PER_SET)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    record("recovery_codes_renewed", actor=user, object_type="user", object_id=user.id)
    return [_shown(code) for code in codes]


def drop_recovery_codes(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def use_recovery_code(user: User, code: str | None) -> bool:
    """Uses up one of the person's codes; audited either way, and a notice mail on use."""
    if len(_normalize(code)) != LENGTH:
        record("recovery_code_refused", actor=user, object_type="user", object_id=user.id)
        return False
    used = db.session.execute(update(RecoveryCode).where(  # once, even when two requests race
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code),
        RecoveryCode.used_at.is_(None)).values(used_at=utcnow()))
    if used.rowcount != 1:
        record("recovery_code_refused", actor=user, object_type="user", object_id=user.id)
        return False
    left = remaining_recovery_codes(user)
    record("recovery_code_used", actor=user, object_type="user", object_id=user.id, left=left)
    notify_old_address(user, "recovery_code_used")
    return True
