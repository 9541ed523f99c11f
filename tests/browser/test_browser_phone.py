"""At 390 px, the width of an ordinary phone, every page an insured person can reach fits the
screen (WCAG 1.4.10, no horizontal scrolling): logged out, logged in with invoices in every
state, the form of each invoice type, the account pages and the error pages, with JavaScript
on and off."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.invoice_steps import TYPES, ready_account
from tests.browser.phone_steps import (OFFICE_STATES, PHONE, PHONE_WIDTH, draft_ids,
                                       sent_standard_invoices, too_wide)
from tests.browser.steps import enter_code, log_in

PHONE_AND_JS = pytest.mark.parametrize("js", [
    pytest.param(True, id="js", marks=pytest.mark.browser_context_args(**PHONE)),
    pytest.param(False, id="nojs", marks=pytest.mark.browser_context_args(
        **PHONE, java_script_enabled=False)),
])


# each test here logs in: other files' tests must not run out of logins
pytestmark = pytest.mark.usefixtures("generous_login_limits")


class Widths:
    """Visits pages and remembers those wider than the screen, to list them all at the end."""

    def __init__(self, page, check):
        self.page, self.check, self.wide, self.seen = page, check, [], 0

    def visit(self, path: str, name: str, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response.status == status, (path, response.status)
        self.measure(name, checked=True)

    def measure(self, name: str, checked: bool = False) -> None:
        assert self.page.viewport_size["width"] == PHONE_WIDTH
        self.seen += 1
        if checked:
            self.check(f"{name} (390 px)")
        problem = too_wide(self.page)
        if problem:
            self.wide.append(f"{name} ({self.page.url}): {problem}")

    def assert_all_fit(self) -> None:
        assert not self.wide, f"{len(self.wide)} of {self.seen} pages are wider than " \
                              f"{PHONE_WIDTH} px:\n" + "\n".join(self.wide)


@PHONE_AND_JS
def test_every_page_of_a_visitor_fits_a_phone(page, live, check, js):
    widths = Widths(page, check)
    for path, name in [("/", "accueil"), ("/connexion", "connexion"),
                       ("/inscription", "inscription"), ("/mot-de-passe-oublie",
                                                         "mot de passe oublié"),
                       ("/accessibilite", "accessibilité"),
                       ]:
        widths.visit(path, name)
    widths.visit("/email/confirmer/pas-un-lien", "lien non valable", status=400)
    widths.visit("/nulle-part", "page introuvable", status=404)
    widths.visit("/demandes/", "connexion demandée")  # redirected to the login page
    page.goto("/connexion")
    page.get_by_role("button", name="Continuer").click()
    widths.measure("connexion, erreurs", checked=True)
    page.goto("/inscription")
    page.get_by_role("button", name="Créer mon compte").click()
    widths.measure("inscription, erreurs", checked=True)
    page.goto("/mot-de-passe-oublie")
    page.get_by_label("Adresse e-mail").fill("personne@example.ch")
    page.get_by_role("button", name=re.compile("lien")).click()
    widths.measure("mot de passe oublié, envoyé", checked=True)
    widths.assert_all_fit()


@PHONE_AND_JS
def test_every_page_of_an_insured_person_fits_a_phone(page, live, check, js):
    user = ready_account(live)
    widths = Widths(page, check)
    page.goto("/")
    codes = len(live.sms.to(user.phone))
    log_in(page, user.email)
    widths.measure("code SMS", checked=True)
    enter_code(page, live.sms_code(user.phone, after=codes))
    widths.measure("mes demandes, aucune", checked=True)
    sent = sent_standard_invoices(live, user.email, ("draft", *OFFICE_STATES))
    complete = sent.pop("draft")
    drafts = draft_ids(live, user.email, TYPES)

    widths.visit("/demandes/", "mes demandes, une de chaque état")
    expect(page.get_by_text("À compléter").first).to_be_visible()
    a_list_of_cards_after_new_claims(page)
    for key, invoice_id in drafts.items():
        widths.visit(f"/demandes/{invoice_id}/modifier", f"brouillon {key}")
    widths.visit(f"/demandes/{complete}/modifier", "brouillon complet, avec sa pièce")
    widths.visit(f"/demandes/{complete}/verifier", "vérifier, complète")
    widths.visit(f"/demandes/{drafts['standard']}/verifier", "vérifier, incomplète")
    widths.visit(f"/demandes/{drafts['standard']}/supprimer", "supprimer le brouillon")
    for state, invoice_id in sent.items():
        widths.visit(f"/demandes/{invoice_id}", f"demande {state}")
    widths.visit(f"/demandes/{sent['submitted']}/envoyee", "demande envoyée")
    page.goto(f"/demandes/{sent['needs_info']}")
    page.get_by_role("button", name=re.compile("Envoyer")).last.click()
    widths.measure("complément, erreurs", checked=True)

    for path, name in [("/compte/", "mon compte"), ("/compte/email", "changer l'e-mail"),
                       ("/compte/portable", "changer le portable"),
                       ("/compte/mot-de-passe", "changer le mot de passe"),
                       ("/compte/iban/", "mes IBAN"),
                       ("/compte/beneficiaires/", "bénéficiaires"),
                       ("/compte/mes-donnees/", "mes données"),
                       ("/accessibilite", "accessibilité, connecté·e"),
                       ("/", "accueil, connecté·e")]:
        widths.visit(path, name)
    page.goto("/compte/iban/")
    page.get_by_label("IBAN", exact=True).fill("CH93 0076 2011 6238 5295 7")
    page.get_by_label("Titulaire du compte").fill("Anna Muster")
    page.get_by_label("Mot de passe actuel").fill(user.password)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_load_state()
    # the code page, unless a code proved at login is recent enough to need no other
    widths.measure("nouvel IBAN, code SMS" if page.url.endswith("/compte/iban/code")
                   else "nouvel IBAN", checked=True)
    page.goto("/compte/")
    page.get_by_label("NPA").fill("20")
    page.get_by_role("button", name="Enregistrer mes données").click()
    widths.measure("mon compte, erreurs", checked=True)
    widths.visit("/demandes/999999", "demande introuvable", status=404)
    widths.assert_all_fit()


def above(upper, lower) -> bool:
    return upper.bounding_box()["y"] + upper.bounding_box()["height"] <= lower.bounding_box()["y"]


def a_list_of_cards_after_new_claims(page) -> None:
    """« Mes demandes » on a phone: starting a new claim comes first, then one card per
    invoice, its state at the top; a receipt number is never cut at its hyphens, at phone
    width or in the table of a wider screen, where the table fits too (its PDF column in
    sight)."""
    expect(page.locator("#types-title")).to_be_visible()
    assert above(page.locator("#types-title"), page.locator("#list-title"))
    rows = page.locator(".invoice-table tbody tr")
    assert rows.count() == 12
    for row in rows.all():
        state = row.locator(".status")
        opening = row.get_by_role("link").first
        assert above(state, opening), row.inner_text()
        assert row.bounding_box()["width"] <= PHONE_WIDTH
    receipts = page.get_by_role("link", name=re.compile(r"^NE-\d{4}-\d{6}$"))
    assert receipts.count() == 6
    for width in (PHONE_WIDTH, 320, 640, 700, 900, 1040, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert too_wide(page, width) is None, (width, too_wide(page, width))
        for receipt in receipts.all():
            lines = receipt.evaluate("link => link.getClientRects().length")
            assert lines == 1, f"{receipt.inner_text()} on {lines} lines at {width} px"
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
