"""Who may reach an invoice (security.md 12): only its owner. Another insured person gets 404
on every URL of it (the same answer as for an id that does not exist), staff are refused on
the insured pages, anonymous visitors are sent to the login; and fields the office decides
(status, amounts, receipt number …) are never taken from the insured person's form."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pyotp
import pytest
from sqlalchemy import func, select

from guichet.models import Attachment, BankAccount, Beneficiary, ComplementRequest, Invoice, utcnow
from guichet.models.base import db
from tests.support.accounts import PASSWORD, login
from tests.support.files import pdf_bytes
from tests.support.invoices import (CONFIRMED, IBAN, a_recent_day, new_invoice, post_form,
                                    review_token, upload_folder_files)
from tests.support.page import page_text


@pytest.fixture
def owner(app, ready):
    """The owner's client, with a draft D (one pièce) and a sent invoice S « À compléter »."""
    client = ready
    draft_id = new_invoice(client, "standard")
    response = post_form(client, draft_id, {"remark": "à moi"}, action="save", files={
        "supplier_invoice": [(pdf_bytes(), "facture.pdf")]})
    assert response.status_code == 303
    sent_id = new_invoice(client, "standard")
    sent = db.session.get(Invoice, sent_id)
    sent.status, sent.receipt_number, sent.submitted_at = "needs_info", "NE-2026-000042", utcnow()
    db.session.add(ComplementRequest(invoice_id=sent_id, message="Envoyez la facture.",
                                     documents="Facture", due_date=date(2026, 12, 31)))
    db.session.commit()
    client.draft_id, client.sent_id = draft_id, sent_id
    client.attachment_id = db.session.scalars(select(Attachment.id)).one()
    return client


def pdf_text(response) -> str:
    from pypdf import PdfReader
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def urls(owner) -> list[tuple[str, str, dict]]:
    d, s, a = owner.draft_id, owner.sent_id, owner.attachment_id
    return [
        ("GET", f"/demandes/{d}/modifier", {}),
        ("POST", f"/demandes/{d}/modifier", {"remark": "piraté", "action": "save",
                                             "files-supplier_invoice": "pdf"}),
        ("GET", f"/demandes/{d}/verifier", {}),
        ("POST", f"/demandes/{d}/envoyer", {"submit_token": "t" * 32}),
        ("GET", f"/demandes/{s}/envoyee", {}),
        ("GET", f"/demandes/{d}/envoyee", {}),
        ("GET", f"/demandes/{s}", {}),
        ("GET", f"/demandes/{d}", {}),
        ("GET", f"/demandes/{d}/pdf", {}),
        ("GET", f"/demandes/{s}/pdf", {}),
        ("GET", f"/demandes/{d}/recu", {}),
        ("GET", f"/demandes/{s}/recu", {}),
        ("GET", f"/demandes/{d}/pieces/{a}", {}),
        ("GET", f"/demandes/{d}/supprimer", {}),
        ("POST", f"/demandes/{d}/supprimer", {}),
        ("POST", f"/demandes/{s}/complement", {"message": "piraté",
                                               "files-complement": "pdf"}),
    ]


def request(client, method, url, data, **kwargs):
    if method == "GET":
        return client.get(url, **kwargs)
    data = {key: (io.BytesIO(pdf_bytes()), "x.pdf") if value == "pdf" else value
            for key, value in data.items()}
    return client.post(url, data=data, content_type="multipart/form-data", **kwargs)


def snapshot():
    db.session.expire_all()
    return [(i.id, i.status, i.remark, i.receipt_number, i.version, len(i.attachments))
            for i in db.session.scalars(select(Invoice).order_by(Invoice.id))]


