"""Operator side: configuration sources, and the `flask --app guichet …` commands
(register import, staff create, demo, outbox run)."""
from __future__ import annotations

import logging
import os
import re
import time
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import flask
import pyotp
import pytest
from sqlalchemy import select

from guichet import create_app
from guichet.core.passwords import verify_password
from guichet.demo import DEMO_PASSWORD, DEMO_REGISTER, DEMO_SECOND_STAFF_TOTP, DEMO_STAFF_TOTP
from guichet.models import Decision, OutboxMessage, RegisteredPerson, User
from guichet.models.base import db
from tests.support.accounts import login_staff, navs_with_check
from tests.support.databases import count
from tests.support.params import first_also_on_postgresql
from tests.support.servers import wait_for

STAFF_PASSWORD = "gestion des factures 2026"


def person(navs13: str) -> RegisteredPerson | None:
    db.session.expire_all()
    return db.session.scalar(select(RegisteredPerson).where(RegisteredPerson.navs13 == navs13))


# --- configuration -----------------------------------------------------------------------------

@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A private instance folder for ``create_app(None)`` and an environment without GUICHET_*.

    The app factory has no setting for the instance folder, so Flask's lookup is redirected."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(flask.Flask, "auto_find_instance_path", lambda self: str(folder))
    for key in [key for key in os.environ if key.startswith("GUICHET_")]:
        monkeypatch.delenv(key)
    return folder


def test_defaults_keep_everything_local(instance):
    app = create_app(None)
    assert app.instance_path == str(instance)
    assert app.config["SMS_BACKEND"] == "console"
    assert app.config["MAIL_SERVER"] == ""
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'guichet.sqlite3'}"
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["HSTS"] is True
    # A secret key is made once and kept in the instance folder.
    key = (instance / "secret_key").read_text().strip()
    assert len(key) >= 32 and app.config["SECRET_KEY"] == key
    assert create_app(None).config["SECRET_KEY"] == key


def test_instance_config_then_environment(instance, monkeypatch):
    instance.mkdir()
    (instance / "config.py").write_text(
        'MAIL_SERVER = "smtp.office.example"\n'
        'MAIL_PORT = 587\n'
        'OFFICE_PHONE = "032 000 00 00"\n'
        'SMS_HTTP_URL = "https://sms.example/send"\n', encoding="utf-8")
    app = create_app(None)
    assert app.config["MAIL_SERVER"] == "smtp.office.example"
    assert app.config["MAIL_PORT"] == 587
    assert app.config["OFFICE_PHONE"] == "032 000 00 00"

    for key, value in {
        "MAIL_PORT": "2525", "SMS_BACKEND": "http", "MAIL_SERVER": "smtp.autre.example",
        "MAIL_USE_TLS": "true", "SESSION_IDLE_TIMEOUT": "600", "OFFICE_CODE": "322",
        "BASE_URL": "https://guichet.ai-ne.ch/", "SECRET_KEY": "123456789012345678901234567890",
        "MAIL_PASSWORD": "314159", "SMS_HTTP_TOKEN": "271828",
        "SQLALCHEMY_DATABASE_URI": "postgresql://guichet@db.example/guichet",
    }.items():
        monkeypatch.setenv(f"GUICHET_{key}", value)
    config = create_app(None).config
    assert config["MAIL_PORT"] == 2525
    assert config["SMS_BACKEND"] == "http"
    assert config["MAIL_SERVER"] == "smtp.autre.example"
    assert config["MAIL_USE_TLS"] is True
    assert config["SESSION_IDLE_TIMEOUT"] == timedelta(minutes=10)
    assert config["BASE_URL"] == "https://guichet.ai-ne.ch"
    assert config["SMS_HTTP_URL"] == "https://sms.example/send"  # still from instance/config.py
    assert config["OFFICE_PHONE"] == "032 000 00 00"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://guichet@db.example/guichet"
    # Text settings stay text even when they look like numbers.
    assert config["OFFICE_CODE"] == "322"
    assert config["SECRET_KEY"] == "123456789012345678901234567890"
    assert config["MAIL_PASSWORD"] == "314159"
    assert config["SMS_HTTP_TOKEN"] == "271828"


def test_an_office_code_from_the_environment_is_used(instance, monkeypatch):
    monkeypatch.setenv("GUICHET_OFFICE_CODE", "322")
    from guichet.register.decision_numbers import parse_decision_number
    with create_app(None).app_context():
        assert parse_decision_number("322 2024 1234567") == "32220241234567"


