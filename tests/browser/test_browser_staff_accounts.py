"""« Personnel », with JavaScript on and off: an administrator invites a reviewer (after an
empty try, refused and explained); the reviewer opens the link from the e-mail, chooses a
password, adds the authenticator from the key shown on the page, confirms it with a first code,
logs in and sees the queue; the administrator then disables the account. axe-core and vnu check
each page."""
from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.phone_steps import PHONE_WIDTH, too_wide
from tests.browser.steps import JS_ON_AND_OFF, enter_code, log_in, log_out, menu, see_page
from tests.support.accounts import PASSWORD, app_code

pytestmark = pytest.mark.usefixtures("generous_login_limits")

NEW_PASSWORD = "classeur vert du mardi 42"


def fits_a_phone(page) -> None:
    """At 390 px wide the page reflows without scrolling sideways (then back to the desk)."""
    desk = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    try:
        assert too_wide(page) is None, too_wide(page)
    finally:
        page.set_viewport_size(desk)


@JS_ON_AND_OFF
def test_an_administrator_invites_a_reviewer_who_enrolls_and_logs_in(page, live, check, js):
    suffix = "js" if js else "nojs"
    admin_secret = pyotp.random_base32()
    admin = live.add_user(role="admin", totp_secret=admin_secret,
                          email=f"chef-personnel-{suffix}@office.example.ch")
    invited = f"lea-{suffix}@office.example.ch"

    page.goto("/")
    log_in(page, admin.email)
    enter_code(page, pyotp.TOTP(admin_secret).now())
    menu(page).get_by_role("link", name="Administration").click()
    see_page(page, "Administration de l'office")
    page.get_by_role("link", name="Personnel").click()
    see_page(page, "Personnel")
    check("le personnel")

    inviting = page.locator("#invite-form")
    inviting.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail : Ce champ est obligatoire.")
    check("le personnel, invitation vide")

    inviting = page.locator("#invite-form")
    inviting.get_by_label("Prénom").fill("Léa")
    inviting.get_by_label("Nom", exact=True).fill("Nouvelle")
    inviting.get_by_label("Adresse e-mail").fill(invited)
    inviting.get_by_label("Rôle").select_option(label="Gestionnaire")
    inviting.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text(f"Invitation envoyée à {invited}.")).to_be_visible()
    card = page.locator("li.staff-account", has_text=invited)
    expect(card).to_contain_text("Invité·e")
    check("le personnel, invitation envoyée")
    fits_a_phone(page)
    log_out(page)

    # --- the reviewer, from the e-mail ---------------------------------------------------------
    page.goto(live.mail_link(invited, "/personnel/activation/"))
    see_page(page, "Créer votre compte du personnel")
    expect(page.get_by_text(invited)).to_be_visible()
    check("l'invitation, le mot de passe")
    fits_a_phone(page)
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(NEW_PASSWORD + " bis")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("alert")).to_contain_text("ne sont pas identiques")
    check("l'invitation, mots de passe différents")
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Continuer").click()

    see_page(page, "Créer votre compte du personnel")
    expect(page.get_by_role("heading", name="Étape 2 sur 2 : l'application d'authentification",
                            level=2)).to_be_visible()
    expect(page.locator("figure.qr svg")).to_be_visible()
    check("l'invitation, l'application")
    fits_a_phone(page)
    secret = page.locator("#secret code").inner_text().replace(" ", "")
    page.get_by_label("Code affiché par l'application").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirmer").click()

    see_page(page, "Connexion")
    expect(page.get_by_text("Votre compte est prêt.")).to_be_visible()
    check("la connexion, compte prêt")
    log_in(page, invited, NEW_PASSWORD)
    enter_code(page, app_code(secret))  # the next code: the one just typed served once
    see_page(page, "Demandes à traiter")
    check("la file du nouveau gestionnaire")
    # a reviewer has no « Administration »
    expect(menu(page).get_by_role("link", name="Administration")).to_have_count(0)
    log_out(page)

    # --- the administrator sees the account active, then disables it -------------------------
    log_in(page, admin.email, PASSWORD)
    enter_code(page, app_code(admin_secret))
    page.goto("/gestion/personnel")
    card = page.locator("li.staff-account", has_text=invited)
    expect(card).to_contain_text("Actif")
    expect(card).not_to_contain_text("Aucune connue")
    card.get_by_role("button", name="Désactiver : Léa Nouvelle").click()
    expect(page.get_by_text("Compte de Léa Nouvelle désactivé")).to_be_visible()
    card = page.locator("li.staff-account", has_text=invited)
    expect(card).to_contain_text("Désactivé")
    expect(card.get_by_role("button", name="Réactiver : Léa Nouvelle")).to_be_visible()
    check("le personnel, compte désactivé")
    fits_a_phone(page)
