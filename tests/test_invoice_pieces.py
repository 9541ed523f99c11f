"""Pièces justificatives through the invoice form: what is refused (with its French message,
nothing stored), what is cleaned (photo metadata), what is required before sending, removing,
downloading, and atomicity when the disk or the database fails (security.md 17–19, 23, 27)."""
from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from guichet.models import Attachment, Invoice
from guichet.models.base import db
from tests.support.failures import fail_commits
from tests.support.files import (html_page, jpeg_with_gps, pdf_bytes, pdf_encrypted, pdf_of_size,
                                 pdf_with_javascript, png_bytes, raw_png)
from tests.support.invoices import (a_recent_day, edit_page, new_invoice, post_form, review_token,
                                    upload_folder_files)
from tests.support.page import page_text


def attachment_count() -> int:
    return db.session.scalar(select(func.count(Attachment.id)))


@pytest.fixture
def draft(ready):
    """A standard invoice (it needs the supplier's invoice); returns (client, invoice id)."""
    return ready, new_invoice(ready, "standard")


# --- refused files -----------------------------------------------------------------------------

REFUSED = [
    pytest.param(pdf_with_javascript(), "facture.pdf",
                 "facture.pdf : ce fichier PDF contient du JavaScript ; il est refusé par "
                 "sécurité.", id="pdf-javascript"),
    pytest.param(pdf_with_javascript(object_streams=True), "cachée.pdf",
                 "cachée.pdf : ce fichier PDF contient du JavaScript", id="pdf-javascript-hidden"),
    pytest.param(pdf_encrypted(), "relevé.pdf",
                 "relevé.pdf : ce fichier PDF est protégé par un mot de passe ; enregistrez-le "
                 "sans protection puis envoyez-le à nouveau.", id="pdf-password"),
    pytest.param(pdf_encrypted(user_password=""), "protégé.pdf",
                 "protégé.pdf : ce fichier PDF est protégé (chiffré)", id="pdf-encrypted"),
    pytest.param(html_page(), "facture.pdf",
                 "facture.pdf : ce fichier est une page web (HTML), pas un PDF ni une image.",
                 id="html-renamed"),
    pytest.param(raw_png(2000, 1500), "scan.png",
                 "scan.png : cette image est trop grande (2000 × 1500 pixels ; au plus "
                 "2'000'000 pixels). Réduisez sa taille et réessayez.",
                 id="png-pixels", marks=pytest.mark.config(UPLOAD_MAX_PIXELS=2_000_000)),
    pytest.param(b"", "vide.pdf",
                 "vide.pdf : le fichier est vide. Choisissez à nouveau le document et "
                 "réessayez.", id="empty"),
    pytest.param(pdf_of_size(4097), "gros.pdf",
                 "gros.pdf : ce fichier dépasse la taille permise (au plus 4 ko par fichier).",
                 id="one-byte-over", marks=pytest.mark.config(UPLOAD_MAX_FILE_BYTES=4096)),
]


@pytest.mark.parametrize(("content", "name", "message"), REFUSED)
def test_a_refused_file_is_explained_and_nothing_is_stored(app, draft, content, name,
                                                           message):
    client, invoice_id = draft
    response = post_form(client, invoice_id, action="upload",
                         files={"supplier_invoice": [(content, name)]})
    assert response.status_code == 422
    page = page_text(response)
    assert "Certains fichiers n'ont pas été joints" in page
    assert message in page
    assert attachment_count() == 0
    assert upload_folder_files(app) == []


@pytest.mark.parametrize("hx", [False, True], ids=["no-js", "htmx"])
def test_a_refused_file_next_to_a_good_one(app, draft, hx):
    """The good file is kept; the bad one is named in the message."""
    client, invoice_id = draft
    headers = {"HX-Request": "true"} if hx else {}
    response = post_form(client, invoice_id, action="upload", headers=headers, files={
        "supplier_invoice": [(pdf_bytes(), "bonne.pdf"), (html_page(), "mauvaise.pdf")]})
    assert response.status_code == (200 if hx else 422)
    page = page_text(response)
    assert "mauvaise.pdf : ce fichier est une page web (HTML)" in page
    if hx:
        assert "<html" not in response.get_data(as_text=True)
    assert [a.filename for a in db.session.scalars(select(Attachment))] == ["bonne.pdf"]
    assert len(upload_folder_files(app)) == 1


@pytest.mark.config(UPLOAD_MAX_FILE_BYTES=4096)
def test_a_file_exactly_at_the_limit_is_accepted(app, draft):
    client, invoice_id = draft
    response = post_form(client, invoice_id, action="upload",
                         files={"supplier_invoice": [(pdf_of_size(4096), "juste.pdf")]})
    assert response.status_code == 303
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.size == 4096
    # back at the new pièce
    assert response.headers["Location"] == (
        f"/demandes/{invoice_id}/modifier#attachment-{attachment.id}")


# --- cleaned files -----------------------------------------------------------------------------