@pytest.mark.parametrize("hx", [False, True], ids=["page", "htmx"])
def test_another_insured_person_gets_404_everywhere(app, owner, factory, sms, hx):
    intruder = app.test_client()
    assert login(intruder, factory.user(), sms).status_code == 303
    headers = {"HX-Request": "true"} if hx else {}
    before, files_before = snapshot(), upload_folder_files(app)
    missing = page_text(intruder.get("/demandes/999999/modifier", headers=headers))
    for method, url, data in urls(owner):
        response = request(intruder, method, url, data, headers=headers)
        assert response.status_code == 404, (method, url, response.status_code)
        assert page_text(response) == missing, (method, url)
        assert "facture.pdf" not in response.get_data(as_text=True)
    assert snapshot() == before
    assert upload_folder_files(app) == files_before
    assert db.session.scalar(select(func.count(ComplementRequest.id)).where(
        ComplementRequest.answered_at.is_not(None))) == 0
    # The owner still reaches all of it.
    for method, url, data in urls(owner):
        if method == "GET":
            response = owner.get(url)
            assert response.status_code in (200, 302), (url, response.status_code)
            response.close()


def test_a_piece_cannot_be_reached_through_ones_own_invoice(app, owner, factory, sms):
    intruder = app.test_client()
    intruder_user = factory.user()
    assert login(intruder, intruder_user, sms).status_code == 303
    own_id = new_invoice(intruder, "standard")
    response = intruder.get(f"/demandes/{own_id}/pieces/{owner.attachment_id}")
    assert response.status_code == 404
    # Nor removed through one's own form.
    post_form(intruder, own_id, action=f"remove_file:{owner.attachment_id}")
    assert db.session.get(Attachment, owner.attachment_id) is not None


def test_the_list_and_polling_show_only_ones_own_invoices(app, owner, factory, sms):
    intruder = app.test_client()
    assert login(intruder, factory.user(), sms).status_code == 303
    listing = page_text(intruder.get("/demandes/"))
    assert "NE-2026-000042" not in listing and "Aucune demande pour le moment" in listing
    fragment = intruder.get("/demandes/liste?stamp=x", headers={"HX-Request": "true"})
    assert "NE-2026-000042" not in page_text(fragment)
    assert "NE-2026-000042" in page_text(owner.get("/demandes/"))


