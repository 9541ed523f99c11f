"""The Swiss QR-bill in a real browser, with and without JavaScript (issue 11): a hearing-aid
invoice whose supplier PDF carries a QR-bill is filled from it (the offer, « Reprendre ces
informations », the fields marked as read from the invoice, focus on the first one); the same
bill on another file sent by another account is flagged on the staff's review screen with both
receipt numbers. axe-core and vnu clean at each step."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.invoice_steps import (HtmxWatch, attach, attached, chf, fill, ready_account,
                                         redraw, review, send, start_invoice, total)
from tests.browser.steps import JS_ON_AND_OFF, log_in_with_sms, log_out, see_page
from tests.browser.test_browser_staff_review import WIDE, log_in_as_staff
from tests.support.qrbill_files import bill_pdf
from tests.support.qrbills import spc_text

pytestmark = pytest.mark.usefixtures("generous_login_limits")

OFFER = ("Nous avons lu la facture de Audition Plus SA : 1'650.00 CHF, facture n° 2026-0412 "
         "du 14.11.2026. Reprendre ces informations ?")


@pytest.fixture
def htmx(page, js):
    return HtmxWatch(page, js)


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def hearing_aids_from_the_bill(page, live, check, htmx, path, name: str) -> str:
    """A new account's invoice for two hearing aids, filled from the QR-bill on ``path``, sent;
    returns its receipt number."""
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "moyens_auxiliaires")
    fill(page.get_by_label("N° de décision"), user.decisions["moyens_auxiliaires"])
    htmx.idle()
    page.get_by_label("De quoi s'agit-il ?").select_option(
        label="Appareils auditifs pour deux oreilles (forfait)")
    redraw(page, htmx)
    attach(page, htmx, "Facture originale du fournisseur", path)
    if not htmx.js:
        page.get_by_role("button", name="Joindre les fichiers choisis").click()
        page.wait_for_load_state()
    expect(attached(page, path.name)).to_be_visible()
    offer = page.get_by_role("group", name=OFFER)
    expect(offer).to_be_visible()
    if htmx.js:
        assert focused_id(page) == "bill-offer"          # said by the live region, focused
        expect(page.locator("#invoice-live")).to_contain_text(OFFER)
    check(f"{name} : facture QR lue, offre")

    offer.get_by_role("button", name="Reprendre ces informations").click()
    if htmx.js:
        htmx.idle()
    else:
        page.wait_for_load_state()
    supplier = page.get_by_label(re.compile(r"^Fournisseur"))
    expect(supplier).to_have_value("Audition Plus SA")
    if htmx.js:
        expect(supplier).to_be_focused()
    expect(page.get_by_label(re.compile(r"^N° de la facture du fournisseur"))).to_have_value(
        "2026-0412")
    expect(page.get_by_label(re.compile(r"^Date de la facture"))).to_have_value("14.11.2026")
    expect(page.get_by_label("Fournisseur lu sur la facture")).to_be_visible()
    expect(page.get_by_role("group", name=OFFER)).to_have_count(0)
    # the payout IBAN is the person's own, whatever the bill's creditor IBAN
    expect(page.get_by_label("IBAN pour le remboursement").locator("option:checked")
           ).to_contain_text("CH56")
    expect(total(page)).to_contain_text(chf("1650.00"))
    check(f"{name} : informations reprises de la facture")
    if htmx.js:  # changed by the person: no longer « lu sur la facture », at once
        fill(supplier, "Audition Plus SA, Neuchâtel")
        expect(page.get_by_label("Fournisseur", exact=True)).to_have_value(
            "Audition Plus SA, Neuchâtel")
        htmx.idle()
    review(page, htmx)
    expect(page.get_by_role("main")).to_contain_text("Audition Plus SA")
    receipt = send(page)
    log_out(page)
    return receipt


@JS_ON_AND_OFF
def test_a_hearing_aid_invoice_is_filled_from_its_qr_bill_and_a_copy_is_flagged(
        page, live, check, js, htmx, tmp_path):
    first_file = tmp_path / "facture-audition.pdf"
    first_file.write_bytes(bill_pdf(spc_text()))
    first = hearing_aids_from_the_bill(page, live, check, htmx, first_file, "première")

    # the same supplier invoice, another file (a two-page scan), from another account
    copy = tmp_path / "scan-facture.pdf"
    copy.write_bytes(bill_pdf(spc_text(debtor=None), pages=2))
    second = hearing_aids_from_the_bill(page, live, check, htmx, copy, "copie")
    assert first != second

    page.set_viewport_size(WIDE)
    log_in_as_staff(page, live)
    search = page.get_by_role("searchbox", name=re.compile("^Rechercher"))
    search.fill(second)
    search.press("Enter")
    page.locator("#queue-results").get_by_role("link", name=second).click()
    see_page(page, f"Demande {second}")
    main = page.get_by_role("main")
    expect(main).to_contain_text(
        f"figure aussi dans la demande {first}, envoyée par un autre compte ; cette demande : "
        f"{second}.")
    expect(main).to_contain_text("Facture QR lue")
    expect(main).to_contain_text("CH44 3199 9123 0008 8901 2")
    check("gestion : facture QR déjà envoyée par un autre compte")
