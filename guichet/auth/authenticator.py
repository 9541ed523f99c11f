"""An insured person's authenticator app: adding it (a secret, its QR code, confirmed by a
first code), its recovery codes, removing it. Every change is audited and noticed by e-mail."""
from __future__ import annotations

from guichet.core.audit import record
from guichet.models import User, utcnow
from guichet.verification.credentials import notify_old_address
from guichet.verification.recovery import drop_recovery_codes, renew_recovery_codes
from guichet.verification.totp import check_totp_secret, new_secret


def start_setup(user: User) -> str:
    """A new secret waiting for its first code (a secret waiting already is kept: the person
    may have scanned it)."""
    if not user.totp_pending_secret:
        user.totp_pending_secret = new_secret()
        record("totp_setup_started", actor=user, object_type="user", object_id=user.id)
    return user.totp_pending_secret


def confirm_setup(user: User, code: str | None) -> list[str] | None:
    """With a valid first code the app becomes the first way in; returns the new recovery
    codes (shown once), or None when the code is not valid."""
    step = check_totp_secret(user.totp_pending_secret, code, None)
    if step is None:
        record("totp_refused", actor=user, object_type="user", object_id=user.id)
        return None
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_last_step, user.totp_confirmed_at = step, utcnow()
    notify_old_address(user, "app_added")
    record("totp_added", actor=user, object_type="user", object_id=user.id)
    return renew_recovery_codes(user)


def remove_app(user: User) -> None:
    user.totp_secret = user.totp_pending_secret = None
    user.totp_last_step = user.totp_confirmed_at = None
    drop_recovery_codes(user)
    notify_old_address(user, "app_removed")
    record("totp_removed", actor=user, object_type="user", object_id=user.id)


def new_recovery_codes(user: User) -> list[str]:
    codes = renew_recovery_codes(user)
    notify_old_address(user, "recovery_codes_renewed")
    return codes
