"""Draft editing as a service (guichet.invoices.drafts): which button was pressed, read from
whatever a form may send, and where the chosen beneficiary and IBAN are kept."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guichet.invoices import drafts, pricing, services
from guichet.invoices.drafts import Action, Submitted, parse_action
from guichet.models import BankAccount, Beneficiary, Invoice, utcnow
from guichet.models.base import db

# --- parse_action ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, action", [
    ("save", Action(drafts.SAVE)), ("refresh", Action(drafts.REFRESH)),
    ("review", Action(drafts.REVIEW)), ("upload", Action(drafts.UPLOAD)),
    ("add_line", Action(drafts.ADD_LINE)),
    ("remove_line:0", Action(drafts.REMOVE_LINE, 0)),
    ("remove_line:59", Action(drafts.REMOVE_LINE, 59)),
    ("remove_file:12", Action(drafts.REMOVE_FILE, 12)),
    ("remove_file:2147483647", Action(drafts.REMOVE_FILE, 2**31 - 1)),
])
def test_each_button_of_the_form_is_read(text, action):
    assert parse_action(text) == action


@pytest.mark.parametrize("text, action", [
    ("refresh:kind", Action(drafts.REFRESH, value="kind")),
    ("refresh:lines-0-transport", Action(drafts.REFRESH, value="lines-0-transport")),
    ("refresh:lines-59-vehicle_required", Action(drafts.REFRESH, value="lines-59-vehicle_required")),
])
def test_update_says_which_question_it_is_next_to(text, action):
    assert parse_action(text) == action


@pytest.mark.parametrize("text", [
    "refresh:Kind", "refresh:", "refresh:lines-0-", "refresh:lines-123-km", "refresh:#kind",
    "refresh:kind ", "refresh:javascript:x", "refresh:a/b", "refresh:" + "a" * 41,
    "refresh:lines-0-km-1", "refresh:é",
])
def test_an_update_naming_no_question_is_a_plain_refresh_or_the_default(text):
    assert parse_action(text).value == ""


def test_moving_a_piece_reads_the_document_chosen_next_to_it():
    form = {"piece-12": "transport_tickets", "piece-13": "taxi_receipt"}
    assert parse_action("move_file:12", form) == Action(drafts.MOVE_FILE, 12,
                                                        "transport_tickets")
    assert parse_action("move_file:12") == Action(drafts.MOVE_FILE, 12, "")
    assert parse_action("move_file:12", {"piece-12": "x" * 500}).value == "x" * 40
    assert parse_action("move_file:abc", form) == drafts.DEFAULT_ACTION


@pytest.mark.parametrize("text", [
    None, "", "SAVE", " save", "save ", "save:1", "delete", "autosave",
    "remove_line", "remove_line:", "remove_line:-1", "remove_line:60", "remove_line:1e3",
    "remove_line:²", "remove_line:٣", "remove_line:1:2", "remove_line: 1",
    "remove_file:0", "remove_file:abc", "remove_file:99999999999999999999",
    "remove_file:2147483648", "remove_file:12; DROP TABLE invoices", "add_line:3",
    "review\x00", "x" * 10_000, "remove_line:" + "9" * 5000, ["save"], 42,
])
def test_anything_else_is_the_harmless_default(text):
    assert parse_action(text) == drafts.DEFAULT_ACTION == Action(drafts.AUTOSAVE)


@given(st.text())
def test_no_text_makes_parse_action_fail(text):
    action = parse_action(text)
    assert action.kind in (drafts.AUTOSAVE, *drafts._PLAIN, drafts.REMOVE_LINE,
                           drafts.REMOVE_FILE, drafts.MOVE_FILE)
    if action.target is not None:
        assert 0 <= action.target < 2**31


def test_only_line_changes_and_refresh_redraw_the_whole_form():
    redraws = {kind for kind in (drafts.AUTOSAVE, drafts.SAVE, drafts.REFRESH, drafts.REVIEW,
                                 drafts.UPLOAD, drafts.ADD_LINE, drafts.REMOVE_LINE,
                                 drafts.REMOVE_FILE, drafts.MOVE_FILE)
               if Action(kind).redraws_form}
    assert redraws == {drafts.REFRESH, drafts.ADD_LINE, drafts.REMOVE_LINE}


# --- the chosen beneficiary and IBAN ---------------------------------------------------------

@pytest.fixture
def person(app, factory):
    """An insured person with one beneficiary (themselves) and one confirmed IBAN."""
    user = factory.user()
    holder = Beneficiary(user_id=user.id, navs13=user.navs13, nom=user.nom,
                         prenom=user.prenom, date_naissance=user.date_naissance,
                         relation="self")
    account = BankAccount(user_id=user.id, iban="CH5604835012345678009", holder="Anna Muster",
                          bank_name="UBS", confirmed_at=utcnow())
    db.session.add_all([holder, account])
    db.session.commit()
    user.holder, user.account = holder, account
    return user


def save(invoice, user, **typed):
    outcome = drafts.apply(invoice, user, Submitted(**typed), Action(drafts.SAVE))
    db.session.commit()
    return outcome


def test_a_new_draft_and_each_save_keep_the_choices_in_the_columns(app, person):
    invoice = services.create_draft(person, "standard")
    assert (invoice.beneficiary_id, invoice.bank_account_id) == (person.holder.id,
                                                                 person.account.id)
    assert "beneficiary_id" not in invoice.fields and "bank_account_id" not in invoice.fields
    save(invoice, person, beneficiary=str(person.holder.id), bank_account="")
    assert (invoice.beneficiary_id, invoice.bank_account_id) == (person.holder.id, None)
    assert "beneficiary_id" not in invoice.fields and "bank_account_id" not in invoice.fields
    errors = pricing.evaluate(invoice).header_errors
    assert "bank_account_id" not in errors  # nothing chosen yet: said only when checking
    assert "bank_account_id" in pricing.evaluate(invoice, strict=True).header_errors


@pytest.mark.parametrize("which", ["foreign", "removed", "unconfirmed", "garbage"])
def test_a_choice_that_cannot_be_taken_is_kept_as_sent_and_explained(app, person, factory,
                                                                     which):
    other = factory.user()
    rows = {
        "foreign": BankAccount(user_id=other.id, iban="CH9300762011623852957", holder="Autre",
                               confirmed_at=utcnow()),
        "removed": BankAccount(user_id=person.id, iban="CH9300762011623852957", holder="Anna",
                               confirmed_at=utcnow(), removed_at=utcnow()),
        "unconfirmed": BankAccount(user_id=person.id, iban="CH9300762011623852957",
                                   holder="Anna"),
    }
    if which in rows:
        db.session.add(rows[which])
        db.session.commit()
    sent = str(rows[which].id) if which in rows else "1 OR 1=1"
    invoice = services.create_draft(person, "standard")
    save(invoice, person, beneficiary=str(person.holder.id), bank_account=sent)
    assert invoice.bank_account_id is None
    assert invoice.fields["bank_account_id"] == sent[:20]
    assert pricing.evaluate(invoice).header_errors["bank_account_id"] == (
        "Choisissez l'IBAN sur lequel verser le remboursement.")
    # choosing one's own IBAN again clears it
    save(invoice, person, beneficiary=str(person.holder.id),
         bank_account=str(person.account.id))
    assert invoice.bank_account_id == person.account.id
    assert "bank_account_id" not in invoice.fields
    assert "bank_account_id" not in pricing.evaluate(invoice).header_errors


def test_a_row_removed_after_it_was_chosen_is_explained(app, person):
    invoice = services.create_draft(person, "standard")
    person.account.removed_at = utcnow()
    db.session.commit()
    assert invoice.bank_account_id == person.account.id
    assert "bank_account_id" in pricing.evaluate(invoice).header_errors


def test_earlier_invoices_are_those_of_the_same_beneficiary(app, person):
    child = Beneficiary(user_id=person.id, navs13="7569217076985", nom="Muster",
                        prenom="Lina", date_naissance=date(2016, 7, 20), relation="child")
    db.session.add(child)
    db.session.commit()
    for beneficiary in (person.holder, child, child):
        sent = Invoice(user_id=person.id, invoice_type="moyens_auxiliaires", status="submitted",
                       fields={}, remark="", beneficiary_id=beneficiary.id)
        db.session.add(sent)
    db.session.commit()
    draft = services.create_draft(person, "moyens_auxiliaires")
    seen = []

    def price(claim):
        seen.append(len(claim.earlier_invoices()))
    from dataclasses import replace

    from guichet.invoices.types import INVOICE_TYPES
    real = INVOICE_TYPES["moyens_auxiliaires"]
    INVOICE_TYPES["moyens_auxiliaires"] = replace(real, price=price)
    try:
        save(draft, person, beneficiary=str(child.id))
        pricing.evaluate(draft)
        save(draft, person, beneficiary=str(person.holder.id))
        pricing.evaluate(draft)
    finally:
        INVOICE_TYPES["moyens_auxiliaires"] = real
    assert seen == [2, 2, 1, 1]  # each save evaluates, then the test: the child, the holder
