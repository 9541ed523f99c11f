"""« Mes demandes » brings itself up to date (htmx polls every 10 s) without moving the person:
when the office changes one invoice, only that one changes on the page; the link the person is
on keeps the focus, and the rest of the list is not replaced."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from guichet.core.unit_of_work import unit_of_work
from tests.browser.invoice_steps import ready_account
from tests.browser.phone_steps import sent_standard_invoices
from tests.browser.steps import log_in_with_sms
from tests.support.invoices import take_and_ask_complement

# each test here logs in: other files' tests must not run out of logins
pytestmark = pytest.mark.usefixtures("generous_login_limits")


def office_asks_for_a_complement(live, invoice_id: int) -> None:
    from guichet.models import Invoice
    from guichet.models.base import db
    with live.lock, live.app.test_request_context(), unit_of_work():
        staff = live.factory.user(email=f"gestion-poll{invoice_id}@example.ch", role="reviewer")
        take_and_ask_complement(db.session.get(Invoice, invoice_id), staff,
                                documents=["Facture détaillée"])


def receipt_of(live, invoice_id: int) -> str:
    from guichet.models import Invoice
    from guichet.models.base import db
    with live.lock, live.app.app_context():
        return db.session.get(Invoice, invoice_id).receipt_number


def test_a_poll_that_changes_another_row_keeps_the_focus_and_the_rest(page, live, check):
    user = ready_account(live)
    log_in_with_sms(page, live, user)  # (the holder's beneficiary entry is made at login)
    made = sent_standard_invoices(live, user.email, states=("submitted", "in_review"))
    page.reload()
    watched, changed = made["submitted"], made["in_review"]
    row = page.locator(f"#invoice-row-{changed}")
    expect(row.get_by_text("En traitement", exact=True)).to_be_visible()

    link = page.get_by_role("link", name=receipt_of(live, watched), exact=True)
    link.focus()
    # the elements the browser shows now, marked so that a replaced one would be seen
    page.evaluate("""() => { document.activeElement.shownBefore = true;
        document.querySelector(".invoice-table tbody").shownBefore = true; }""")
    with page.expect_response(lambda r: "/demandes/liste" in r.url and r.status == 200,
                              timeout=25_000) as polled:
        office_asks_for_a_complement(live, changed)
    assert polled.value.ok
    expect(row.get_by_text("À compléter", exact=True)).to_be_visible()
    expect(row.get_by_text("En traitement", exact=True)).to_have_count(0)
    check.fragment("mes demandes, après un changement de l'office", "/demandes/liste")

    expect(link).to_be_focused()
    assert page.evaluate("() => document.activeElement.shownBefore") is True
    assert page.evaluate("() => document.querySelector('.invoice-table tbody').shownBefore"
                         ) is True
    # the next poll asks with the new list's stamp: nothing changed, nothing sent
    with page.expect_response(lambda r: "/demandes/liste" in r.url, timeout=25_000) as again:
        pass
    assert again.value.status == 204
    expect(link).to_be_focused()
    page.keyboard.press("Tab")  # and the next Tab goes on in the same row
    assert page.evaluate("() => document.activeElement.closest('tr').id") == \
        f"invoice-row-{watched}"


def test_the_list_stops_polling_when_nothing_can_change_any_more(page, live):
    user = ready_account(live)
    log_in_with_sms(page, live, user)  # (the holder's beneficiary entry is made at login)
    made = sent_standard_invoices(live, user.email, states=("submitted",))
    page.reload()
    expect(page.locator(".invoice-list")).to_have_attribute(
        "data-hx-get", re.compile(r"/demandes/liste\?stamp="))
    from guichet.models import Invoice
    from guichet.models.base import db
    with live.lock, live.app.app_context():
        db.session.get(Invoice, made["submitted"]).status = "paid"
        db.session.commit()
    expect(page.get_by_text("Payée", exact=True)).to_be_visible(timeout=25_000)
    expect(page.locator(".invoice-list")).not_to_have_attribute("data-hx-get", re.compile("."))
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/demandes/liste" in r.url else None)
    page.wait_for_timeout(11_000)
    assert polls == []
