"""The staff queue (``/gestion/``) in the browser, JavaScript on and off: a gestionnaire filters
by state and type, searches by name (« muller » finds « Müller ») and by N° AVS typed with
dots, goes to the next page and back (the filter stays: with JavaScript through htmx's
``hx-push-url``), and the poll refreshes the results without moving the focus. Every page and
fragment is checked by axe-core and kept for vnu; at 390 px the queue fits the screen."""
from __future__ import annotations

import itertools
import re
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.phone_steps import PHONE, PHONE_WIDTH, too_wide
from tests.browser.steps import JS_ON_AND_OFF, enter_code, log_in, see_page

# each test here logs in: other files' tests must not run out of logins
pytestmark = pytest.mark.usefixtures("generous_login_limits")

_people = itertools.count(1)
QUEUE_TITLE = "Demandes à traiter"


def queued_people(live):
    """A « Müller » with 55 sent invoices (more than a page) and a « Rochat » with one travel
    invoice, taken by another gestionnaire and then released, so « En traitement » and in the
    default queue; returns their N° AVS, names and receipt numbers."""
    from guichet.invoices import review
    from tests.support.queue import many_sent, sent_invoice, staff_does

    n = next(_people)
    with live.lock, live.app.test_request_context():
        muller = live.factory.user(email=f"muller.queue{n}@example.ch", nom="Müller",
                                   prenom=f"Zoé{'x' * n}")
        rochat = live.factory.user(email=f"rochat.queue{n}@example.ch", nom="Rochat",
                                   prenom="Yves")
        other = live.factory.user(email=f"gestion.autre{n}@example.ch", role="reviewer")
        made = many_sent(muller, 55)
        travel = sent_invoice(rochat, days_ago=3, invoice_type="deplacement")

        def take_and_release(found):
            review.take(found, other, found.version)
            review.release(found, other, found.version)
        staff_does(live.app, take_and_release, travel)
        return {"muller_navs": muller.navs13, "muller_receipts": [i.receipt_number for i in made],
                "travel_receipt": travel.receipt_number}


def staff_logs_in(page, live):
    secret = pyotp.random_base32()
    staff = live.add_user(role="reviewer", totp_secret=secret,
                          email=f"gestion.queue{next(_people)}@example.ch")
    page.goto("/")
    log_in(page, staff.email)
    enter_code(page, pyotp.TOTP(secret).now())
    see_page(page, QUEUE_TITLE)
    return staff


def choice(page, name: str):
    """A select of the filter form, by its label (« État (facultatif) »)."""
    return page.get_by_role("combobox", name=re.compile("^" + re.escape(name)))


def search_box(page):
    return page.get_by_role("searchbox", name=re.compile("^Rechercher"))


def results(page):
    return page.locator("#queue-results")


def shown_receipts(page) -> list[str]:
    return results(page).locator("a.receipt-number").all_inner_texts()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def apply_filters(page, js: bool) -> None:
    """With JavaScript a change applies by itself (htmx); without it, the form's button."""
    if not js:
        page.get_by_role("button", name="Filtrer").click()


def wait_for_results(page, js: bool, needle: str) -> None:
    expect(results(page)).to_contain_text(needle)


