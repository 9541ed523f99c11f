"""Enter in a field of the invoice form saves the draft, without JavaScript: the form's first
button is the visible « Enregistrer le brouillon » (a hidden one would show in text browsers),
never « Supprimer ligne 1 » or « Retirer »."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.invoice_steps import ready_account, start_invoice
from tests.browser.steps import log_in_with_sms

# each test here logs in: other files' tests must not run out of logins
pytestmark = pytest.mark.usefixtures("generous_login_limits")


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_enter_in_a_field_saves_the_draft(page, live, check):
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "standard")
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(page.get_by_role("group", name="Ligne 2")).to_be_visible()
    page.get_by_label("Fournisseur", exact=True).fill("Orthopédie Rochat")
    page.get_by_label("Fournisseur", exact=True).press("Enter")
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()
    expect(page.get_by_label("Fournisseur", exact=True)).to_have_value("Orthopédie Rochat")
    expect(page.get_by_role("group", name="Ligne 1")).to_be_visible()
    expect(page.get_by_role("group", name="Ligne 2")).to_be_visible()
    check("brouillon enregistré par Entrée")
