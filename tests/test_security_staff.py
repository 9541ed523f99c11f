"""Staff accounts (security.md 8): an authenticator app instead of SMS, each code once. (No
default accounts in a fresh database: tests/test_migrations.py; accounts made by the operator
command ``staff create``: tests/test_cli.py.)"""
from __future__ import annotations

import pyotp
import pytest

from tests.support.accounts import start_login
from tests.support.page import page_text

SECRET = pyotp.random_base32()


@pytest.fixture
def staff(factory):
    return factory.user(email="chef@example.ch", role="reviewer", totp_secret=SECRET)


def test_staff_log_in_with_the_authenticator_not_sms(client, staff, sms):
    start_login(client, staff)
    page = client.get("/connexion/code")
    assert "application d'authentification" in page_text(page)
    assert sms.received == []
    response = client.post("/connexion/code", data={"code": pyotp.TOTP(SECRET).now()})
    assert response.status_code == 303 and response.headers["Location"] == "/gestion/"
    assert client.get("/gestion/").status_code == 200
    assert sms.received == []


@pytest.mark.sqlite_only
def test_wrong_totp_code_is_refused(client, staff):
    start_login(client, staff)
    totp = pyotp.TOTP(SECRET)
    wrong = f"{(int(totp.now()) + 1) % 10**6:06d}"
    assert client.post("/connexion/code", data={"code": wrong}).status_code == 422
    assert client.get("/gestion/").status_code == 302


def test_totp_code_works_once(app, staff):
    code = pyotp.TOTP(SECRET).now()
    first = app.test_client()
    start_login(first, staff)
    assert first.post("/connexion/code", data={"code": code}).status_code == 303
    second = app.test_client()
    start_login(second, staff)
    assert second.post("/connexion/code", data={"code": code}).status_code == 422
    assert second.get("/gestion/").status_code == 302


@pytest.mark.sqlite_only
def test_an_sms_style_login_does_not_exist_for_staff(client, staff, sms):
    """Resending « a code » to a staff member sends nothing."""
    start_login(client, staff)
    response = client.post("/connexion/code/renvoi")
    assert response.status_code == 303
    assert sms.received == []
    response = client.post("/connexion/code", data={"code": pyotp.TOTP(SECRET).now()})
    assert response.headers["Location"] == "/gestion/"
