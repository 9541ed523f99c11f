"""The office's work on one invoice, end to end, in a real browser with JavaScript on and off:
a gestionnaire finds the invoice by the person's N° AVS, takes it and asks for a complement;
the person answers with a pièce; the gestionnaire validates with one line reduced and a reason;
a second gestionnaire gives the second visa the amount requires; the person sees « Validée »
and the reduced amount with its reason. axe-core and vnu check every page on the way.
"""
from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.invoice_steps import chf, ready_account
from tests.browser.phone_steps import sent_standard_invoices
from tests.browser.steps import JS_ON_AND_OFF, enter_code, log_in, log_in_with_sms, log_out
from tests.support.accounts import app_code
from tests.support.files import pdf_bytes

pytestmark = pytest.mark.usefixtures("generous_login_limits")

# sent_standard_invoices: one line of 9 sessions at 1'234.55 CHF
CLAIMED = "11110.95"
APPROVED = "9876.40"


def staff_member(live, email: str):
    secret = pyotp.random_base32()
    return live.add_user(role="reviewer", totp_secret=secret, email=email), secret


def log_in_as_staff(page, staff, secret: str, steps_ahead: int = 0) -> None:
    page.goto("/")
    log_in(page, staff.email)
    enter_code(page, app_code(secret, steps_ahead))
    expect(page.get_by_role("heading", name="Demandes à traiter", level=1)).to_be_visible()


def navs13_of(live, email: str) -> str:
    from guichet.models import User
    from guichet.models.base import db
    with live.lock, live.app.app_context():
        return db.session.query(User).filter_by(email=email).one().navs13


def receipt_of(live, invoice_id: int) -> str:
    from guichet.models import Invoice
    from guichet.models.base import db
    with live.lock, live.app.app_context():
        return db.session.get(Invoice, invoice_id).receipt_number


@JS_ON_AND_OFF
def test_a_complement_then_a_reduced_validation_with_a_second_visa(page, live, check, js,
                                                                  tmp_path):
    person = ready_account(live)
    log_in_with_sms(page, live, person)  # the holder's own beneficiary entry comes at login
    log_out(page)
    invoice_id = sent_standard_invoices(live, person.email, states=("submitted",))["submitted"]
    receipt = receipt_of(live, invoice_id)
    navs = navs13_of(live, person.email)
    suffix = "js" if js else "nojs"
    first, first_secret = staff_member(live, f"premiere-{suffix}@office.example.ch")
    second, second_secret = staff_member(live, f"second-{suffix}@office.example.ch")

    # --- the gestionnaire finds it by N° AVS (with dots), takes it, asks for a complement ----
    log_in_as_staff(page, first, first_secret)
    check("la file")
    page.get_by_label("Rechercher").fill(f"{navs[:3]}.{navs[3:7]}.{navs[7:11]}.{navs[11:]}")
    page.get_by_role("button", name="Filtrer").click()
    row = page.locator(f"#queue-row-{invoice_id}")
    expect(row).to_contain_text("Envoyée")
    expect(row).not_to_contain_text(navs)  # masked in the list
    if not js:
        check("la file, recherche par N° AVS")
    row.get_by_role("link", name=receipt).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(receipt)
    check("l'écran d'examen")
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.get_by_text("Vous traitez cette demande.")).to_be_visible()
    complement = page.locator("#complement-form")
    complement.get_by_label("Message à la personne").fill(
        "Merci d'envoyer la facture détaillée des séances.")
    complement.get_by_label("Autres documents demandés").fill("Facture détaillée des séances")
    complement.get_by_role("button", name="Demander le complément").click()
    expect(page.get_by_text("En attente du complément demandé à la personne.")).to_be_visible()
    check("l'écran d'examen, complément demandé")
    log_out(page)

    # --- the person answers with a pièce -----------------------------------------------------
    log_in_with_sms(page, live, person)
    page.get_by_role("link", name=receipt).first.click()
    expect(page.get_by_text("Merci d'envoyer la facture détaillée des séances.")).to_be_visible()
    expect(page.get_by_text("Facture détaillée des séances", exact=True)).to_be_visible()
    check("la demande à compléter")
    page.get_by_label("Votre réponse").fill("Voici la facture détaillée.")
    detail = tmp_path / "facture-detaillee.pdf"
    detail.write_bytes(pdf_bytes(text="Facture detaillee"))
    page.get_by_label(re.compile("^Documents")).set_input_files(str(detail))
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_text("Merci : votre réponse a été envoyée à l'office.")).to_be_visible()
    log_out(page)

    # --- the gestionnaire validates, one line reduced with a reason ---------------------------
    log_in_as_staff(page, first, first_secret, steps_ahead=1)
    row = page.locator(f"#queue-row-{invoice_id}")
    expect(row).to_contain_text("Complément reçu")
    row.get_by_role("link", name=receipt).click()
    expect(page.get_by_text("facture-detaillee.pdf").first).to_be_visible()
    page.get_by_role("button", name="Prendre en charge").click()
    validate = page.locator("#validate-form")
    expect(validate.get_by_label("Montant validé (CHF)")).to_have_value(
        re.compile(r"^11.?110\.95$"))
    # every decision form open: it reflows on a phone-wide window too
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.set_viewport_size(size)
    validate.get_by_label("Montant validé (CHF)").fill(APPROVED)
    validate.get_by_label("Motif de la réduction").select_option(
        label="Au-delà du tarif ou du forfait applicable")
    validate.get_by_label("Précision du motif").fill("Tarif de l'office : 1'097.38 CHF la séance.")
    validate.get_by_role("button", name="Valider").click()
    expect(page.get_by_text(re.compile("Un second visa est nécessaire"))).to_be_visible()
    expect(page.get_by_text("En attente du second visa d'un·e collègue.")).to_be_visible()
    check("l'écran d'examen, second visa attendu")
    log_out(page)

    # --- a second gestionnaire gives the visa ------------------------------------------------
    log_in_as_staff(page, second, second_secret)
    row = page.locator(f"#queue-row-{invoice_id}")
    expect(row).to_contain_text("Second visa")
    row.get_by_role("link", name=receipt).click()
    visa = page.locator("#second-visa")
    expect(visa).to_contain_text(f"validé {chf(APPROVED)}")
    expect(visa).to_contain_text("Au-delà du tarif ou du forfait applicable")
    check("l'écran d'examen, second visa")
    visa.get_by_role("button", name="Confirmer le visa").click()
    expect(page.get_by_text("Cette demande est décidée : il n'y a plus rien à faire ici.")) \
        .to_be_visible()
    log_out(page)

    # --- the person sees « Validée », the reduced amount and its reason -----------------------
    log_in_with_sms(page, live, person)
    expect(page.get_by_text("Validée — transmise pour paiement").first).to_be_visible()
    page.get_by_role("link", name=receipt).first.click()
    expect(page.get_by_text("Validée — transmise pour paiement").first).to_be_visible()
    expect(page.get_by_text(chf(APPROVED)).first).to_be_visible()
    expect(page.get_by_text(chf(CLAIMED)).first).to_be_visible()
    expect(page.get_by_text(re.compile("Au-delà du tarif ou du forfait applicable"))
           .first).to_be_visible()
    expect(page.get_by_text(re.compile("Tarif de l'office : 1'097.38 CHF la séance."))
           .first).to_be_visible()
    check("la demande validée")
