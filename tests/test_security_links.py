"""E-mailed links (security.md 6, 9): tokens expire, work once, die with the password, are built
from BASE_URL; ``next=`` stays on this site. (Account changes, security.md 7, are tested with
each change in tests/test_account.py and tests/test_banking.py.)"""
from __future__ import annotations

import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from guichet.models import User
from guichet.models.base import db
from tests.support.accounts import PASSWORD, login, registration_form
from tests.support.mail import BASE_URL, link_in, reset_link
from tests.support.page import page_text

NEW_PASSWORD = "un autre chemin dans la forêt"
DEAD_LINK = "Ce lien n'est plus valable"


def later(monkeypatch, seconds: int):
    """From now on, itsdangerous believes ``seconds`` have passed."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: int(time.time()) + seconds)


def assert_dead(response):
    assert response.status_code == 400
    assert DEAD_LINK in page_text(response)


# --- 6. Tokens ---------------------------------------------------------------------------

@pytest.mark.sqlite_only
@pytest.mark.parametrize("age, alive", [(3600 - 30, True), (3600 + 5, False)])
def test_reset_link_lives_one_hour(client, factory, mailbox, monkeypatch, age, alive):
    user = factory.user()
    before = user.password_hash
    path = reset_link(client, mailbox, user.email)
    later(monkeypatch, age)
    response = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    db.session.refresh(user)
    if alive:
        assert response.status_code == 303 and user.password_hash != before
    else:
        assert_dead(response)
        assert user.password_hash == before


@pytest.mark.sqlite_only
@pytest.mark.parametrize("age, alive", [(24 * 3600 - 30, True), (24 * 3600 + 5, False)])
def test_confirmation_link_lives_one_day(client, factory, mailbox, sms, monkeypatch, age, alive):
    user = factory.user(confirmed=False)
    assert login(client, user, sms).status_code == 303
    assert client.post("/email/renvoyer").status_code == 303
    path = link_in(mailbox.to(user.email)[-1], "/email/confirmer/")
    later(monkeypatch, age)
    response = client.post(path)
    db.session.refresh(user)
    if alive:
        assert response.status_code == 303 and user.email_confirmed_at is not None
    else:
        assert_dead(response)
        assert user.email_confirmed_at is None


def test_reset_link_works_once(client, factory, mailbox):
    user = factory.user()
    path = reset_link(client, mailbox, user.email)
    assert client.post(path, data={"password": NEW_PASSWORD,
                                   "password_confirm": NEW_PASSWORD}).status_code == 303
    assert_dead(client.get(path))
    db.session.refresh(user)
    changed = user.password_hash
    assert_dead(client.post(path, data={"password": "encore un autre mot de passe",
                                        "password_confirm": "encore un autre mot de passe"}))
    db.session.refresh(user)
    assert user.password_hash == changed


def test_older_reset_links_die_with_the_password(client, factory, mailbox):
    user = factory.user()
    first = reset_link(client, mailbox, user.email)
    second = reset_link(client, mailbox, user.email)
    assert first != second
    assert client.post(second, data={"password": NEW_PASSWORD,
                                     "password_confirm": NEW_PASSWORD}).status_code == 303
    assert_dead(client.get(first))


def test_confirmation_link_dies_when_the_password_changes(app, factory, mailbox, sms):
    client = app.test_client()
    assert client.post("/inscription",
                       data=registration_form(factory.person())).status_code == 303
    confirm = link_in(mailbox.to("lea@example.ch")[0], "/email/confirmer/")
    assert client.post("/connexion/code",
                       data={"code": sms.last_code("+41795551234")}).status_code == 303
    assert client.post("/compte/mot-de-passe", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD}).status_code == 303
    assert_dead(client.post(confirm))
    user = db.session.scalar(select(User).where(User.email == "lea@example.ch"))
    assert user.email_confirmed_at is None


@pytest.mark.sqlite_only
def test_links_use_base_url_whatever_the_host_header(app, factory, mailbox, sms):
    user = factory.user(email="anna@example.ch")
    client = app.test_client()
    headers = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    assert client.post("/mot-de-passe-oublie", data={"email": user.email},
                       headers=headers).status_code == 200
    client.post("/inscription", headers=headers,
                data=registration_form(factory.person(), email=user.email))
    mails = mailbox.to(user.email)
    assert [m.subject for m in mails][-1].startswith("Tentative d'inscription")
    assert len(mails) == 2
    for mail in mails:
        assert "evil.example" not in mail.text and "evil.example" not in mail.html
        assert BASE_URL + "/" in mail.text
    link_in(mails[0], "/mot-de-passe/nouveau/")


# --- 7. Account changes ------------------------------------------------------------------
# Each change (e-mail, mobile, password) with its current password, the code sent to a new
# mobile and the notice to the old address is tested where the change is: tests/test_account.py,
# and tests/test_banking.py for the IBAN.


# --- 9. next= --------------------------------------------------------------------------

@pytest.mark.sqlite_only
@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/\t/evil.example", "///evil.example", "http:/evil.example",
])
def test_next_never_leaves_the_site(client, factory, sms, target):
    user = factory.user()
    client.post(f"/connexion?next={target}", data={"email": user.email, "password": PASSWORD,
                                                   "next": target})
    response = client.post("/connexion/code", data={"code": sms.last_code(user.phone)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/demandes/"


@pytest.mark.sqlite_only
def test_next_to_a_local_page_is_followed(client, factory, sms):
    user = factory.user()
    response = client.get("/compte/email")
    assert response.headers["Location"] == "/connexion?next=/compte/email"
    login_page = client.get(response.headers["Location"])
    assert 'value="/compte/email"' in login_page.get_data(as_text=True)
    client.post("/connexion", data={"email": user.email, "password": PASSWORD,
                                    "next": "/compte/email"})
    response = client.post("/connexion/code", data={"code": sms.last_code(user.phone)})
    assert response.headers["Location"] == "/compte/email"
