"""An invoice from the home page to the receipt, through the test client (JavaScript off)."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from guichet.models import BankAccount, Beneficiary, Decision, Invoice
from guichet.models.base import db
from tests.support.files import pdf_bytes
from tests.support.invoices import CONFIRMED, add_decision
from tests.support.page import page_text


@pytest.fixture
def ready(ready):
    """The shared ``ready`` person, with a travel decision in the register."""
    add_decision(ready.user, "32420250000001", "deplacement")
    return ready



def test_travel_invoice_from_home_to_receipt(ready, sms, mailbox):
    client = ready
    home = page_text(client.get("/demandes/"))
    assert "Nouvelle demande : quel type de facture ?" in home
    assert "Sélectionner une facture" not in home and "Frais de déplacement et de repas" in home
    response = client.post("/demandes/nouvelle", data={"type": "deplacement"})
    assert response.status_code == 303
    invoice = db.session.scalars(select(Invoice)).one()
    assert response.headers["Location"] == f"/demandes/{invoice.id}/modifier"
    holder = db.session.scalars(select(Beneficiary)).one()
    account = db.session.scalars(select(BankAccount)).one()

    data = {"beneficiary_id": str(holder.id), "bank_account_id": str(account.id),
            "decision_number": "324 2025 0000001",
            "lines-0-date": "14.10.2025", "lines-0-depart": "Le Locle",
            "lines-0-destination": "Neuchâtel", "lines-0-motif": "physiothérapie",
            "lines-0-transport": "car", "lines-0-km": "42", "lines-0-vehicle_required": "no",
            "lines-0-departure_time": "08:00", "lines-0-return_time": "14:00",
            "lines-0-nights": "0", "lines-0-companion": "no", "action": "refresh"}
    response = client.post(f"/demandes/{invoice.id}/modifier", data=data)
    assert response.status_code == 303
    page = page_text(client.get(f"/demandes/{invoice.id}/modifier"))
    assert "18.90 CHF" in page and "11.50 CHF" in page and "30.40 CHF" in page
    assert "Certificat médical" in page

    review = page_text(client.get(f"/demandes/{invoice.id}/verifier"))
    assert "Pièce manquante" in review and "Envoyer la demande" not in review

    data["files-disability_certificate"] = (pdf_bytes_io(), "certificat.pdf")
    data["action"] = "review"
    response = client.post(f"/demandes/{invoice.id}/modifier", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 303, page_text(response)
    assert response.headers["Location"] == f"/demandes/{invoice.id}/verifier"
    review_page = client.get(f"/demandes/{invoice.id}/verifier")
    assert "Envoyer la demande" in page_text(review_page)
    token = re.search(r'name="submit_token" value="([^"]+)"',
                      review_page.get_data(as_text=True)).group(1)
    first = client.post(f"/demandes/{invoice.id}/envoyer",
                        data={"submit_token": token, **CONFIRMED})
    second = client.post(f"/demandes/{invoice.id}/envoyer",
                         data={"submit_token": token, **CONFIRMED})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == \
        f"/demandes/{invoice.id}/envoyee"
    db.session.refresh(invoice)
    assert invoice.status == "submitted"
    assert re.fullmatch(r"NE-\d{4}-000001", invoice.receipt_number)
    assert str(invoice.total_claimed) == "30.40"
    sent = page_text(client.get(f"/demandes/{invoice.id}/envoyee"))
    assert invoice.receipt_number in sent
    assert db.session.scalars(select(Invoice)).all() == [invoice]
    assert any(invoice.receipt_number in mail.subject for mail in mailbox.to(ready.user.email))
    listing = page_text(client.get("/demandes/"))
    assert invoice.receipt_number in listing and "Envoyée" in listing


def pdf_bytes_io():
    import io
    return io.BytesIO(pdf_bytes())


def test_pdf_prints_every_name(ready, factory):
    import io

    from pypdf import PdfReader
    client = ready
    user = ready.user
    user.nom, user.prenom = "Nguyễn", "Ćosić"
    db.session.commit()
    client.post("/demandes/nouvelle", data={"type": "standard"})
    invoice = db.session.scalars(select(Invoice)).one()
    response = client.get(f"/demandes/{invoice.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Office AI du canton de Neuchâtel" in text
    assert "Ćosić Nguyễn" in text
    assert "Facture standard" in text


def test_a_cost_outside_the_decision_s_validity_is_explained(ready):
    client = ready
    decision = db.session.scalars(select(Decision)).one()
    decision.valid_to = date(2025, 6, 30)
    db.session.commit()
    client.post("/demandes/nouvelle", data={"type": "deplacement"})
    invoice = db.session.scalars(select(Invoice)).one()
    holder = db.session.scalars(select(Beneficiary)).one()
    client.post(f"/demandes/{invoice.id}/modifier", data={
        "beneficiary_id": str(holder.id),
        "decision_number": "32420250000001", "lines-0-date": "14.10.2025",
        "lines-0-transport": "public", "action": "save"})
    page = page_text(client.get(f"/demandes/{invoice.id}/modifier"))
    assert "Cette décision n'était pas valable le 14.10.2025" in page
    assert "du 01.01.2025 au 30.06.2025" in page
