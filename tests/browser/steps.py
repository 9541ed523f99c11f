"""What a person does in the browser, step by step: by visible labels and button names only."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.accounts import PASSWORD

JS_ON_AND_OFF = pytest.mark.parametrize("js", [
    pytest.param(True, id="js"),
    pytest.param(False, id="nojs",
                 marks=pytest.mark.browser_context_args(java_script_enabled=False)),
])


def menu(page: Page):
    return page.get_by_role("navigation", name="Menu principal")


def heading(page: Page, text: str, level: int = 1):
    return page.get_by_role("heading", name=text, level=level, exact=True)


HOME_HEADING = "Envoyez vos factures à l'Office AI, en ligne"


def see_page(page: Page, title: str, main_heading: str | None = None) -> None:
    """The page's main heading, and the browser tab's title (the same unless told)."""
    expect(heading(page, main_heading or title)).to_be_visible()
    expect(page).to_have_title(re.compile("^" + re.escape(title) + " — Guichet"))


def fill_registration(page: Page, person, email: str, mobile: str, password: str = PASSWORD,
                      navs: str | None = None) -> None:
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_label("Confirmez le mot de passe").fill(password)
    page.get_by_label("Téléphone portable").fill(mobile)
    page.get_by_label("N° AVS").fill(navs or person.navs_display)
    page.get_by_role("group", name="Civilité").get_by_label("Madame").check()
    page.get_by_label("Nom", exact=True).fill(person.nom)
    page.get_by_label("Prénom").fill(person.prenom)
    page.get_by_label("Date de naissance").fill(person.date_naissance.strftime("%d.%m.%Y"))
    page.get_by_label("Rue et n°").fill("Rue du Seyon 10")
    page.get_by_label("NPA").fill("2000")
    page.get_by_label("Localité").fill("Neuchâtel")
    country = page.get_by_label("Pays")
    expect(country).to_have_value("CH")
    expect(country.locator("option:checked")).to_have_text("Suisse")


def enter_code(page: Page, code: str) -> None:
    """The code page's one field, whichever method it shows (SMS, app, recovery code)."""
    see_page(page, "Code de confirmation")
    page.get_by_label(re.compile("^Code (reçu|de l'application|de secours)")).fill(code)
    page.get_by_role("button", name="Confirmer", exact=True).click()


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """From any page: the « Connexion » link, then e-mail and password."""
    menu(page).get_by_role("link", name="Connexion").click()
    see_page(page, "Connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Continuer").click()


def log_out(page: Page) -> None:
    menu(page).get_by_role("button", name="Se déconnecter").click()
    see_page(page, "Accueil", HOME_HEADING)
    expect(page.get_by_text("Vous êtes déconnecté·e.")).to_be_visible()
    expect(menu(page).get_by_role("link", name="Connexion")).to_be_visible()
    expect(menu(page).get_by_role("button", name="Se déconnecter")).to_have_count(0)


def log_in_with_sms(page: Page, live, user, password: str = PASSWORD) -> None:
    """Password, then the code the SMS gateway received; ends on « Mes demandes »."""
    before = len(live.sms.to(user.phone))
    page.goto("/")
    log_in(page, user.email, password)
    enter_code(page, live.sms_code(user.phone, after=before))
    see_page(page, "Mes demandes de remboursement")
