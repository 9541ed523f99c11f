"""An administrator keeps the refusal reasons, from the queue's link to the administration, with
JavaScript on and off: a reason added (after an empty try, refused and explained), moved up,
deactivated; axe-core and vnu check each page."""
from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.steps import JS_ON_AND_OFF, enter_code, log_in, see_page

pytestmark = pytest.mark.usefixtures("generous_login_limits")


def default_reasons(live) -> None:
    from guichet.invoices.refusal_reasons import seed_defaults
    from guichet.models.base import db
    with live.lock, live.app.app_context():
        seed_defaults()
        db.session.commit()


@JS_ON_AND_OFF
def test_an_administrator_keeps_the_refusal_reasons(page, live, check, js):
    default_reasons(live)
    secret = pyotp.random_base32()
    admin = live.add_user(role="admin", totp_secret=secret,
                          email=f"admin-{'js' if js else 'nojs'}@office.example.ch")
    page.goto("/")
    log_in(page, admin.email)
    enter_code(page, pyotp.TOTP(secret).now())
    page.get_by_role("link", name="Administration de l'office").click()
    see_page(page, "Administration de l'office")
    check("l'administration de l'office")
    page.get_by_role("link", name="Motifs de refus").click()
    see_page(page, "Motifs de refus")
    check("les motifs de refus")

    adding = page.locator("#add-reason-form")
    adding.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("alert")).to_contain_text("Écrivez le motif.")
    check("les motifs de refus, motif vide")

    label = "Frais antérieurs à la décision de l'office" + (" (JS)" if js else "")
    page.locator("#add-reason-form").get_by_label("Motif").fill(label)
    page.locator("#add-reason-form").get_by_role("button", name="Ajouter").click()
    last = page.locator("ol.reason-list > li").last
    expect(last.get_by_label("Motif")).to_have_value(label)
    check("les motifs de refus, motif ajouté")

    last.get_by_role("button", name=f"Monter : {label}").click()
    moved = page.locator("ol.reason-list > li").nth(-2)
    expect(moved.get_by_label("Motif")).to_have_value(label)
    moved.get_by_role("button", name=f"Désactiver : {label}").click()
    expect(page.locator("ol.reason-list > li").nth(-2)).to_contain_text("Désactivé")
    expect(page.locator("ol.reason-list > li").nth(-2).get_by_role(
        "button", name=f"Réactiver : {label}")).to_be_visible()
    check("les motifs de refus, motif désactivé")
