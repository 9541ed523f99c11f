"""Shared fixtures: the app on SQLite (and PostgreSQL when configured), real SMTP and SMS peers,
factories for register entries and accounts, and a helper that logs a person in."""
from __future__ import annotations

import os
import re
from datetime import date
from html import unescape

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import close_all_sessions
from stdnum import ean

from guichet import create_app
from guichet.core.identifiers import normalize_name_for_match
from guichet.core.passwords import hash_password
from guichet.invoices.rates import seed_default_rates
from guichet.models import RegisteredPerson, User, utcnow
from guichet.models.base import db
from tests.support.servers import SmsGateway, SmtpServer

POSTGRES_URL = os.environ.get("GUICHET_TEST_POSTGRES_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
PASSWORD = "velo rouge sous la pluie 7"


def pytest_configure(config):
    config.addinivalue_line("markers", "config(**settings): Flask config for this test's app")
    config.addinivalue_line("markers", "sqlite_only: runs only on SQLite")


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sms_gateway_server():
    gateway = SmsGateway().start()
    yield gateway
    gateway.stop()


@pytest.fixture
def mailbox(smtp_server):
    """The messages the loopback SMTP server received during this test."""
    smtp_server.messages.clear()
    return smtp_server


@pytest.fixture
def sms(sms_gateway_server):
    """The SMS the fake gateway received during this test."""
    sms_gateway_server.clear()
    return sms_gateway_server


def _base_config(tmp_path, database: str, smtp_server, sms_gateway) -> dict:
    uri = (f"sqlite:///{tmp_path / 'test.sqlite3'}" if database == "sqlite" else POSTGRES_URL)
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": uri,
        "BASE_URL": "https://guichet.example.ch",
        "WTF_CSRF_ENABLED": False,
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1,
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port, "MAIL_SUPPRESS_SEND": False,
        "SMS_BACKEND": "http", "SMS_HTTP_URL": sms_gateway.url, "SMS_HTTP_TOKEN": "sms-token",
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        # messages leave before the request returns, so a test reads them at once (the browser
        # tests, and the test of this setting, keep the default: from a thread)
        "OUTBOX_DELIVER_IN_BACKGROUND": False,
    }


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production (its own g, its own database
    session); afterwards the test's own session forgets what it had loaded."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture(params=DATABASES)
def app(request, tmp_path, mailbox, sms):
    """A fresh application and empty database for each test, on each configured database."""
    config = _base_config(tmp_path, request.param, mailbox, sms)
    marker = request.node.get_closest_marker("config")
    if marker is not None:
        config.update(marker.kwargs)
    if request.param == "postgresql" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite only")
    application = create_app(config)
    application.test_client_class = FreshContextClient
    with application.app_context():
        if request.param == "postgresql":
            _fresh_postgres_schema()
        else:
            db.create_all()
        seed_default_rates(db.session)
        db.session.commit()
        yield application
        db.session.remove()
        close_all_sessions()  # a session a test left open would block the next TRUNCATE
        db.engine.dispose()


_postgres_schema_ready = False


def _fresh_postgres_schema() -> None:
    """Creates the tables once per run, then empties them before each test (much faster
    than dropping and creating them every time)."""
    global _postgres_schema_ready
    if not _postgres_schema_ready:
        db.drop_all()
        db.create_all()
        _postgres_schema_ready = True
        return
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def hx_client(app):
    """A client whose requests look like htmx's."""
    client = app.test_client()
    client.environ_base["HTTP_HX_REQUEST"] = "true"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def navs_with_check(nine_digits: str) -> str:
    body = "756" + nine_digits
    return body + ean.calc_check_digit(body)


class Factory:
    """Builds register entries and accounts on demand."""

    def __init__(self):
        self.counter = 0

    def person(self, nom="Muster", prenom="Anna", born=date(1985, 3, 15), navs13=None):
        self.counter += 1
        navs13 = navs13 or navs_with_check(f"{200000000 + self.counter:09d}")
        person = RegisteredPerson(navs13=navs13, nom=nom, prenom=prenom, date_naissance=born,
                                  nom_match=normalize_name_for_match(nom))
        db.session.add(person)
        db.session.commit()
        return person

    def user(self, email=None, password=PASSWORD, phone=None, confirmed=True, role="insured",
             **fields):
        self.counter += 1
        email = email or f"person{self.counter}@example.ch"
        if role == "insured":
            person = self.person(nom=fields.pop("nom", "Muster"),
                                 born=fields.pop("date_naissance", date(1985, 3, 15)))
            fields = {"navs13": person.navs13, "nom": person.nom, "prenom": person.prenom,
                      "date_naissance": person.date_naissance, "civilite": "madame",
                      "rue": "Rue du Seyon 10", "npa": "2000", "localite": "Neuchâtel",
                      "pays": "CH", **fields}
            phone = phone or f"+417912{self.counter:05d}"
        user = User(email=email, password_hash=hash_password(password), role=role, phone=phone,
                    email_confirmed_at=utcnow() if confirmed else None,
                    phone_confirmed_at=utcnow() if confirmed and phone else None, **fields)
        db.session.add(user)
        db.session.commit()
        return user


@pytest.fixture
def factory(app):
    return Factory()


def registration_form(person, **overrides):
    """What a person types on « S'inscrire », for a register entry ``person``."""
    data = {"email": "lea@example.ch", "password": PASSWORD, "password_confirm": PASSWORD,
            "mobile": "079 555 12 34", "navs13": person.navs13, "civilite": "madame",
            "nom": person.nom, "prenom": person.prenom,
            "date_naissance": person.date_naissance.strftime("%d.%m.%Y"),
            "rue": "Rue du Seyon 10", "npa": "2000", "localite": "Neuchâtel", "pays": "CH"}
    data.update(overrides)
    return data


def login(client, user, sms_gateway, password=PASSWORD):
    """Password then SMS code; returns the response of the code step."""
    response = client.post("/connexion", data={"email": user.email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    code = sms_gateway.last_code(user.phone)
    return client.post("/connexion/code", data={"code": code})


@pytest.fixture
def logged_in(client, factory, sms):
    """A client logged in as a confirmed insured person; the person is ``client.user``."""
    user = factory.user()
    response = login(client, user, sms)
    assert response.status_code == 303
    client.user = user
    return client


def page_text(response) -> str:
    """The visible text of an HTML response, whitespace folded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()
