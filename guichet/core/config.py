"""Configuration: defaults here, then ``instance/config.py``, then ``GUICHET_<KEY>`` variables."""
from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

ENV_PREFIX = "GUICHET_"


class Defaults:
    """Settings for the embedded default: SQLite in instance/, mail and SMS on the console."""

    SQLALCHEMY_DATABASE_URI = None  # filled with instance/guichet.sqlite3 by load_config
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Links in e-mails are built from this, never from the request's Host header.
    BASE_URL = "http://127.0.0.1:5000"

    OFFICE_NAME = "Office AI du canton de Neuchâtel"
    OFFICE_PHONE = "032 910 71 00"
    OFFICE_CODE = "324"
    # A written way to reach the office, shown beside the phone number (deaf persons, persons
    # who cannot phone during office hours).
    CONTACT_EMAIL = "guichet@ai-ne.example"

    # Mail: an empty MAIL_SERVER prints messages to the console instead of sending them.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Guichet Office AI <guichet@ai-ne.example>"
    MAIL_SUPPRESS_SEND = False

    # SMS: "console" logs the message; "http" posts it to SMS_HTTP_URL.
    SMS_BACKEND = "console"
    SMS_HTTP_URL = ""
    SMS_HTTP_TOKEN = ""
    SMS_HTTP_TIMEOUT = 10
    # Against SMS pumping, per number and per IP; an ordinary first day (registration, a login
    # on the phone and one on the computer, a resend) stays well below them.
    SMS_PER_HOUR = 5
    SMS_PER_DAY = 10
    SMS_PER_IP_PER_HOUR = 15  # only with a real gateway (SMS_BACKEND "http")
    SMS_COOLDOWN_SECONDS = 30
    # How many reverse proxies (TLS terminator, load balancer) stand in front of Guichet and set
    # X-Forwarded-For/-Proto. Zero trusts no such header: every per-IP limit then counts the
    # address that connected. Behind one proxy, set 1, or every visitor shares its address.
    PROXY_COUNT = 0
    SMS_DAILY_BUDGET = 2000

    SMS_CODE_VALIDITY = timedelta(minutes=10)
    SMS_CODE_MAX_ATTEMPTS = 5
    # A step-up (new IBAN, removing the authenticator app …) this soon after a second factor
    # (the login code, or an earlier step-up) needs no new code; the password is still asked.
    STEP_UP_FRESHNESS = timedelta(minutes=5)

    # Outbox: delivered right after the request's commit; `flask outbox run` retries failures.
    OUTBOX_DELIVER_AFTER_COMMIT = True
    # from a thread of its own, so that no answer waits for (or betrays) a message being sent
    OUTBOX_DELIVER_IN_BACKGROUND = True
    OUTBOX_MAX_ATTEMPTS = 12

    EMAIL_CONFIRM_MAX_AGE = timedelta(hours=24)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
    # The link that makes a staff account, or enrolls a new authenticator app after a reset.
    STAFF_INVITATION_MAX_AGE = timedelta(hours=72)

    # Argon2id parameters (argon2-cffi defaults, RFC 9106 low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    # Sessions: idle and absolute limits, checked on the server.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    STAFF_SESSION_IDLE_TIMEOUT = timedelta(minutes=15)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    SESSION_COOKIE_NAME = "guichet_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = None  # None: True unless running in local development
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # The cookie only names the server-side session, which keeps its own times: no need to
    # sign and send a new cookie with every response.
    SESSION_REFRESH_EACH_REQUEST = False
    HSTS = None  # None: on unless running in local development

    # Rate limits (Flask-Limiter). Use redis://… in production.
    # Said explicitly: Flask-Limiter's one limiter otherwise keeps the last app's setting.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_LOGIN_PER_ACCOUNT = "10 per hour"
    RATELIMIT_LOGIN_PER_IP = "50 per hour"
    RATELIMIT_CODE_PER_IP = "60 per hour"
    # codes typed for one account's logins, whatever the IP (the app's codes have no try limit)
    RATELIMIT_CODE_PER_ACCOUNT = "30 per hour"
    RATELIMIT_REGISTER_PER_IP = "20 per hour"
    RATELIMIT_EMAIL_PER_IP = "20 per hour"

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Pièces: each file, each invoice, pixels; whole requests stay a little above an invoice.
    UPLOAD_FOLDER = None  # None: instance/uploads
    UPLOAD_MAX_FILE_BYTES = 10 * 1024 * 1024
    UPLOAD_MAX_INVOICE_BYTES = 40 * 1024 * 1024
    UPLOAD_MAX_PIXELS = 40_000_000
    CLAMD_SOCKET = ""
    CLAMD_HOST = ""
    CLAMD_PORT = 3310
    CLAMD_TIMEOUT = 10
    # The transmission PDFs append only the pièces the scanner found clean; True also appends
    # those it has not checked (« pending »: no clamd configured, or it could not answer).
    TRANSMISSION_APPEND_UNSCANNED = False
    # The pièces of the types that rest on a supplier's invoice are read for a Swiss QR-bill
    # when they are attached (a child process, about 150 ms a file); False: never read.
    QR_BILL_READING = True
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # ordinary forms
    UPLOAD_MAX_REQUEST_BYTES = 48 * 1024 * 1024  # the forms that carry pièces
    # The register and decisions CSV files the administrators upload (the whole register of
    # the canton is a few MB).
    REGISTER_IMPORT_MAX_BYTES = 10 * 1024 * 1024
    RECEIPT_PREFIX = "NE"
    # What the receipt says about the usual time the office takes to examine an invoice.
    INVOICE_PROCESSING_DAYS = 30

    # The office's review. A validation needs a second gestionnaire's visa when the approved
    # total is above this amount (CHF), for this random share of the others, and when the IBAN
    # was added less than NEW_IBAN_DAYS before sending or was never paid to.
    SECOND_VISA_ABOVE = "2000.00"
    SECOND_VISA_SAMPLE = 0.05
    NEW_IBAN_DAYS = 30
    # A complement is due this many days after it is asked (the gestionnaire may change it);
    # ``flask complements remind`` reminds the person this many days before the due date.
    COMPLEMENT_DUE_DAYS = 30
    COMPLEMENT_REMINDER_DAYS = 5
    MAX_FORM_MEMORY_SIZE = 200_000

    # Retention (``flask purge``, guichet/invoices/retention.py): invoices paid or refused this
    # many years ago are destroyed with their pièces; sent e-mails are kept this many days.
    RETENTION_YEARS = 10
    SENT_EMAIL_RETENTION_DAYS = 90

    BABEL_DEFAULT_LOCALE = "fr_CH"
    BABEL_DEFAULT_TIMEZONE = "Europe/Zurich"

    LOCAL_DEV = None  # None: true when Flask runs with --debug or in tests


