"""Staff accounts (security.md 8): an authenticator app instead of SMS, each code once, no
default accounts in a fresh database, accounts made by an operator command."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import create_engine, inspect, select, text

from guichet.models import User
from guichet.models.base import db
from tests.support.accounts import PASSWORD, start_login
from tests.support.page import page_text

ROOT = Path(__file__).resolve().parent.parent
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


def test_fresh_database_from_migrations_has_no_accounts(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "GUICHET_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
           "GUICHET_SECRET_KEY": "fresh-database-test"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "guichet", "db", "upgrade"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    engine = create_engine(f"sqlite:///{database}")
    try:
        assert "users" in inspect(engine).get_table_names()
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM users")) == 0
    finally:
        engine.dispose()


def test_staff_create_prints_an_authenticator_uri_that_logs_in(app, runner, sms):
    assert db.session.scalar(select(User)) is None
    result = runner.invoke(args=["staff", "create", "marie@example.ch", "--role", "admin",
                                 "--name", "Marie Dupont"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    [uri] = [line for line in result.output.splitlines() if line.startswith("otpauth://")]
    assert PASSWORD not in result.output
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    user = db.session.scalar(select(User).where(User.email == "marie@example.ch"))
    assert user.role == "admin" and user.password_hash.startswith("$argon2id$")
    client = app.test_client()
    start_login(client, user)
    response = client.post("/connexion/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/gestion/"
    assert sms.received == []


@pytest.mark.sqlite_only
def test_staff_create_refuses_a_weak_password(runner):
    result = runner.invoke(args=["staff", "create", "marie@example.ch", "--role", "admin"],
                           input="iloveyou1000\n")
    assert result.exit_code != 0
    assert "otpauth://" not in result.output
    assert db.session.scalar(select(User)) is None
