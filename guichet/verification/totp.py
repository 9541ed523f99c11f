"""The authenticator app (TOTP, RFC 6238): the same check for staff and insured persons, the
secret a person adds to their app, and its QR code (an SVG made here, no third party)."""
from __future__ import annotations

import io

import pyotp
import segno
from flask import current_app
from markupsafe import Markup

from guichet.core.audit import record
from guichet.models import User, utcnow

ISSUER = "Guichet"


def digits_of(code: str | None) -> str:
    return "".join(ch for ch in (code or "") if ch.isdigit())


def check_totp_secret(secret: str | None, code: str | None, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (this one, the one before or after), if later than
    ``last_step``; None when the code is not valid. Each time step works once."""
    candidate = digits_of(code)
    if not secret or len(candidate) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow().timestamp()
    for offset in (0, -1, 1):
        step = int(now // totp.interval) + offset
        if step > (last_step or -1) and pyotp.utils.strings_equal(totp.at(step * totp.interval),
                                                                 candidate):
            return step
    return None


def check_totp(user: User, code: str | None) -> bool:
    """A code from the person's confirmed authenticator app (audited when refused)."""
    step = check_totp_secret(user.totp_secret, code, user.totp_last_step)
    if step is None:
        record("totp_refused", actor=user, object_type="user", object_id=user.id)
        return False
    user.totp_last_step = step
    return True


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """``otpauth://totp/…``: what the app reads from the QR code."""
    return provisioning_uri_for(user.email, secret)


def provisioning_uri_for(email: str, secret: str) -> str:
    """The same for an address whose account does not exist yet (a staff invitation)."""
    issuer = f"{ISSUER} {current_app.config['OFFICE_NAME']}"
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def grouped_secret(secret: str) -> str:
    """The secret in groups of four letters, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(text: str, title: str) -> Markup:
    """An inline SVG QR code of ``text`` (made by segno, without XML declaration)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=5, border=4, xmldecl=False,
                                     svgns=True, title=title, nl=False, dark="#000",
                                     light="#fff", svgclass="qr-code", lineclass=None)
    return Markup(buffer.getvalue().decode())
