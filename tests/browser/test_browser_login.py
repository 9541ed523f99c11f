"""Logging in, a forgotten password, the staff's authenticator code, « Mon compte » and a page
that does not exist — in a real browser, with and without JavaScript."""
from __future__ import annotations

import pyotp
from playwright.sync_api import expect

from tests.browser.steps import (JS_ON_AND_OFF, enter_code, log_in, log_in_with_sms, log_out, menu,
                                 see_page)

NEW_PASSWORD = "trois chats dorment au soleil 42"


@JS_ON_AND_OFF
def test_forgotten_password_then_log_in_with_the_new_one(page, live, check, js):
    user = live.add_user()
    page.goto("/connexion")
    see_page(page, "Connexion")
    check("connexion")

    page.get_by_role("link", name="Mot de passe oublié ?").click()
    see_page(page, "Mot de passe oublié")
    check("mot de passe oublié")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_role("button", name="Envoyer le lien").click()
    see_page(page, "Vérifiez vos e-mails")
    expect(page.get_by_text(f"Si un compte existe pour {user.email}")).to_be_visible()
    check("lien envoyé")

    page.goto(live.mail_link(user.email, "/mot-de-passe/nouveau/"))
    see_page(page, "Nouveau mot de passe")
    check("nouveau mot de passe")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    see_page(page, "Connexion")
    expect(page.get_by_text("Votre mot de passe a été changé.")).to_be_visible()
    check("connexion après le changement")

    # the old password no longer opens the account
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe", exact=True).fill(user.password)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("alert")).to_contain_text("E-mail ou mot de passe incorrect.")
    check("connexion refusée")

    # the new one does, and the SMS code is still asked for
    codes = len(live.sms.to(user.phone))
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    see_page(page, "Code de confirmation")
    enter_code(page, live.sms_code(user.phone, after=codes))
    see_page(page, "Mes demandes de remboursement")
    log_out(page)


@JS_ON_AND_OFF
def test_staff_log_in_with_an_authenticator_code(page, live, check, js):
    secret = pyotp.random_base32()
    staff = live.add_user(role="admin", totp_secret=secret)
    page.goto("/")
    log_in(page, staff.email)
    see_page(page, "Code de confirmation")
    expect(page.get_by_text("affiché par votre application d'authentification")).to_be_visible()
    expect(page.get_by_text("Vous n'avez rien reçu ?")).to_have_count(0)
    check("code de l'application")
    enter_code(page, pyotp.TOTP(secret).now())
    see_page(page, "Demandes à traiter")
    expect(menu(page).get_by_role("link", name="Gestion")).to_be_visible()
    expect(menu(page).get_by_role("link", name="Mes demandes")).to_have_count(0)
    check("gestion")
    log_out(page)


@JS_ON_AND_OFF
def test_my_account_pages(page, live, check, js):
    user = live.add_user(nom="Favre", prenom="Julie")
    log_in_with_sms(page, live, user)

    menu(page).get_by_role("link", name="Mon compte").click()
    see_page(page, "Mon compte")
    # the identity checked at registration is shown, not offered for editing
    identity = page.get_by_role("definition")
    expect(identity.filter(has_text="Favre")).to_be_visible()
    expect(identity.filter(has_text="Julie")).to_be_visible()
    expect(page.get_by_role("textbox", name="Nom", exact=True)).to_have_count(0)
    expect(page.get_by_text("pour la corriger, contactez l'office")).to_be_visible()
    expect(page.get_by_text(user.email)).to_be_visible()
    check("mon compte")

    for link, title in [("Changer l'adresse e-mail", "Changer l'adresse e-mail"),
                        ("Changer le numéro de portable", "Changer le numéro de portable")]:
        page.get_by_role("link", name=link).click()
        see_page(page, title)
        check(title)
        page.get_by_role("link", name="Retour à mon compte").click()
        see_page(page, "Mon compte")

    page.get_by_role("link", name="Changer le mot de passe").click()
    see_page(page, "Changer le mot de passe")
    check("changer le mot de passe")
    # a wrong current password is said so, next to the field and in the summary
    page.get_by_label("Mot de passe actuel").fill("pas le bon mot de passe")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_role("alert")).to_contain_text("Le mot de passe actuel n'est pas correct.")
    check("changer le mot de passe, erreur")
    log_out(page)


@JS_ON_AND_OFF
def test_a_page_that_does_not_exist(page, live, check, js):
    response = page.goto("/nulle-part")
    assert response.status == 404
    see_page(page, "Page introuvable")
    expect(page.get_by_role("link", name="Retour à l'accueil")).to_be_visible()
    check("page introuvable")