def test_a_photo_is_stored_without_its_exif_and_gps(app, draft):
    client, invoice_id = draft
    photo = jpeg_with_gps(size=(64, 48), orientation=6)
    response = post_form(client, invoice_id, action="upload",
                         files={"supplier_invoice": [(photo, "IMG_0042.JPG")]})
    assert response.status_code == 303
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.content_type == "image/jpeg"
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", attachment.stored_name)
    stored = Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name
    data = stored.read_bytes()
    assert hashlib.sha256(data).hexdigest() == attachment.sha256 and len(data) == attachment.size
    assert b"Exif" not in data and b"iPhone" not in data and b"Muster" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif() and not image.getexif().get_ifd(0x8825)
        assert image.size == (48, 64)  # turned upright, as the orientation tag said
    assert "IMG_0042.JPG" in edit_page(client, invoice_id)
    assert not str(stored.resolve()).startswith(str(Path(app.static_folder).resolve()))


# --- required pièces ---------------------------------------------------------------------------

def test_an_invoice_cannot_be_sent_while_a_required_piece_is_missing(draft):
    client, invoice_id = draft
    day = a_recent_day()
    post_form(client, invoice_id, {
        "decision_number": "324 2025 0000005", "supplier": "Pharmacie du Lac",
        "supplier_invoice_number": "123",
        "invoice_date": day, "lines-0-date": day, "lines-0-label": "Bandages",
        "lines-0-quantity": "1", "lines-0-unit_price": "20.00"})
    review, token = review_token(client, invoice_id)
    assert "Pièce manquante : Facture du fournisseur." in review
    assert token is None and "Envoyer la demande" not in review
    # A forged request with a token of its own does not send it either.
    response = client.post(f"/demandes/{invoice_id}/envoyer", data={"submit_token": "x" * 32})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/demandes/{invoice_id}/verifier"
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == "draft" and invoice.receipt_number is None
    # An « other » pièce does not stand in for the required one.
    post_form(client, invoice_id, action="upload",
              files={"other": [(pdf_bytes(), "autre.pdf")]})
    review, token = review_token(client, invoice_id)
    assert "Pièce manquante : Facture du fournisseur." in review and token is None
    post_form(client, invoice_id, action="upload",
              files={"supplier_invoice": [(pdf_bytes(), "facture.pdf")]})
    review, token = review_token(client, invoice_id)
    assert "Pièce manquante" not in review and token is not None


# --- removing ----------------------------------------------------------------------------------

def test_removing_a_piece_deletes_the_row_and_the_file(app, draft):
    client, invoice_id = draft
    post_form(client, invoice_id, action="upload", files={
        "supplier_invoice": [(pdf_bytes(), "a.pdf"), (png_bytes(), "b.png")]})
    first, second = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert sorted(upload_folder_files(app)) == sorted([first.stored_name, second.stored_name])
    response = post_form(client, invoice_id, action=f"remove_file:{first.id}")
    assert response.status_code == 303 and response.headers["Location"].endswith("#pieces")
    assert [a.filename for a in db.session.scalars(select(Attachment))] == ["b.png"]
    assert upload_folder_files(app) == [second.stored_name]
    assert "a.pdf" not in edit_page(client, invoice_id)


def test_removing_a_piece_keeps_the_file_when_the_commit_fails(app, draft, monkeypatch):
    client, invoice_id = draft
    post_form(client, invoice_id, action="upload",
              files={"supplier_invoice": [(pdf_bytes(), "a.pdf")]})
    attachment = db.session.scalars(select(Attachment)).one()
    fail_commits(monkeypatch)
    response = post_form(client, invoice_id, action=f"remove_file:{attachment.id}")
    assert response.status_code == 500
    monkeypatch.undo()
    assert attachment_count() == 1
    assert upload_folder_files(app) == [attachment.stored_name]
    download = client.get(f"/demandes/{invoice_id}/pieces/{attachment.id}")
    assert download.status_code == 200
    download.close()


def test_someone_elses_attachment_id_removes_nothing(app, draft, factory):
    client, invoice_id = draft
    post_form(client, invoice_id, action="upload",
              files={"supplier_invoice": [(pdf_bytes(), "a.pdf")]})
    other_invoice = Invoice(user_id=factory.user().id, invoice_type="standard", fields={})
    other_invoice.attachments.append(Attachment(
        requirement="supplier_invoice", filename="autre.pdf", stored_name="0" * 32 + ".pdf",
        content_type="application/pdf", size=10, sha256="0" * 64))
    db.session.add(other_invoice)
    db.session.commit()
    foreign = other_invoice.attachments[0].id
    post_form(client, invoice_id, action=f"remove_file:{foreign}")
    assert attachment_count() == 2


# --- downloading -------------------------------------------------------------------------------

