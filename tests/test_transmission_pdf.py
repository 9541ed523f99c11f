"""The transmission PDFs (guichet/invoices/transmission_pdf.py): one PDF per validated invoice
laid out like the official forms, with its visa, pièces and page numbers; the batch PDF with its
cover; identical bytes at every call; odd pièces that never stop a batch."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from guichet.core.identifiers import format_navs13
from guichet.core.unit_of_work import unit_of_work
from guichet.invoices import review
from guichet.invoices.transmission_pdf import (iter_invoices, write_batch_pdf,
                                               write_invoice_pdf)
from guichet.invoices.types.aids import tariff_code
from guichet.models import Attachment, Invoice, User
from guichet.models.base import db
from guichet.uploads.storage import open_stored
from tests.support.files import jpeg_bytes, pdf_bytes, pdf_encrypted, png_bytes
from tests.support.invoices import (a_recent_day, add_decision, as_office, new_invoice,
                                    post_form, send, take_and_validate)
from tests.support.people import sent_invoice

DECISION = "32420250000004"


@dataclass(frozen=True)
class BatchHeader:
    number: str
    created_on: date
    count: int
    control_sum: Decimal


def staff(factory, email: str, prenom: str, nom: str) -> User:
    return factory.user(email=email, role="reviewer", prenom=prenom, nom=nom)


def mark_clean(invoice_id: int) -> None:
    """As if clamd had found every pièce of the invoice clean (no scanner in these tests)."""
    for attachment in db.session.scalars(select(Attachment).where(
            Attachment.invoice_id == invoice_id)):
        attachment.scan_status = "clean"
    db.session.commit()


def hearing_aid_invoice(client, kind: str = "deux_oreilles", pieces=None) -> int:
    """A hearing-aid invoice sent by the person of ``client`` with, by default, a 2-page PDF
    (the supplier's invoice) and a PNG photo; its pièces marked clean."""
    add_decision(client.user, DECISION, "moyens_auxiliaires")
    invoice_id = new_invoice(client, "moyens_auxiliaires")
    post_form(client, invoice_id, {"decision_number": DECISION, "kind": kind})
    post_form(client, invoice_id, {"supplier": "Audition Plus SA",
                                   "invoice_date": a_recent_day()})
    files = pieces if pieces is not None else {
        "supplier_invoice": [(pdf_bytes(pages=2, text="Facture Audition Plus"), "audition.pdf")],
        "other": [(png_bytes((400, 300)), "photo-appareil.png")]}
    response = post_form(client, invoice_id, action="save", files=files)
    assert response.status_code == 303
    send(client, invoice_id)
    mark_clean(invoice_id)
    return invoice_id


def validate_with_visa(app, invoice_id: int, first: User, second: User, approvals=None) -> None:
    """Validated by ``first`` (the new IBAN asks a second visa), confirmed by ``second``."""
    as_office(app, invoice_id, take_and_validate, first, approvals)
    as_office(app, invoice_id, lambda invoice: review.confirm_visa(invoice, second,
                                                                   invoice.version))
    assert db.session.get(Invoice, invoice_id).status == "accepted"


def invoice_pdf(app, invoice_id: int, batch=None) -> bytes:
    out = io.BytesIO()
    with app.test_request_context():
        write_invoice_pdf(out, db.session.get(Invoice, invoice_id), batch)
    return out.getvalue()


def batch_pdf(app, batch, invoice_ids) -> bytes:
    out = io.BytesIO()
    with app.test_request_context():
        write_batch_pdf(out, batch, iter_invoices(invoice_ids))
    return out.getvalue()


def pages_text(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split())
            for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def gestionnaires(factory):
    return (staff(factory, "claire@example.ch", "Claire", "Gestion"),
            staff(factory, "paul@example.ch", "Paul", "Second"))


@pytest.fixture
def aid_invoice(app, ready, gestionnaires):
    """A validated hearing-aid invoice for both ears (1'650 CHF claimed, 1'500 approved:
    « Au-delà du tarif »), with its second visa."""
    invoice_id = hearing_aid_invoice(ready)
    first, second = gestionnaires
    validate_with_visa(app, invoice_id, first, second, [review.LineApproval(
        Decimal("1500.00"), "above_rate", "Forfait du fournisseur plus élevé")])
    return invoice_id


# --- one invoice -------------------------------------------------------------------------------

def test_the_invoice_pdf_holds_what_the_zas_needs(app, ready, aid_invoice):
    invoice = db.session.get(Invoice, aid_invoice)
    user = db.session.get(User, ready.user.id)
    user.nif = "4711.0815"
    db.session.commit()
    data = invoice_pdf(app, aid_invoice, BatchHeader("NE-LOT-2026-0007", date(2026, 12, 1), 1,
                                                     Decimal("1500.00")))
    texts = pages_text(data)
    first = texts[0]
    assert "Office AI du canton de Neuchâtel" in first
    assert invoice.receipt_number in first and "NE-LOT-2026-0007" in first
    assert format_navs13(user.navs13) in first               # the N° AVS in full
    assert "324 2025 0000004" in first                        # the decision number
    assert "Anna Muster" in first and "15.03.1985" in first   # the insured person, born
    assert "Rue du Seyon 10" in first and "2000 Neuchâtel" in first
    assert "CH56 0483 5012 3456 7800 9" in first and "UBS" in first
    assert "NIF : 4711.0815" in first
    assert "formule AI 300.001" in first
    # the line with its tariff code, claimed and approved, the reduction's reason
    assert "909.02" in first
    assert "1'650.00 CHF" in first and "1'500.00 CHF" in first
    assert "Au-delà du tarif ou du forfait applicable — Forfait du fournisseur plus élevé" in first
    # the visa and the second visa, with the day and the approved total
    assert "Visa de l'office AI" in first
    assert "Claire Gestion" in first and "Paul Second" in first
    decision = review.latest_decision(invoice)
    assert f"le {decision.decided_at.astimezone(review_zurich()).strftime('%d.%m.%Y')}" in first
    assert "Montant validé 1'500.00 CHF" in first
    # the pièces listed, then appended: 1 own page + 2 PDF pages + 1 image page
    assert "audition.pdf" in first and "2 pages" in first and "photo-appareil.png" in first
    assert len(texts) == 4
    assert "Facture Audition Plus" in texts[1] and "Facture Audition Plus" in texts[2]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} / 4" in text
        assert invoice.receipt_number in text


