"""`flask db upgrade` builds exactly the models' schema, on SQLite and on PostgreSQL, and
`flask db downgrade base` takes it all down again.

PostgreSQL runs on a database of its own, created for this module and dropped afterwards, so the
other tests (which drop and create tables in the shared test database) are not disturbed.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (JSON, Date, Integer, Numeric, String, column, create_engine, delete,
                        insert, inspect, select, table, text)
from sqlalchemy.engine import make_url

from guichet import ROOT, create_app
from guichet.invoices.rates import seed_default_rates
from guichet.invoices.refusal_reasons import DEFAULT_REASONS, DEFAULT_REDUCTION_REASONS
from guichet.models import BankAccount, Beneficiary, Invoice, RefusalReason, utcnow
from guichet.models.base import db
from guichet.models.rates import Rate
from guichet.models.types import UTCDateTime
from tests.support.databases import DATABASES, POSTGRES_URL


@pytest.fixture(scope="module")
def postgres_database():
    """A fresh, empty PostgreSQL database on the test server; dropped at the end."""
    name = f"guichet_migrations_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=DATABASES)
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def migrating_app(empty_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI":
                      empty_database})
    yield app
    with app.app_context():
        db.engine.dispose()


def schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def table_names(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def flask_db(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_migrations_have_a_single_head():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(migrating_app):
    app = migrating_app
    assert table_names(app) == set()
    flask_db(app, "upgrade")
    assert table_names(app) == set(db.metadata.tables) | {"alembic_version"}
    assert schema_differences(app) == []

    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    with app.app_context():
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == head
        db.session.remove()

    flask_db(app, "upgrade")  # a second run has nothing to do
    assert schema_differences(app) == []

    flask_db(app, "downgrade", "base")
    assert table_names(app) <= {"alembic_version"}
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM alembic_version")) == 0
        db.session.remove()

    flask_db(app, "upgrade")  # and up again from nothing
    assert schema_differences(app) == []


def rate_rows(app) -> list[tuple]:
    """Every rate, in the order it was written (id), without the id."""
    with app.app_context():
        rows = db.session.execute(select(Rate.key, Rate.valid_from, Rate.valid_to, Rate.amount,
                                         Rate.label, Rate.source).order_by(Rate.id)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def test_the_migrations_write_the_rates_every_invoice_type_declares(migrating_app):
    """The rates data migration carries its own rows; on a fresh database they are exactly what
    :func:`seed_default_rates` writes from the invoice types' modules. (A rate added to a type
    later needs a data migration of its own, or this fails.)"""
    app = migrating_app
    flask_db(app, "upgrade")
    migrated = rate_rows(app)
    assert migrated
    with app.app_context():
        db.session.execute(delete(Rate))
        assert seed_default_rates(db.session) == len(migrated)
        db.session.commit()
    assert rate_rows(app) == migrated


def test_the_migrations_write_the_refusal_reasons_the_application_seeds(migrating_app):
    """The office's default refusal reasons: the migration's own rows are those
    :data:`~guichet.invoices.refusal_reasons.DEFAULT_REASONS` gives a database made without it
    (a change of one without the other fails here)."""
    app = migrating_app
    flask_db(app, "upgrade")
    with app.app_context():
        migrated = {kind: [(reason.code, reason.label) for reason in db.session.scalars(
            select(RefusalReason).where(RefusalReason.kind == kind)
            .order_by(RefusalReason.position))] for kind in ("refusal", "reduction")}
        db.session.remove()
    assert migrated == {"refusal": DEFAULT_REASONS, "reduction": DEFAULT_REDUCTION_REASONS}


def test_the_operator_command_line_upgrades_an_empty_sqlite_file_with_no_account(tmp_path):
    """``flask db upgrade`` in a process of its own, as an operator runs it; the new database
    holds no account at all (security.md 8: no default accounts)."""
    database = tmp_path / "guichet.sqlite3"
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUICHET_")}
    env["GUICHET_SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    env["GUICHET_SECRET_KEY"] = "test"
    flask = [sys.executable, "-m", "flask", "--app", "guichet"]
    result = subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
            assert "users" in inspect(connection).get_table_names()
            assert connection.scalar(text("SELECT count(*) FROM users")) == 0
    finally:
        engine.dispose()


# --- d5e6f7a8b9c0: drafts' chosen beneficiary and IBAN move from their fields to the columns

BEFORE = "c4d5e6f7a8b9"


# users at that revision: written through a stub of the columns it had (the model has more)
_USERS = table("users", column("id", Integer), column("email", String),
               column("password_hash", String), column("role", String),
               column("created_at", UTCDateTime()), column("password_changed_at", UTCDateTime()),
               *(column(name, String) for name in ("nom", "prenom", "navs13", "civilite", "rue",
                                                   "npa", "localite", "pays")),
               column("date_naissance", Date))


def _user(email, **identity):
    now = utcnow()
    user_id = db.session.execute(insert(_USERS).values(
        email=email, password_hash="x", role="insured", created_at=now,
        password_changed_at=now, **identity).returning(_USERS.c.id)).scalar_one()
    return SimpleNamespace(id=user_id)


def _beneficiary(user, navs13, removed=False):
    row = Beneficiary(user_id=user.id, navs13=navs13, nom="Muster", prenom="Lina",
                      date_naissance=date(2015, 5, 5), relation="child",
                      removed_at=utcnow() if removed else None)
    db.session.add(row)
    db.session.flush()
    return row


def _account(user, iban, confirmed=True, removed=False):
    row = BankAccount(user_id=user.id, iban=iban, holder="Anna Muster",
                      confirmed_at=utcnow() if confirmed else None,
                      removed_at=utcnow() if removed else None)
    db.session.add(row)
    db.session.flush()
    return row


# invoices before the frozen copy (e6f7a8b9c0d1): a stub of the columns they had
_INVOICES = table("invoices", column("id", Integer), column("user_id", Integer),
                  column("invoice_type", String), column("status", String),
                  column("beneficiary_id", Integer), column("bank_account_id", Integer),
                  column("iban", String), column("decision_number", String),
                  column("fields", JSON), column("remark", String),
                  column("total_claimed", Numeric(12, 2)), column("flags", JSON),
                  column("created_at", UTCDateTime()), column("updated_at", UTCDateTime()),
                  column("submitted_at", UTCDateTime()), column("version", Integer))


def _invoice(user, fields, status="draft", **columns):
    now = utcnow()
    return db.session.execute(insert(_INVOICES).values(
        user_id=user.id, invoice_type="standard", status=status, fields=fields, remark="",
        total_claimed=Decimal("0.00"), flags=[], created_at=now, updated_at=now,
        submitted_at=None if status == "draft" else now, version=1, **columns)
        .returning(_INVOICES.c.id)).scalar_one()


def _state(invoice_id):
    # only these columns: the models may hold columns added by later revisions
    beneficiary_id, bank_account_id, fields = db.session.execute(select(
        Invoice.beneficiary_id, Invoice.bank_account_id, Invoice.fields).where(
        Invoice.id == invoice_id)).one()
    return beneficiary_id, bank_account_id, dict(fields)


def test_drafts_choices_move_to_the_columns_and_back(migrating_app):
    app = migrating_app
    flask_db(app, "downgrade", "base")  # the PostgreSQL database is shared by this module's tests
    flask_db(app, "upgrade", BEFORE)
    with app.app_context():
        anna, other = _user("anna@example.ch"), _user("other@example.ch")
        child = _beneficiary(anna, "7561234567897")
        gone = _beneficiary(anna, "7569217076985", removed=True)
        foreign = _beneficiary(other, "7561234567897")
        iban = _account(anna, "CH5604835012345678009")
        unconfirmed = _account(anna, "CH9300762011623852957", confirmed=False)
        removed = _account(anna, "CH3908704016075473007", removed=True)
        ids = {
            "chosen": _invoice(anna, {"beneficiary_id": str(child.id),
                                      "bank_account_id": str(iban.id), "supplier": "Physio"}),
            "refused": _invoice(anna, {"beneficiary_id": str(foreign.id),
                                       "bank_account_id": "abc"}),
            "unusable": _invoice(anna, {"beneficiary_id": str(gone.id),
                                        "bank_account_id": str(unconfirmed.id)}),
            "removed iban": _invoice(anna, {"beneficiary_id": str(child.id),
                                            "bank_account_id": str(removed.id)}),
            "empty": _invoice(anna, {"beneficiary_id": "", "bank_account_id": "",
                                     "decision_number": "324"}),
            "none": _invoice(anna, {}),
            "sent": _invoice(anna, {"beneficiary_id": str(child.id)}, status="submitted",
                             beneficiary_id=child.id, bank_account_id=iban.id),
        }
        child_id, iban_id, foreign_id, gone_id = child.id, iban.id, foreign.id, gone.id
        unconfirmed_id, removed_id = unconfirmed.id, removed.id
        db.session.commit()
        db.session.remove()

    flask_db(app, "upgrade")
    with app.app_context():
        assert _state(ids["chosen"]) == (child_id, iban_id, {"supplier": "Physio"})
        assert _state(ids["refused"]) == (None, None, {
            "beneficiary_id": str(foreign_id), "bank_account_id": "abc"})
        assert _state(ids["unusable"]) == (None, None, {
            "beneficiary_id": str(gone_id), "bank_account_id": str(unconfirmed_id)})
        assert _state(ids["removed iban"]) == (child_id, None, {
            "bank_account_id": str(removed_id)})
        assert _state(ids["empty"]) == (None, None, {"decision_number": "324"})
        assert _state(ids["none"]) == (None, None, {})
        assert _state(ids["sent"]) == (child_id, iban_id, {"beneficiary_id": str(child_id)})
        db.session.remove()

    flask_db(app, "downgrade", BEFORE)
    with app.app_context():
        assert _state(ids["chosen"]) == (None, None, {
            "beneficiary_id": str(child_id), "bank_account_id": str(iban_id),
            "supplier": "Physio"})
        assert _state(ids["refused"]) == (None, None, {
            "beneficiary_id": str(foreign_id), "bank_account_id": "abc"})
        assert _state(ids["empty"]) == (None, None, {
            "beneficiary_id": "", "bank_account_id": "", "decision_number": "324"})
        assert _state(ids["sent"]) == (child_id, iban_id, {"beneficiary_id": str(child_id)})
        rows = db.session.execute(select(Invoice.beneficiary_id, Invoice.bank_account_id)
                                  .where(Invoice.status == "draft")).all()
        assert all(row.beneficiary_id is None and row.bank_account_id is None for row in rows)
        db.session.remove()


# --- e6f7a8b9c0d1: sent invoices keep a copy of what their documents show ----------------------

BEFORE_FROZEN = "d5e6f7a8b9c0"


def test_invoices_already_sent_get_their_copy_from_the_records_as_they_are(migrating_app):
    app = migrating_app
    flask_db(app, "downgrade", "base")  # the PostgreSQL database is shared by this module's tests
    flask_db(app, "upgrade", BEFORE_FROZEN)
    with app.app_context():
        anna = _user("anna@example.ch", nom="Muster", prenom="Anna", navs13="7561234567897",
                     date_naissance=date(1985, 3, 15), civilite="madame", rue="Rue du Seyon 10",
                     npa="2000", localite="Neuchâtel", pays="CH")
        other = _user("other@example.ch")
        child = _beneficiary(anna, "7569217076985")
        foreign = _beneficiary(other, "7561234567897")
        iban = _account(anna, "CH5604835012345678009")
        sent = _invoice(anna, {}, status="accepted", beneficiary_id=child.id,
                        bank_account_id=iban.id, iban=iban.iban,
                        decision_number="32420250000001")
        odd = _invoice(anna, {"decision_number": "324.2025"}, status="submitted",
                       beneficiary_id=foreign.id, bank_account_id=None)
        draft = _invoice(anna, {}, beneficiary_id=child.id)
        db.session.commit()
        db.session.remove()

    flask_db(app, "upgrade")
    with app.app_context():
        frozen = db.session.get(Invoice, sent).frozen
        assert frozen == {
            "owner": {"nom": "Muster", "prenom": "Anna", "navs13": "7561234567897",
                      "date_naissance": "1985-03-15", "civilite": "madame",
                      "rue": "Rue du Seyon 10", "npa": "2000", "localite": "Neuchâtel",
                      "pays": "CH"},
            "beneficiary": {"nom": "Muster", "prenom": "Lina", "navs13": "7569217076985",
                            "date_naissance": "2015-05-05"},
            "account": {"iban": "CH5604835012345678009", "holder": "Anna Muster",
                        "bank_name": None},
            "decision_number": "32420250000001"}
        odd_copy = db.session.get(Invoice, odd).frozen
        assert (odd_copy["beneficiary"], odd_copy["account"], odd_copy["decision_number"]) == (
            None, None, "324.2025")  # another account's row is never copied
        assert db.session.get(Invoice, draft).frozen is None
        db.session.remove()

    flask_db(app, "downgrade", BEFORE_FROZEN)
    with app.app_context():
        assert "frozen" not in {c["name"] for c in inspect(db.engine).get_columns("invoices")}
        db.session.remove()


# --- b5c6d7e8f9a0: the reduction reasons join the refusal reasons as a list kept by admins ----

BEFORE_REDUCTION_LIST = "e2f3a4b5c6d7"


def _reasons(app) -> list[tuple]:
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("refusal_reasons")}
        kind = "kind" if "kind" in columns else "'refusal' AS kind"
        rows = db.session.execute(text(f"SELECT {kind}, code, label, active FROM refusal_reasons "
                                       "ORDER BY 1, position")).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def test_the_reduction_reasons_become_a_list_beside_the_refusal_reasons(migrating_app):
    app = migrating_app
    flask_db(app, "downgrade", "base")  # the PostgreSQL database is shared by this module's tests
    flask_db(app, "upgrade", BEFORE_REDUCTION_LIST)
    with app.app_context():
        db.session.execute(text("UPDATE refusal_reasons SET active = :no WHERE code = 'duplicate'"),
                           {"no": False})
        db.session.execute(text("INSERT INTO refusal_reasons (code, label, position, active) "
                                "VALUES ('frais_anterieurs', 'Frais antérieurs', 7, :yes)"),
                           {"yes": True})
        db.session.commit()
        db.session.remove()
    before = _reasons(app)

    flask_db(app, "upgrade")
    after = _reasons(app)
    assert [row for row in after if row[0] == "refusal"] == before  # kept, as they were
    assert [(code, label) for kind, code, label, _active in after if kind == "reduction"] == \
        DEFAULT_REDUCTION_REASONS
    # the same code in both lists ("other", "not_covered"): unique within a list only
    assert {("refusal", "other"), ("reduction", "other")} <= {row[:2] for row in after}

    flask_db(app, "downgrade", BEFORE_REDUCTION_LIST)
    assert _reasons(app) == before
