"""The gestionnaire's review screen (issue 9, part 2): the invoice's shared view with the
person, the beneficiary and the IBAN in full (here only, audited), the decision as the register
has it, the history with the gestionnaires' names, complements and decisions so far, staff-only
notes, and the pièces beside the lines — images inline, PDFs as pages drawn on the server, the
original to download — every view and download audited with whose data it was."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from guichet.core.i18n import today_in_zurich
from guichet.core.unit_of_work import unit_of_work
from guichet.invoices import review
from guichet.models import Attachment, AuditEntry, Invoice, StaffNote
from guichet.models.base import db
from guichet.uploads import storage
from tests.support.databases import count
from tests.support.files import pdf_bytes, pdf_garbage, png_bytes
from tests.support.invoices import (MOTIF, complete_standard, post_form, send,
                                    take_and_ask_complement)
from tests.support.page import page_text

FULL_IBAN = "CH56 0483 5012 3456 7800 9"


def sent_invoice(client, files: dict | None = None) -> Invoice:
    """A standard invoice of 87.35 CHF with its PDF pièce (and ``files``), sent."""
    invoice_id = complete_standard(client)
    if files:
        assert post_form(client, invoice_id, action="save", files=files).status_code == 303
    send(client, invoice_id)
    return db.session.get(Invoice, invoice_id)


def screen(client, invoice: Invoice):
    return client.get(f"/gestion/demandes/{invoice.id}")


def audits(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def full_navs(digits: str) -> str:
    return f"{digits[:3]}.{digits[3:7]}.{digits[7:11]}.{digits[11:]}"


def fetch(client, url):
    """A file response, read and closed (a file sent by send_file stays open until then)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def piece(invoice: Invoice, filename: str) -> Attachment:
    return next(a for a in invoice.attachments if a.filename == filename)


# --- what the screen shows ---------------------------------------------------------------------

def test_the_screen_shows_the_invoice_and_the_identifiers_in_full(ready, staff_client):
    invoice = sent_invoice(ready)
    response = screen(staff_client, invoice)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = page_text(response)
    navs = full_navs(ready.user.navs13)
    assert f"Assuré·e (compte) Anna Muster, N° AVS {navs}, né·e le 15.03.1985" in page
    assert f"Bénéficiaire Anna Muster, N° AVS {navs}" in page
    assert f"IBAN {FULL_IBAN} — Anna Muster (UBS)" in page
    assert "****" not in page
    # The shared view: the answers, each line with its calculation, the total.
    assert "N° de décision 324 2025 0000005" in page
    assert "Fournisseur Physio du Lac" in page
    assert f"— {MOTIF} 1 × 87.35 CHF 87.35 CHF" in page
    assert "Total demandé 87.35 CHF" in page
    assert "Envoyée" in page and "sans gestionnaire" in page
    assert "l'assuré·e : Demande envoyée à l'office. (Envoyée)" in page
    html = response.get_data(as_text=True)
    assert f'href="/gestion/personnes/{ready.user.id}"' in html
    # No active content: pages drawn as pictures, never a viewer.
    for tag in ("<embed", "<object", "<iframe", "<script>"):
        assert tag not in html


def test_each_view_of_the_screen_is_audited_with_whose_data_it_is(ready, staff_client):
    invoice = sent_invoice(ready)
    screen(staff_client, invoice)
    screen(staff_client, invoice)
    entries = audits("staff_viewed_invoice")
    assert len(entries) == 2
    for entry in entries:
        assert (entry.actor_id, entry.actor_role) == (staff_client.user.id, "reviewer")
        assert (entry.object_type, entry.object_id) == ("invoice", str(invoice.id))
        assert entry.detail == {"person_id": ready.user.id}
        assert ready.user.navs13 not in str(entry.detail) and "CH56" not in str(entry.detail)


