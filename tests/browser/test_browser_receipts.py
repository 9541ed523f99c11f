"""The HTML receipt beside each PDF, and « Mon compte » with its read-only identity, in a real
browser on a 390 px phone, with and without JavaScript: reachable from the list, no
horizontal scrolling, axe and vnu clean, and printed without the site's header and menu."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.invoice_steps import car_trip_draft, ready_account
from tests.browser.steps import JS_ON_AND_OFF, log_in_with_sms, menu, see_page

PHONE = {"width": 390, "height": 844}


# each test here logs in: other files' tests must not run out of logins
pytestmark = pytest.mark.usefixtures("generous_login_limits")


def sent_travel_invoice(live, user) -> str:
    """A travel invoice sent by ``user`` (as the editor and « Envoyer » would leave it: the
    editor itself is the subject of other tests); returns its receipt number."""
    from guichet.core.unit_of_work import unit_of_work
    from guichet.invoices import services
    from guichet.models import Invoice, User
    from guichet.models.base import db

    with live.lock, live.app.test_request_context(), unit_of_work():
        row = db.session.query(User).filter_by(email=user.email).one()
        invoice = car_trip_draft(row, user.decisions)
        services.submit(invoice, row, services.new_submit_token())
        invoice_id = invoice.id
    with live.app.app_context():
        return db.session.get(Invoice, invoice_id).receipt_number


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]


@JS_ON_AND_OFF
def test_the_receipt_page_on_a_phone_and_printed(page, live, check, js):
    user = ready_account(live)
    receipt = sent_travel_invoice(live, user)
    page.set_viewport_size(PHONE)
    log_in_with_sms(page, live, user)
    page.get_by_role("link", name=f"Reçu à lire ou imprimer : {receipt}").click()
    see_page(page, f"Reçu {receipt}", "Frais de déplacement et de repas")
    check("reçu HTML d'une demande envoyée (390 px)")
    no_horizontal_scroll(page)
    main = page.get_by_role("main")
    expect(main).to_contain_text(receipt)
    expect(main.get_by_role("heading", name="Trajet 1", level=3)).to_be_visible()
    expect(main).to_contain_text(re.compile(r"Heure de départ\s*08:00"))
    expect(main).to_contain_text("Voiture privée : 42 km × 0.45 CHF")

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("heading", name="Frais de déplacement et de repas")).to_be_visible()
    page.emulate_media(media="screen")

    # from the invoice's own page too
    page.get_by_role("link", name=receipt, exact=True).click()
    see_page(page, f"Demande {receipt}")
    no_horizontal_scroll(page)
    page.get_by_role("link", name="Reçu à lire ou imprimer (page accessible)").click()
    see_page(page, f"Reçu {receipt}", "Frais de déplacement et de repas")


@JS_ON_AND_OFF
def test_my_account_shows_the_identity_read_only_on_a_phone(page, live, check, js):
    user = ready_account(live)
    page.set_viewport_size(PHONE)
    log_in_with_sms(page, live, user)
    menu(page).get_by_role("link", name="Mon compte").click()
    see_page(page, "Mon compte")
    check("mon compte, identité en lecture seule (390 px)")
    no_horizontal_scroll(page)
    expect(page.get_by_label("Nom", exact=True)).to_have_count(0)
    expect(page.get_by_label("N° AVS")).to_have_count(0)
    expect(page.get_by_text("pour la corriger, contactez l'office")).to_be_visible()
    page.get_by_label("Rue et n°").fill("Place Pury 3")
    page.get_by_role("button", name="Enregistrer mes données").click()
    expect(page.get_by_text("Vos données ont été enregistrées.")).to_be_visible()
    expect(page.get_by_label("Rue et n°")).to_have_value("Place Pury 3")
