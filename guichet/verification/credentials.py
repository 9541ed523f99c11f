"""The password and the notices that guard an account: checking the current password before a
sensitive change, setting a new one (every other session ends), and telling the account's
address that something changed."""
from __future__ import annotations

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.passwords import hash_password, verify_password
from guichet.core.sessions import revoke_all
from guichet.core.web import external_url
from guichet.messaging import queue_email
from guichet.models import AuthSession, User, utcnow


def set_password(user: User, new_password: str, keep: AuthSession | None = None) -> None:
    """New hash, every other session ended, a notice to the account's address."""
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoke_all(user, keep=keep)
    queue_email(user.email, "password_changed", subject=_("Votre mot de passe a été changé"),
                user=user, reset_url=external_url("auth.forgot_password"))


def password_matches(user: User, password: str) -> bool:
    ok = verify_password(user.password_hash, password)
    if not ok:
        record("password_check_failed", actor=user, object_type="user", object_id=user.id)
    return ok


def notify_old_address(user: User, what: str) -> None:
    queue_email(user.email, "account_changed", subject=_("Modification de votre compte Guichet"),
                user=user, what=what, reset_url=external_url("auth.forgot_password"))