# --- register import -----------------------------------------------------------------------------

NAVS_A, NAVS_B, NAVS_C = (navs_with_check(f"{n:09d}") for n in (300000001, 300000002, 300000003))


def write(tmp_path, name: str, content: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return str(path)


def import_file(runner, path):
    return runner.invoke(args=["register", "import", path])


def test_import_adds_then_changes_nothing_then_updates(runner, tmp_path):
    path = write(tmp_path, "registre.csv",
                 "navs13,nom,prenom,date_naissance\n"
                 f"{NAVS_A},Muster,Anna,1985-03-15\n"
                 f"756.{NAVS_B[3:7]}.{NAVS_B[7:11]}.{NAVS_B[11:]},Ćosić,Marko,02.11.1979\n"
                 f"{NAVS_C},Nguyễn,Thi Mai,8.1.1990\n")
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "3 ajoutée(s), 0 mise(s) à jour, 0 inchangée(s), 0 ligne(s) refusée(s)." in result.output
    assert (person(NAVS_B).nom, person(NAVS_B).date_naissance) == ("Ćosić", date(1979, 11, 2))
    assert person(NAVS_C).date_naissance == date(1990, 1, 8)

    result = import_file(runner, path)
    assert "0 ajoutée(s), 0 mise(s) à jour, 3 inchangée(s), 0 ligne(s) refusée(s)." in result.output
    assert count(RegisteredPerson) == 3

    path = write(tmp_path, "registre2.csv",
                 "navs13,nom,prenom,date_naissance\n"
                 f"{NAVS_A},Muster-Keller,Anna,1985-03-15\n")
    result = import_file(runner, path)
    assert "0 ajoutée(s), 1 mise(s) à jour, 0 inchangée(s)" in result.output
    assert person(NAVS_A).nom == "Muster-Keller"
    assert person(NAVS_A).nom_match == "muster keller"  # registration now matches the new name
    assert count(RegisteredPerson) == 3


def test_import_reads_excel_exports_bom_semicolons_and_cp1252(runner, tmp_path):
    utf8_bom = write(tmp_path, "bom.csv",
                     "\ufeffNAVS13;Nom;Prenom;Date_Naissance\r\n"
                     f"{NAVS_A};Müller;Léa;30.06.2012\r\n", "utf-8")
    cp1252 = write(tmp_path, "ansi.csv",
                   "navs13;nom;prenom;date_naissance\r\n"
                   f"{NAVS_B};Rochat-Gaëlle;Jean-Pierre;21.09.1956\r\n", "cp1252")
    result = import_file(runner, utf8_bom)
    assert result.exit_code == 0 and "1 ajoutée(s)" in result.output, result.output
    result = import_file(runner, cp1252)
    assert result.exit_code == 0 and "1 ajoutée(s)" in result.output, result.output
    assert (person(NAVS_A).nom, person(NAVS_A).prenom) == ("Müller", "Léa")
    assert person(NAVS_B).nom == "Rochat-Gaëlle"


def test_import_lists_each_bad_line_and_keeps_the_good_ones(runner, tmp_path):
    bad_check_digit = NAVS_B[:-1] + str((int(NAVS_B[-1]) + 1) % 10)
    path = write(tmp_path, "registre.csv",
                 "navs13,nom,prenom,date_naissance\n"
                 f"{NAVS_A},Muster,Anna,1985-03-15\n"             # 2: fine
                 f"{bad_check_digit},Faux,Chiffre,1985-03-15\n"  # 3
                 f"{NAVS_C},Sans,Date,31.02.1985\n"              # 4
                 f"{NAVS_C},,Personne,1985-03-15\n"              # 5
                 f"{NAVS_A},Double,Anna,1985-03-15\n"            # 6
                 f"{NAVS_C},{'N' * 101},Long,1985-03-15\n"       # 7
                 f"{NAVS_C},Mus\x00ter,Nul,1985-03-15\n")        # 8
    result = import_file(runner, path)
    assert result.exit_code == 0, result.output
    assert "1 ajoutée(s), 0 mise(s) à jour, 0 inchangée(s), 6 ligne(s) refusée(s)." in result.output
    lines = dict(re.findall(r"^ligne (\d+) : (.*)$", result.output, re.M))
    assert set(lines) == {"3", "4", "5", "6", "7", "8"}
    assert "N° AVS n'est pas valable" in lines["3"]
    assert "Cette date n'existe pas" in lines["4"]
    assert "nom ou prénom manquant" in lines["5"]
    assert "en double" in lines["6"]
    assert "trop long" in lines["7"]
    assert "contrôle" in lines["8"]
    assert count(RegisteredPerson) == 1 and person(NAVS_A).nom == "Muster"


@pytest.mark.parametrize("content, reason", first_also_on_postgresql([
    (b"navs13,nom,prenom\n7561234567897,Muster,Anna\n", "colonnes manquantes : date_naissance"),
    (b"", "colonnes manquantes"),
    (bytes(range(256)) * 4, "pas un fichier texte"),
], ids=["missing-column", "empty", "binary"]))
def test_import_refuses_a_file_that_is_not_a_register(runner, tmp_path, content, reason):
    path = tmp_path / "registre.csv"
    path.write_bytes(content)
    result = import_file(runner, str(path))
    assert result.exit_code == 1
    assert "Fichier refusé" in result.output and reason in result.output
    assert "Traceback" not in result.output
    assert count(RegisteredPerson) == 0


def test_import_of_a_missing_file_says_so(runner, tmp_path):
    result = import_file(runner, str(tmp_path / "absent.csv"))
    assert result.exit_code == 2
    assert "absent.csv" in result.output
    assert count(RegisteredPerson) == 0


# --- staff accounts ------------------------------------------------------------------------------

def create_staff(runner, email, role, password=STAFF_PASSWORD, *extra):
    return runner.invoke(args=["staff", "create", email, "--role", role, *extra],
                         input=password + "\n")


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_staff_create_prints_an_authenticator_uri_that_works(client, runner, sms, role):
    assert count(User) == 0  # no default accounts: this command makes the first one
    result = create_staff(runner, "Claire.Gestion@AI-NE.example", role, STAFF_PASSWORD,
                          "--name", "Claire Gestion")
    assert result.exit_code == 0, result.output
    assert STAFF_PASSWORD not in result.output
    [uri] = re.findall(r"otpauth://totp/\S+", result.output)
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    assert "Guichet" in parse_qs(urlsplit(uri).query)["issuer"][0]

    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "claire.gestion@ai-ne.example"))
    assert (user.role, user.prenom, user.nom) == (role, "Claire", "Gestion")
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, STAFF_PASSWORD)

    # The account logs in with the password and a code of the authenticator app, never by SMS.
    login_staff(client, user, secret, password=STAFF_PASSWORD)
    assert client.get("/gestion/").status_code == 200
    assert sms.received == []


