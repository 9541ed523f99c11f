"""After a form came back with errors, the browser opens on the list of errors: it has the focus
(a screen reader reads it at once), the next Tab reaches its first link, and the tab's title
begins with « Erreur : ». With and without JavaScript."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.invoice_steps import HtmxWatch, fill, ready_account, start_invoice
from tests.browser.steps import JS_ON_AND_OFF, log_in_with_sms, menu, see_page

# each test here logs in: other files' tests must not run out of logins
pytestmark = pytest.mark.usefixtures("generous_login_limits")


def opens_on_the_errors(page, title: str, first_error: str) -> None:
    expect(page).to_have_title(re.compile("^" + re.escape(f"Erreur : {title} — Guichet")))
    summary = page.get_by_role("alert").filter(has=page.get_by_role("link", name=first_error))
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name=first_error)).to_be_focused()


@JS_ON_AND_OFF
def test_login_and_profile_errors_take_the_focus(page, live, check, js):
    page.goto("/connexion")
    expect(page).to_have_title(re.compile("^Connexion — Guichet"))
    page.get_by_label("Adresse e-mail").fill("personne@example.ch")
    page.get_by_role("button", name="Continuer").click()
    opens_on_the_errors(page, "Connexion", "Mot de passe : Ce champ est obligatoire.")
    check("connexion, erreurs, focus")

    user = ready_account(live)
    log_in_with_sms(page, live, user)
    menu(page).get_by_role("link", name="Mon compte").click()
    page.get_by_label("NPA").fill("20")
    page.get_by_role("button", name="Enregistrer mes données").click()
    opens_on_the_errors(page, "Mon compte", re.compile("^NPA : "))
    check("mon compte, erreurs, focus")
    # from the top of the page, the first link leads there too
    expect(page.locator(".skip-link").first).to_have_text("Aller à la liste des erreurs")
    expect(page.locator(".skip-link").first).to_have_attribute("href", "#error-summary")


@JS_ON_AND_OFF
def test_an_incomplete_invoice_opens_on_what_is_missing(page, live, check, js):
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "standard")
    expect(page).not_to_have_title(re.compile("Erreur"))
    expect(page.locator(":focus")).to_have_count(0)
    HtmxWatch(page, js).idle()
    page.get_by_role("button", name="Vérifier et envoyer").click()
    see_page(page, "Erreur : Vérifier avant d'envoyer", "Vérifier avant d'envoyer")
    summary = page.get_by_role("alert").filter(has_text="Avant d'envoyer, complétez ceci")
    expect(summary).to_be_focused()
    check("vérifier, incomplète, focus")


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_a_form_reopened_at_a_line_stays_there(page, live, check):
    """« Ajouter une ligne » without JavaScript reopens the form at the new line: an error
    elsewhere on the form does not pull the person back to the top."""
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "standard")
    page.get_by_label("N° de décision").fill("322 2025 0000001")
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(page).to_have_url(re.compile("#line-1$"))
    expect(page.get_by_role("alert").filter(has_text="À corriger")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="À corriger")).not_to_be_focused()
    expect(page).to_have_title(re.compile("^Erreur : "))


def test_with_javascript_a_summary_without_autofocus_takes_the_focus_too(page, live, check):
    """A draft saved with a mistake, opened again: the invoice form's own summary
    (« À corriger », without autofocus) is focused by static/js/focus-errors.js."""
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "standard")
    htmx = HtmxWatch(page, True)
    fill(page.get_by_label("N° de décision"), "322 2025 0000001")  # saved as it is left
    htmx.idle()
    page.goto(page.url.split("#")[0])
    see_page(page, "Erreur : Facture standard — Brouillon", "Facture standard")
    expect(page.get_by_role("alert").filter(has_text="À corriger")).to_be_focused()
    check("facture standard, erreurs, focus")
