"""The insured person sees the office's decisions in a real browser on a 390 px phone, with
and without JavaScript: « Validée » and the reduced amount with its reason in the list, on the
invoice's page and its receipt; a refusal's reason and how to contest; a complement's documents
and its passed due date. No horizontal scrolling, axe and vnu clean."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.invoice_steps import ready_account
from tests.browser.steps import JS_ON_AND_OFF, log_in_with_sms, see_page
from tests.support.invoices import a_recent_day

PHONE = {"width": 390, "height": 844}
REASON = "Le forfait de l'office pour ce trajet est de 20 CHF."

pytestmark = pytest.mark.usefixtures("generous_login_limits")


def sent_standard_invoice(live, user) -> int:
    """A standard invoice of two lines (87.35 and 40.00 CHF) sent by ``user``."""
    from guichet.core.unit_of_work import unit_of_work
    from guichet.invoices import services
    from guichet.models import InvoiceLine, User
    from guichet.models.base import db

    with live.lock, live.app.test_request_context(), unit_of_work():
        row = db.session.query(User).filter_by(email=user.email).one()
        invoice = services.create_draft(row, "standard")
        invoice.decision_number = user.decisions["standard"].replace(" ", "")
        invoice.fields = {"supplier": "Physio du Lac", "supplier_invoice_number": "PL-77",
                          "invoice_date": a_recent_day()}
        invoice.lines[0].data = {"date": a_recent_day(), "label": "Séance de physiothérapie",
                                 "quantity": "1", "unit_price": "87.35"}
        invoice.lines.append(InvoiceLine(position=1, data={
            "date": a_recent_day(), "label": "Bilan de suivi", "quantity": "1",
            "unit_price": "40.00"}))
        services.submit(invoice, row, services.new_submit_token())
        return invoice.id


def as_office(live, invoice_id, act) -> None:
    from guichet.core.unit_of_work import unit_of_work
    from guichet.models import Invoice, User
    from guichet.models.base import db

    with live.lock, live.app.test_request_context(), unit_of_work():
        staff = [db.session.query(User).filter_by(email=email).one_or_none()
                 or live.factory.user(email=email, role="reviewer")
                 for email in ("gestion.decisions@example.ch", "visa.decisions@example.ch")]
        act(db.session.get(Invoice, invoice_id), *staff)


def validated_with_a_reduction(invoice, first, second) -> None:
    from guichet.invoices import review
    review.take(invoice, first, invoice.version)
    review.validate(invoice, first, invoice.version, [
        review.LineApproval(Decimal("60.00"), "above_rate", REASON),
        review.LineApproval(Decimal("40.00"))])
    if invoice.status == "visa_pending":  # a new IBAN: four eyes
        review.confirm_visa(invoice, second, invoice.version)


def refused(invoice, first, second) -> None:
    from guichet.invoices import refusal_reasons, review
    refusal_reasons.seed_defaults()
    review.take(invoice, first, invoice.version)
    review.refuse(invoice, first, invoice.version, "duplicate",
                  "La même facture a été remboursée en octobre.")


def asked_and_overdue(invoice, first, second) -> None:
    from guichet.core.i18n import today_in_zurich
    from guichet.invoices import review
    review.take(invoice, first, invoice.version)
    complement = review.ask_complement(
        invoice, first, invoice.version, "Il manque la prescription.",
        ["Prescription médicale", "Facture détaillée"], review.default_due_date())
    complement.due_date = today_in_zurich() - timedelta(days=3)  # time passed


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]


def receipt_of(live, invoice_id) -> str:
    from guichet.models import Invoice
    from guichet.models.base import db
    with live.app.app_context():
        return db.session.get(Invoice, invoice_id).receipt_number


@JS_ON_AND_OFF
def test_the_person_sees_validee_and_the_reduced_amount_with_its_reason(page, live, check, js):
    user = ready_account(live)
    invoice_id = sent_standard_invoice(live, user)
    as_office(live, invoice_id, validated_with_a_reduction)
    receipt = receipt_of(live, invoice_id)
    page.set_viewport_size(PHONE)
    log_in_with_sms(page, live, user)

    row = page.locator(f"#invoice-row-{invoice_id}")
    expect(row).to_contain_text("Validée — transmise pour paiement")
    expect(row).to_contain_text("validé 100.00 CHF")
    no_horizontal_scroll(page)

    page.get_by_role("link", name=receipt, exact=True).click()
    see_page(page, f"Demande {receipt}")
    check("demande validée avec une ligne réduite (390 px)")
    no_horizontal_scroll(page)
    decision = page.get_by_role("region", name="Décision de l'office")
    expect(decision).to_contain_text("Montant validé : 100.00 CHF (montant demandé : 127.35 CHF)")
    expect(decision).to_contain_text("Au-delà du tarif ou du forfait applicable — " + REASON)
    expect(decision).to_contain_text("Vous pouvez demander une décision formelle")
    expect(page.get_by_text("gestion.decisions")).to_have_count(0)

    page.get_by_role("link", name="Reçu à lire ou imprimer (page accessible)").click()
    see_page(page, f"Reçu {receipt}", "Facture standard")
    check("reçu d'une demande validée (390 px)")
    no_horizontal_scroll(page)
    expect(page.get_by_role("main")).to_contain_text(REASON)


@JS_ON_AND_OFF
def test_a_refusal_and_an_overdue_complement_on_a_phone(page, live, check, js):
    user = ready_account(live)
    refused_id = sent_standard_invoice(live, user)
    as_office(live, refused_id, refused)
    asked_id = sent_standard_invoice(live, user)
    as_office(live, asked_id, asked_and_overdue)
    page.set_viewport_size(PHONE)
    log_in_with_sms(page, live, user)

    page.get_by_role("link", name=receipt_of(live, refused_id), exact=True).click()
    check("demande refusée (390 px)")
    no_horizontal_scroll(page)
    decision = page.get_by_role("region", name="Décision de l'office")
    expect(decision).to_contain_text("Ces frais ont déjà été demandés ou remboursés.")
    expect(decision).to_contain_text("La même facture a été remboursée en octobre.")
    expect(decision).to_contain_text("Vous pouvez demander une décision formelle")

    page.goto(f"{live.url}/demandes/{asked_id}")
    check("complément échu à envoyer (390 px)")
    no_horizontal_scroll(page)
    request = page.get_by_role("region", name="L'office vous demande un complément")
    expect(request.get_by_role("listitem")).to_have_text(["Prescription médicale",
                                                          "Facture détaillée"])
    expect(request).to_contain_text("Délai échu depuis le")
    request.get_by_label("Votre réponse à l'office").fill("Voici la prescription.")
    request.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page.get_by_text("Merci : votre réponse a été envoyée à l'office.")).to_be_visible()
    expect(page.get_by_role("region", name="Compléments demandés et vos réponses")) \
        .to_contain_text("Voici la prescription.")
    check("complément répondu (390 px)")
