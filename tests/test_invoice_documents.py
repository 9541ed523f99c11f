"""What a sent invoice's documents show (its page, its HTML receipt, its PDF): a copy kept at
sending that later changes of the profile, the beneficiary, the IBAN or the rates do not touch,
while a draft follows them; the HTML receipt beside the PDF; every answer declared and the
pièces grouped by the document they stand for."""
from __future__ import annotations

import io
import re
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from guichet.models import BankAccount, Beneficiary, Invoice, utcnow
from guichet.models.base import db
from guichet.models.rates import Rate
from tests.support.accounts import login
from tests.support.files import pdf_bytes
from tests.support.invoices import (a_recent_day, add_decision, ask_for_complement,
                                    complete_standard, one_trip_draft, pdf_file, post_form,
                                    review_token, send)
from tests.support.page import page_text

TRAVEL_DECISION = "32420250000001"


def pdf_text(client, invoice_id) -> str:
    response = client.get(f"/demandes/{invoice_id}/pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return " ".join(text.split())


def receipt_text(client, invoice_id) -> str:
    response = client.get(f"/demandes/{invoice_id}/recu")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return page_text(response)


def documents(client, invoice_id) -> dict[str, str]:
    """What each document of the invoice says (without the tokens that change per request)."""
    shown = {"receipt": receipt_text(client, invoice_id), "pdf": pdf_text(client, invoice_id)}
    status = db.session.get(Invoice, invoice_id).status
    page = f"/demandes/{invoice_id}" if status != "draft" else f"/demandes/{invoice_id}/verifier"
    shown["page"] = page_text(client.get(page))
    return shown


def travel_draft(client, with_ticket: bool = True) -> int:
    """One trip by public transport, 08:00–19:30, one night away, with a companion."""
    invoice_id = one_trip_draft(
        client, TRAVEL_DECISION, {"destination": "Berne", "motif": "bilan à l'Inselspital"},
        fare="31.40", return_time="19:30", nights="1", companion="yes")
    if with_ticket:
        post_form(client, invoice_id, action="upload",
                  files={"transport_tickets": [pdf_file("billet-berne.pdf")]})
    return invoice_id


def change_everything_around(client):
    """What may happen after sending: the person moves, the office corrects the beneficiary's
    name, the IBAN's holder is corrected and the IBAN replaced, the night's rate changes."""
    response = client.post("/compte/", data={
        "civilite": "madame", "rue": "Avenue Léopold-Robert 99", "npa": "2300",
        "localite": "La Chaux-de-Fonds", "pays": "CH"})
    assert response.status_code == 303
    assert "Vos données ont été enregistrées." in page_text(client.get("/compte/"))
    user = client.user
    holder = db.session.scalars(select(Beneficiary).where(
        Beneficiary.user_id == user.id)).one()
    holder.prenom, holder.nom = "Annette", "Muster-Keller"
    account = db.session.scalars(select(BankAccount).where(
        BankAccount.user_id == user.id)).one()
    account.holder, account.bank_name, account.removed_at = "Autre Titulaire", "Raiffeisen", \
        utcnow()
    db.session.add(BankAccount(user_id=user.id, iban="CH9300762011623852957", holder="Nouveau",
                               bank_name="BCN", confirmed_at=utcnow()))
    for rate in db.session.scalars(select(Rate).where(Rate.key == "deplacement.nuit")):
        rate.amount = Decimal("99.00")
    db.session.commit()


def test_a_sent_invoice_s_documents_never_follow_later_changes(ready):
    client = ready
    add_decision(client.user, TRAVEL_DECISION, "deplacement")
    invoice_id = travel_draft(client)
    send(client, invoice_id)
    before = documents(client, invoice_id)
    for name, shown in before.items():
        assert "Anna Muster" in shown, name
        assert "Nuits hors du domicile : 1 × 37.50 CHF" in shown, name
        assert "Anna Muster (UBS)" in shown, name  # the IBAN's holder and bank
    for name in ("receipt", "pdf"):
        assert "Rue du Seyon 10, 2000 Neuchâtel" in before[name], name

    change_everything_around(client)
    after = documents(client, invoice_id)
    assert after == before
    for shown in after.values():
        assert "Annette" not in shown and "Chaux-de-Fonds" not in shown
        assert "99.00" not in shown and "Autre Titulaire" not in shown


def test_a_draft_s_documents_follow_the_live_records(ready):
    client = ready
    add_decision(client.user, TRAVEL_DECISION, "deplacement")
    invoice_id = travel_draft(client)
    change_everything_around(client)
    # the IBAN chosen was removed: the draft asks for another one, and is priced at the new rate
    post_form(client, invoice_id, {"bank_account_id": str(db.session.scalars(
        select(BankAccount.id).where(BankAccount.removed_at.is_(None))).one())}, action="save")
    shown = documents(client, invoice_id)
    for name, text in shown.items():
        assert "Annette Muster-Keller" in text, name
        assert "Nuits hors du domicile : 1 × 99.00 CHF" in text, name
        assert "Nouveau (BCN)" in text, name
    assert "Avenue Léopold-Robert 99, 2300 La Chaux-de-Fonds" in shown["pdf"]
    assert "Avenue Léopold-Robert 99, 2300 La Chaux-de-Fonds" in shown["receipt"]


def test_the_receipt_page_is_the_pdf_s_content_for_its_owner_only(app, ready, factory, sms):
    client = ready
    add_decision(client.user, TRAVEL_DECISION, "deplacement")
    invoice_id = travel_draft(client)
    receipt_number = re.search(r"NE-\d{4}-\d{6}", send(client, invoice_id))[0]
    receipt, pdf = receipt_text(client, invoice_id), pdf_text(client, invoice_id)
    for shown in (receipt, pdf):
        for fact in (receipt_number, "Office AI du canton de Neuchâtel",
                     "Frais de déplacement et de repas", "État : Envoyée",
                     "N° de décision 324 2025 0000001", "Heure de départ",
                     "08:00", "Total demandé", "billet-berne.pdf", "Demande envoyée à l'office."):
            assert fact in shown, (fact, shown)
    assert "Heure de départ 08:00" in receipt  # a list on the page, a line in the PDF
    assert "Heure de départ : 08:00" in pdf
    page = client.get(f"/demandes/{invoice_id}/recu").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert re.search(r'<link rel="stylesheet" href="[^"]*print\.css" media="print">', page)
    # linked from the list and from the invoice's page, next to the PDF
    for path in ("/demandes/", f"/demandes/{invoice_id}"):
        assert f'href="/demandes/{invoice_id}/recu"' in client.get(path).get_data(as_text=True)
    # someone else gets what the PDF gives them: 404, the same page as for no invoice at all
    intruder = app.test_client()
    assert login(intruder, factory.user(), sms).status_code == 303
    refused = intruder.get(f"/demandes/{invoice_id}/recu")
    assert refused.status_code == 404 == intruder.get(f"/demandes/{invoice_id}/pdf").status_code
    assert page_text(refused) == page_text(intruder.get("/demandes/999999/recu"))
    assert receipt_number not in refused.get_data(as_text=True)


def test_review_page_and_pdf_show_every_answer_declared(ready):
    client = ready
    add_decision(client.user, TRAVEL_DECISION, "deplacement")
    invoice_id = travel_draft(client)
    review, token = review_token(client, invoice_id)
    assert token
    pdf = pdf_text(client, invoice_id)
    day = a_recent_day()
    for shown, sep in ((review, " "), (pdf, " : ")):
        assert "Trajet 1" in shown
        for label, value in (("Date du trajet", day), ("Départ", "Le Locle"),
                             ("Destination", "Berne"), ("Motif", "bilan à l'Inselspital"),
                             ("Moyen de transport", "Transports publics (2e classe)"),
                             ("Prix du billet ou de la course (CHF)", "31.40"),
                             ("Heure de départ", "08:00"), ("Heure de retour", "19:30"),
                             ("Nuits hors du domicile", "1"),
                             ("La présence d'un·e accompagnant·e était-elle nécessaire ?", "Oui")):
            assert f"{label}{sep}{value}" in shown, (label, shown)


def test_a_standard_invoice_shows_its_supplier_and_each_line(ready):
    client = ready
    invoice_id = complete_standard(client)
    review, _token = review_token(client, invoice_id)
    pdf = pdf_text(client, invoice_id)
    for shown, sep in ((review, " "), (pdf, " : ")):
        assert "Fournisseur Physio du Lac" in shown
        assert "N° de la facture du fournisseur PL-77" in shown
        assert f"Ligne 1 Date{sep}{a_recent_day()}" in shown
        assert f"Prix unitaire (CHF){sep}87.35" in shown


def test_pieces_are_grouped_by_the_document_they_stand_for(ready):
    client = ready
    add_decision(client.user, TRAVEL_DECISION, "deplacement")
    invoice_id = travel_draft(client, with_ticket=False)
    post_form(client, invoice_id, action="upload", files={
        "transport_tickets": [pdf_file("aller.pdf"), pdf_file("retour.pdf")],
        "other": [pdf_file("programme.pdf")]})
    review, _token = review_token(client, invoice_id)
    pdf = pdf_text(client, invoice_id)
    for shown in (review, pdf):
        tickets = shown.index("Billets ou quittances de transports publics",
                              shown.index("Pièces justificatives"))
        other = shown.index("Autres pièces (facultatif)", tickets)
        assert tickets < shown.index("aller.pdf") < shown.index("retour.pdf") < other
        assert other < shown.index("programme.pdf")


def test_files_sent_in_answer_to_the_office_are_listed_as_such(app, ready, factory):
    client = ready
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    ask_for_complement(app, invoice_id, factory)
    response = client.post(f"/demandes/{invoice_id}/complement", data={
        "message": "Voici le détail.",
        "files-complement": [(io.BytesIO(pdf_bytes()), "detail-seances.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 303
    for shown in documents(client, invoice_id).values():
        supplier = shown.index("Facture du fournisseur", shown.index("Pièces justificatives"))
        answer = shown.index("Documents envoyés à la demande de l'office", supplier)
        assert supplier < shown.index("facture-pharmacie.pdf") < answer
        assert answer < shown.index("detail-seances.pdf")