@pytest.mark.parametrize("password, message", first_also_on_postgresql([
    ("court", "au moins 12 caractères"),
    ("password123456", "trop courant"),
    ("gestion@example.ch 2026", "adresse e-mail"),
], ids=["short", "common", "contains-email"]))
def test_staff_create_refuses_a_weak_password(runner, password, message):
    result = create_staff(runner, "gestion@example.ch", "admin", password)
    assert result.exit_code == 1
    assert message in result.output
    assert "otpauth://" not in result.output
    assert count(User) == 0


def test_staff_create_refuses_a_duplicate(runner, factory):
    factory.user(email="gestion@example.ch")
    result = create_staff(runner, "GESTION@example.ch", "reviewer")
    assert result.exit_code == 1
    assert "Un compte existe déjà pour cette adresse." in result.output
    assert count(User) == 1
    assert db.session.scalar(select(User.role)) == "insured"


def test_staff_create_refuses_an_unknown_role(runner):
    result = create_staff(runner, "gestion@example.ch", "insured")
    assert result.exit_code == 2
    assert count(User) == 0


# --- outbox --------------------------------------------------------------------------------------

def test_outbox_run_once_with_nothing_to_do(runner):
    result = runner.invoke(args=["outbox", "run", "--once"])
    assert result.exit_code == 0
    assert "0 envoyé(s), 0 en échec" in result.output
    assert count(OutboxMessage) == 0


# --- demo ----------------------------------------------------------------------------------------

@pytest.fixture
def demo_app(tmp_path):
    """The app on a brand-new SQLite file, with mail and SMS on the console as in development."""
    app = create_app({"TESTING": True, "SECRET_KEY": "demo",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
                      "ARGON2_PARALLELISM": 1, "WTF_CSRF_ENABLED": False})
    yield app
    with app.app_context():
        db.engine.dispose()


class CollectingHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())

    @property
    def text(self) -> str:
        return "\n".join(self.messages)


def test_demo_prints_its_decision_numbers_and_only_the_free_register_entries(demo_app):
    runner = demo_app.test_cli_runner()

    def demo():
        with demo_app.app_context():
            result = runner.invoke(args=["demo"])
            db.session.remove()
        assert result.exit_code == 0, (result.output, result.exception)
        return result.output

    first = demo()
    assert "N° de décision à indiquer dans les demandes (seuls ceux-ci sont acceptés) :" in first
    with demo_app.app_context():
        decisions = db.session.scalars(select(Decision).order_by(Decision.number)).all()
        assert len(decisions) == 5
        for decision in decisions:
            spaced = f"{decision.number[:3]} {decision.number[3:7]} {decision.number[7:]}"
            assert re.search(rf"^  {spaced}  \S.* \((Anna Muster|Lea Müller)\)$", first, re.M), \
                spaced
        db.session.remove()
    assert re.search(r"^  324 2025 \d{7}  Allocation pour impotent \(API\) — mineur·e "
                     r"\(Lea Müller\)$", first, re.M)
    marko = DEMO_REGISTER[1]
    assert marko[1] in first.split("libres pour tester l'inscription")[1]

    # Marko signs up; the next run no longer offers him
    with demo_app.app_context():
        db.session.add(User(email="marko@example.ch", password_hash="x", navs13=marko[0],
                            nom=marko[1], prenom=marko[2], date_naissance=marko[3]))
        db.session.commit()
        db.session.remove()
    second = demo()
    free = second.split("libres pour tester l'inscription")[1]
    assert marko[1] not in free and f"{marko[3]:%d.%m.%Y}" not in free
    for _, nom, _, born in DEMO_REGISTER[2:]:
        assert nom in free and f"{born:%d.%m.%Y}" in free


def test_demo_builds_a_usable_base_and_can_run_again(demo_app):
    runner = demo_app.test_cli_runner()

    def demo():
        # `flask` pushes an app context for every command; the test runner only for commands
        # declared with @app.cli.command, which `demo` is not.
        with demo_app.app_context():
            return runner.invoke(args=["demo"])

    first = demo()
    assert first.exit_code == 0, (first.output, first.exception)
    assert "anna.muster@example.ch" in first.output and DEMO_PASSWORD in first.output
    assert "gestion@example.ch" in first.output and DEMO_STAFF_TOTP in first.output
    assert "visa@example.ch" in first.output and DEMO_SECOND_STAFF_TOTP in first.output
    for _, nom, _, born in DEMO_REGISTER[1:]:
        assert nom in first.output and f"{born:%d.%m.%Y}" in first.output

    second = demo()
    assert second.exit_code == 0, (second.output, second.exception)

    # a demo gestionnaire's code for later logins; no other account's code is shown
    with demo_app.app_context():
        code = runner.invoke(args=["staff", "demo-code", "Visa@example.ch"])
        other = runner.invoke(args=["staff", "demo-code", "anna.muster@example.ch"])
    assert code.exit_code == 0, code.output
    assert code.output.strip() in {pyotp.TOTP(DEMO_SECOND_STAFF_TOTP).at(time.time() + drift)
                                   for drift in (-30, 0)}
    assert other.exit_code != 0 and "démonstration" in other.output
    assert "anna.muster@example.ch" in second.output
    with demo_app.app_context():
        assert count(User) == 3  # Anna, the administrator, the second gestionnaire
        assert count(RegisteredPerson) == len(DEMO_REGISTER)
        db.session.remove()

    # The demo person logs in; the SMS code is in the server's log. (Alembic's logging setup
    # during the upgrade replaced the root handlers, caplog's too: listen on the logger itself.)
    client = demo_app.test_client()
    log = CollectingHandler()
    logging.getLogger("guichet.sms").addHandler(log)
    try:
        response = client.post("/connexion", data={"email": "anna.muster@example.ch",
                                                   "password": DEMO_PASSWORD})
        assert wait_for(lambda: "Code Guichet" in log.text)  # sent from a thread
    finally:
        logging.getLogger("guichet.sms").removeHandler(log)
    assert response.status_code == 303
    code = re.search(r"SMS à \+41791234567 : Code Guichet (\d{6}) pour vous connecter",
                     log.text).group(1)
    response = client.post("/connexion/code", data={"code": code})
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"