def test_the_lines_of_a_travel_invoice_show_their_rate(ready, staff_client):
    from tests.support.invoices import one_trip_draft
    invoice_id = one_trip_draft(ready, "324 2025 0000005")
    post_form(ready, invoice_id, action="save",
              files={"transport_tickets": [(pdf_bytes(), "billet.pdf")]})
    send(ready, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    page = page_text(screen(staff_client, invoice))
    # the rate of the day and its source, as the shared view writes it
    line = invoice.frozen["evaluation"]["lines"][0]
    for charge in line["charges"]:
        assert charge["label"] in page


def test_another_persons_invoice_is_as_visible_to_staff(app, ready, staff_client, factory, sms):
    from tests.support.accounts import login
    first = sent_invoice(ready)
    other = app.test_client()
    person = factory.user(nom="Müller")
    assert login(other, person, sms).status_code == 303
    from guichet.models import BankAccount, utcnow
    db.session.add(BankAccount(user_id=person.id, iban="CH9300762011623852957",
                               holder="Léa Müller", bank_name="BCN", confirmed_at=utcnow()))
    db.session.commit()
    second = sent_invoice(other)
    assert second.user_id != first.user_id
    page = page_text(screen(staff_client, second))
    assert f"N° AVS {full_navs(person.navs13)}" in page
    assert "CH93 0076 2011 6238 5295 7 — Léa Müller (BCN)" in page
    assert [e.detail["person_id"] for e in audits("staff_viewed_invoice")] == [person.id]


def test_drafts_and_unknown_invoices_answer_404(ready, staff_client):
    draft_id = complete_standard(ready)
    draft = db.session.get(Invoice, draft_id)
    attachment = draft.attachments[0]
    for url in (f"/gestion/demandes/{draft_id}", "/gestion/demandes/999999",
                f"/gestion/demandes/{draft_id}/pieces/{attachment.id}/telecharger",
                f"/gestion/demandes/{draft_id}/pieces/{attachment.id}/pages/1"):
        assert staff_client.get(url).status_code == 404, url
    assert staff_client.post(f"/gestion/demandes/{draft_id}/notes",
                             data={"note": "Non"}).status_code == 404
    assert count(StaffNote) == 0
    assert audits("staff_viewed_invoice") == [] and audits("staff_viewed_piece") == []


def test_a_piece_of_another_invoice_answers_404(ready, staff_client):
    first, second = sent_invoice(ready), sent_invoice(ready)
    foreign = second.attachments[0]
    for kind in ("telecharger", "pages/1", "image"):
        url = f"/gestion/demandes/{first.id}/pieces/{foreign.id}/{kind}"
        assert staff_client.get(url).status_code == 404, url
    assert audits("staff_viewed_piece") == []


def test_insured_persons_and_anonymous_visitors_never_reach_the_screen(app, ready):
    invoice = sent_invoice(ready)
    attachment = invoice.attachments[0]
    urls = [f"/gestion/demandes/{invoice.id}",
            f"/gestion/demandes/{invoice.id}/pieces/{attachment.id}/telecharger",
            f"/gestion/demandes/{invoice.id}/pieces/{attachment.id}/pages/1"]
    for url in urls:
        # The staff area does not reveal itself to an insured account (even their own invoice).
        refused = ready.get(url)
        assert refused.status_code == 404, url
        assert "756." not in refused.get_data(as_text=True)
        anonymous = app.test_client().get(url)
        assert anonymous.status_code == 302 and "/connexion" in anonymous.headers["Location"]
    assert ready.post(f"/gestion/demandes/{invoice.id}/notes",
                      data={"note": "Moi"}).status_code == 404
    assert count(StaffNote) == 0
    assert len(audits("access_refused")) == len(urls) + 1
    assert audits("staff_viewed_invoice") == [] and audits("staff_viewed_piece") == []


# --- pièces --------------------------------------------------------------------------------------

def test_a_pdf_piece_is_shown_as_one_picture_per_page(app, ready, staff_client):
    invoice = sent_invoice(ready, files={"supplier_invoice": [(pdf_bytes(3), "trois.pdf")]})
    attachment = piece(invoice, "trois.pdf")
    response = screen(staff_client, invoice)
    html = response.get_data(as_text=True)
    base = f"/gestion/demandes/{invoice.id}/pieces/{attachment.id}/pages/"
    sources = re.findall(rf'<img [^>]*src="{base}(\d+)"[^>]*alt="([^"]+)"', html)
    assert sources == [(str(n), f"Page {n} sur 3 — trois.pdf") for n in (1, 2, 3)]
    assert "trois.pdf (" in page_text(response) and "3 pages)" in page_text(response)

    for number in (1, 2, 3):
        image = fetch(staff_client, f"{base}{number}")
        assert image.status_code == 200
        assert image.mimetype == "image/png"
        assert image.headers["X-Content-Type-Options"] == "nosniff"
        assert image.headers["Cache-Control"] == "no-store"
        assert image.headers["Content-Disposition"] == "inline"
        picture = Image.open(io.BytesIO(image.data))
        assert picture.format == "PNG" and picture.width == 1240
        assert picture.height > picture.width  # an A4 page, upright
    assert staff_client.get(f"{base}4").status_code == 404
    assert staff_client.get(f"{base}0").status_code == 404

    views = audits("staff_viewed_piece")
    assert [(e.detail["attachment_id"], e.detail["how"], e.detail["page"]) for e in views] == \
        [(attachment.id, "shown", n) for n in (1, 2, 3)]
    assert {e.detail["person_id"] for e in views} == {ready.user.id}
    assert {e.object_id for e in views} == {str(invoice.id)}
    # The pictures are kept next to the pièces, never under static/.
    previews = Path(app.config["UPLOAD_FOLDER"]) / ".previews"
    assert len(list(previews.glob(f"{attachment.stored_name[:-4]}-*.png"))) == 3
    assert not list(Path(app.static_folder).rglob("*.png.part"))


def test_an_image_piece_is_shown_inline(ready, staff_client):
    invoice = sent_invoice(ready, files={"other": [(png_bytes((60, 40)), "photo.png")]})
    attachment = piece(invoice, "photo.png")
    url = f"/gestion/demandes/{invoice.id}/pieces/{attachment.id}/image"
    html = screen(staff_client, invoice).get_data(as_text=True)
    assert f'src="{url}" alt="Image photo.png"' in html
    image = fetch(staff_client, url)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Cache-Control"] == "no-store"
    assert Image.open(io.BytesIO(image.data)).size == (60, 40)
    # A PDF is never sent inline: only as pictures of its pages, or as a download.
    pdf = invoice.attachments[0]
    assert pdf.content_type == "application/pdf"
    instead = staff_client.get(f"/gestion/demandes/{invoice.id}/pieces/{pdf.id}/image")
    assert instead.status_code == 303
    assert instead.headers["Location"] == f"/gestion/demandes/{invoice.id}/pieces/{pdf.id}/pages/1"
    assert [(e.detail["attachment_id"], e.detail["how"]) for e in audits("staff_viewed_piece")
            ] == [(attachment.id, "shown")]


def test_the_original_is_downloaded_as_an_attachment_and_audited(ready, staff_client):
    invoice = sent_invoice(ready)
    attachment = invoice.attachments[0]
    response = fetch(staff_client,
                     f"/gestion/demandes/{invoice.id}/pieces/{attachment.id}/telecharger")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "facture-pharmacie.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF")
    [entry] = audits("staff_viewed_piece")
    assert entry.detail == {"person_id": ready.user.id, "attachment_id": attachment.id,
                            "how": "downloaded"}
    assert entry.actor_id == staff_client.user.id