def test_a_piece_is_downloaded_as_an_attachment_of_its_sniffed_type(app, draft):
    client, invoice_id = draft
    image = png_bytes()
    post_form(client, invoice_id, action="upload",
              files={"supplier_invoice": [(image, "facture.pdf")]})  # a PNG named .pdf
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.filename == "facture.png" and attachment.content_type == "image/png"
    response = client.get(f"/demandes/{invoice_id}/pieces/{attachment.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "facture.png" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    stored = (Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name).read_bytes()
    assert response.data == stored
    response.close()
    assert client.get(f"/demandes/{invoice_id}/pieces/{attachment.id + 1}").status_code == 404


def test_a_piece_whose_file_is_gone_answers_404(app, draft):
    client, invoice_id = draft
    post_form(client, invoice_id, action="upload",
              files={"supplier_invoice": [(pdf_bytes(), "a.pdf")]})
    attachment = db.session.scalars(select(Attachment)).one()
    (Path(app.config["UPLOAD_FOLDER"]) / attachment.stored_name).unlink()
    assert client.get(f"/demandes/{invoice_id}/pieces/{attachment.id}").status_code == 404


# --- atomicity ---------------------------------------------------------------------------------

def fail_on_store_number(monkeypatch, failing: int) -> list[str]:
    """The ``failing``-th pièce written fails as on a full disk; returns the names written."""
    import os
    original, written = os.replace, []

    def replace(source, target):
        if Path(target).suffix in (".pdf", ".jpg", ".png") and ".incoming-" in str(source):
            if len(written) + 1 == failing:
                raise OSError(28, "No space left on device")
            written.append(Path(target).name)
        return original(source, target)

    monkeypatch.setattr(os, "replace", replace)
    return written


def test_a_full_disk_on_the_second_file_stores_nothing(app, draft, monkeypatch):
    client, invoice_id = draft
    written = fail_on_store_number(monkeypatch, 2)
    response = post_form(client, invoice_id, action="upload", files={
        "supplier_invoice": [(pdf_bytes(), "un.pdf"), (pdf_bytes(text="deux"), "deux.pdf")]})
    assert response.status_code == 422
    assert "Rien n'a été enregistré" in page_text(response)
    assert len(written) == 1  # the first file had been written …
    assert attachment_count() == 0
    assert upload_folder_files(app) == []  # … and is gone again
    # Retrying works.
    monkeypatch.undo()
    response = post_form(client, invoice_id, action="upload", files={
        "supplier_invoice": [(pdf_bytes(), "un.pdf"), (pdf_bytes(text="deux"), "deux.pdf")]})
    assert response.status_code == 303
    assert attachment_count() == 2 and len(upload_folder_files(app)) == 2


@pytest.mark.parametrize("hx", [False, True], ids=["no-js", "htmx"])
def test_a_failed_commit_leaves_no_rows_and_no_files(app, draft, monkeypatch, hx):
    client, invoice_id = draft
    fail_commits(monkeypatch)
    headers = {"HX-Request": "true"} if hx else {}
    response = post_form(client, invoice_id, {"remark": "ne sera pas gardée"}, action="upload",
                         headers=headers, files={"supplier_invoice": [
                             (pdf_bytes(), "un.pdf"), (png_bytes(), "deux.png")]})
    assert response.status_code == 500
    assert "Rien n'a été enregistré" in page_text(response)
    monkeypatch.undo()
    assert attachment_count() == 0
    assert upload_folder_files(app) == []
    assert db.session.get(Invoice, invoice_id).remark == ""
    # Retrying works.
    response = post_form(client, invoice_id, {"remark": "gardée"}, action="upload",
                         files={"supplier_invoice": [(pdf_bytes(), "un.pdf")]})
    assert response.status_code == 303
    assert attachment_count() == 1 and len(upload_folder_files(app)) == 1
    assert db.session.get(Invoice, invoice_id).remark == "gardée"


@pytest.mark.config(UPLOAD_MAX_INVOICE_BYTES=6000)
def test_the_total_per_invoice_is_limited(app, draft):
    client, invoice_id = draft
    response = post_form(client, invoice_id, action="upload",
                         files={"supplier_invoice": [(pdf_of_size(4000), "un.pdf")]})
    assert response.status_code == 303
    response = post_form(client, invoice_id, action="upload",
                         files={"supplier_invoice": [(pdf_of_size(3000), "deux.pdf")]})
    assert response.status_code == 422
    assert "ne peuvent pas dépasser" in page_text(response)
    assert attachment_count() == 1 and len(upload_folder_files(app)) == 1


def test_removing_a_piece_with_htmx_redraws_only_the_summary(ready):
    """The « Retirer » button of a pièce targets the summary: the answer must be the summary."""
    client = ready
    client.post("/demandes/nouvelle", data={"type": "standard"})
    invoice = db.session.scalars(select(Invoice)).one()
    client.post(f"/demandes/{invoice.id}/modifier", data={
        "files-supplier_invoice": (io.BytesIO(pdf_bytes()), "facture.pdf"), "action": "upload"},
        content_type="multipart/form-data")
    attachment = db.session.scalars(select(Attachment)).one()
    response = client.post(f"/demandes/{invoice.id}/modifier",
                           data={"action": f"remove_file:{attachment.id}"},
                           headers={"HX-Request": "true", "HX-Trigger-Name": "action"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="invoice-summary"')
    assert 'class="invoice-editor"' not in html
    assert db.session.scalars(select(Attachment)).all() == []
