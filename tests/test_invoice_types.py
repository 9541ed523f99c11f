"""Each of the five invoice types, filled through the form as a person without JavaScript
would (every button posts the whole form), up to the receipt; the totals, notes and pièces the
pages show; decision numbers checked against the office and the register; lines added and
removed; saved decision numbers; drafts taken up again on another device."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from guichet.core.i18n import today_in_zurich
from guichet.models import Attachment, Beneficiary, Invoice, InvoiceLine, SavedDecision
from guichet.models.base import db
from tests.support.accounts import login
from tests.support.invoices import (IBAN, a_recent_day, add_child, add_decision, edit_page,
                                    form_values, last_month, new_invoice, pdf_file, post_form,
                                    read_form, review_token, send)
from tests.support.page import feedback, page_text, text_of

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
    # 31.02.2026 is written well but does not exist: the message says so, not how to write it
    assert "Cette date n'existe pas" in page and "sous la forme JJ.MM.AAAA" not in page
    assert "Écrivez un nombre, par exemple 7.5." in page
    assert "Cette heure n'existe pas" in page
    # What was typed stays as typed.
    values = form_values(client, invoice_id)
    assert values["lines-0-km"] == "beaucoup" and values["lines-0-date"] == "31.02.2026"


def test_travel_a_future_trip_is_said_on_its_date_and_a_future_return_on_the_nights(ready):
    client = ready
    invoice_id = new_invoice(client, "deplacement")
    tomorrow = today_in_zurich() + timedelta(days=1)
    trip = {"lines-0-depart": "Le Locle", "lines-0-destination": "Neuchâtel",
            "lines-0-motif": "physiothérapie", "lines-0-transport": "public",
            "lines-0-fare": "12.40", "lines-0-departure_time": "08:00",
            "lines-0-return_time": "17:00", "lines-0-companion": "no"}
    post_form(client, invoice_id, {**trip, "lines-0-date": f"{tomorrow:%d.%m.%Y}"})
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert "La date du trajet ne peut pas être dans le futur." in feedback(html, "lines-0-date")
    # the review lists the date, not the empty « Nuits » field
    review, token = review_token(client, invoice_id)
    assert token is None
    assert "Trajet 1 — Date du trajet : La date du trajet ne peut pas être dans le futur." in review
    assert "Trajet 1 — Nuits hors du domicile" not in review
    # today, back three nights later
    post_form(client, invoice_id, {"lines-0-date": f"{today_in_zurich():%d%m%Y}",
                                   "lines-0-nights": "3"})
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    back = today_in_zurich() + timedelta(days=3)
    assert (f"Avec 3 nuits hors du domicile, le retour serait le {back:%d.%m.%Y}, dans le "
            "futur") in feedback(html, "lines-0-nights")
    assert feedback(html, "lines-0-date") == ""
    assert db.session.get(Invoice, invoice_id).total_claimed == Decimal("0.00")


def test_a_month_that_does_not_exist_is_said_so(ready):
    client = ready
    invoice_id = new_invoice(client, "assistance")
    post_form(client, invoice_id, {"monthly_amount": "2000", "month": "13.2025"})
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert feedback(html, "month") == \
        "Erreur : Ce mois n'existe pas : les mois vont de 01 à 12."
    post_form(client, invoice_id, {"month": "112025"})
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert feedback(html, "month") == ""


def test_dates_typed_without_dots_are_read(ready):
    client = ready
    invoice_id = new_invoice(client, "standard")
    day = last_month().replace(day=14)
    post_form(client, invoice_id, {"invoice_date": f"{day:%d%m%Y}",
                                   "lines-0-date": f"{day:%d/%m/%Y}", "lines-0-label": "Séance",
                                   "lines-0-quantity": "2", "lines-0-unit_price": "40"})
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert feedback(html, "invoice_date") == "" and feedback(html, "lines-0-date") == ""
    assert "80.00 CHF" in text_of(html)


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


def _assistance_month(client, month: date) -> int:
    invoice_id = new_invoice(client, "assistance")
    post_form(client, invoice_id, {
        "decision_number": "32420250000002", "month": f"{month:%m.%Y}",
        "lines-0-name": "Marie Dupont", "lines-0-ordinary_hours": "10",
        "lines-0-gross_salary": "600.00"}, action="save",
        files={"assistant_payslips": [pdf_file("fiche-salaire.pdf")]})
    return invoice_id


def test_assistance_one_invoice_per_month(ready):
    client = ready
    add_decision(client.user, "32420250000002", "assistance", monthly_amount=Decimal("2000.00"))
    first = _assistance_month(client, last_month())
    send(client, first)
    receipt = db.session.get(Invoice, first).receipt_number
    second = _assistance_month(client, last_month())
    html = client.get(f"/demandes/{second}/modifier").get_data(as_text=True)
    assert f"Une demande pour ce mois a déjà été envoyée ({receipt})" in feedback(html, "month")
    review, token = review_token(client, second)
    assert token is None and receipt in review
    assert db.session.get(Invoice, second).status == "draft"


def test_assistance_monthly_amount_is_required_unless_the_decision_gives_it(ready):
    client = ready
    invoice_id = new_invoice(client, "assistance")
    post_form(client, invoice_id, {
        "month": f"{last_month():%m.%Y}", "lines-0-name": "Marie Dupont",
        "lines-0-ordinary_hours": "10", "lines-0-gross_salary": "600.00"})
    response = client.get(f"/demandes/{invoice_id}/modifier")
    html = response.get_data(as_text=True)
    label = unescape(re.search(r'<label for="monthly_amount">(.*?)</label>', html, re.S)[1])
    assert "Montant mensuel selon votre décision" in label and "facultatif" not in label
    page = page_text(response)
    assert "Montant à calculer : indiquez le montant mensuel de votre décision." in page
    assert "Total demandé : 0.00 CHF" not in page
    review, token = review_token(client, invoice_id)
    assert token is None and "Montant mensuel selon votre décision" in review
    # with the decision's amount in the register, the field is not asked
    add_decision(client.user, "32420250000002", "assistance", monthly_amount=Decimal("2000.00"))
    post_form(client, invoice_id, {"decision_number": "32420250000002"})
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert 'name="monthly_amount"' not in html
    assert "Montant mensuel selon votre décision (CHF) : 2'000.00 CHF" in text_of(html)


def test_a_negative_amount_is_said_to_be_negative_on_its_field(ready):
    client = ready
    invoice_id = new_invoice(client, "assistance")
    post_form(client, invoice_id, {"monthly_amount": "-200", "lines-0-gross_salary": "−50"})
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert feedback(html, "monthly_amount") == "Erreur : Le montant ne peut pas être négatif."
    assert feedback(html, "lines-0-gross_salary") == \
        "Erreur : Le montant ne peut pas être négatif."
    assert "Ce nombre n'est pas possible" not in html
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.total_claimed == Decimal("0.00") and invoice.status == "draft"


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

def _days_in(month: date) -> int:
    return (date(month.year + month.month // 12, month.month % 12 + 1, 1) - month).days


def _api_draft(client, degree="moyenne", born=date(2016, 7, 20)):
    """An API draft for a child of the person, on a decision of the register."""
    child = add_child(client.user, born)
    add_decision(child, "32420250000003", "api_mineur", degree=degree)
    invoice_id = new_invoice(client, "api_mineur")
    post_form(client, invoice_id, {"beneficiary_id": str(child.id),
                                   "decision_number": "324 2025 0000003"})
    return invoice_id, child


def test_api_minor_asks_all_nights_at_home_then_only_the_periods_away(ready):
    client = ready
    invoice_id, _child = _api_draft(client)
    page = edit_page(client, invoice_id)
    assert "Indiquez d'abord le mois" in page
    month = last_month()
    days = _days_in(month)
    post_form(client, invoice_id, {"month": f"{month:%m.%Y}", "all_home": "no"})
    response = client.get(f"/demandes/{invoice_id}/modifier")
    html = response.get_data(as_text=True)
    form = read_form(html)
    # no select per night: one period, « du … au … » and a place
    assert [name for name in form.selects if name.startswith("lines-")] == \
        ["lines-0-first", "lines-0-last", "lines-0-place"]
    first_night = month.replace(day=3)
    weekday = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
               "dimanche")[first_night.weekday()]
    assert f'<option value="3">{weekday} 3 ' in html
    assert "Période 1 hors de la maison" in page_text(response)

    post_form(client, invoice_id, {"lines-0-first": "21", "lines-0-last": str(days),
                                   "lines-0-place": "institution"})
    page = edit_page(client, invoice_id)
    # 20 nights × 42.00 (50 % of CHF 2'520 ÷ 30)
    assert "840.00 CHF" in page and "20 nuits à la maison" in page
    assert "Nuits hors de la maison : du " in page and "en home ou institution." in page
    # a second period, then removed again
    response = post_form(client, invoice_id, action="add_line")
    assert response.status_code == 303
    post_form(client, invoice_id, {"lines-1-first": "2", "lines-1-last": "2",
                                   "lines-1-place": "hospital"})
    assert "19 nuits à la maison" in edit_page(client, invoice_id)
    post_form(client, invoice_id, action="remove_line:1")
    assert "20 nuits à la maison" in edit_page(client, invoice_id)
    review, token = review_token(client, invoice_id)
    assert token is not None, review
    receipt = send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.receipt_number in receipt and invoice.total_claimed == Decimal("840.00")


def test_api_minor_all_nights_at_home(ready):
    client = ready
    invoice_id, _child = _api_draft(client)
    month = last_month()
    post_form(client, invoice_id, {"month": f"{month:%m.%Y}", "all_home": "yes"})
    response = client.get(f"/demandes/{invoice_id}/modifier")
    assert not [name for name in read_form(response.get_data(as_text=True)).selects
                if name.startswith("lines-")]
    page = page_text(response)
    assert f"Les {_days_in(month)} nuits de" in page
    assert f"{42 * _days_in(month):,.2f} CHF".replace(",", "'") in page
    assert db.session.get(Invoice, invoice_id).lines == []


def test_api_minor_period_errors_are_on_their_field(ready):
    client = ready
    invoice_id, _child = _api_draft(client)
    month = last_month()
    post_form(client, invoice_id, {"month": f"{month:%m.%Y}", "all_home": "no"})
    post_form(client, invoice_id, {"lines-0-first": "10", "lines-0-last": "5",
                                   "lines-0-place": "hospital"})
    response = client.get(f"/demandes/{invoice_id}/modifier")
    html = response.get_data(as_text=True)
    assert "La dernière nuit doit être le même jour que la première ou après." in \
        feedback(html, "lines-0-last")
    _review, token = review_token(client, invoice_id)
    assert token is None
    assert db.session.get(Invoice, invoice_id).status == "draft"


def test_api_minor_draft_saved_night_by_night_still_opens(ready):
    """Drafts saved when the form had one select per night read as periods, same total."""
    client = ready
    invoice_id, child = _api_draft(client)
    month = last_month()
    days = _days_in(month)
    invoice = db.session.get(Invoice, invoice_id)
    invoice.fields = {**invoice.fields, "month": f"{month:%m.%Y}"}
    places = ["home"] * days
    places[1] = "hospital"
    places[20:] = ["institution"] * (days - 20)
    invoice.lines = [InvoiceLine(position=n, data={"place": place})
                     for n, place in enumerate(places)]
    db.session.commit()
    response = client.get(f"/demandes/{invoice_id}/modifier")
    assert response.status_code == 200
    form = read_form(response.get_data(as_text=True))
    assert form.values["all_home"] == "no"
    assert (form.values["lines-0-first"], form.values["lines-0-last"],
            form.values["lines-0-place"]) == ("2", "2", "hospital")
    assert (form.values["lines-1-first"], form.values["lines-1-last"],
            form.values["lines-1-place"]) == ("21", str(days), "institution")
    page = page_text(response)
    # the same 19 nights at home as night by night: 19 × 42.00
    assert "798.00 CHF" in page and "19 nuits à la maison" in page
    # saving it once stores the periods
    post_form(client, invoice_id, action="save")
    db.session.expire_all()
    stored = db.session.get(Invoice, invoice_id)
    assert stored.fields["all_home"] == "no" and len(stored.lines) == 2
    assert "798.00 CHF" in edit_page(client, invoice_id)


def test_api_minor_refused_for_a_beneficiary_already_18(ready):
    client = ready
    month = last_month()
    eighteen = date(month.year - 18, month.month, 1) - timedelta(days=40)
    invoice_id, child = _api_draft(client, born=eighteen)
    post_form(client, invoice_id, {"month": f"{month:%m.%Y}", "all_home": "yes"})
    response = client.get(f"/demandes/{invoice_id}/modifier")
    html = response.get_data(as_text=True)
    message = feedback(html, "beneficiary_id")
    adult_from = date(eighteen.year + 18, eighteen.month, eighteen.day)
    assert f"Léo Muster a eu 18 ans le {adult_from:%d.%m.%Y}" in message
    assert "l'API pour mineur·e ne couvre que les nuits avant cette date" in message
    assert "0.00 CHF" not in page_text(response)
    review, token = review_token(client, invoice_id)
    assert token is None and "18 ans" in review
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == "draft" and invoice.total_claimed == Decimal("0.00")


def test_api_minor_nights_from_the_18th_birthday_are_not_counted(ready):
    client = ready
    month = last_month()
    born = date(month.year - 18, month.month, 11)
    invoice_id, child = _api_draft(client, born=born)
    post_form(client, invoice_id, {"month": f"{month:%m.%Y}", "all_home": "yes"})
    page = edit_page(client, invoice_id)
    # the nights of the 1st to the 10th only: 10 × 42.00
    assert "420.00 CHF" in page and "10 nuits à la maison" in page
    assert (f"Léo Muster a 18 ans le 11.{month:%m.%Y} : l'API pour mineur·e couvre les nuits "
            f"jusqu'à la veille. Les nuits à la maison à partir du 11.{month:%m.%Y} ne sont "
            "pas comptées.") in page
    send(client, invoice_id)
    assert db.session.get(Invoice, invoice_id).total_claimed == Decimal("420.00")


def test_api_minor_degree_is_required_when_the_register_has_none(ready):
    client = ready
    invoice_id, _child = _api_draft(client, degree=None)
    month = last_month()
    post_form(client, invoice_id, {"month": f"{month:%m.%Y}", "all_home": "yes"})
    response = client.get(f"/demandes/{invoice_id}/modifier")
    html = response.get_data(as_text=True)
    label = unescape(re.search(r'<label for="degree">(.*?)</label>', html, re.S)[1])
    assert "Degré d'impotence selon la décision" in label and "facultatif" not in label
    page = page_text(response)
    # no « 0.00 CHF »: what the amount waits for
    assert "Montant à calculer : indiquez le degré d'impotence de la décision." in page
    assert "Total demandé : 0.00 CHF" not in page
    review, token = review_token(client, invoice_id)
    assert token is None and "Indiquez le degré d'impotence de la décision." in review
    post_form(client, invoice_id, {"degree": "grave"})
    total = Decimal("67.20") * _days_in(month)
    assert f"{total:,.2f} CHF".replace(",", "'") in edit_page(client, invoice_id)


def test_api_minor_degree_of_the_decision_is_not_asked(ready):
    client = ready
    invoice_id, _child = _api_draft(client, degree="moyenne+4h")
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert 'name="degree"' not in html and 'name="supplement"' not in html
    page = edit_page(client, invoice_id)
    assert ("Ce que dit votre décision, enregistrée à l'office : Degré d'impotence selon la "
            "décision : Moyenne Supplément pour soins intenses selon la décision : Au moins 4 "
            "heures par jour") in page


# --- 4. Appareils auditifs et moyens auxiliaires ----------------------------------------------

def test_hearing_aids_for_both_ears_flags_the_six_year_rule(ready):
    client = ready
    add_decision(client.user, "32420250000004", "moyens_auxiliaires")
    invoice_id = new_invoice(client, "moyens_auxiliaires")
    post_form(client, invoice_id, {"decision_number": "32420250000004",
                                   "kind": "deux_oreilles"})
    page = edit_page(client, invoice_id)
    assert "Date de votre précédent appareil" in page and "Nombre d'appareils" not in page
    previous = today_in_zurich().replace(year=today_in_zurich().year - 4)
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
    assert "six_year_rule" in [flag["code"] for flag in invoice.flags]


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


def test_hearing_aid_batteries_once_a_year(ready):
    client = ready
    add_decision(client.user, "32420250000004", "moyens_auxiliaires")
    ids = []
    for _n in range(2):
        invoice_id = new_invoice(client, "moyens_auxiliaires")
        post_form(client, invoice_id, {"decision_number": "32420250000004", "kind": "piles"})
        post_form(client, invoice_id, {"invoice_date": a_recent_day(), "devices": "1"})
        ids.append(invoice_id)
        if _n == 0:
            send(client, invoice_id)
    receipt = db.session.get(Invoice, ids[0]).receipt_number
    html = client.get(f"/demandes/{ids[1]}/modifier").get_data(as_text=True)
    assert (f"Les piles sont remboursées par un forfait annuel : une demande de piles pour "
            f"{last_month().year} a déjà été envoyée ({receipt}).") in feedback(html, "kind")
    _review, token = review_token(client, ids[1])
    assert token is None and db.session.get(Invoice, ids[1]).status == "draft"


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
