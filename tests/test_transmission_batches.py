"""Transmission batches (issue 10): only « Validée » invoices in no batch yet, never an invoice
twice, a number per year, frozen count and control sum, marked transmitted then paid by hand
(each invoice « Payée » with its approved amount, the person told once), every action audited;
the staff pages for them."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from guichet.core.i18n import today_in_zurich
from guichet.invoices import transmission
from guichet.invoices.review import ReviewRefused, take
from guichet.models import AuditEntry, Invoice, OutboxMessage, TransmissionBatch
from guichet.models.base import db
from guichet.models.invoices import STATUS_ACCEPTED, STATUS_PAID
from tests.support.batches import build, office, validated
from tests.support.databases import count
from tests.support.page import page_text


@pytest.fixture
def owner(factory):
    return factory.user(email="anna@example.ch")


@pytest.fixture
def gestionnaire(factory):
    return factory.user(email="lots@example.ch", role="transmission", nom="Lot", prenom="Léa")


@pytest.fixture
def transmission_client(staff_login):
    return staff_login("transmission", "transmission@example.ch")


def actions() -> list[str]:
    db.session.expire_all()
    return [entry.action for entry in db.session.scalars(select(AuditEntry)
                                                         .order_by(AuditEntry.id))]


def test_a_batch_gathers_every_validated_invoice_with_a_number_count_and_control_sum(
        app, owner, gestionnaire):
    invoices = validated(owner, gestionnaire, 2, amount="87.35") + validated(
        owner, gestionnaire, 1, amount="1250.10")
    batch = build(app, gestionnaire)
    year = today_in_zurich().year
    assert batch.number == f"NE-LOT-{year}-0001"
    assert batch.count == 3
    assert batch.control_sum == Decimal("1424.80")
    assert batch.created_by == gestionnaire.id
    assert {invoice.batch_id for invoice in db.session.scalars(select(Invoice))} == {batch.id}
    assert [i.id for i in transmission.batch_invoices(batch)] == [i.id for i in invoices]
    second = build(app, gestionnaire, validated(owner, gestionnaire, 1))
    assert second.number == f"NE-LOT-{year}-0002"
    assert "batch_created" in actions()


def test_a_selection_takes_only_the_chosen_invoices(app, owner, gestionnaire):
    first, second, third = validated(owner, gestionnaire, 3)
    batch = build(app, gestionnaire, [first, third])
    assert batch.count == 2 and batch.control_sum == Decimal("100.00")
    assert db.session.get(Invoice, second.id).batch_id is None
    assert transmission.transmittable_invoices() == [db.session.get(Invoice, second.id)]


def test_an_invoice_not_validated_or_already_in_a_batch_is_refused_and_nothing_is_created(
        app, owner, gestionnaire):
    first, second = validated(owner, gestionnaire, 2)
    build(app, gestionnaire, [first])
    with pytest.raises(transmission.BatchRefused, match=first.receipt_number):
        build(app, gestionnaire, [first, second])
    assert count(TransmissionBatch) == 1
    assert db.session.get(Invoice, second.id).batch_id is None
    # a paid one, a sent one: neither « Validée »
    paid = validated(owner, gestionnaire, 1)[0]
    office(app, lambda: transmission.pay_invoice(db.session.get(Invoice, paid.id),
                                                 gestionnaire, today_in_zurich(), Decimal("50")))
    with pytest.raises(transmission.BatchRefused, match="« Validée »"):
        build(app, gestionnaire, [paid])
    with pytest.raises(transmission.BatchRefused, match="Aucune demande validée"):
        build(app, gestionnaire, [])
    assert count(TransmissionBatch) == 1


def test_nothing_to_transmit_builds_nothing(app, gestionnaire):
    with pytest.raises(transmission.BatchRefused):
        build(app, gestionnaire)
    assert count(TransmissionBatch) == 0


def test_a_batch_is_frozen(app, owner, gestionnaire):
    invoices = validated(owner, gestionnaire, 2)
    batch = build(app, gestionnaire)
    later = validated(owner, gestionnaire, 1)[0]
    db.session.expire_all()
    batch = db.session.get(TransmissionBatch, batch.id)
    assert batch.count == 2 and batch.control_sum == Decimal("100.00")
    assert {i.id for i in transmission.batch_invoices(batch)} == {i.id for i in invoices}
    assert db.session.get(Invoice, later.id).batch_id is None
    # an invoice in a batch cannot be decided again
    with pytest.raises(ReviewRefused):
        office(app, lambda: take(db.session.get(Invoice, invoices[0].id), gestionnaire,
                                 db.session.get(Invoice, invoices[0].id).version))


def test_joining_a_batch_moves_the_invoice_version(app, owner, gestionnaire):
    invoice = validated(owner, gestionnaire, 1)[0]
    before = invoice.version
    build(app, gestionnaire)
    assert db.session.get(Invoice, invoice.id).version == before + 1


def test_marked_transmitted_then_paid_by_hand(app, owner, gestionnaire, mailbox):
    invoices = validated(owner, gestionnaire, 2, amount="87.35")
    batch = build(app, gestionnaire)
    today = today_in_zurich()
    with pytest.raises(transmission.BatchRefused, match="transmis"):
        office(app, transmission.mark_paid, db.session.get(TransmissionBatch, batch.id),
               gestionnaire, today)
    with pytest.raises(transmission.BatchRefused, match="futur"):
        office(app, transmission.mark_transmitted, db.session.get(TransmissionBatch, batch.id),
               gestionnaire, today + timedelta(days=1))
    office(app, transmission.mark_transmitted, db.session.get(TransmissionBatch, batch.id),
           gestionnaire, today)
    batch = db.session.get(TransmissionBatch, batch.id)
    assert batch.transmitted_on == today and batch.transmitted_by == gestionnaire.id
    messages_before = count(OutboxMessage)
    changed = office(app, transmission.mark_paid, batch, gestionnaire, today)
    assert changed == 2
    for invoice in invoices:
        invoice = db.session.get(Invoice, invoice.id)
        assert invoice.status == STATUS_PAID
        assert invoice.paid_on == today and invoice.paid_amount == Decimal("87.35")
    assert count(OutboxMessage) == messages_before + 2  # one per invoice
    batch = db.session.get(TransmissionBatch, batch.id)
    assert batch.paid_on == today and batch.paid_by == gestionnaire.id
    assert transmission.batch_state(batch).paid
    with pytest.raises(transmission.BatchRefused, match="déjà"):
        office(app, transmission.mark_paid, batch, gestionnaire, today)
    assert count(OutboxMessage) == messages_before + 2
    assert {"batch_created", "batch_transmitted", "invoice_paid", "batch_paid"} <= set(actions())


# --- the pages ---------------------------------------------------------------------------------

def test_the_pages_build_a_batch_mark_it_and_show_it(app, owner, gestionnaire,
                                                     transmission_client):
    client = transmission_client
    first, second = validated(owner, gestionnaire, 2, amount="120.00")
    page = client.get("/gestion/lots/nouveau")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('name="invoice_ids"') == 2 and html.count(" checked") == 2
    response = client.post("/gestion/lots/nouveau", data={"invoice_ids": [str(first.id),
                                                                           str(second.id)]})
    assert response.status_code == 303
    batch = db.session.scalar(select(TransmissionBatch))
    assert response.headers["Location"] == f"/gestion/lots/{batch.id}"
    text = page_text(client.get(response.headers["Location"]))
    assert batch.number in text and "240.00 CHF" in text and first.receipt_number in text
    assert "Liste CSV du lot" in text
    listing = page_text(client.get("/gestion/lots"))
    assert batch.number in listing and "À transmettre" in listing

    response = client.post(f"/gestion/lots/{batch.id}/transmis", data={"transmitted_on": ""})
    assert response.status_code == 422
    assert "Indiquez la date de transmission" in page_text(response)
    day = today_in_zurich().strftime("%d.%m.%Y")
    response = client.post(f"/gestion/lots/{batch.id}/transmis", data={"transmitted_on": day})
    assert response.status_code == 303
    response = client.post(f"/gestion/lots/{batch.id}/paye", data={"paid_on": day})
    assert response.status_code == 303
    assert db.session.get(Invoice, first.id).status == STATUS_PAID
    assert "Payé" in page_text(client.get("/gestion/lots"))


def test_the_page_refuses_a_selection_with_nothing_ticked_or_a_stale_one(
        app, owner, gestionnaire, transmission_client):
    client = transmission_client
    first = validated(owner, gestionnaire, 1)[0]
    response = client.post("/gestion/lots/nouveau", data={})
    assert response.status_code == 422
    assert "choisissez au moins une demande" in page_text(response)
    build(app, gestionnaire)
    response = client.post("/gestion/lots/nouveau", data={"invoice_ids": [str(first.id)]})
    assert response.status_code == 422
    assert "Aucun lot n'a été créé" in page_text(response)
    assert count(TransmissionBatch) == 1
    response = client.post("/gestion/lots/nouveau", data={"invoice_ids": ["x"]})
    assert response.status_code == 422


def test_reviewers_do_not_reach_the_batches(app, owner, gestionnaire, staff_client):
    validated(owner, gestionnaire, 1)
    assert staff_client.get("/gestion/lots").status_code == 403
    assert staff_client.post("/gestion/lots/nouveau", data={}).status_code == 403
    assert count(TransmissionBatch) == 0


def test_the_navigation_and_the_queue_link_to_the_batches(transmission_client, staff_client):
    html = transmission_client.get("/gestion/").get_data(as_text=True)
    assert html.count('href="/gestion/lots"') >= 2
    assert 'href="/gestion/lots"' not in staff_client.get("/gestion/").get_data(as_text=True)


def test_paid_invoices_are_under_the_payee_tab(app, owner, gestionnaire, transmission_client):
    invoice = validated(owner, gestionnaire, 1)[0]
    office(app, lambda: transmission.pay_invoice(db.session.get(Invoice, invoice.id),
                                                 gestionnaire, today_in_zurich(), Decimal("50.00")))
    text = page_text(transmission_client.get("/gestion/?etat=paid&gestionnaire=any"))
    assert invoice.receipt_number in text
    assert invoice.receipt_number not in page_text(
        transmission_client.get(f"/gestion/?etat={STATUS_ACCEPTED}&gestionnaire=any"))


def test_the_insured_person_sees_payee_with_the_date_and_amount(app, ready, factory,
                                                                staff_login):
    from tests.support.batches import validated_through_the_pages
    staff = factory.user(email="visa@example.ch", role="transmission")
    invoice = validated_through_the_pages(app, ready, staff, amount="87.35")
    batch = build(app, staff)
    today = today_in_zurich()
    office(app, transmission.mark_transmitted, db.session.get(TransmissionBatch, batch.id),
           staff, today)
    office(app, transmission.mark_paid, db.session.get(TransmissionBatch, batch.id), staff,
           today)
    day = today.strftime("%d.%m.%Y")
    shown = page_text(ready.get(f"/demandes/{invoice.id}"))
    assert "Payée" in shown
    assert f"Payée le {day} : 87.35 CHF versés" in shown
    assert f"87.35 CHF versés le {day}" in page_text(ready.get("/demandes/"))
    # the staff's review screen shows the batch and the payment
    client = staff_login("transmission", "other.transmission@example.ch")
    review = page_text(client.get(f"/gestion/demandes/{invoice.id}"))
    assert batch.number in review and f"payée le {day} : 87.35 CHF" in review


def test_staff_with_the_transmission_right_record_and_correct_the_nif(app, ready, staff_login,
                                                                      staff_client):
    person = ready.user
    client = staff_login("transmission", "nif@example.ch")
    url = f"/gestion/personnes/{person.id}"
    assert 'id="nif-form"' in client.get(url).get_data(as_text=True)
    assert 'id="nif-form"' not in staff_client.get(url).get_data(as_text=True)
    assert staff_client.post(f"{url}/nif", data={"nif": "123"}).status_code == 403
    response = client.post(f"{url}/nif", data={"nif": "12a"})
    assert response.status_code == 422
    assert "chiffres seulement" in page_text(response)
    response = client.post(f"{url}/nif", data={"nif": ""})
    assert response.status_code == 422
    response = client.post(f"{url}/nif", data={"nif": "100 200 300"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(person), person.id).nif == "100200300"
    assert "100200300" in page_text(client.get(url))
    client.post(f"{url}/nif", data={"nif": "100200301"})
    assert db.session.get(type(person), person.id).nif == "100200301"
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "nif_recorded")).all()
    assert [entry.detail["replaced"] for entry in entries] == [False, True]
    assert "1002003" not in str([entry.detail for entry in entries])
