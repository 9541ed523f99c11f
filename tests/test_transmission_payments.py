"""The CdC's payment list for a batch (issue 10): matching lines make the invoice « Payée »
with the date and amount paid (the person told once); an amount that differs, a receipt not in
the batch, an invoice not payable, a line given twice are listed and change nothing until a
gestionnaire decides; the NIF given is kept on the account when it has none (a different one is
listed); unreadable lines are refused with their reason; importing twice changes nothing."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from guichet.core.i18n import today_in_zurich
from guichet.invoices import payments, transmission
from guichet.invoices.iban_check import new_iban_reason
from guichet.models import AuditEntry, Invoice, OutboxMessage, PaymentIssue, TransmissionBatch, User
from guichet.models.base import db
from guichet.models.invoices import STATUS_ACCEPTED, STATUS_PAID
from tests.support.batches import build, office, payment_list, validated
from tests.support.databases import count
from tests.support.page import page_text

PAID_ON = today_in_zurich()
DAY = PAID_ON.strftime("%d.%m.%Y")


@pytest.fixture
def owner(factory):
    return factory.user(email="anna@example.ch")


@pytest.fixture
def gestionnaire(factory):
    return factory.user(email="lots@example.ch", role="transmission")


@pytest.fixture
def batch_of_three(app, owner, gestionnaire):
    invoices = validated(owner, gestionnaire, 3, amount="87.35")
    batch = build(app, gestionnaire)
    office(app, transmission.mark_transmitted, db.session.get(TransmissionBatch, batch.id),
           gestionnaire, batch.created_on)
    return db.session.get(TransmissionBatch, batch.id), invoices


def run_import(app, batch, staff, content: bytes):
    return office(app, payments.import_payment_list,
                  db.session.get(TransmissionBatch, batch.id), staff, content)


def status(invoice) -> str:
    return db.session.get(Invoice, invoice.id).status


def test_matching_lines_pay_and_the_others_are_listed_changing_nothing(
        app, batch_of_three, gestionnaire, owner):
    batch, (first, second, third) = batch_of_three
    elsewhere = validated(owner, gestionnaire, 1)[0]
    outbox_before = count(OutboxMessage)
    report = run_import(app, batch, gestionnaire, payment_list(
        (first.receipt_number, DAY, "87.35", ""),
        (second.receipt_number, DAY, "80.00", ""),          # amount differs
        ("NE-2026-999999", DAY, "12.00", ""),               # not a receipt of this batch
        (elsewhere.receipt_number, DAY, "50.00", ""),       # another invoice, not in the batch
        ("", DAY, "10.00", ""),                             # unreadable: no receipt
        (third.receipt_number, "32.13.2026", "87.35", "")))  # unreadable: date
    assert report.paid == [first.receipt_number]
    paid = db.session.get(Invoice, first.id)
    assert paid.status == STATUS_PAID
    assert paid.paid_on == PAID_ON and paid.paid_amount == Decimal("87.35")
    assert status(second) == STATUS_ACCEPTED and status(third) == STATUS_ACCEPTED
    assert status(elsewhere) == STATUS_ACCEPTED
    issues = {(issue.receipt_number, issue.problem)
              for issue in db.session.scalars(select(PaymentIssue))}
    assert issues == {(second.receipt_number, payments.AMOUNT_DIFFERS),
                      ("NE-2026-999999", payments.NOT_IN_BATCH),
                      (elsewhere.receipt_number, payments.NOT_IN_BATCH)}
    assert [line.line for line in report.refused] == [6, 7]
    assert "numéro de reçu" in report.refused[0].reason
    assert "date de paiement illisible" in report.refused[1].reason
    assert count(OutboxMessage) == outbox_before + 1  # only the paid one's person


def test_importing_the_same_list_twice_changes_nothing_and_tells_nobody_again(
        app, batch_of_three, gestionnaire):
    batch, (first, second, _third) = batch_of_three
    content = payment_list((first.receipt_number, DAY, "87.35", "123456"),
                           (second.receipt_number, DAY, "99.00", ""), bom=True)
    run_import(app, batch, gestionnaire, content)
    outbox, issues, events = (count(OutboxMessage), count(PaymentIssue),
                              len(db.session.get(Invoice, first.id).events))
    report = run_import(app, batch, gestionnaire, content)
    assert report.paid == [] and report.unchanged == 1 and report.known_issues == 1
    assert report.changed_nothing
    assert (count(OutboxMessage), count(PaymentIssue)) == (outbox, issues)
    assert len(db.session.get(Invoice, first.id).events) == events


def test_comma_separated_lists_and_other_header_names_are_read(app, batch_of_three,
                                                               gestionnaire):
    batch, (first, second, third) = batch_of_three
    report = run_import(app, batch, gestionnaire, payment_list(
        (first.receipt_number, DAY, "87.35"), delimiter=",",
        header=("Numéro de reçu", "Payé le", "Montant versé")))
    assert report.paid == [first.receipt_number]
    report = run_import(app, batch, gestionnaire, payment_list(
        (second.receipt_number, DAY, "CHF 87.35", "12"), bom=True,
        header=("Receipt", "Date paid", "Amount paid", "NIF")))
    assert report.paid == [second.receipt_number]


def test_a_line_given_twice_is_listed_and_pays_nothing(app, batch_of_three, gestionnaire):
    batch, (first, *_rest) = batch_of_three
    report = run_import(app, batch, gestionnaire, payment_list(
        (first.receipt_number, DAY, "87.35", ""), (first.receipt_number, DAY, "87.35", "")))
    assert report.paid == []
    assert status(first) == STATUS_ACCEPTED
    assert {issue.problem for issue in report.issues} == {payments.DUPLICATE}


def test_an_unreadable_file_or_a_batch_not_transmitted_applies_nothing(app, owner,
                                                                       gestionnaire):
    invoice = validated(owner, gestionnaire, 1)[0]
    batch = build(app, gestionnaire)
    with pytest.raises(transmission.BatchRefused):
        run_import(app, batch, gestionnaire, payment_list((invoice.receipt_number, DAY, "50")))
    office(app, transmission.mark_transmitted, db.session.get(TransmissionBatch, batch.id),
           gestionnaire, batch.created_on)
    for content in (b"", "reçu;date\n".encode(), "é".encode("latin-1")):
        with pytest.raises(payments.ListUnreadable):
            run_import(app, batch, gestionnaire, content)
    assert status(invoice) == STATUS_ACCEPTED and count(PaymentIssue) == 0


def test_the_nif_is_stored_once_and_a_different_one_is_listed(app, batch_of_three,
                                                              gestionnaire, owner):
    batch, (first, second, third) = batch_of_three
    run_import(app, batch, gestionnaire, payment_list((first.receipt_number, DAY, "87.35",
                                                       "1234 5678")))
    assert db.session.get(User, owner.id).nif == "12345678"
    report = run_import(app, batch, gestionnaire, payment_list(
        (second.receipt_number, DAY, "87.35", "99999999")))
    assert report.paid == [second.receipt_number]  # paid all the same
    assert db.session.get(User, owner.id).nif == "12345678"  # not overwritten
    assert [issue.problem for issue in report.issues] == [payments.NIF_DIFFERS]
    issue = db.session.get(PaymentIssue, report.issues[0].id)
    office(app, payments.resolve_issue, issue, gestionnaire, True)
    assert db.session.get(User, owner.id).nif == "99999999"
    assert "nif_recorded" in [entry.action for entry in db.session.scalars(select(AuditEntry))]


def test_an_amount_that_differs_is_paid_only_once_a_gestionnaire_accepts_it(
        app, batch_of_three, gestionnaire):
    batch, (first, second, third) = batch_of_three
    report = run_import(app, batch, gestionnaire, payment_list(
        (first.receipt_number, DAY, "80.00", ""), ("NE-2026-999999", DAY, "1.00", "")))
    wrong_amount, unknown = (db.session.get(PaymentIssue, issue.id) for issue in report.issues)
    assert status(first) == STATUS_ACCEPTED
    assert not payments.may_accept(unknown)
    with pytest.raises(transmission.BatchRefused):
        office(app, payments.resolve_issue, unknown, gestionnaire, True)
    outbox = count(OutboxMessage)
    office(app, payments.resolve_issue, wrong_amount, gestionnaire, True)
    invoice = db.session.get(Invoice, first.id)
    assert invoice.status == STATUS_PAID and invoice.paid_amount == Decimal("80.00")
    assert count(OutboxMessage) == outbox + 1
    office(app, payments.resolve_issue, db.session.get(PaymentIssue, unknown.id), gestionnaire,
           False)
    assert payments.open_issues(db.session.get(TransmissionBatch, batch.id)) == []
    with pytest.raises(transmission.BatchRefused, match="déjà"):
        office(app, payments.resolve_issue, db.session.get(PaymentIssue, unknown.id),
               gestionnaire, False)
    # the same list again: nothing listed anew, nothing paid again
    report = run_import(app, batch, gestionnaire, payment_list(
        (first.receipt_number, DAY, "80.00", ""), ("NE-2026-999999", DAY, "1.00", "")))
    assert report.changed_nothing and count(PaymentIssue) == 2
    actions = [entry.action for entry in db.session.scalars(select(AuditEntry))]
    assert actions.count("payment_issue_resolved") == 2
    assert actions.count("payment_list_imported") == 2


def test_the_batch_page_imports_the_list_and_decides_the_issues(
        app, batch_of_three, staff_login):
    client = staff_login("transmission", "transmission@example.ch")
    batch, (first, second, third) = batch_of_three
    url = f"/gestion/lots/{batch.id}"
    response = client.post(f"{url}/paiements", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choisissez le fichier" in page_text(response)
    content = payment_list((first.receipt_number, DAY, "87.35", ""),
                           (second.receipt_number, DAY, "70.00", ""), ("x", "y", "z", ""))
    response = client.post(f"{url}/paiements", content_type="multipart/form-data",
                           data={"payment_list": (io.BytesIO(content), "paiements.csv")})
    assert response.status_code == 200
    text = page_text(response)
    assert "1 demande marquée « Payée »" in text
    assert "Le montant payé diffère du montant validé" in text
    assert "Ligne 4 :" in text
    issue = db.session.scalar(select(PaymentIssue))
    response = client.post(f"{url}/anomalies/{issue.id}", data={"decision": "accept"})
    assert response.status_code == 303
    assert db.session.get(Invoice, second.id).paid_amount == Decimal("70.00")
    response = client.post(f"{url}/anomalies/{issue.id}", data={})
    assert response.status_code == 303
    assert client.post(f"/gestion/lots/{batch.id + 1}/anomalies/{issue.id}",
                       data={"decision": "dismiss"}).status_code == 404


def test_after_a_payment_the_iban_is_no_longer_new(app, batch_of_three, gestionnaire, owner):
    batch, (first, *_rest) = batch_of_three
    later = validated(owner, gestionnaire, 1)[0]
    reason = new_iban_reason(db.session.get(Invoice, later.id))
    assert reason is not None and "Aucun paiement" in reason
    run_import(app, batch, gestionnaire, payment_list((first.receipt_number, DAY, "87.35", "")))
    assert new_iban_reason(db.session.get(Invoice, later.id)) is None


def test_every_step_is_audited_with_its_actor_and_no_full_identifier(app, batch_of_three,
                                                                     gestionnaire, owner):
    batch, (first, second, third) = batch_of_three
    report = run_import(app, batch, gestionnaire, payment_list(
        (first.receipt_number, DAY, "87.35", "555"), (second.receipt_number, DAY, "1.00", "")))
    office(app, payments.resolve_issue, db.session.get(PaymentIssue, report.issues[0].id),
           gestionnaire, False)
    office(app, transmission.mark_paid, db.session.get(TransmissionBatch, batch.id),
           gestionnaire, PAID_ON)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_((
        "batch_created", "batch_transmitted", "payment_list_imported", "invoice_paid",
        "nif_recorded", "payment_issue_resolved", "batch_paid")))).all()
    assert {entry.action for entry in entries} == {
        "batch_created", "batch_transmitted", "payment_list_imported", "invoice_paid",
        "nif_recorded", "payment_issue_resolved", "batch_paid"}
    assert all(entry.actor_id == gestionnaire.id for entry in entries)
    assert [e.object_id for e in entries if e.action == "invoice_paid"] == [
        str(first.id), str(second.id), str(third.id)]
    details = str([entry.detail for entry in entries])
    assert owner.navs13 not in details and "CH5604835012345678009" not in details
