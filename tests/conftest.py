"""Every shared fixture: the app on SQLite (and PostgreSQL when configured), real SMTP and SMS
peers, the account factory, and clients logged in as an insured person or as staff. The helpers
they use live in ``tests/support/``."""
from __future__ import annotations

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import close_all_sessions

from guichet import create_app
from guichet.invoices.rates import seed_default_rates
from guichet.invoices.refusal_reasons import seed_defaults as seed_default_reasons
from guichet.models import BankAccount, utcnow
from guichet.models.base import db
from guichet.models.invoices import REASON_REDUCTION
from tests.support.accounts import Factory, login, login_staff
from tests.support.databases import DATABASES, POSTGRES_URL
from tests.support.invoices import IBAN
from tests.support.servers import SmsGateway, SmtpServer


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
        # the second visa's random share would make decisions differ from run to run: tests
        # that are about it set it (``@pytest.mark.config(SECOND_VISA_SAMPLE=1)``)
        "SECOND_VISA_SAMPLE": 0,
        # reading a pièce for a QR-bill starts a child process (~150 ms): only the tests that
        # are about it turn it on (``@pytest.mark.config(QR_BILL_READING=True)``)
        "QR_BILL_READING": False,
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
        # the reduction reasons, as the migrations write them (the refusal reasons: the tests
        # about refusals seed them, tests/support/decisions.py)
        seed_default_reasons(REASON_REDUCTION)
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


@pytest.fixture
def factory(app):
    return Factory()


@pytest.fixture
def logged_in(client, factory, sms):
    """A client logged in as a confirmed insured person; the person is ``client.user``."""
    user = factory.user()
    response = login(client, user, sms)
    assert response.status_code == 303
    client.user = user
    return client


@pytest.fixture
def ready(logged_in):
    """A confirmed insured person (``ready.user``) with one confirmed IBAN."""
    user = logged_in.user
    db.session.add(BankAccount(user_id=user.id, iban=IBAN, holder="Anna Muster",
                               bank_name="UBS", confirmed_at=utcnow()))
    db.session.commit()
    return logged_in


@pytest.fixture
def staff_login(app, factory):
    """Makes a staff account and a client logged in with it: ``staff_login("admin",
    "chef@example.ch")`` → the client, with ``client.user``."""
    def make(role: str = "reviewer", email: str | None = None):
        secret = pyotp.random_base32()
        staff = factory.user(email=email, role=role, totp_secret=secret)
        client = app.test_client()
        login_staff(client, staff, secret)
        client.user = staff
        return client
    return make


@pytest.fixture
def other_person(app, factory, sms):
    """A second insured person, logged in, with a confirmed IBAN (``other_person.user``)."""
    client = app.test_client()
    user = factory.user(email="paul.autre@example.ch")
    assert login(client, user, sms).status_code == 303
    client.user = user
    db.session.add(BankAccount(user_id=user.id, iban="CH9300762011623852957",
                               holder="Paul Autre", bank_name="BCN", confirmed_at=utcnow()))
    db.session.commit()
    return client


@pytest.fixture
def staff_client(staff_login):
    """A client logged in as a gestionnaire (``staff_client.user``), with the authenticator."""
    return staff_login("reviewer", "gestion@example.ch")


@pytest.fixture
def second_staff_client(staff_login):
    """Another gestionnaire (for the second visa and for conflicts)."""
    return staff_login("reviewer", "second.visa@example.ch")


@pytest.fixture
def admin_client(staff_login):
    """An administrator of the office."""
    return staff_login("admin", "admin@example.ch")
