"""One view of an invoice (guichet.invoices.view.InvoiceView): what it holds for a travel and an
assistance invoice, and that the review page, the invoice's page and its PDF show the same
facts from it."""
from __future__ import annotations

import io
import re
from decimal import Decimal

from pypdf import PdfReader

from guichet.invoices.view import OTHER_PIECES, InvoiceView, problems_before_sending
from guichet.models import Beneficiary, Invoice
from guichet.models.base import db
from tests.support.invoices import (a_recent_day, add_decision, last_month, new_invoice,
                                    one_trip_draft, pdf_file, post_form, review_token, send)
from tests.support.page import page_text


def pdf_text(client, invoice_id) -> str:
    response = client.get(f"/demandes/{invoice_id}/pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return " ".join(text.split())


def travel_draft(client) -> int:
    add_decision(client.user, "32420250000001", "deplacement")
    return one_trip_draft(client, "32420250000001", remark="Aller et retour.")


def test_a_travel_draft_seen_before_sending(ready):
    client = ready
    invoice_id = travel_draft(client)
    invoice = db.session.get(Invoice, invoice_id)
    holder = db.session.get(Beneficiary, invoice.beneficiary_id)
    view = InvoiceView(invoice)
    assert view.is_draft and view.type_label == "Frais de déplacement et de repas"
    assert view.status.label == "Brouillon" and view.receipt_number is None
    assert view.owner.id == client.user.id and view.beneficiary.id == holder.id
    assert view.account.iban == "CH5604835012345678009" and view.iban is None
    assert view.decision_number == "32420250000001" and view.remark == "Aller et retour."
    assert view.details == []  # travel asks nothing in its header
    # one trip: its fare and the viatique for 6 hours away
    assert [(c.label, c.amount) for c in view.lines[0].charges][0][1] == Decimal("12.40")
    assert view.total == Decimal("23.90") == sum(line.amount for line in view.lines)
    assert [group.key for group in view.pieces][-1] == OTHER_PIECES
    tickets = view.pieces[0]
    assert tickets.required and tickets.files == []
    # what prevents sending: the tickets, with the anchor of the pièces on the form
    assert [(p.anchor, p.label) for p in view.problems] == [("#pieces", "Pièces")]
    assert view.problems == problems_before_sending(invoice)
    assert view.history[0].message == "Brouillon créé." and not view.history[0].by_office

    review, token = review_token(client, invoice_id)
    pdf = pdf_text(client, invoice_id)
    beneficiary = f"{holder.display_name}, N° AVS 756.****.****.{holder.navs13[-2:]}, " \
                  f"né·e le 15.03.1985"
    for shown in (review, pdf):
        assert beneficiary in shown
        assert "324 2025 0000001" in shown and "Aller et retour." in shown
        assert "12.40 CHF" in shown and "23.90 CHF" in shown
    assert token is None and "Pièces : Pièce manquante" in review
    assert "Brouillon (non envoyé)" in pdf and "Assuré·e (compte)" in pdf
    assert "Assuré·e (compte)" not in review  # the person's own pages do not repeat them


def test_a_sent_travel_invoice_on_its_page_and_in_its_pdf(ready):
    client = ready
    invoice_id = travel_draft(client)
    post_form(client, invoice_id, action="upload",
              files={view_key(client, invoice_id): [pdf_file("billet.pdf")]})
    send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    invoice.total_claimed = Decimal("20.00")  # what was claimed on sending stays the total
    db.session.commit()
    view = InvoiceView(invoice)
    assert not view.is_draft and view.status.label == "Envoyée"
    assert view.iban == "CH5604835012345678009" and view.total == Decimal("20.00")
    assert [entry.status_label for entry in view.history] == ["Brouillon", "Envoyée"]
    assert [a.filename for a in view.attachments] == ["billet.pdf"]
    page = page_text(client.get(f"/demandes/{invoice_id}"))
    pdf = pdf_text(client, invoice_id)
    for shown in (page, pdf):
        assert invoice.receipt_number in shown and "CH56 **** **** **** *800 9" in shown
        assert "Total demandé 20.00 CHF" in shown and "billet.pdf" in shown
        assert "Demande envoyée à l'office. (Envoyée)" in shown
    assert "— vous : Brouillon créé." in page and "l'assuré·e Brouillon créé." in pdf


def view_key(client, invoice_id) -> str:
    return InvoiceView(db.session.get(Invoice, invoice_id)).pieces[0].key


def test_an_assistance_invoice_shows_its_answers_notes_and_missing_pieces(ready):
    client = ready
    add_decision(client.user, "32420250000002", "assistance", monthly_amount=Decimal("2000.00"))
    invoice_id = new_invoice(client, "assistance")
    month = last_month()
    post_form(client, invoice_id, {
        "decision_number": "324 2025 0000002", "month": f"{month:%m.%Y}",
        "eleven_months": "no", "lines-0-name": "Marie Dupont", "lines-0-ordinary_hours": "10",
        "lines-0-qualified_hours": "2", "lines-0-gross_salary": "600.00",
        "lines-0-sick_days_paid": "5"}, action="save")
    view = InvoiceView(db.session.get(Invoice, invoice_id))
    assert view.type_label == "Contribution d'assistance"
    details = {detail.label: detail.value for detail in view.details}
    assert details["Mois"] == f"{month:%m.%Y}"
    assert details["Votre décision compte-t-elle 11 mois par an au lieu de 12 ?"] == "Non"
    assert view.lines[0].label == "Marie Dupont" and view.total == Decimal("458.90")
    assert view.notes == ["Il reste 2'541.10 CHF pour ce mois et 23'541.10 CHF pour l'année."]
    required = [group.label for group in view.pieces if group.required]
    assert "Certificat médical (maladie de l'assistant·e)" in required
    assert {p.message for p in view.problems} >= {
        "Pièce manquante : Certificat médical (maladie de l'assistant·e)."}

    review, _token = review_token(client, invoice_id)
    pdf = pdf_text(client, invoice_id)
    for shown in (review, pdf):
        assert f"Mois {month:%m.%Y}" in shown and "11 mois par an au lieu de 12 ? Non" in shown
        assert "Marie Dupont" in shown and "458.90 CHF" in shown
        assert "Il reste 2'541.10 CHF pour ce mois" in shown


def test_the_form_and_the_pages_read_the_decision_number_the_same_way(ready):
    """A valid number is grouped everywhere; a number typed wrongly is shown as typed."""
    client = ready
    invoice_id = new_invoice(client, "standard")
    post_form(client, invoice_id, {"decision_number": "32420250000005"}, action="save")
    edit = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert 'value="324 2025 0000005"' in edit
    assert "N° de décision 324 2025 0000005" in review_token(client, invoice_id)[0]
    post_form(client, invoice_id, {"decision_number": "324.2025.12"}, action="save")
    edit = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert 'value="324.2025.12"' in edit
    assert "N° de décision 324.2025.12" in review_token(client, invoice_id)[0]
    assert "324.2025.12" in pdf_text(client, invoice_id)


def pdf_pages(client, invoice_id) -> list[str]:
    response = client.get(f"/demandes/{invoice_id}/pdf")
    assert response.status_code == 200
    return [" ".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(response.data)).pages]


def footers(pages: list[str]) -> list[str]:
    return [", ".join(re.findall(r"\bpage (\d+ / \d+)", page)) for page in pages]


def test_each_pdf_page_says_which_page_of_how_many(ready):
    short = travel_draft(ready)
    assert footers(pdf_pages(ready, short)) == ["1 / 1"]
    from guichet.models import InvoiceLine
    long = Invoice(user_id=ready.user.id, invoice_type="standard", remark="",
                   fields={"supplier": "Pharmacie du Lac", "supplier_invoice_number": "F-1",
                           "invoice_date": a_recent_day()})
    long.lines = [InvoiceLine(position=n, data={"date": a_recent_day(), "label": f"Article {n}",
                                                "quantity": "1", "unit_price": "10.00"})
                  for n in range(60)]
    db.session.add(long)
    db.session.commit()
    pages = pdf_pages(ready, long.id)
    assert len(pages) >= 2
    assert footers(pages) == [f"{n} / {len(pages)}" for n in range(1, len(pages) + 1)]
