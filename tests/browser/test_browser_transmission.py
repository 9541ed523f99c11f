"""A transmission batch end to end in a real browser, JavaScript on and off: validated invoices
→ « Nouveau lot » (all ticked) → the batch, its CSV list and its PDF downloaded and read back (the
PDF's text holds each receipt number, the visa, the approved amount and the pièces' pages) → marked transmitted (after an
empty try, refused and explained) → marked paid → the insured person sees « Payée » with the
date and amount. axe-core and vnu check every page; the batch page reflows at 390 px."""
from __future__ import annotations

import csv
import io

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.invoice_steps import chf, ready_account
from tests.browser.phone_steps import sent_standard_invoices
from tests.browser.steps import (JS_ON_AND_OFF, enter_code, log_in, log_in_with_sms, log_out, menu,
                                 see_page)
from tests.support.accounts import app_code

pytestmark = pytest.mark.usefixtures("generous_login_limits")

# sent_standard_invoices: one line of 9 sessions at 1'234.55 CHF, validated as claimed
APPROVED = "11110.95"


def validated_invoices(live, email: str, count: int, suffix: str) -> list[str]:
    """``count`` invoices of ``email`` sent, validated and given their second visa as the
    office would; their receipt numbers."""
    from guichet.core.unit_of_work import unit_of_work
    from guichet.invoices import review
    from guichet.models import Invoice, User
    from guichet.models.base import db
    from guichet.models.invoices import STATUS_ACCEPTED, STATUS_VISA_PENDING
    from tests.support.invoices import take_and_validate

    ids = [sent_standard_invoices(live, email, states=("submitted",))["submitted"]
           for _n in range(count)]
    receipts = []
    with live.lock:
        with live.app.app_context():
            first = live.factory.user(email=f"valide-lot-{suffix}@office.example.ch",
                                      role="reviewer")
            second = live.factory.user(email=f"visa-lot-{suffix}@office.example.ch",
                                       role="reviewer")
            staff_ids = first.id, second.id
        for invoice_id in ids:
            with live.app.test_request_context(), unit_of_work():
                first, second = (db.session.get(User, staff_id) for staff_id in staff_ids)
                invoice = db.session.get(Invoice, invoice_id)
                take_and_validate(invoice, first)
                if invoice.status == STATUS_VISA_PENDING:
                    review.confirm_visa(invoice, second, invoice.version)
                assert invoice.status == STATUS_ACCEPTED
                receipts.append(invoice.receipt_number)
    return receipts


def today_text(live) -> str:
    from guichet.core.i18n import today_in_zurich
    return f"{today_in_zurich():%d.%m.%Y}"


@JS_ON_AND_OFF
def test_a_batch_is_built_downloaded_transmitted_and_paid(page, live, check, js, tmp_path):
    suffix = "js" if js else "nojs"
    person = ready_account(live)
    log_in_with_sms(page, live, person)  # the holder's own beneficiary entry comes at login
    log_out(page)
    receipts = validated_invoices(live, person.email, 2, suffix)
    secret = pyotp.random_base32()
    staff = live.add_user(role="transmission", totp_secret=secret,
                          email=f"transmission-{suffix}@office.example.ch")

    # --- the batch: all the validated invoices, ticked --------------------------------------
    page.goto("/")
    log_in(page, staff.email)
    enter_code(page, app_code(secret))
    menu(page).get_by_role("link", name="Transmission").click()
    see_page(page, "Lots de transmission")
    check("les lots de transmission")
    page.get_by_role("link", name="Nouveau lot").click()
    see_page(page, "Nouveau lot de transmission")
    for receipt in receipts:
        expect(page.get_by_role("checkbox", name=receipt)).to_be_checked()
    check("nouveau lot")
    page.get_by_role("button", name="Créer le lot").click()
    expect(page.get_by_text("créé :")).to_be_visible()
    title = page.get_by_role("heading", level=1)
    expect(title).to_contain_text("Lot NE-LOT-")
    number = title.inner_text().removeprefix("Lot ").strip()
    for receipt in receipts:
        expect(page.get_by_role("link", name=receipt, exact=True)).to_be_visible()
    check("le lot")
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.set_viewport_size(size)

    # --- its CSV list, and its PDF when the renderer is there ---------------------------------
    with page.expect_download() as download:
        page.get_by_role("link", name="Liste CSV du lot").click()
    content = (tmp_path / "lot.csv")
    download.value.save_as(content)
    rows = list(csv.reader(io.StringIO(content.read_bytes().decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0][:2] == ["Lot", "N° de reçu"]
    assert {row[1] for row in rows[1:-1]} >= set(receipts)
    assert all(row[0] == number for row in rows[1:])
    mine = [row for row in rows[1:-1] if row[1] in receipts]
    assert [row[10] for row in mine] == [APPROVED, APPROVED]
    assert rows[-1][1] == "Somme de contrôle"
    from pypdf import PdfReader
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF du lot").click()
    pdf = tmp_path / "lot.pdf"
    download.value.save_as(pdf)
    pages = [p.extract_text() for p in PdfReader(str(pdf)).pages]
    text = "".join(pages)
    for receipt in receipts:
        assert receipt in text
    assert text.count("Visa de l'office AI") >= len(receipts)
    assert "11'110.95" in text  # each invoice's approved total
    # each invoice's pièce (the supplier's invoice, one page) follows it in the batch
    assert sum("Facture 2026-001" in one for one in pages) >= len(receipts)

    # --- transmitted (after an empty try), then paid -----------------------------------------
    transmitted = page.locator("#transmitted-form")
    transmitted.get_by_role("button", name="Marquer comme transmis").click()
    expect(page.get_by_role("alert")).to_contain_text("Indiquez la date de transmission.")
    check("le lot, date de transmission vide")
    day = today_text(live)
    page.locator("#transmitted-form").get_by_label("Date de transmission").fill(day)
    page.locator("#transmitted-form").get_by_role("button", name="Marquer comme transmis").click()
    expect(page.get_by_text("Lot marqué comme transmis.")).to_be_visible()
    check("le lot transmis")
    page.locator("#paid-form").get_by_label("Date du paiement").fill(day)
    page.locator("#paid-form").get_by_role("button", name="Marquer comme payé").click()
    expect(page.get_by_text("Lot marqué comme payé")).to_be_visible()
    expect(page.get_by_text("Payé", exact=True)).to_be_visible()
    check("le lot payé")
    log_out(page)

    # --- the insured person sees « Payée » with the day and amount -----------------------------
    log_in_with_sms(page, live, person)
    paid_line = f"{chf(APPROVED)} versés le {day}."
    expect(page.get_by_text(paid_line).first).to_be_visible()
    page.get_by_role("link", name=receipts[0]).first.click()
    expect(page.get_by_text("Payée", exact=True).first).to_be_visible()
    expect(page.get_by_text(f"Payée le {day} : {chf(APPROVED)} versés par la Centrale de "
                            "compensation.")).to_be_visible()
    check("la demande payée")
