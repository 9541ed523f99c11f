"""An invoice's life as the insured person sees it: sent once whatever the clicks, numbered in
order, deleted while a draft, frozen once sent, answered when the office asks for more; the
e-mails on each change (without health details), the list that follows changes, and the PDF
copy (domain.md « Lifecycle »; security.md 22–24)."""
from __future__ import annotations

import html
import io
import re
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from guichet.models import (Attachment, ComplementRequest, Invoice, InvoiceEvent, InvoiceLine,
                            ReceiptCounter, utcnow)
from guichet.models.base import db
from tests.support.failures import fail_commits
from tests.support.files import html_page, pdf_bytes
from tests.support.invoices import (CONFIRMED, ask_for_complement, complete_standard, form_values,
                                    review_token, send, upload_folder_files)
from tests.support.page import feedback, page_text, summary_links

YEAR = utcnow().astimezone(ZoneInfo("Europe/Zurich")).year
# --- sending -----------------------------------------------------------------------------------

def test_submitting_twice_with_the_same_token_gives_one_receipt(ready, mailbox):
    client = ready
    invoice_id = complete_standard(client)
    _review, token = review_token(client, invoice_id)
    answers = [client.post(f"/demandes/{invoice_id}/envoyer",
                           data={"submit_token": token, **CONFIRMED}) for _ in range(3)]
    assert {a.status_code for a in answers} == {303}
    assert {a.headers["Location"] for a in answers} == {f"/demandes/{invoice_id}/envoyee"}
    assert db.session.scalar(select(func.count(Invoice.id))) == 1
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.receipt_number == f"NE-{YEAR}-000001"
    assert db.session.scalars(select(ReceiptCounter)).one().last == 1
    sent_events = db.session.scalars(select(InvoiceEvent).where(
        InvoiceEvent.status_to == "submitted")).all()
    assert len(sent_events) == 1
    assert len([m for m in mailbox.to(client.user.email)
                if invoice.receipt_number in m.subject]) == 1
    # A stale review page (another token) lands on the invoice, not on a new receipt.
    other = client.post(f"/demandes/{invoice_id}/envoyer", data={"submit_token": "autre" * 8})
    assert other.status_code == 303 and other.headers["Location"] == f"/demandes/{invoice_id}"
    assert db.session.scalars(select(ReceiptCounter)).one().last == 1


def test_two_invoices_get_consecutive_receipt_numbers(ready):
    client = ready
    first, second = complete_standard(client), complete_standard(client, amount="12.00")
    # Sent in the other order than created: numbers follow the sending.
    assert f"NE-{YEAR}-000001" in send(client, second)
    assert f"NE-{YEAR}-000002" in send(client, first)
    assert db.session.get(Invoice, second).receipt_number == f"NE-{YEAR}-000001"
    assert db.session.get(Invoice, first).receipt_number == f"NE-{YEAR}-000002"


def test_sending_without_a_token_is_refused(ready):
    client = ready
    invoice_id = complete_standard(client)
    assert client.post(f"/demandes/{invoice_id}/envoyer", data={}).status_code == 400
    assert db.session.get(Invoice, invoice_id).status == "draft"


