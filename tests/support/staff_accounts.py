"""Staff accounts as administrators keep them (« Personnel »): invitations made directly in the
database, and the enrollment an invited person goes through (password, then the app's code)."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

import pyotp

from guichet.models import utcnow
from guichet.models.base import db
from guichet.models.staff_invitation import KIND_ACCOUNT, StaffInvitation
from tests.support.accounts import PASSWORD
from tests.support.mail import link_in

ENROLL_PATH = "/personnel/activation/"


def pending_invitation(email: str, role: str = "reviewer", kind: str = KIND_ACCOUNT,
                       hours: float = 72, **fields) -> StaffInvitation:
    """An invitation as « Inviter » makes it, without its e-mail; its token is
    ``invitation.token``."""
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation(kind=kind, email=email, role=role, prenom=fields.pop(
        "prenom", "Léa"), nom=fields.pop("nom", "Invitée"),
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        pending_totp_secret=pyotp.random_base32(),
        expires_at=utcnow() + timedelta(hours=hours), **fields)
    db.session.add(invitation)
    db.session.commit()
    invitation.token = token
    return invitation


def enrollment_link(mailbox, email: str) -> str:
    """The path of the enrollment link in the last e-mail to ``email``."""
    return link_in(mailbox.to(email)[-1], ENROLL_PATH)


def key_on_page(html: str) -> str:
    """The authenticator key the page shows as text (in groups of four)."""
    match = re.search(r'<p class="secret" id="secret"><code>([A-Z2-7 ]+)</code></p>', html)
    assert match, "no key on the page"
    return match.group(1).replace(" ", "")


def choose_password(client, link: str, password: str = PASSWORD):
    response = client.post(link, data={"password": password, "password_confirm": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"] == link + "/application"
    return response


def confirm_app(client, link: str, **extra) -> str:
    """The app's step: reads the key shown, sends its current code; returns the key."""
    page = client.get(link + "/application")
    assert page.status_code == 200, page.get_data(as_text=True)
    secret = key_on_page(page.get_data(as_text=True))
    response = client.post(link + "/application",
                           data={"code": pyotp.TOTP(secret).now(), **extra})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"] == "/connexion"
    return secret
