"""Registration in a real browser, with and without JavaScript: the whole first visit, the
errors a person may make, and (JavaScript on) the checks made as a field is left."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.steps import (JS_ON_AND_OFF, enter_code, fill_registration, heading, log_in,
                                 log_out, menu, see_page)

BAD_AVS = "756.1234.5678.98"
FIXED_LINE = "032 910 71 00"
AVS_ERROR = "Le N° AVS n'est pas valable : vérifiez les chiffres."
PHONE_ERROR = "Ce numéro n'est pas un numéro de portable."


@JS_ON_AND_OFF
def test_register_confirm_email_log_out_and_in_again(page, live, check, js):
    person = live.add_person(nom="Müller", prenom="Léa", born=date(1990, 1, 8))
    email = f"lea.{'js' if js else 'nojs'}@example.ch"
    mobile, phone = ("079 555 12 34", "+41795551234") if js else ("079 555 43 21",
                                                                   "+41795554321")

    page.goto("/")
    check("accueil")
    menu(page).get_by_role("link", name="S'inscrire").click()
    see_page(page, "S'inscrire")
    check("inscription")

    fill_registration(page, person, email=email, mobile=mobile)
    page.get_by_role("button", name="Créer mon compte").click()
    see_page(page, "Code de confirmation")
    expect(page.get_by_text(re.compile(r"le code à 6 chiffres envoyé par SMS au"))).to_be_visible()
    check("code SMS")

    enter_code(page, live.sms_code(phone))
    see_page(page, "Mes demandes de remboursement")
    pending = page.get_by_role("region", name="Dernière étape : confirmez votre adresse e-mail")
    expect(pending).to_be_visible()
    expect(pending).to_contain_text(email)
    check("demandes, e-mail en attente")

    mails = len(live.mailbox.to(email))
    pending.get_by_role("button", name="Renvoyez-moi un nouvel e-mail").click()
    expect(page.get_by_text("Nous vous avons envoyé un nouvel e-mail de confirmation.")
           ).to_be_visible()
    if js:
        expect(page).to_have_url(re.compile("/demandes/$"))
        check.fragment("e-mail de confirmation renvoyé", "/email/renvoyer")
    else:
        check("demandes, e-mail renvoyé")
    link = live.mail_link(email, "/email/confirmer/", after=mails)

    page.goto(link)
    see_page(page, "Confirmer l'adresse e-mail")
    check("confirmer l'adresse e-mail")
    page.get_by_role("button", name="Confirmer mon adresse e-mail").click()
    see_page(page, "Mes demandes de remboursement")
    expect(page.get_by_text("Votre adresse e-mail est confirmée. Merci !")).to_be_visible()
    expect(page.get_by_role("heading", name="Aucune demande pour le moment")).to_be_visible()
    expect(page.get_by_text("Dernière étape")).to_have_count(0)
    check("demandes, compte confirmé")

    log_out(page)
    codes = len(live.sms.to(phone))
    log_in(page, email)
    enter_code(page, live.sms_code(phone, after=codes))
    see_page(page, "Mes demandes de remboursement")
    expect(page.get_by_role("heading", name="Aucune demande pour le moment")).to_be_visible()
    log_out(page)


@JS_ON_AND_OFF
def test_registration_errors_are_listed_and_typed_values_kept(page, live, check, js):
    person = live.add_person(nom="Rossier", prenom="Marc")
    email = f"marc.{'js' if js else 'nojs'}@example.ch"
    page.goto("/inscription")
    fill_registration(page, person, email=email, mobile=FIXED_LINE, navs=BAD_AVS)
    page.get_by_role("button", name="Créer mon compte").click()

    summary = page.get_by_role("alert").filter(has=heading(page, "Veuillez corriger ce qui suit",
                                                           level=2))
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=f"N° AVS : {AVS_ERROR}")).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile(
        "^Téléphone portable : " + re.escape(PHONE_ERROR)))).to_be_visible()
    expect(summary.get_by_role("listitem")).to_have_count(2)
    check("inscription avec erreurs")

    # each message also stands next to its field, which says it is wrong
    avs = page.get_by_label("N° AVS")
    expect(avs).to_have_attribute("aria-invalid", "true")
    expect(avs).to_have_accessible_description(re.compile(re.escape(AVS_ERROR)))
    mobile = page.get_by_label("Téléphone portable")
    expect(mobile).to_have_accessible_description(re.compile(re.escape(PHONE_ERROR)))

    # what was typed is still there, except the passwords
    expect(page.get_by_label("Adresse e-mail")).to_have_value(email)
    expect(mobile).to_have_value(FIXED_LINE)
    expect(avs).to_have_value(BAD_AVS)
    expect(page.get_by_role("group", name="Civilité").get_by_label("Madame")).to_be_checked()
    expect(page.get_by_label("Nom", exact=True)).to_have_value("Rossier")
    expect(page.get_by_label("Prénom")).to_have_value("Marc")
    expect(page.get_by_label("Date de naissance")).to_have_value("15.03.1985")
    expect(page.get_by_label("Rue et n°")).to_have_value("Rue du Seyon 10")
    expect(page.get_by_label("NPA")).to_have_value("2000")
    expect(page.get_by_label("Localité")).to_have_value("Neuchâtel")
    expect(page.get_by_label("Pays")).to_have_value("CH")
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")
    expect(page.get_by_label("Confirmez le mot de passe")).to_have_value("")

    # the link in the summary leads to the field
    summary.get_by_role("link", name=f"N° AVS : {AVS_ERROR}").click()
    expect(page).to_have_url(re.compile("#navs13$"))
    expect(avs).to_be_focused()
    assert live.sms.to("+41329107100") == []


def test_leaving_a_field_shows_its_error_without_sending_the_form(page, live, check):
    page.goto("/inscription")
    see_page(page, "S'inscrire")
    avs = page.get_by_label("N° AVS")
    avs.fill(BAD_AVS)
    avs.press("Tab")
    expect(avs).to_have_accessible_description(re.compile(re.escape(AVS_ERROR)))
    expect(page.get_by_text(AVS_ERROR)).to_be_visible()
    expect(page.get_by_role("heading", name="Veuillez corriger ce qui suit")).to_have_count(0)
    expect(page).to_have_url(re.compile("/inscription$"))
    check.fragment("vérification du N° AVS", "/inscription/verifier/navs13")

    mobile = page.get_by_label("Téléphone portable")
    mobile.fill(FIXED_LINE)
    mobile.press("Tab")
    expect(page.get_by_text(PHONE_ERROR)).to_be_visible()
    check.fragment("vérification du portable", "/inscription/verifier/mobile")

    avs.fill(live.add_person().navs_display)
    avs.press("Tab")
    expect(page.get_by_text(AVS_ERROR)).to_have_count(0)
    check.fragment("N° AVS corrigé", "/inscription/verifier/navs13")
    expect(page.get_by_text(PHONE_ERROR)).to_be_visible()


@pytest.fixture
def short_sms_cooldown(live):
    previous = live.configure(SMS_COOLDOWN_SECONDS=3)
    yield
    live.configure(**previous)


def test_a_new_code_can_be_asked_for_after_the_cooldown(page, live, check, short_sms_cooldown):
    user = live.add_user()
    page.goto("/")
    log_in(page, user.email)
    see_page(page, "Code de confirmation")
    widget = page.get_by_role("region", name="Vous n'avez rien reçu ?")
    expect(widget).to_contain_text("Vous pourrez demander un nouveau code dans")
    expect(widget.get_by_role("button")).to_have_count(0)
    check("code SMS, attente avant un nouveau code")

    ask = widget.get_by_role("button", name="J'ai besoin d'un nouveau code")
    expect(ask).to_be_visible(timeout=6_000)
    check.fragment("nouveau code disponible", "/connexion/code/renvoi")
    assert len(live.sms.to(user.phone)) == 1

    ask.click()
    expect(widget.get_by_text("Un nouveau code vous a été envoyé par SMS.")).to_be_visible()
    check.fragment("nouveau code envoyé", "/connexion/code/renvoi")
    new_code = live.sms_code(user.phone, after=1)

    enter_code(page, new_code)
    see_page(page, "Mes demandes de remboursement")
    log_out(page)