def review_zurich():
    from guichet.core.i18n import ZURICH
    return ZURICH


def test_a_first_payment_has_no_nif_yet(app, aid_invoice):
    first = pages_text(invoice_pdf(app, aid_invoice))[0]
    assert "NIF : — (premier paiement" in first
    assert "Lot" not in first.split("Page 1")[0].split("Assuré·e")[0]


def test_an_image_piece_becomes_one_a4_page(app, ready, gestionnaires):
    invoice_id = hearing_aid_invoice(ready, pieces={
        "supplier_invoice": [(jpeg_bytes((1200, 800)), "facture-photo.jpg")]})
    validate_with_visa(app, invoice_id, *gestionnaires)
    reader = PdfReader(io.BytesIO(invoice_pdf(app, invoice_id)))
    assert len(reader.pages) == 2
    photo = reader.pages[1]
    width, height = float(photo.mediabox.width), float(photo.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # a wide photo: A4 landscape
    assert "/XObject" in photo["/Resources"]
    assert "Page 2 / 2" in photo.extract_text()


@pytest.mark.parametrize(("header", "code"), [
    ({"kind": "une_oreille"}, "909.01"), ({"kind": "deux_oreilles"}, "909.02"),
    ({"kind": "reparation_electronique"}, "909.04"), ({"kind": "reparation_autre"}, "909.05"),
    ({"kind": "piles", "devices": "1"}, "909.06"), ({"kind": "piles", "devices": "2"}, "909.07"),
    ({"kind": "autre_moyen"}, None), ({}, None)])
def test_hearing_aid_tariff_codes(header, code):
    assert tariff_code(header, {}) == code


def test_the_same_invoice_gives_the_same_bytes(app, aid_invoice):
    assert invoice_pdf(app, aid_invoice) == invoice_pdf(app, aid_invoice)


def test_a_standard_invoice_has_no_tariff_code(app, ready, gestionnaires):
    invoice = sent_invoice(ready)
    mark_clean(invoice.id)
    validate_with_visa(app, invoice.id, *gestionnaires)
    texts = pages_text(invoice_pdf(app, invoice.id))
    assert "formule AI 300.003" in texts[0]
    assert "Séance de physiothérapie respiratoire" in texts[0]
    assert "87.35 CHF" in texts[0]
    assert not re.search(r"909\.0\d", texts[0])
    assert len(texts) == 2 and "Page 2 / 2" in texts[1]


# --- pièces that are not appended ---------------------------------------------------------------

def left_unscanned(invoice_id: int) -> None:
    """The invoice's pièces as the scanner left them when it did not answer."""
    for attachment in db.session.scalars(select(Attachment).where(
            Attachment.invoice_id == invoice_id)):
        attachment.scan_status = "pending"
    db.session.commit()


#: A scanner is set up (never reached: the PDFs only read the verdicts stored at upload).
WITH_SCANNER = {"CLAMD_HOST": "127.0.0.1", "CLAMD_PORT": 9}


@pytest.mark.config(**WITH_SCANNER)
def test_pieces_not_scanned_are_listed_not_appended(app, ready, gestionnaires):
    invoice_id = hearing_aid_invoice(ready)
    left_unscanned(invoice_id)
    validate_with_visa(app, invoice_id, *gestionnaires)
    texts = pages_text(invoice_pdf(app, invoice_id))
    assert len(texts) == 1
    assert texts[0].count("non jointe : analyse antivirus pas encore faite") == 2


@pytest.mark.config(TRANSMISSION_APPEND_UNSCANNED=True, **WITH_SCANNER)
def test_unscanned_pieces_appended_when_the_office_says_so(app, ready, gestionnaires):
    invoice_id = hearing_aid_invoice(ready)
    left_unscanned(invoice_id)
    validate_with_visa(app, invoice_id, *gestionnaires)
    assert len(pages_text(invoice_pdf(app, invoice_id))) == 4


def test_without_a_scanner_the_pieces_the_gestionnaire_saw_are_appended(app, ready,
                                                                       gestionnaires):
    """No scanner set up (the embedded default): every pièce stays « en attente » for good,
    and goes with the invoice the gestionnaire validated."""
    invoice_id = hearing_aid_invoice(ready)
    left_unscanned(invoice_id)
    validate_with_visa(app, invoice_id, *gestionnaires)
    texts = pages_text(invoice_pdf(app, invoice_id))
    assert len(texts) == 4
    assert "non jointe" not in texts[0]


def _stored(invoice_id: int, name: str) -> Attachment:
    return db.session.scalar(select(Attachment).where(Attachment.invoice_id == invoice_id,
                                                      Attachment.filename == name))


def test_odd_pieces_never_stop_the_batch(app, ready, gestionnaires):
    """A pièce whose file was replaced on disk (another fingerprint), one gone, one that is an
    encrypted PDF by now (its row's fingerprint updated, as if it had got through) and a
    damaged PDF: each is listed with its reason, none appended, and the batch is made."""
    invoice_id = hearing_aid_invoice(ready, pieces={
        "supplier_invoice": [(pdf_bytes(text="Changee"), "changee.pdf"),
                             (pdf_bytes(text="Partie"), "partie.pdf"),
                             (pdf_bytes(text="Chiffree"), "chiffree.pdf"),
                             (pdf_bytes(text="Abimee"), "abimee.pdf")],
        "other": [(png_bytes(), "bonne.png")]})
    validate_with_visa(app, invoice_id, *gestionnaires)
    with app.app_context():
        changed = open_stored(_stored(invoice_id, "changee.pdf").stored_name)
        changed.write_bytes(pdf_bytes(text="Autre contenu"))
        open_stored(_stored(invoice_id, "partie.pdf").stored_name).unlink()
        import hashlib
        for name, data in (("chiffree.pdf", pdf_encrypted()),
                           ("abimee.pdf", pdf_bytes(text="Abimee")[:-200] + b"\x00" * 50)):
            row = _stored(invoice_id, name)
            open_stored(row.stored_name).write_bytes(data)
            row.sha256 = hashlib.sha256(data).hexdigest()
        db.session.commit()
    texts = pages_text(invoice_pdf(app, invoice_id))
    first = texts[0]
    assert "non jointe : le fichier ne correspond plus à son empreinte" in first
    assert "non jointe : fichier introuvable" in first
    assert first.count("non jointe : fichier illisible") >= 1
    assert "Changee" not in " ".join(texts[1:]) and "Partie" not in " ".join(texts[1:])
    header = BatchHeader("NE-LOT-2026-0001", date(2026, 12, 1), 1,
                         db.session.get(Invoice, invoice_id).total_approved)
    assert len(PdfReader(io.BytesIO(batch_pdf(app, header, [invoice_id]))).pages) >= 2


# --- the batch ---------------------------------------------------------------------------------

def test_the_batch_pdf_has_a_cover_then_every_invoice(app, ready, aid_invoice, gestionnaires):
    add_decision(ready.user, "32420250000005", "standard")
    other = sent_invoice(ready, amount="120.00")
    mark_clean(other.id)
    validate_with_visa(app, other.id, *gestionnaires)
    invoices = [db.session.get(Invoice, i) for i in (aid_invoice, other.id)]
    header = BatchHeader("NE-LOT-2026-0007", date(2026, 12, 1), 2, Decimal("1620.00"))
    data = batch_pdf(app, header, [aid_invoice, other.id])
    texts = pages_text(data)
    cover = texts[0]
    assert "Lot de transmission NE-LOT-2026-0007" in cover
    assert "01.12.2026" in cover
    assert "Nombre de factures 2" in cover
    assert "1'620.00 CHF" in cover
    for invoice in invoices:
        assert invoice.receipt_number in cover
    assert "1'500.00 CHF" in cover and "120.00 CHF" in cover
    # cover (1) + aid invoice (4: own page, 2 PDF pages, the photo) + standard (1 + 1)
    assert len(texts) == 1 + 4 + 2
    assert "2–5" in cover and "6–7" in cover
    for number, text in enumerate(texts, start=1):
        assert f"Lot NE-LOT-2026-0007 · page {number} / 7" in text
    assert invoices[0].receipt_number in texts[1] and "Page 1 / 4" in texts[1]
    assert invoices[1].receipt_number in texts[5] and "Page 1 / 2" in texts[5]
    assert "Visa de l'office AI" in texts[1] and "Visa de l'office AI" in texts[5]
    # identical bytes at every call
    assert batch_pdf(app, header, [aid_invoice, other.id]) == data


def test_the_batch_forgets_each_invoice_once_rendered(app, aid_invoice):
    header = BatchHeader("NE-LOT-2026-0002", date(2026, 12, 1), 1, Decimal("1500.00"))
    with app.test_request_context(), unit_of_work():
        invoice = db.session.get(Invoice, aid_invoice)
        out = io.BytesIO()
        write_batch_pdf(out, header, [invoice])
        assert "attachments" not in invoice.__dict__  # expired: loaded again only if asked
        assert invoice.receipt_number  # still usable by the caller


# --- image pages and copied pages ------------------------------------------------------------

def _centre_colour(pdf) -> tuple[int, int, int]:
    import pypdfium2
    out = io.BytesIO()
    pdf.save(out)
    picture = pypdfium2.PdfDocument(out.getvalue())[0].render(scale=0.5).to_pil().convert("RGB")
    return picture.getpixel((picture.width // 2, picture.height // 2))


@pytest.mark.parametrize(("data", "colour"), [
    (png_bytes((300, 400), "RGB"), (0, 128, 255)),     # rows copied as they are (predictor)
    (png_bytes((300, 400), "L"), (90, 90, 90)),
    (png_bytes((300, 400), "RGBA"), (127, 191, 255)),  # half transparent, over white
    (png_bytes((300, 400), "P"), None),                # a palette: decoded
    (jpeg_bytes((300, 400)), (10, 200, 30)),           # the JPEG's own bytes
    (jpeg_bytes((300, 400), "CMYK"), None),            # decoded, as RGB
])
def test_image_pages_show_the_picture(data, colour):
    from guichet.invoices.transmission_pdf import _image_page
    page = _image_page(data)
    assert len(page.pages) == 1
    found = _centre_colour(page)
    if colour is not None:
        assert all(abs(a - b) <= 6 for a, b in zip(found, colour)), found


def test_copied_pages_lose_their_scripts(app, ready, gestionnaires):
    """A pièce stored before the checks refused scripts (or that slipped through): its pages
    are copied without their page and annotation actions."""
    import hashlib

    from tests.support.files import pdf_with_link_javascript
    invoice_id = hearing_aid_invoice(ready, pieces={
        "supplier_invoice": [(pdf_bytes(text="Lien"), "lien.pdf")]})
    validate_with_visa(app, invoice_id, *gestionnaires)
    with app.app_context():
        row = _stored(invoice_id, "lien.pdf")
        data = pdf_with_link_javascript()
        open_stored(row.stored_name).write_bytes(data)
        row.sha256 = hashlib.sha256(data).hexdigest()
        db.session.commit()
    result = invoice_pdf(app, invoice_id)
    assert len(PdfReader(io.BytesIO(result)).pages) == 2
    import pikepdf
    with pikepdf.open(io.BytesIO(result)) as pdf:
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", None) or []:
                assert "/AA" not in annotation and "/A" not in annotation


def test_the_batch_pdf_is_a_valid_pdf(app, aid_invoice):
    import pikepdf
    header = BatchHeader("NE-LOT-2026-0003", date(2026, 12, 1), 1, Decimal("1500.00"))
    data = batch_pdf(app, header, [aid_invoice])
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 5
        assert str(pdf.docinfo["/Title"]) == "NE-LOT-2026-0003"
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        job = pikepdf.Job(["qpdf", "--check", handle.name])
        job.run()
        assert job.exit_code == 0


def test_a_childs_invoice_names_the_parent_as_creditor(app, ready, gestionnaires):
    from tests.support.invoices import add_child
    child = add_child(ready.user, date(2015, 6, 1), prenom="Léo")
    invoice = sent_invoice(ready, beneficiary=child)
    mark_clean(invoice.id)
    validate_with_visa(app, invoice.id, *gestionnaires)
    first = pages_text(invoice_pdf(app, invoice.id))[0]
    insured, creditor = first.split("Créancier·ère (titulaire du compte)")
    assert format_navs13(child.navs13) in insured and "Léo Muster" in insured
    assert "01.06.2015" in insured
    assert "(représentant·e légal·e) Anna Muster" in creditor
    assert format_navs13(child.navs13) not in creditor


def test_a_piece_that_fails_only_when_written_is_left_out(app, ready, gestionnaires,
                                                          monkeypatch):
    """qpdf reads a PDF's content only when writing: a pièce that opened but cannot be copied
    makes the first save fail; it is found, listed as unreadable, and the PDF made again."""
    import pikepdf

    from guichet.invoices import transmission_pdf
    invoice_id = hearing_aid_invoice(ready, pieces={
        "supplier_invoice": [(pdf_bytes(text="Bonne"), "bonne.pdf"),
                             (pdf_bytes(text="Mauvaise"), "mauvaise.pdf")]})
    validate_with_visa(app, invoice_id, *gestionnaires)
    real_save, calls = transmission_pdf._save, []

    def failing_save(pdf, out, title):
        calls.append(title)
        if len(calls) == 1:
            out.write(b"partial")
            raise pikepdf.PdfError("stream data unreadable")
        return real_save(pdf, out, title)
    monkeypatch.setattr(transmission_pdf, "_save", failing_save)
    monkeypatch.setattr(transmission_pdf, "_usable",
                        lambda entry: entry.filename != "mauvaise.pdf")
    data = invoice_pdf(app, invoice_id)
    assert len(calls) == 2 and data.startswith(b"%PDF")
    texts = pages_text(data)
    assert len(texts) == 2 and "Bonne" in texts[1]
    assert "mauvaise.pdf non jointe : fichier illisible" in texts[0]


def test_text_from_people_is_printed_as_typed_never_as_markup(app, aid_invoice):
    """Platypus reads a small markup language: a file name or a name with « <font …> » or
    « & » must come out as typed."""
    attachment = db.session.scalar(select(Attachment).where(
        Attachment.invoice_id == aid_invoice, Attachment.filename == "audition.pdf"))
    attachment.filename = 'facture <font size="40">&amp; co</font>.pdf'
    invoice = db.session.get(Invoice, aid_invoice)
    invoice.frozen = {**invoice.frozen, "owner": {**invoice.frozen["owner"], "nom": "Muster <b>"}}
    db.session.commit()
    first = pages_text(invoice_pdf(app, aid_invoice))[0]
    assert 'facture <font size="40">&amp; co</font>.pdf' in first
    assert "Anna Muster <b>" in first


def test_a_long_cover_gives_each_invoice_its_pages(app):
    """A cover whose length differs from the first guess (one page per 30 rows) is laid out
    again: the pages on each row count the cover's own pages."""
    from guichet.invoices.transmission_pdf import RenderedInvoice, _cover
    summaries = [RenderedInvoice(f"NE-2026-{n:06d}", "Anna Muster", "Facture standard",
                                 Decimal("10.00"), 3) for n in range(1, 121)]
    header = BatchHeader("NE-LOT-2026-0009", date(2026, 12, 1), 120, Decimal("1200.00"))
    with app.test_request_context():
        cover = _cover(header, summaries, Decimal("1200.00"))
        out = io.BytesIO()
        cover.save(out)
    texts = pages_text(out.getvalue())
    pages = len(texts)
    assert pages > 1 and pages != 4  # not the guess: laid out again
    joined = " ".join(texts)
    assert f"NE-2026-000001 Anna Muster Facture standard 10.00 CHF {pages + 1}–{pages + 3}" \
        in joined
    assert f"{pages + 358}–{pages + 360}" in joined and "1'200.00 CHF" in joined
