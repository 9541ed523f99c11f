"""The administrators' dated rates: every rate grouped with its periods and legal sources, and
a new amount from a date as ``flask rates set`` does it (the previous period ends the day
before), with the same rules (each refusal on its field), audited; an invoice sent before keeps
its amounts (they were computed and kept when it was sent), a draft computes with the new rate.
Only administrators reach the page."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from guichet.invoices.rates import DatabaseRateBook
from guichet.invoices.view import InvoiceView
from guichet.models import AuditEntry, Invoice, Rate
from guichet.models.base import db
from tests.support.invoices import (add_decision, last_month, one_trip_draft, pdf_file, post_form,
                                    send)
from tests.support.page import feedback, page_text, summary_links

PAGE = "/gestion/taux"
MEAL = "deplacement.repas_5_8h"


def periods(key: str) -> list[tuple]:
    return [(rate.valid_from, rate.valid_to, rate.amount, rate.source)
            for rate in db.session.scalars(select(Rate).where(Rate.key == key)
                                           .order_by(Rate.valid_from))]


def add(client, key=MEAL, amount="12.00", valid_from="01.01.2027", source="RAI art. 90 (2027)"):
    return client.post(PAGE, data={"rate-key": key, "rate-amount": amount,
                                   "rate-valid_from": valid_from, "rate-source": source})


def test_the_page_lists_every_rate_grouped_with_its_periods(app, admin_client):
    assert f'href="{PAGE}"' in admin_client.get("/gestion/administration").get_data(as_text=True)
    page = admin_client.get(PAGE)
    assert page.status_code == 200
    text = page_text(page)
    assert "Repas (viatique), absence de 5 à 8 heures deplacement.repas_5_8h" in text
    assert "dès le 01.01.1992 11.50 CHF RAI art. 90" in text
    assert "Contribution d'assistance, par heure" in text
    html = page.get_data(as_text=True)
    assert f'id="rate-{MEAL}"' in html and '<option value="deplacement.repas_5_8h">' in html


def test_a_new_rate_from_a_date_ends_the_previous_one_the_day_before(app, admin_client):
    response = add(admin_client)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{PAGE}#rate-{MEAL}"
    assert periods(MEAL) == [
        (date(1992, 1, 1), date(2026, 12, 31), Decimal("11.50"), "RAI art. 90"),
        (date(2027, 1, 1), None, Decimal("12.00"), "RAI art. 90 (2027)")]
    book = DatabaseRateBook()
    assert book.amount(MEAL, date(2026, 12, 31)) == Decimal("11.50")
    assert book.amount(MEAL, date(2027, 1, 1)) == Decimal("12.00")
    text = page_text(admin_client.get(PAGE))
    assert ("Nouveau taux enregistré : Repas (viatique), absence de 5 à 8 heures, 12.00 CHF "
            "dès le 01.01.2027.") in text
    assert "du 01.01.1992 au 31.12.2026 11.50 CHF RAI art. 90" in text
    assert "dès le 01.01.2027 12.00 CHF RAI art. 90 (2027)" in text
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "rate_changed"))
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        admin_client.user.id, "rate", MEAL)
    assert entry.detail == {"amount": "12.00", "valid_from": "2027-01-01",
                            "source": "RAI art. 90 (2027)", "previous_amount": "11.50"}


def test_the_page_and_the_command_line_keep_the_same_table(app, admin_client, runner):
    assert add(admin_client).status_code == 303
    result = runner.invoke(args=["rates", "set", MEAL, "12.50", "--from", "2028-01-01",
                                 "--source", "RAI art. 90 (2028)"])
    assert result.exit_code == 0, result.output
    assert "dès le 01.01.2028 12.50 CHF RAI art. 90 (2028)" in page_text(admin_client.get(PAGE))
    assert "du 01.01.2027 au 31.12.2027 12.00 CHF" in page_text(admin_client.get(PAGE))
    listing = runner.invoke(args=["rates", "list"]).output
    assert "2027-01-01 → 2027-12-31" in listing
    # a change from the command line is audited too, without an actor
    actors = [entry.actor_id for entry in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "rate_changed").order_by(AuditEntry.id))]
    assert actors == [admin_client.user.id, None]


@pytest.mark.parametrize("changes, field, message", [
    ({"key": ""}, "key", "Choisissez le taux."),
    ({"key": "inconnu"}, "key", "Taux inconnu : inconnu"),
    ({"amount": ""}, "amount", "Indiquez le montant."),
    ({"amount": "abc"}, "amount", ""),
    ({"amount": "-1"}, "amount", "négatif"),
    ({"amount": "12.345"}, "amount", "deux décimales"),
    ({"amount": "99999999999"}, "amount", "trop grand"),
    ({"valid_from": ""}, "valid_from", "Indiquez la date d'entrée en vigueur."),
    ({"valid_from": "31.02.2027"}, "valid_from", "n'existe pas"),
    ({"valid_from": "01.01.1992"}, "valid_from",
     "La date doit suivre le début du taux en vigueur (01.01.1992)."),
    ({"valid_from": "01.06.1990"}, "valid_from", "La date doit suivre le début"),
    ({"source": ""}, "source", ""),
    ({"source": "R" * 121}, "source", "trop long"),
], ids=["no-key", "unknown-key", "no-amount", "unreadable-amount", "negative", "three-decimals",
        "too-large", "no-date", "no-such-date", "same-start", "earlier-start", "no-source",
        "long-source"])
def test_a_change_that_breaks_a_rule_is_refused_on_its_field(app, admin_client, changes, field,
                                                             message):
    before = periods(MEAL)
    response = add(admin_client, **changes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"#rate-{field}" in [href for href, _label in summary_links(html)]
    assert message in feedback(html, f"rate-{field}")
    assert periods(MEAL) == before
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "rate_changed")).all() == []


def test_rates_are_for_admins_only(app, staff_client, ready):
    before = periods(MEAL)
    assert staff_client.get(PAGE).status_code == 403
    assert add(staff_client).status_code == 403
    assert ready.get(PAGE).status_code == 404
    assert add(ready).status_code == 404
    assert periods(MEAL) == before


def test_an_invoice_sent_before_keeps_its_amounts_a_draft_takes_the_new_rate(
        app, ready, admin_client, staff_client):
    """The trip's meal allowance (11.50 CHF, 5 to 8 hours away) is computed and kept when the
    invoice is sent: a new amount from a date before the trip leaves it as it was, on every
    page; a draft of the same trip computes with the new amount."""
    add_decision(ready.user, "32420250000001", "deplacement")
    sent_id = one_trip_draft(ready, "32420250000001")
    pieces = InvoiceView(db.session.get(Invoice, sent_id)).pieces[0].key
    post_form(ready, sent_id, action="upload", files={pieces: [pdf_file("billet.pdf")]})
    send(ready, sent_id)
    sent = db.session.get(Invoice, sent_id)
    assert sent.total_claimed == Decimal("23.90")
    lines_before = [[(str(c.label), c.amount) for c in line.charges]
                    for line in InvoiceView(sent).lines]
    assert [amount for _label, amount in lines_before[0]] == [Decimal("12.40"),
                                                              Decimal("11.50")]

    trip_day = last_month().replace(day=14)
    start = trip_day - timedelta(days=10)
    assert add(admin_client, amount="15.00", valid_from=f"{start:%d.%m.%Y}").status_code == 303
    assert DatabaseRateBook().amount(MEAL, trip_day) == Decimal("15.00")

    db.session.expire_all()
    sent = db.session.get(Invoice, sent_id)
    assert sent.total_claimed == Decimal("23.90")
    assert [[(str(c.label), c.amount) for c in line.charges]
            for line in InvoiceView(sent).lines] == lines_before
    person_page = page_text(ready.get(f"/demandes/{sent_id}"))
    assert "23.90 CHF" in person_page and "11.50 CHF" in person_page
    assert "15.00 CHF" not in person_page
    staff_page = page_text(staff_client.get(f"/gestion/demandes/{sent_id}"))
    assert "23.90 CHF" in staff_page and "15.00 CHF" not in staff_page

    draft_id = one_trip_draft(ready, "32420250000001")
    draft = InvoiceView(db.session.get(Invoice, draft_id))
    assert draft.total == Decimal("27.40")  # 12.40 fare + 15.00 meal allowance