@pytest.fixture
def staff_client(app, factory):
    secret = pyotp.random_base32()
    staff = factory.user(email="gestion@example.ch", role="reviewer", totp_secret=secret)
    client = app.test_client()
    response = client.post("/connexion", data={"email": staff.email, "password": PASSWORD})
    assert response.status_code == 303
    response = client.post("/connexion/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 303 and response.headers["Location"] == "/gestion/"
    return client


def test_staff_are_refused_on_the_insured_pages(app, owner, staff_client):
    before = snapshot()
    for method, url, data in urls(owner) + [("GET", "/demandes/", {}),
                                            ("POST", "/demandes/nouvelle", {"type": "standard"}),
                                            ("GET", "/demandes/liste?stamp=x", {})]:
        response = request(staff_client, method, url, data)
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert "facture.pdf" not in response.get_data(as_text=True)
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_the_login(app, owner):
    anonymous = app.test_client()
    for method, url, data in urls(owner):
        response = request(anonymous, method, url, data)
        if method == "GET":
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/connexion?next=")
            assert url.split("?")[0] in response.headers["Location"].replace("%2F", "/")
        else:
            assert response.status_code in (400, 401), (url, response.status_code)
        hx = request(anonymous, method, url, data, headers={"HX-Request": "true"})
        assert hx.status_code in (401, 204), (url, hx.status_code)
        if hx.status_code == 204:  # htmx is told to load the login page
            assert hx.headers["HX-Redirect"].startswith("/connexion") and not hx.data
    assert snapshot()[0][2] == "à moi"


# --- fields the office decides -----------------------------------------------------------------

OFFICE_FIELDS = {"status": "accepted", "total_approved": "99999.00",
                 "total_claimed": "99999.00", "receipt_number": "NE-2026-999999",
                 "submit_token": "t" * 40, "user_id": "1", "version": "99",
                 "iban": "CH9300762011623852957", "flags": "[]", "submitted_at": "2020-01-01",
                 "scan_status": "clean", "lines-0-amount": "99999.00",
                 "lines-0-approved_amount": "99999.00"}


def test_office_fields_posted_in_the_form_are_ignored(app, ready):
    client = ready
    invoice_id = new_invoice(client, "standard")
    day = a_recent_day()
    post_form(client, invoice_id, {
        "decision_number": "324 2025 0000005", "supplier": "Pharmacie du Lac",
        "supplier_invoice_number": "123", "invoice_date": day, "lines-0-date": day,
        "lines-0-label": "Bandages", "lines-0-quantity": "1", "lines-0-unit_price": "20.00",
        **OFFICE_FIELDS}, action="save", files={"supplier_invoice": [(pdf_bytes(), "f.pdf")]})
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == "draft" and invoice.total_approved is None
    assert invoice.receipt_number is None and invoice.submit_token is None
    assert invoice.total_claimed == Decimal("20.00") and invoice.iban is None
    assert invoice.lines[0].approved_amount is None
    assert set(invoice.fields) <= {"beneficiary_id", "bank_account_id", "save_decision",
                                   "decision_number", "supplier", "supplier_invoice_number",
                                   "invoice_date"}
    assert "amount" not in invoice.lines[0].data
    assert db.session.scalars(select(Attachment)).one().scan_status == "pending"  # no scanner

    review, token = review_token(client, invoice_id)
    response = client.post(f"/demandes/{invoice_id}/envoyer",
                           data={**OFFICE_FIELDS, "submit_token": token, **CONFIRMED})
    assert response.status_code == 303
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == "submitted" and invoice.total_approved is None
    assert invoice.receipt_number.endswith("-000001") and invoice.submit_token == token
    assert invoice.total_claimed == Decimal("20.00") and invoice.iban == IBAN


def test_someone_elses_iban_or_beneficiary_cannot_be_chosen(app, ready, factory):
    client = ready
    other = factory.user()
    foreign = BankAccount(user_id=other.id, iban="CH9300762011623852957", holder="Autre",
                          bank_name="PostFinance", confirmed_at=utcnow())
    stranger = Beneficiary(user_id=other.id, navs13=other.navs13, nom="Autre", prenom="Zoé",
                           date_naissance=date(2015, 5, 5), relation="child")
    db.session.add_all([foreign, stranger])
    db.session.commit()
    invoice_id = new_invoice(client, "standard")
    post_form(client, invoice_id, {"bank_account_id": str(foreign.id),
                                   "beneficiary_id": str(stranger.id)}, action="save")
    page = page_text(client.get(f"/demandes/{invoice_id}/modifier"))
    assert "Choisissez l'IBAN sur lequel verser le remboursement." in page
    assert "Choisissez le ou la bénéficiaire." in page
    assert "PostFinance" not in page and "2957" not in page and "Zoé" not in page
    review, token = review_token(client, invoice_id)
    assert token is None and "Choisissez l'IBAN" in review
    assert "PostFinance" not in review and "Zoé" not in review
    text = pdf_text(client.get(f"/demandes/{invoice_id}/pdf"))
    assert "Facture standard" in text
    assert "PostFinance" not in text and "Zoé" not in text and "2015" not in text


def test_a_complement_answer_cannot_change_the_status(app, owner):
    response = owner.post(f"/demandes/{owner.sent_id}/complement",
                          data={"message": "Voici la facture.", "status": "accepted",
                                "total_approved": "99999.00"})
    assert response.status_code == 303
    invoice = db.session.get(Invoice, owner.sent_id)
    assert invoice.status == "submitted" and invoice.total_approved is None


# --- ids that are not ids ----------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["abc", "²", "-1", "0", "99999999999999999999", "1e3"])
def test_hostile_ids_in_the_form_answer_with_a_french_error(app, ready, raw):
    client = ready
    invoice_id = new_invoice(client, "standard")
    response = post_form(client, invoice_id, {
        "beneficiary_id": raw, "bank_account_id": raw, "decision_number": "32420250001234",
        "save_decision": "y"}, action=f"remove_line:{raw}")
    assert response.status_code == 303
    page = page_text(client.get(f"/demandes/{invoice_id}/modifier"))
    assert "Choisissez l'IBAN sur lequel verser le remboursement." in page
    review, token = review_token(client, invoice_id)
    assert "Choisissez le ou la bénéficiaire." in review and token is None
    pdf = client.get(f"/demandes/{invoice_id}/pdf")
    assert pdf.status_code == 200
    response = post_form(client, invoice_id, action=f"remove_file:{raw}")
    assert response.status_code == 303
