"""The gestionnaire's review screen in a real browser, with and without JavaScript: the invoice
with the pièces beside the lines on a wide screen (one above the other on a 390 px phone, without
horizontal scrolling), a PDF's pages as pictures drawn on the server that load under the strict
CSP, a staff note added (htmx fragment with JavaScript, post/redirect/get without), axe and vnu
clean."""
from __future__ import annotations

import hashlib
import re
import secrets

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.invoice_steps import car_trip_draft, ready_account
from tests.browser.steps import JS_ON_AND_OFF, enter_code, log_in, see_page
from tests.support.files import pdf_bytes

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}

pytestmark = pytest.mark.usefixtures("generous_login_limits")


def sent_invoice_with_a_pdf(live, user) -> tuple[int, str]:
    """A travel invoice sent by ``user`` with a two-page PDF pièce; (its id, receipt number)."""
    from guichet.core.unit_of_work import unit_of_work
    from guichet.invoices import services
    from guichet.models import Attachment, Invoice, User
    from guichet.models.base import db
    from guichet.uploads.storage import upload_folder

    data = pdf_bytes(2, text="Facture Taxi du Lac")
    with live.lock, live.app.test_request_context(), unit_of_work():
        row = db.session.scalars(select(User).filter_by(email=user.email)).one()
        invoice = car_trip_draft(row, user.decisions)
        name = secrets.token_hex(16) + ".pdf"
        (upload_folder() / name).write_bytes(data)
        invoice.attachments.append(Attachment(
            requirement="other", filename="facture-taxi.pdf", stored_name=name,
            content_type="application/pdf", size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), scan_status="clean"))
        services.submit(invoice, row, services.new_submit_token())
        invoice_id = invoice.id
    with live.app.app_context():
        return invoice_id, db.session.get(Invoice, invoice_id).receipt_number


def log_in_as_staff(page, live) -> None:
    secret = pyotp.random_base32()
    staff = live.add_user(role="reviewer", totp_secret=secret,
                          email=f"gestion-revue-{secrets.token_hex(4)}@example.ch")
    page.goto("/")
    log_in(page, staff.email)
    enter_code(page, pyotp.TOTP(secret).now())
    expect(page).to_have_url(re.compile(r"/gestion/$"))  # staff land on the queue


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") == page.viewport_size["width"]


def loaded_width(image) -> int:
    return image.evaluate("img => img.complete ? img.naturalWidth : 0")


@JS_ON_AND_OFF
def test_the_review_screen_with_its_pdf_pages_and_a_note(page, live, check, js):
    user = ready_account(live)
    invoice_id, receipt = sent_invoice_with_a_pdf(live, user)
    page.set_viewport_size(WIDE)
    log_in_as_staff(page, live)
    page.goto(f"/gestion/demandes/{invoice_id}")
    see_page(page, f"Demande {receipt}")
    check("gestion : demande à examiner")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Voiture privée : 42 km × 0.45 CHF")
    expect(main).to_contain_text(f"{user.navs13[:3]}.{user.navs13[3:7]}.")
    expect(main).to_contain_text("CH56 0483 5012 3456 7800 9")

    first = page.get_by_role("img", name="Page 1 sur 2 — facture-taxi.pdf")
    expect(first).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first.element_handle())
    assert loaded_width(first) == 1240
    # wide screen: the pièces beside the lines
    lines = page.get_by_role("heading", name="Montants", level=2).bounding_box()
    pieces = page.get_by_role("heading", name="Pièces justificatives", level=2).bounding_box()
    assert pieces["x"] > lines["x"] + lines["width"] / 2
    second = page.get_by_role("img", name="Page 2 sur 2 — facture-taxi.pdf")
    second.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=second.element_handle())

    # a phone: one column, nothing wider than the screen
    page.set_viewport_size(PHONE)
    page.reload()
    see_page(page, f"Demande {receipt}")
    no_horizontal_scroll(page)
    check("gestion : demande à examiner (390 px)")
    lines = page.get_by_role("heading", name="Montants", level=2).bounding_box()
    pieces = page.get_by_role("heading", name="Pièces justificatives", level=2).bounding_box()
    assert pieces["y"] > lines["y"]

    page.get_by_label("Nouvelle note").fill("Vérifier le kilométrage avec Google Maps.")
    page.get_by_role("button", name="Ajouter la note").click()
    notes = page.locator("#notes")
    expect(notes).to_contain_text("Vérifier le kilométrage avec Google Maps.")
    if js:
        expect(notes.get_by_role("status")).to_have_text("Note ajoutée.")
        check.fragment("gestion : notes après ajout",
                       f"/gestion/demandes/{invoice_id}/notes")
        expect(page.get_by_label("Nouvelle note")).to_have_value("")
    else:
        see_page(page, f"Demande {receipt}")
        expect(page.get_by_role("status").first).to_contain_text("Note ajoutée.")
        check("gestion : demande après une note")
    no_horizontal_scroll(page)

    # an empty note: the error, said and linked, nothing written
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.locator("#notes")).to_contain_text("Écrivez la note.")
    if js:
        check.fragment("gestion : note vide", f"/gestion/demandes/{invoice_id}/notes")
    else:
        check("gestion : note vide")

    from guichet.models import AuditEntry, StaffNote
    from guichet.models.base import db
    with live.lock, live.app.app_context():
        assert db.session.scalar(select(StaffNote.text).where(
            StaffNote.invoice_id == invoice_id)) == "Vérifier le kilométrage avec Google Maps."
        pages = {entry.detail.get("page") for entry in db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "staff_viewed_piece", AuditEntry.object_id == str(invoice_id)))}
        assert {1, 2} <= pages
