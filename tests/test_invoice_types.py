"""Each of the five invoice types, filled through the form as a person without JavaScript
would (every button posts the whole form), up to the receipt; the totals, notes and pièces the
pages show; decision numbers checked against the office and the register; lines added and
removed; saved decision numbers; drafts taken up again on another device."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from guichet.models import Attachment, Beneficiary, Invoice, InvoiceLine, SavedDecision
from guichet.models.base import db
from tests.support.accounts import login
from tests.support.invoices import (IBAN, a_recent_day, add_decision, edit_page, form_values,
                                    last_month, new_invoice, pdf_file, post_form, read_form,
                                    review_token, send)
from tests.support.page import page_text

# --- 1. Frais de déplacement et de repas -------------------------------------------------------

def test_travel_car_and_taxi_with_a_companion_up_to_the_receipt(ready, mailbox):
    client = ready
    add_decision(client.user, "32420250000001", "deplacement")
    invoice_id = new_invoice(client, "deplacement")
    day = a_recent_day()
    first_trip = {
        "decision_number": "324 2025 0000001",
        "lines-0-date": day, "lines-0-depart": "Le Locle", "lines-0-destination": "Neuchâtel",
        "lines-0-motif": "physiothérapie", "lines-0-transport": "car"}
    # Choosing the car redraws the line: kilometres and the « handicap » question appear.
    assert post_form(client, invoice_id, first_trip).status_code == 303
    page = edit_page(client, invoice_id)
    assert "Kilomètres parcourus" in page and "Prix du billet" not in page
    response = post_form(client, invoice_id, {
        "lines-0-km": "42", "lines-0-vehicle_required": "no", "lines-0-departure_time": "08:00",
        "lines-0-return_time": "14:00", "lines-0-nights": "0", "lines-0-companion": "no"})
    assert response.status_code == 303
    page = edit_page(client, invoice_id)
    assert "18.90 CHF" in page and "11.50 CHF" in page and "30.40 CHF" in page

    # A second trip by taxi, all day, with a companion: the fare, meal at the > 8 h rate, and
    # the companion's meal.
    response = post_form(client, invoice_id, action="add_line")
    assert response.status_code == 303 and response.headers["Location"].endswith("#line-1")
    assert "Trajet 2" in edit_page(client, invoice_id)
    post_form(client, invoice_id, {
        "lines-1-date": day, "lines-1-depart": "Le Locle", "lines-1-destination": "Berne",
        "lines-1-motif": "examen à l'Inselspital", "lines-1-transport": "taxi"})
    post_form(client, invoice_id, {
        "lines-1-fare": "64.50", "lines-1-vehicle_required": "no",
        "lines-1-departure_time": "07:00", "lines-1-return_time": "16:30",
        "lines-1-nights": "0", "lines-1-companion": "yes"})
    page = edit_page(client, invoice_id)
    assert "64.50 CHF" in page and "19.00 CHF" in page
    # 30.40 + 64.50 + 2 × 19.00 (the companion's meal too)
    assert "132.90 CHF" in page
    # Pièces asked for in this situation: the taxi receipt and the certificate.
    assert "Quittances de taxi" in page
    assert "Certificat médical attestant que le handicap exige ce moyen de transport" in page
    assert "la voiture privée et le taxi" in page
    assert "Billets ou quittances de transports publics" not in page

    review, token = review_token(client, invoice_id)
    assert token is None
    assert "Pièce manquante : Quittances de taxi." in review

    response = post_form(client, invoice_id, action="review", files={
        "taxi_receipt": [pdf_file("taxi.pdf")],
        "disability_certificate": [pdf_file("certificat.pdf")]})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/demandes/{invoice_id}/verifier"
    review, _token = review_token(client, invoice_id)
    assert "132.90 CHF" in review and "taxi.pdf" in review and "certificat.pdf" in review
    receipt = send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == "submitted" and invoice.total_claimed == Decimal("132.90")
    assert invoice.receipt_number in receipt
    assert [line.amount for line in invoice.lines] == [Decimal("30.40"), Decimal("102.50")]
    assert invoice.iban == IBAN


def test_travel_public_transport_asks_only_for_tickets(ready):
    client = ready
    invoice_id = new_invoice(client, "deplacement")
    post_form(client, invoice_id, {"lines-0-transport": "public"})
    page = edit_page(client, invoice_id)
    assert "Prix du billet" in page and "Kilomètres parcourus" not in page
    assert "Billets ou quittances de transports publics" not in page  # no date yet
    post_form(client, invoice_id, {"lines-0-date": a_recent_day(), "lines-0-fare": "12.40"})
    page = edit_page(client, invoice_id)
    assert "Billets ou quittances de transports publics" in page
    assert "Certificat médical" not in page and "Quittances de taxi" not in page


def test_travel_errors_are_explained_while_typing(ready):
    client = ready
    invoice_id = new_invoice(client, "deplacement")
    post_form(client, invoice_id, {"lines-0-transport": "car"})
    post_form(client, invoice_id, {"lines-0-date": "31.02.2026", "lines-0-km": "beaucoup",
                                   "lines-0-departure_time": "25:00"})
    page = edit_page(client, invoice_id)
    assert "Écrivez la date sous la forme JJ.MM.AAAA" in page
    assert "Écrivez un nombre, par exemple 12.50." in page
    assert "Écrivez l'heure sous la forme HH:MM" in page
    # What was typed stays as typed.
    values = form_values(client, invoice_id)
    assert values["lines-0-km"] == "beaucoup" and values["lines-0-date"] == "31.02.2026"


# --- 2. Contribution d'assistance --------------------------------------------------------------

def test_assistance_hours_with_the_decisions_monthly_amount(ready):
    client = ready
    add_decision(client.user, "32420250000002", "assistance", monthly_amount=Decimal("2000.00"))
    invoice_id = new_invoice(client, "assistance")
    month = last_month()
    post_form(client, invoice_id, {
        "decision_number": "32420250000002", "month": f"{month:%m.%Y}",
        "lines-0-name": "Marie Dupont", "lines-0-ordinary_hours": "10",
        "lines-0-qualified_hours": "2", "lines-0-gross_salary": "600.00",
        "lines-0-sick_days_paid": "0"})
    page = edit_page(client, invoice_id)
    # 10 h × 35.30 and 2 h × 52.95
    assert "353.00 CHF" in page and "105.90 CHF" in page and "458.90 CHF" in page
    # 2000 × 1.5 = 3000 for the month, 12 × 2000 for the year
    assert "Il reste 2'541.10 CHF pour ce mois et 23'541.10 CHF pour l'année." in page
    assert "Fiches de salaire des assistant·e·s pour le mois" in page
    assert "Certificat médical (maladie de l'assistant·e)" not in page

    # Salary continued 5 days for illness: a medical certificate is now required.
    post_form(client, invoice_id, {"lines-0-sick_days_paid": "5"})
    page = edit_page(client, invoice_id)
    assert "Certificat médical (maladie de l'assistant·e)" in page
    assert "maintenu pour maladie pendant plus de 3 jours" in page

    # A second assistant, then back to one.
    post_form(client, invoice_id, action="add_line")
    post_form(client, invoice_id, {"lines-1-name": "Paul Martin",
                                   "lines-1-ordinary_hours": "4",
                                   "lines-1-gross_salary": "150.00"})
    page = edit_page(client, invoice_id)
    assert "141.20 CHF" in page and "600.10 CHF" in page  # 458.90 + 4 × 35.30
    response = post_form(client, invoice_id, action="remove_line:1")
    assert response.status_code == 303 and response.headers["Location"].endswith("#lines")
    page = edit_page(client, invoice_id)
    assert "Paul Martin" not in page and "Assistant·e 2" not in page
    assert db.session.scalar(select(func.count(InvoiceLine.id)).where(
        InvoiceLine.invoice_id == invoice_id)) == 1

    response = post_form(client, invoice_id, action="review", files={
        "assistant_payslips": [pdf_file("fiche-salaire.pdf")],
        "medical_certificate": [pdf_file("certificat.pdf")]})
    assert response.status_code == 303
    review, _token = review_token(client, invoice_id)
    assert "458.90 CHF" in review and "Il reste 2'541.10 CHF pour ce mois" in review
    receipt = send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.receipt_number in receipt and invoice.total_claimed == Decimal("458.90")


def test_assistance_above_the_month_cap_is_capped(ready):
    client = ready
    add_decision(client.user, "32420250000002", "assistance", monthly_amount=Decimal("200.00"))
    invoice_id = new_invoice(client, "assistance")
    post_form(client, invoice_id, {
        "decision_number": "32420250000002", "month": f"{last_month():%m.%Y}",
        "lines-0-name": "Marie Dupont", "lines-0-ordinary_hours": "10",
        "lines-0-gross_salary": "600.00"})
    page = edit_page(client, invoice_id)
    assert "Montant demandé 353.00 CHF, plafonné à 300.00 CHF." in page
    assert "Il reste 0.00 CHF pour ce mois" in page


# --- 3. Allocation pour impotent — mineur·e ------------------------------------------------------

def test_api_minor_nights_at_home_times_the_decisions_degree(ready):
    client = ready
    add_decision(client.user, "32420250000003", "api_mineur", degree="moyenne")
    invoice_id = new_invoice(client, "api_mineur")
    page = edit_page(client, invoice_id)
    assert "Indiquez d'abord le mois : la liste des nuits apparaîtra." in page
    month = last_month()
    days = (date(month.year + month.month // 12, month.month % 12 + 1, 1) - month).days
    response = post_form(client, invoice_id, {"decision_number": "324 2025 0000003",
                                              "month": f"{month:%m.%Y}"})
    assert response.status_code == 303
    response = client.get(f"/demandes/{invoice_id}/modifier")
    form = read_form(response.get_data(as_text=True))
    nights = [name for name in form.selects if re.fullmatch(r"lines-\d+-place", name)]
    assert nights == [f"lines-{n}-place" for n in range(days)]
    page = page_text(response)
    assert f"Nuit du {days}" in page and f"Nuit du {days + 1}" not in page
    # Every night « à la maison » by default.
    assert all(form.values[name] == "home" for name in nights)

    away = {f"lines-{n}-place": "institution" for n in range(20, days)}
    post_form(client, invoice_id, away)
    response = client.get(f"/demandes/{invoice_id}/modifier")
    page = page_text(response)
    # 20 nights × 42.00 (50 % of CHF 2'520 ÷ 30)
    assert "840.00 CHF" in page and "20 nuits à la maison" in page
    # Nights away: a stay certificate helps, but is not required.
    heading = re.search(r'id="piece-stay_certificate-title">(.*?)</h3>',
                        response.get_data(as_text=True), re.S)
    assert heading and "Attestation de séjour" in heading[1]
    assert "obligatoire" not in heading[1]
    review, token = review_token(client, invoice_id)
    assert token is not None, review
    assert "840.00 CHF" in review
    receipt = send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.receipt_number in receipt and invoice.total_claimed == Decimal("840.00")


def test_api_minor_month_change_redraws_the_nights(ready):
    client = ready
    invoice_id = new_invoice(client, "api_mineur")
    post_form(client, invoice_id, {"month": "02.2025"})
    assert len(db.session.get(Invoice, invoice_id).lines) == 28
    post_form(client, invoice_id, {"month": "03.2025"})
    db.session.expire_all()
    assert len(db.session.get(Invoice, invoice_id).lines) == 31


# --- 4. Appareils auditifs et moyens auxiliaires ----------------------------------------------

def test_hearing_aids_for_both_ears_flags_the_six_year_rule(ready):
    client = ready
    add_decision(client.user, "32420250000004", "moyens_auxiliaires")
    invoice_id = new_invoice(client, "moyens_auxiliaires")
    post_form(client, invoice_id, {"decision_number": "32420250000004",
                                   "kind": "deux_oreilles"})
    page = edit_page(client, invoice_id)
    assert "Date de votre précédent appareil" in page and "Nombre d'appareils" not in page
    previous = date.today().replace(year=date.today().year - 4)
    post_form(client, invoice_id, {"supplier": "Audition Plus SA",
                                   "invoice_date": a_recent_day(),
                                   "previous_device_date": f"{previous:%d.%m.%Y}"})
    page = edit_page(client, invoice_id)
    assert "1'650.00 CHF" in page
    assert "Moins de 6 ans depuis le précédent appareil" in page
    assert "Facture originale du fournisseur" in page
    post_form(client, invoice_id, action="save", files={
        "supplier_invoice": [pdf_file("audition.pdf")]})
    receipt = send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.receipt_number in receipt
    assert invoice.total_claimed == Decimal("1650.00")
    assert "six_year_rule" in invoice.flags


def test_hearing_aids_older_than_six_years_are_not_flagged(ready):
    client = ready
    invoice_id = new_invoice(client, "moyens_auxiliaires")
    post_form(client, invoice_id, {"kind": "une_oreille"})
    post_form(client, invoice_id, {"supplier": "Audition Plus SA",
                                   "invoice_date": a_recent_day(),
                                   "previous_device_date": "01.01.2015"})
    page = edit_page(client, invoice_id)
    assert "840.00 CHF" in page and "Moins de 6 ans" not in page


def test_hearing_aid_batteries_need_no_supplier_invoice(ready):
    client = ready
    add_decision(client.user, "32420250000004", "moyens_auxiliaires")
    invoice_id = new_invoice(client, "moyens_auxiliaires")
    post_form(client, invoice_id, {"decision_number": "32420250000004", "kind": "piles"})
    post_form(client, invoice_id, {"invoice_date": a_recent_day(), "devices": "2"})
    page = edit_page(client, invoice_id)
    assert "80.00 CHF" in page
    assert "Facture originale du fournisseur" not in page and "Fournisseur" not in page
    review, token = review_token(client, invoice_id)
    assert token is not None, review
    send(client, invoice_id)
    assert db.session.get(Invoice, invoice_id).total_claimed == Decimal("80.00")


# --- 5. Facture standard -------------------------------------------------------------------------

def test_standard_invoice_lines_quantity_times_price(ready):
    client = ready
    add_decision(client.user, "32420250000005", "standard")
    invoice_id = new_invoice(client, "standard")
    day = a_recent_day()
    post_form(client, invoice_id, {
        "decision_number": "32420250000005", "supplier": "Orthopédie Rochat",
        "supplier_invoice_number": "F-2026-118", "invoice_date": day,
        "lines-0-date": day, "lines-0-label": "Semelles orthopédiques",
        "lines-0-quantity": "2", "lines-0-unit_price": "45.50"})
    page = edit_page(client, invoice_id)
    assert "91.00 CHF" in page and "Facture du fournisseur" in page
    post_form(client, invoice_id, action="add_line")
    post_form(client, invoice_id, {"lines-1-date": day, "lines-1-label": "Réglage",
                                   "lines-1-quantity": "1.5", "lines-1-unit_price": "12.30"})
    page = edit_page(client, invoice_id)
    assert "18.45 CHF" in page and "109.45 CHF" in page
    post_form(client, invoice_id, action="add_line")
    assert "Ligne 3" in edit_page(client, invoice_id)
    post_form(client, invoice_id, action="remove_line:2")
    page = edit_page(client, invoice_id)
    assert "Ligne 3" not in page and "109.45 CHF" in page
    post_form(client, invoice_id, {"remark": "Deux paires, voir la facture."}, action="save",
              files={"supplier_invoice": [pdf_file("rochat.pdf")]})
    review, _token = review_token(client, invoice_id)
    assert "Orthopédie Rochat" in review and "109.45 CHF" in review
    assert "Deux paires, voir la facture." in review
    receipt = send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.receipt_number in receipt and invoice.total_claimed == Decimal("109.45")
    assert [line.amount for line in invoice.lines] == [Decimal("91.00"), Decimal("18.45")]


# --- Decision numbers --------------------------------------------------------------------------

def test_a_decision_of_another_office_is_refused(ready):
    client = ready
    invoice_id = new_invoice(client, "standard")
    post_form(client, invoice_id, {"decision_number": "322 2025 0000001"})
    message = ("Ce numéro de décision n'est pas de l'Office AI du canton de Neuchâtel "
               "(code 324).")
    assert message in edit_page(client, invoice_id)
    review, token = review_token(client, invoice_id)
    assert message in review and token is None


def test_a_decision_of_another_type_is_refused_when_the_register_lists_decisions(ready):
    client = ready
    add_decision(client.user, "32420250000001", "deplacement")
    invoice_id = new_invoice(client, "standard")
    post_form(client, invoice_id, {"decision_number": "32420250000001"})
    page = edit_page(client, invoice_id)
    assert "Cette décision ne couvre pas ce type de facture" in page
    assert "« Facture standard »" in page
    post_form(client, invoice_id, {"decision_number": "32420259999999"})
    assert "Ce N° de décision ne correspond à aucune décision de Anna Muster" in edit_page(
        client, invoice_id)


def test_save_this_decision_number(ready):
    client = ready
    invoice_id = new_invoice(client, "standard")
    response = post_form(client, invoice_id, {"decision_number": "324.2025.0001234",
                                              "save_decision": "y"}, action="save")
    assert response.status_code == 303
    saved = db.session.scalars(select(SavedDecision)).one()
    holder = db.session.scalars(select(Beneficiary)).one()
    assert saved.number == "32420250001234" and saved.beneficiary_id == holder.id
    assert saved.description == "Facture standard"
    values = form_values(client, invoice_id)
    assert "save_decision" not in values  # the box is unticked once saved
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert 'option value="324 2025 0001234"' in html
    # Pressing again does not save it twice.
    post_form(client, invoice_id, {"save_decision": "y"}, action="save")
    assert db.session.scalar(select(func.count(SavedDecision.id))) == 1
    # The next invoice starts with the only saved number.
    other = new_invoice(client, "standard")
    # shown grouped, as on every page (pricing.decision_number_of, the decision_number filter)
    assert form_values(client, other)["decision_number"] == "324 2025 0001234"


# --- Drafts across sessions ----------------------------------------------------------------------

@pytest.mark.config(SMS_COOLDOWN_SECONDS=0)
def test_a_draft_is_resumed_from_another_device(app, ready, sms):
    client = ready
    invoice_id = new_invoice(client, "deplacement")
    post_form(client, invoice_id, {"decision_number": "324 2025 0000001",
                                   "lines-0-transport": "car"})
    post_form(client, invoice_id, {"lines-0-depart": "La Chaux-de-Fonds",
                                   "lines-0-date": a_recent_day(),
                                   "lines-0-km": "57", "remark": "Trajet du matin"},
              action="save", files={"disability_certificate": [pdf_file("certif.pdf")]})
    before = form_values(client, invoice_id)
    before.pop("csrf_token")

    phone = app.test_client()
    assert login(phone, client.user, sms).status_code == 303
    listing = page_text(phone.get("/demandes/"))
    assert "Brouillon — continuer" in listing
    after = form_values(phone, invoice_id)
    after.pop("csrf_token")
    assert after == before and before["lines-0-km"] == "57"
    assert before["decision_number"] == "324 2025 0000001"
    page = edit_page(phone, invoice_id)
    assert after["lines-0-depart"] == "La Chaux-de-Fonds"
    assert "Trajet du matin" in page and "certif.pdf" in page
    assert "25.65 CHF" in page  # 57 km × 0.45
    assert db.session.scalar(select(func.count(Attachment.id))) == 1


def test_assistance_uses_the_rate_in_force_that_month_and_a_typed_monthly_amount(ready):
    client = ready
    invoice_id = new_invoice(client, "assistance")
    post_form(client, invoice_id, {
        "month": "12.2024", "monthly_amount": "1000.00", "lines-0-name": "Marie Dupont",
        "lines-0-ordinary_hours": "10", "lines-0-gross_salary": "600.00"})
    page = edit_page(client, invoice_id)
    assert "343.00 CHF" in page  # 10 h × 34.30, the 2024 rate
    assert "Il reste 1'157.00 CHF pour ce mois" in page


# --- htmx: the same form, answered with fragments ------------------------------------------------

def test_with_htmx_a_change_answers_the_summary_and_a_button_the_editor(ready):
    client = ready
    invoice_id = new_invoice(client, "standard")
    hx = {"HX-Request": "true"}
    day = a_recent_day()
    values = {"lines-0-date": day, "lines-0-label": "Séance", "lines-0-quantity": "3",
              "lines-0-unit_price": "10.00"}
    response = post_form(client, invoice_id, values, action="", headers=hx)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="invoice-summary"') and "<form" not in body
    assert "30.00 CHF" in page_text(response)
    response = post_form(client, invoice_id, action="add_line", headers=hx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div class="invoice-editor"') and "<form" not in body
    # the editor goes inside the page's form, which stays (htmx queues its requests there)
    fields = read_form(f'<form id="invoice-form">{body}</form>').values
    assert fields["lines-0-label"] == "Séance"
    assert "lines-1-label" in fields
    assert "Ligne 2" in page_text(response)