def test_a_broken_pdf_says_preview_impossible_and_keeps_the_download(app, ready, staff_client):
    invoice = sent_invoice(ready)
    attachment = invoice.attachments[0]
    # What passed the checks at upload can still defeat the renderer (a hostile file): here the
    # stored bytes are replaced by garbage.
    storage.open_stored(attachment.stored_name).write_bytes(pdf_garbage())
    response = screen(staff_client, invoice)
    assert response.status_code == 200
    page = page_text(response)
    assert "Aperçu impossible : téléchargez l'original pour le lire." in page
    assert "/pages/1" not in response.get_data(as_text=True)
    assert staff_client.get(f"/gestion/demandes/{invoice.id}/pieces/{attachment.id}/pages/1"
                            ).status_code == 404
    download = fetch(staff_client,
                     f"/gestion/demandes/{invoice.id}/pieces/{attachment.id}/telecharger")
    assert download.status_code == 200 and download.data == pdf_garbage()
    # The failure is remembered: the next view does not try again and says the same.
    assert "Aperçu impossible" in page_text(screen(staff_client, invoice))


def test_a_piece_whose_scan_is_pending_is_marked(ready, staff_client):
    invoice = sent_invoice(ready)
    attachment = invoice.attachments[0]
    assert "Analyse antivirus en attente" in page_text(screen(staff_client, invoice))
    attachment.scan_status = "clean"
    db.session.commit()
    assert "Analyse antivirus en attente" not in page_text(screen(staff_client, invoice))