# Settings that are text even when they look like a number (a numeric password, say).
_TEXT_KEYS = frozenset({"SECRET_KEY", "MAIL_USERNAME", "MAIL_PASSWORD", "SQLALCHEMY_DATABASE_URI"})


def _parse_env_value(raw: str, key: str = "", current=None):
    """Read ``GUICHET_*`` values as JSON when they look like it (numbers, true/false), else text.

    A setting whose current value is text stays text: ``GUICHET_OFFICE_CODE=322`` is "322".
    """
    if isinstance(current, str) or key in _TEXT_KEYS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def load_config(app, test_config: dict | None = None) -> None:
    """Apply defaults, ``instance/config.py``, ``GUICHET_*`` variables, then ``test_config``."""
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for key, raw in os.environ.items():
            if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
                name = key[len(ENV_PREFIX):]
                app.config[name] = _parse_env_value(raw, name, app.config.get(name))
    else:
        app.config.update(test_config)

    for key in ("SESSION_IDLE_TIMEOUT", "STAFF_SESSION_IDLE_TIMEOUT", "SESSION_ABSOLUTE_TIMEOUT",
                "SMS_CODE_VALIDITY", "STEP_UP_FRESHNESS", "EMAIL_CONFIRM_MAX_AGE",
                "PASSWORD_RESET_MAX_AGE", "PERMANENT_SESSION_LIFETIME",
                "STAFF_INVITATION_MAX_AGE"):
        if isinstance(app.config[key], (int, float)):
            app.config[key] = timedelta(seconds=app.config[key])

    if app.config["LOCAL_DEV"] is None:
        app.config["LOCAL_DEV"] = bool(app.debug or app.testing)
    local = app.config["LOCAL_DEV"]
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not local
    if app.config["HSTS"] is None:
        app.config["HSTS"] = not local
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "sqlite:///" + str(Path(app.instance_path) / "guichet.sqlite3"))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A SQLite file cannot drop a connection: pinging it before each request is wasted.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            key: value for key, value in app.config["SQLALCHEMY_ENGINE_OPTIONS"].items()
            if key != "pool_pre_ping"}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    app.config["BASE_URL"] = app.config["BASE_URL"].rstrip("/")


def _instance_secret_key(instance: Path) -> str:
    """A random key kept in ``instance/secret_key`` so sessions survive a restart."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