def test_sending_asks_the_person_to_confirm_the_information_is_accurate(ready, mailbox):
    client = ready
    invoice_id = complete_standard(client)
    review, token = review_token(client, invoice_id)
    assert "Je confirme que ces informations sont exactes" in review
    page = client.get(f"/demandes/{invoice_id}/verifier").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="confirm"[^>]*type="checkbox"|<input[^>]*type="checkbox"'
                     r'[^>]*id="confirm"', page)
    # « Envoyer » with the box left empty: the review again, saying what to do; nothing sent
    refused = client.post(f"/demandes/{invoice_id}/envoyer", data={"submit_token": token})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert summary_links(text) == [("#confirm", "Je confirme que ces informations sont exactes :"
                                    " Cochez cette case pour pouvoir envoyer la demande.")]
    assert feedback(text, "confirm") == "Erreur : Cochez cette case pour pouvoir envoyer la demande."
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*id="confirm"[^>]*>', text).group(0)
    assert f'name="submit_token" value="{token}"' in text  # the same token: still one receipt
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == "draft" and invoice.receipt_number is None
    assert mailbox.to(client.user.email) == []
    # ticked, it goes
    sent = client.post(f"/demandes/{invoice_id}/envoyer", data={"submit_token": token,
                                                                "confirm": "y"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/envoyee")
    assert db.session.get(Invoice, invoice_id).status == "submitted"


def test_the_receipt_page_and_e_mail_say_what_happens_next(app, ready, factory, mailbox):
    app.config["INVOICE_PROCESSING_DAYS"] = 20
    client = ready
    invoice_id = complete_standard(client)
    page = send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert "Et maintenant ?" in page
    assert "en général dans les 20 jours" in page
    assert "la Centrale de compensation, qui paie pour l'AI, verse le montant sur l'IBAN " \
        "CH56 **** **** **** *800 9" in page
    assert "demandez-lui une décision formelle : elle indique comment la contester" in page
    receipt_mail, = mailbox.to(client.user.email)
    assert receipt_mail.subject == f"Demande {invoice.receipt_number} bien reçue"
    for part in (receipt_mail.text, html.unescape(receipt_mail.html)):
        assert f"Nous avons bien reçu votre demande {invoice.receipt_number}" in part
        assert "a changé" not in part
        assert "en général dans les 20 jours" in part and "Centrale de compensation" in part
        assert "décision formelle" in part
        assert "Facture standard" not in part and "CH56" not in part  # no details by e-mail
    # a later change of state keeps its own notice
    ask_for_complement(app, invoice_id, factory)
    later = mailbox.to(client.user.email)[-1]
    assert "a changé" in later.subject and "Nous avons bien reçu" not in later.text


# --- drafts ------------------------------------------------------------------------------------

def test_deleting_a_draft_removes_it_and_its_files(app, ready):
    client = ready
    invoice_id = complete_standard(client)
    kept_id = complete_standard(client, piece="garder.pdf")
    assert len(upload_folder_files(app)) == 2
    kept_file = db.session.scalars(select(Attachment.stored_name).where(
        Attachment.invoice_id == kept_id)).one()
    confirm = client.get(f"/demandes/{invoice_id}/supprimer")
    assert confirm.status_code == 200
    assert "Supprimer ce brouillon ?" in page_text(confirm)
    response = client.post(f"/demandes/{invoice_id}/supprimer")
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"
    assert "Le brouillon a été supprimé." in page_text(client.get("/demandes/"))
    assert db.session.get(Invoice, invoice_id) is None
    assert db.session.scalar(select(func.count(Attachment.id)).where(
        Attachment.invoice_id == invoice_id)) == 0
    assert db.session.scalar(select(func.count(InvoiceLine.id)).where(
        InvoiceLine.invoice_id == invoice_id)) == 0
    assert upload_folder_files(app) == [kept_file]
    assert client.get(f"/demandes/{invoice_id}/modifier").status_code == 404


def test_a_sent_invoice_cannot_be_changed_or_deleted(app, ready):
    client = ready
    invoice_id = complete_standard(client)
    values = form_values(client, invoice_id)
    send(client, invoice_id)
    before = db.session.get(Invoice, invoice_id)
    state = (before.version, before.remark, dict(before.fields), before.total_claimed,
             len(before.lines), len(before.attachments))
    files = upload_folder_files(app)

    response = client.get(f"/demandes/{invoice_id}/modifier")
    assert response.status_code == 303 and response.headers["Location"] == f"/demandes/{invoice_id}"
    for action in ("save", "add_line", "remove_line:0", "upload", "review"):
        data = {**values, "remark": "changée", "lines-0-unit_price": "999.00", "action": action,
                "files-supplier_invoice": (io.BytesIO(pdf_bytes()), "en-plus.pdf")}
        response = client.post(f"/demandes/{invoice_id}/modifier", data=data,
                                content_type="multipart/form-data")
        assert response.status_code == 303, action
        assert response.headers["Location"] == f"/demandes/{invoice_id}"
    assert client.get(f"/demandes/{invoice_id}/verifier").headers["Location"] == \
        f"/demandes/{invoice_id}"
    assert client.get(f"/demandes/{invoice_id}/supprimer").status_code == 404
    assert client.post(f"/demandes/{invoice_id}/supprimer").status_code == 404
    db.session.expire_all()
    after = db.session.get(Invoice, invoice_id)
    assert (after.version, after.remark, dict(after.fields), after.total_claimed,
            len(after.lines), len(after.attachments)) == state
    assert after.status == "submitted" and after.total_claimed == Decimal("87.35")
    assert upload_folder_files(app) == files
    shown = page_text(client.get(f"/demandes/{invoice_id}"))
    assert "changée" not in shown and "999.00" not in shown


# --- « À compléter » ---------------------------------------------------------------------------

def test_the_office_asks_for_a_complement_and_the_person_answers(app, ready, factory, mailbox):
    client = ready
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    receipt = db.session.get(Invoice, invoice_id).receipt_number
    ask_for_complement(app, invoice_id, factory, due=date(2027, 1, 15))

    page = page_text(client.get(f"/demandes/{invoice_id}"))
    assert "À compléter" in page
    assert "L'office vous demande un complément" in page
    assert "Il manque le détail des séances." in page
    assert "Documents demandés : Facture détaillée du physiothérapeute" in page
    assert "À envoyer d'ici au 15.01.2027." in page
    assert "l'Office AI : L'office demande un complément. (À compléter)" in page
    listing = page_text(client.get("/demandes/"))
    assert "À compléter" in listing and "L'office a besoin d'informations ou de documents." \
        in listing

    response = client.post(f"/demandes/{invoice_id}/complement", data={
        "message": "Voici le détail demandé.",
        "files-complement": (io.BytesIO(pdf_bytes(text="Detail")), "détail-séances.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"] == f"/demandes/{invoice_id}"
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == "submitted"
    complement = db.session.scalars(select(ComplementRequest)).one()
    assert complement.answer == "Voici le détail demandé." and complement.answered_at
    added = db.session.scalars(select(Attachment).where(
        Attachment.requirement == "complement")).one()
    assert added.filename == "détail-séances.pdf"
    assert added.complement_request_id == complement.id
    assert added.stored_name in upload_folder_files(app)

    page = page_text(client.get(f"/demandes/{invoice_id}"))
    assert "Merci : votre réponse a été envoyée à l'office." in page
    assert "Envoyée" in page and "L'office vous demande un complément" not in page
    assert "l'Office AI : L'office demande un complément. (À compléter)" in page
    assert "vous : Complément envoyé à l'office. (Envoyée)" in page
    assert "détail-séances.pdf" in page
    # The answer can be given once.
    again = client.post(f"/demandes/{invoice_id}/complement", data={"message": "Encore"})
    assert again.status_code == 303
    assert db.session.scalar(select(func.count(InvoiceEvent.id)).where(
        InvoiceEvent.invoice_id == invoice_id)) == 5  # created, sent, taken, asked, answered

    # One e-mail per change, each with the receipt number and nothing about health or money.
    mails = [m for m in mailbox.to(client.user.email) if receipt in m.subject]
    assert len(mails) == 4  # received, taken, asked, answered
    for mail in mails:
        assert receipt in mail.text and receipt in mail.html
        content = mail.subject + mail.text + mail.html
        for secret in ("physioth", "Physio", "87.35", "CHF", "Il manque", "séances",
                       "Voici le détail", "0000005", "756"):
            assert secret not in content, (secret, mail.subject)
        assert f"https://guichet.example.ch/demandes/{invoice_id}" in mail.text


def test_a_complement_answer_with_a_refused_file_stores_nothing(app, ready, factory):
    client = ready
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    ask_for_complement(app, invoice_id, factory)
    files = upload_folder_files(app)
    response = client.post(f"/demandes/{invoice_id}/complement", data={
        "message": "Voici.",
        "files-complement": [(io.BytesIO(pdf_bytes()), "bon.pdf"),
                             (io.BytesIO(html_page()), "page.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    page = page_text(response)
    assert "page.pdf : ce fichier est une page web (HTML)" in page
    assert db.session.get(Invoice, invoice_id).status == "needs_info"
    assert db.session.scalar(select(func.count(Attachment.id))) == 1
    assert upload_folder_files(app) == files  # bon.pdf did not stay behind
    assert db.session.scalars(select(ComplementRequest)).one().answered_at is None

    response = client.post(f"/demandes/{invoice_id}/complement", data={"message": ""})
    assert response.status_code == 422 and "Écrivez votre réponse." in page_text(response)


def test_a_complement_answer_whose_commit_fails_leaves_no_file(app, ready, factory,
                                                               monkeypatch):
    client = ready
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    ask_for_complement(app, invoice_id, factory)
    files = upload_folder_files(app)

    fail_commits(monkeypatch)
    response = client.post(f"/demandes/{invoice_id}/complement", data={
        "message": "Voici.", "files-complement": (io.BytesIO(pdf_bytes()), "bon.pdf")},
        content_type="multipart/form-data")
    monkeypatch.undo()
    assert response.status_code == 500
    assert "Rien n'a été enregistré" in page_text(response)
    assert upload_folder_files(app) == files
    assert db.session.get(Invoice, invoice_id).status == "needs_info"


# --- the list ----------------------------------------------------------------------------------

def test_the_list_polls_and_changes_when_the_office_acts(app, ready, factory):
    client = ready
    invoice_id = complete_standard(client)
    draft_list = client.get("/demandes/").get_data(as_text=True)
    assert "hx-trigger=\"every 10s\"" not in draft_list  # a draft alone never changes by itself
    send(client, invoice_id)
    receipt = db.session.get(Invoice, invoice_id).receipt_number

    listing = client.get("/demandes/")
    text = page_text(listing)
    assert receipt in text and "Facture standard" in text
    assert "Envoyée" in text and "Bien reçue par l'office." in text
    assert "87.35 CHF" in text
    poll_url = html.unescape(re.search(r'hx-get="(/demandes/liste\?stamp=[^"]+)"',
                                       listing.get_data(as_text=True))[1])

    unchanged = client.get(poll_url, headers={"HX-Request": "true"})
    assert unchanged.status_code == 204 and unchanged.data == b""
    plain = client.get(poll_url)
    assert plain.status_code == 302 and plain.headers["Location"] == "/demandes/"

    ask_for_complement(app, invoice_id, factory)
    changed = client.get(poll_url, headers={"HX-Request": "true"})
    assert changed.status_code == 200
    body = changed.get_data(as_text=True)
    assert "<html" not in body and 'class="invoice-list"' in body
    assert "À compléter" in page_text(changed) and receipt in page_text(changed)
    new_url = html.unescape(re.search(r'hx-get="(/demandes/liste\?stamp=[^"]+)"', body)[1])
    assert new_url != poll_url
    assert client.get(new_url, headers={"HX-Request": "true"}).status_code == 204


# --- the PDF -----------------------------------------------------------------------------------

def test_the_pdf_copy_lists_lines_totals_and_pieces(ready):
    from pypdf import PdfReader
    client = ready
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    attachment = invoice.attachments[0]
    response = client.get(f"/demandes/{invoice_id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="{invoice.receipt_number}.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    flat = " ".join(text.split())
    assert invoice.receipt_number in flat
    assert "Physio du Lac" in flat and "Séance de physiothérapie" in flat
    assert "87.35 CHF" in flat and "Total demandé" in flat
    assert "facture-pharmacie.pdf" in flat
    assert attachment.sha256[:16] in flat
    assert "324 2025 0000005" in flat
    assert "Envoyée" in flat and "Demande envoyée à l'office." in flat


def test_the_list_shows_twenty_invoices_a_page_newest_first(ready):
    client = ready
    for _ in range(21):
        client.post("/demandes/nouvelle", data={"type": "standard"})
    first = page_text(client.get("/demandes/"))
    assert first.count("Brouillon — continuer") == 20
    assert "Demandes plus anciennes" in first and "Page 1" in first
    second = page_text(client.get("/demandes/?page=2"))
    assert second.count("Brouillon — continuer") == 1
    assert "Demandes plus récentes" in second and "Demandes plus anciennes" not in second
    assert client.get("/demandes/?page=abc").status_code == 200