def test_the_pictures_of_a_piece_go_with_it(app, ready, staff_client):
    invoice = sent_invoice(ready)
    attachment = invoice.attachments[0]
    assert fetch(staff_client, f"/gestion/demandes/{invoice.id}/pieces/{attachment.id}/pages/1"
                 ).status_code == 200
    previews = Path(app.config["UPLOAD_FOLDER"]) / ".previews"
    stem = attachment.stored_name[:-4]
    assert list(previews.glob(f"{stem}*"))
    with app.test_request_context():
        storage.delete_stored(attachment.stored_name)
    assert not list(previews.glob(f"{stem}*"))


# --- complements, decisions, history -------------------------------------------------------------

def test_complements_answers_decisions_and_who_acted(app, ready, staff_client, factory):
    invoice = sent_invoice(ready)
    staff = staff_client.user
    due = today_in_zurich() + timedelta(days=20)
    with app.test_request_context(), unit_of_work():
        take_and_ask_complement(db.session.get(Invoice, invoice.id), staff, due=due)
    response = ready.post(f"/demandes/{invoice.id}/complement", data={
        "message": "Voici le détail.",
        "files-complement": (io.BytesIO(pdf_bytes(text="Detail")), "détail.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    with app.test_request_context(), unit_of_work():
        fresh = db.session.get(Invoice, invoice.id)
        review.take(fresh, staff, fresh.version)
        review.validate(fresh, staff, fresh.version, [review.LineApproval(
            Decimal("80.00"), "above_rate", "Tarif de la convention")])
    db.session.expire_all()

    page = page_text(screen(staff_client, invoice))
    name = staff.display_name or staff.email
    assert f"par {name} Il manque le détail des séances." in page
    assert "Documents demandés : Facture détaillée du physiothérapeute" in page
    assert f"À envoyer d'ici au {due:%d.%m.%Y}." in page
    assert "Voici le détail." in page and "détail.pdf" in page
    assert f"{name} : L'office demande un complément. (À compléter)" in page
    assert "l'assuré·e : Complément envoyé à l'office. (Envoyée)" in page
    assert "Validée le" in page and f"par {name}" in page
    assert (f"{MOTIF} 87.35 CHF 80.00 CHF Au-delà du tarif ou du forfait applicable — "
            "Tarif de la convention") in page
    assert "Total validé 80.00 CHF" in page
    answer_file = piece(db.session.get(Invoice, invoice.id), "détail.pdf")
    assert (f'/gestion/demandes/{invoice.id}/pieces/{answer_file.id}/telecharger'
            in screen(staff_client, invoice).get_data(as_text=True))


def test_an_overdue_complement_is_marked(app, ready, staff_client):
    invoice = sent_invoice(ready)
    with app.test_request_context(), unit_of_work():
        take_and_ask_complement(db.session.get(Invoice, invoice.id), staff_client.user)
    from guichet.models import ComplementRequest
    request = db.session.scalars(select(ComplementRequest)).one()
    request.due_date = today_in_zurich() - timedelta(days=1)
    db.session.commit()
    assert "Délai dépassé" in page_text(screen(staff_client, invoice))


# --- notes ---------------------------------------------------------------------------------------

def test_a_note_is_added_shown_with_its_author_and_audited(ready, staff_client,
                                                           second_staff_client):
    invoice = sent_invoice(ready)
    response = staff_client.post(f"/gestion/demandes/{invoice.id}/notes",
                                 data={"note": "Appeler le physio\npour le tarif."})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/gestion/demandes/{invoice.id}#notes"
    note = db.session.scalars(select(StaffNote)).one()
    assert (note.invoice_id, note.author_id, note.text) == (
        invoice.id, staff_client.user.id, "Appeler le physio\npour le tarif.")
    page = page_text(second_staff_client.get(f"/gestion/demandes/{invoice.id}"))
    assert "Note ajoutée." not in page  # the flash is for the one who wrote it
    assert "Appeler le physio pour le tarif." in page
    assert (staff_client.user.display_name or staff_client.user.email) in page
    assert "Note ajoutée." in page_text(staff_client.get(f"/gestion/demandes/{invoice.id}"))
    assert len(audits("invoice_note_added")) == 1


def test_a_note_through_htmx_answers_the_notes_fragment(ready, staff_client):
    invoice = sent_invoice(ready)
    response = staff_client.post(f"/gestion/demandes/{invoice.id}/notes",
                                 data={"note": "Vu au téléphone."},
                                 headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="section" id="notes"')
    assert "<html" not in html
    assert 'role="status">Note ajoutée.</p>' in html
    assert "Vu au téléphone." in page_text(response)
    assert '<textarea' in html and "Vu au téléphone.</textarea>" not in html  # a fresh form
    assert count(StaffNote) == 1


def test_an_empty_or_invalid_note_is_refused_with_a_message(ready, staff_client):
    invoice = sent_invoice(ready)
    for data in ({"note": "   "}, {"note": "a" * 4001}, {"note": "nul \x00 byte"}, {}):
        response = staff_client.post(f"/gestion/demandes/{invoice.id}/notes", data=data)
        assert response.status_code == 422, data
        page = page_text(response)
        assert "Veuillez corriger ce qui suit" in page
        assert any(message in page for message in (
            "Écrivez la note.", "La note est trop longue", "caractères non admis")), data
        fragment = staff_client.post(f"/gestion/demandes/{invoice.id}/notes", data=data,
                                     headers={"HX-Request": "true"})
        assert fragment.status_code == 422 and "<html" not in fragment.get_data(as_text=True)
    assert count(StaffNote) == 0
    assert audits("invoice_note_added") == []


def test_notes_never_appear_on_the_insured_persons_pages(ready, staff_client):
    invoice = sent_invoice(ready)
    secret = "Soupçon de doublon avec une autre facture"
    assert staff_client.post(f"/gestion/demandes/{invoice.id}/notes",
                             data={"note": secret}).status_code == 303
    for url in ("/demandes/", f"/demandes/{invoice.id}", f"/demandes/{invoice.id}/recu"):
        response = ready.get(url)
        assert response.status_code == 200, url
        assert "Soupçon" not in response.get_data(as_text=True), url
        assert "Notes de l'office" not in page_text(response), url
    pdf = ready.get(f"/demandes/{invoice.id}/pdf")
    assert pdf.status_code == 200
    from pypdf import PdfReader
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Soupçon" not in text and "doublon" not in text


def test_a_validation_awaiting_the_second_visa_says_so(app, ready, staff_client):
    invoice = sent_invoice(ready)
    app.config["SECOND_VISA_ABOVE"] = "50"
    staff = staff_client.user
    with app.test_request_context(), unit_of_work():
        fresh = db.session.get(Invoice, invoice.id)
        review.take(fresh, staff, fresh.version)
        review.validate(fresh, staff, fresh.version, [review.LineApproval(Decimal("87.35"))])
    db.session.expire_all()
    page = page_text(screen(staff_client, invoice))
    assert "Second visa attendu" in page
    assert re.search(r"Second visa requis : IBAN nouveau [^.]*, Montant validé supérieur au "
                     r"seuil du second visa\.", page)
    assert "En attente du second visa." in page
    assert f"{MOTIF} 87.35 CHF 87.35 CHF —" in page
    assert "Second visa" not in page_text(ready.get(f"/demandes/{invoice.id}"))


def test_a_conflict_answers_the_fresh_screen_with_its_message(app, ready, staff_client):
    """What the decision views do with ``render_review`` when the invoice changed meanwhile."""
    from guichet.staff.review_page import render_review
    invoice = sent_invoice(ready)
    message = ("Cette demande a changé entre-temps ; rien de ce que vous venez d'envoyer n'a "
               "été appliqué.")
    with app.test_request_context():
        from flask_login import login_user
        login_user(staff_client.user)
        body, status, headers = render_review(db.session.get(Invoice, invoice.id), status=409,
                                              message=message)
        db.session.commit()
    assert status == 409 and headers["Cache-Control"] == "no-store"
    assert re.search(r'role="alert"[^>]*>\s*<p>Cette demande a changé entre-temps', body)
    assert body.count("Cette demande a changé entre-temps") == 1
    assert [e.detail["person_id"] for e in audits("staff_viewed_invoice")] == [ready.user.id]


# --- the pictures' limits and cache --------------------------------------------------------------

def test_a_pdf_that_takes_too_long_to_draw_is_not_shown(app, ready, staff_client, monkeypatch):
    from guichet.uploads import preview
    invoice = sent_invoice(ready)
    monkeypatch.setattr(preview, "TIMEOUT", 0.001)
    page = page_text(screen(staff_client, invoice))
    assert "Aperçu impossible" in page
    assert "Télécharger l'original facture-pharmacie.pdf" in page


def test_long_pdfs_show_their_first_pages_and_the_pictures_are_kept(app, ready, staff_client,
                                                                   monkeypatch):
    from guichet.uploads import preview
    monkeypatch.setattr(preview, "MAX_PAGES", 2)
    invoice = sent_invoice(ready, files={"supplier_invoice": [(pdf_bytes(3), "trois.pdf")]})
    attachment = piece(invoice, "trois.pdf")
    base = f"/gestion/demandes/{invoice.id}/pieces/{attachment.id}/pages/"
    response = screen(staff_client, invoice)
    assert re.findall(rf'src="{base}(\d+)"', response.get_data(as_text=True)) == ["1", "2"]
    assert "3 pages" in page_text(response)
    assert "Les pages suivantes ne sont pas affichées : téléchargez l'original." in \
        page_text(response)
    assert fetch(staff_client, f"{base}2").status_code == 200
    assert fetch(staff_client, f"{base}3").status_code == 404

    # Drawn once: later views and pictures come from the disk, the renderer is not run again.
    def no_renderer(*args, **kwargs):
        raise AssertionError("rendered again")
    monkeypatch.setattr(preview.subprocess, "run", no_renderer)
    again = screen(staff_client, invoice)
    assert re.findall(rf'src="{base}(\d+)"', again.get_data(as_text=True)) == ["1", "2"]
    assert fetch(staff_client, f"{base}1").status_code == 200
    assert fetch(staff_client, f"{base}2").status_code == 200
