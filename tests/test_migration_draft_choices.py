"""Migration d5e6f7a8b9c0: drafts' chosen beneficiary and IBAN move from their fields to the
invoice's columns (only the owner's own rows still in use), on SQLite and PostgreSQL, and back
on downgrade."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from guichet.models import BankAccount, Beneficiary, Invoice, User, utcnow
from guichet.models.base import db
from tests.test_migrations import (empty_database, flask_db,  # noqa: F401  (fixtures)
                                   migrating_app, postgres_database)

BEFORE = "c4d5e6f7a8b9"


def _user(email):
    user = User(email=email, password_hash="x", role="insured")
    db.session.add(user)
    db.session.flush()
    return user


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


def _invoice(user, fields, status="draft", **columns):
    invoice = Invoice(user_id=user.id, invoice_type="standard", status=status, fields=fields,
                      remark="", **columns)
    db.session.add(invoice)
    db.session.flush()
    return invoice.id


def _state(invoice_id):
    invoice = db.session.get(Invoice, invoice_id)
    return invoice.beneficiary_id, invoice.bank_account_id, dict(invoice.fields)


def test_drafts_choices_move_to_the_columns_and_back(migrating_app):
    app = migrating_app
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
        rows = db.session.scalars(select(Invoice).where(Invoice.status == "draft")).all()
        assert all(row.beneficiary_id is None and row.bank_account_id is None for row in rows)
        db.session.remove()
