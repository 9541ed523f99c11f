"""Signed, expiring, single-use e-mail tokens that die once the password or address changes."""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from guichet.models import UsedToken, User
from guichet.models.base import db

CONFIRM_EMAIL = "confirm-email"
CHANGE_EMAIL = "change-email"
RESET_PASSWORD = "reset-password"

_MAX_AGE_KEY = {CONFIRM_EMAIL: "EMAIL_CONFIRM_MAX_AGE", CHANGE_EMAIL: "EMAIL_CONFIRM_MAX_AGE",
                RESET_PASSWORD: "PASSWORD_RESET_MAX_AGE"}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"guichet-{purpose}")


def _fingerprint(user: User, target_email: str) -> str:
    """Changes when the password, the address or the address to confirm changes."""
    material = f"{user.password_hash}|{user.email}|{target_email}".encode()
    return hashlib.sha256(material).hexdigest()[:24]


def make_token(user: User, purpose: str, target_email: str | None = None) -> str:
    target = target_email or user.email
    return _serializer(purpose).dumps({"u": user.id, "j": secrets.token_hex(16),
                                       "f": _fingerprint(user, target), "e": target})


def read_token(token: str, purpose: str) -> tuple[User, str, str] | None:
    """(user, target e-mail, token id) for a valid unused token, else None. Does not use it up."""
    max_age = current_app.config[_MAX_AGE_KEY[purpose]].total_seconds()
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not {"u", "j", "f", "e"} <= data.keys():
        return None
    user = db.session.get(User, data["u"]) if isinstance(data["u"], int) else None
    if user is None or _fingerprint(user, data["e"]) != data["f"]:
        return None
    if db.session.get(UsedToken, data["j"]) is not None:
        return None
    return user, data["e"], data["j"]


def use_up(token_id: str) -> bool:
    """Marks the token used; False when another request used it first."""
    try:
        with db.session.begin_nested():
            db.session.add(UsedToken(jti=token_id))
    except IntegrityError:
        return False
    return True

