"""An insured person adds an authenticator app in « Mon compte » (QR code and key on the page,
confirmed by a first code, recovery codes shown once), then logs in with it instead of the SMS —
in a real browser with JavaScript on (the paths without it are tested through the test client)."""
from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import expect

from tests.browser.steps import enter_code, log_in, log_in_with_sms, log_out, menu, see_page
from tests.support.accounts import PASSWORD


def no_horizontal_scroll(page):
    assert page.evaluate("() => document.documentElement.scrollWidth") == \
        page.viewport_size["width"]


def test_add_an_authenticator_app_then_log_in_with_it(page, live, check):
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    user = live.add_user(nom="Rochat", prenom="Aline")
    log_in_with_sms(page, live, user)
    menu(page).get_by_role("link", name="Mon compte").click()
    page.get_by_role("link", name="Ajouter une application d'authentification").click()
    see_page(page, "Application d'authentification")
    check("application : présentation")
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_role("button", name="Ajouter une application").click()

    see_page(page, "Ajouter l'application d'authentification")
    qr = page.locator("svg.qr-code")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 150  # large enough for a phone's camera
    no_horizontal_scroll(page)
    check("application : code QR")
    secret = page.locator("#secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code affiché par l'application").fill(totp.now())
    page.get_by_role("button", name="Confirmer").click()

    see_page(page, "Vos codes de secours")
    expect(page.get_by_role("status")).to_contain_text("application d'authentification est "
                                                      "ajoutée")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    no_horizontal_scroll(page)
    check("application : codes de secours")
    page.get_by_role("link", name="J'ai noté mes codes").click()
    expect(page.get_by_text("Il vous reste 10 codes de secours.")).to_be_visible()
    log_out(page)

    sms_before = len(live.sms.to(user.phone))
    log_in(page, user.email)
    see_page(page, "Code de confirmation")
    expect(page.get_by_label("Code de l'application")).to_be_visible()
    expect(page.get_by_role("link", name="Recevoir plutôt un code par SMS")).to_be_visible()
    expect(page.get_by_role("link", name="Utiliser un code de secours")).to_be_visible()
    no_horizontal_scroll(page)
    check("connexion : code de l'application")
    enter_code(page, totp.at(time.time() + totp.interval))  # the next code: each works once
    see_page(page, "Mes demandes de remboursement")
    assert len(live.sms.to(user.phone)) == sms_before  # no SMS for this login
    log_out(page)