@JS_ON_AND_OFF
def test_a_gestionnaire_filters_searches_and_pages_through_the_queue(page, live, check, js):
    people = queued_people(live)
    staff_logs_in(page, live)
    check("file de gestion")
    expect(page.get_by_role("navigation", name="États").get_by_role(
        "link", name=re.compile("^À traiter"))).to_have_attribute("aria-current", "page")

    # state « En traitement » and type « Déplacements »: only Rochat's travel invoice of ours
    choice(page, "État").select_option(label="En traitement")
    if js:
        expect(page).to_have_url(re.compile(r"etat=in_review"))
        check.fragment("file de gestion, filtrée par état", "/gestion/")
    choice(page, "Type de facture").select_option(value="deplacement")
    apply_filters(page, js)
    expect(page).to_have_url(re.compile(r"type=deplacement"))
    expect(results(page)).to_contain_text(people["travel_receipt"])
    assert query(page)["etat"] == ["in_review"]
    assert not set(shown_receipts(page)) & set(people["muller_receipts"])
    if js:
        check.fragment("file de gestion, filtrée par état et type", "/gestion/")
    else:
        check("file de gestion, filtrée par état et type")

    # « muller » finds « Müller »: a search looks at every state (the selects back to default)
    choice(page, "État").select_option(label="À traiter")
    choice(page, "Type de facture").select_option(label="Tous les types")
    search_box(page).fill("muller")
    search_box(page).press("Enter")
    expect(page).to_have_url(re.compile(r"q=muller"))
    expect(results(page)).to_contain_text("Zoé")
    first = shown_receipts(page)
    assert len(first) == 50
    assert people["travel_receipt"] not in first
    assert "Müller" in results(page).inner_text()
    if js:
        check.fragment("file de gestion, recherche par nom", "/gestion/")
    else:
        check("file de gestion, recherche par nom")

    # the next page (keyset), then back: the search stays in the address and in the box
    page.get_by_role("link", name="Page suivante →").click()
    expect(page).to_have_url(re.compile(r"apres="))
    assert query(page)["q"] == ["muller"]
    expect(results(page)).to_contain_text("Zoé")
    second = shown_receipts(page)
    assert second and not set(second) & set(first)
    check("file de gestion, page suivante")
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"apres="))
    assert query(page)["q"] == ["muller"]
    expect(search_box(page)).to_have_value("muller")
    expect(results(page).locator("a.receipt-number").first).to_have_text(first[0])

    # an N° AVS typed with dots finds this person's invoices, and only theirs
    digits = people["muller_navs"]
    dotted = f"{digits[:3]}.{digits[3:7]}.{digits[7:11]}.{digits[11:]}"
    search_box(page).fill(dotted)
    search_box(page).press("Enter")
    expect(page).to_have_url(re.compile(r"q=756\.\d{4}\.\d{4}\.\d\d"))
    expect(results(page).locator("a.receipt-number")).to_have_count(50)
    assert set(shown_receipts(page)) <= set(people["muller_receipts"])
    # masked in the list: never the whole number
    assert digits not in page.content() and dotted not in results(page).inner_text()
    if js:
        check.fragment("file de gestion, recherche par N° AVS", "/gestion/")
    else:
        check("file de gestion, recherche par N° AVS")

    # back to the search by name: the address and the box follow (with htmx: hx-push-url)
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=muller"))
    expect(search_box(page)).to_have_value("muller")


def test_the_poll_refreshes_the_results_without_moving_the_focus(page, live, check):
    people = queued_people(live)
    staff_logs_in(page, live)
    search_box(page).fill("muller")
    search_box(page).press("Enter")
    expect(page).to_have_url(re.compile(r"q=muller"))
    check.fragment("file de gestion, recherche avant le rafraîchissement", "/gestion/")
    target = results(page).get_by_role("link", name=people["muller_receipts"][0], exact=True)
    target.focus()
    expect(target).to_be_focused()

    # the region's poll: every 30 s, and at once when the tab shows again (the event below)
    with page.expect_response(lambda r: urlsplit(r.url).path == "/gestion/"
                              and r.request.headers.get("hx-trigger") == "queue-results") as poll:
        page.evaluate("() => document.dispatchEvent(new CustomEvent('queue-visible'))")
    assert poll.value.status == 200
    page.wait_for_function("() => !document.querySelector('#queue-results.htmx-settling')")
    expect(target).to_be_focused()
    assert page.evaluate("() => document.activeElement.textContent") == \
        people["muller_receipts"][0]
    expect(search_box(page)).to_have_value("muller")
    check.fragment("file de gestion, rafraîchie", "/gestion/")


@pytest.mark.parametrize("js", [
    pytest.param(True, id="js", marks=pytest.mark.browser_context_args(**PHONE)),
    pytest.param(False, id="nojs", marks=pytest.mark.browser_context_args(
        **PHONE, java_script_enabled=False)),
])
def test_the_queue_fits_a_phone(page, live, check, js):
    people = queued_people(live)
    staff_logs_in(page, live)
    assert page.viewport_size["width"] == PHONE_WIDTH
    assert too_wide(page) is None, too_wide(page)
    check("file de gestion, téléphone")
    # the rows are cards, the state first
    row = results(page).locator("tbody tr").first
    first_box = row.locator("td").nth(1).bounding_box()
    receipt_box = row.locator("td").first.bounding_box()
    assert first_box["y"] < receipt_box["y"], "the state comes first in a card"
    search_box(page).fill("muller")
    search_box(page).press("Enter")
    expect(results(page)).to_contain_text(people["muller_receipts"][0])
    assert too_wide(page) is None, too_wide(page)
