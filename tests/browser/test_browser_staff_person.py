"""A gestionnaire opens an insured person's file on a phone-wide window and corrects the
identity (a first try without a reason is refused and explained), with JavaScript on (the
section comes back by htmx) and off (plain form, 303); axe-core and vnu check every page and
fragment."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pyotp
from playwright.sync_api import expect

from tests.browser.steps import JS_ON_AND_OFF, enter_code, log_in, see_page
from tests.support.invoices import IBAN
from tests.support.servers import wait_for

_receipts = iter(range(900001, 999999))


def no_horizontal_scroll(page):
    assert page.evaluate("() => document.documentElement.scrollWidth") <= \
        page.viewport_size["width"]


def person_with_a_sent_invoice(live, nom: str):
    """An insured person with an IBAN, a sent invoice and a register decision; their id."""
    from guichet.invoices.lifecycle import write_search_keys
    from guichet.models import BankAccount, Beneficiary, Decision, Invoice, User, utcnow
    from guichet.models.base import db

    user = live.add_user(nom=nom)
    with live.lock, live.app.app_context():
        row = db.session.query(User).filter_by(email=user.email).one()
        db.session.add(Beneficiary(user_id=row.id, navs13=row.navs13, nom=row.nom,
                                   prenom=row.prenom, date_naissance=row.date_naissance,
                                   relation="self"))
        db.session.add(BankAccount(user_id=row.id, iban=IBAN, holder="Anna " + nom,
                                   bank_name="UBS", confirmed_at=utcnow() - timedelta(days=3)))
        number = next(_receipts)
        db.session.add(Decision(navs13=row.navs13, number=f"3242025{number:07d}",
                                invoice_type="standard", valid_from=date(2025, 1, 1)))
        invoice = Invoice(user_id=row.id, invoice_type="standard", status="submitted",
                          receipt_number=f"NE-2026-{number:06d}", fields={}, frozen={},
                          total_claimed=Decimal("87.35"), submitted_at=utcnow(),
                          queue_rank=2, queue_since=utcnow())
        write_search_keys(invoice, row, None)
        db.session.add(invoice)
        db.session.commit()
        return row.id, invoice.receipt_number, user.email


@JS_ON_AND_OFF
def test_a_gestionnaire_reads_a_file_and_corrects_the_identity(page, live, check, js):
    page.set_viewport_size({"width": 390, "height": 844})
    nom = "Rochat" if js else "Favre"
    person_id, receipt, email = person_with_a_sent_invoice(live, nom)
    corrected = live.add_person(nom=f"{nom}-Meier", prenom="Anna", born=date(1985, 3, 15))
    secret = pyotp.random_base32()
    staff = live.add_user(role="reviewer", totp_secret=secret,
                          email=f"gestion-{'js' if js else 'nojs'}@office.example.ch")
    page.goto("/")
    log_in(page, staff.email)
    enter_code(page, pyotp.TOTP(secret).now())

    page.goto(f"/gestion/personnes/{person_id}")
    see_page(page, f"Dossier de Anna {nom}")
    expect(page.get_by_role("link", name=receipt)).to_have_attribute(
        "href", re.compile(r"^/gestion/demandes/[0-9]+$"))
    expect(page.get_by_text("CH56 0483 5012 3456 7800 9")).to_be_visible()
    no_horizontal_scroll(page)
    check("dossier de la personne")

    page.get_by_text("Corriger l'identité", exact=True).first.click()  # the disclosure
    form = page.locator("#identity-correction form")
    form.get_by_label("N° AVS").fill(corrected.navs_display)
    form.get_by_label("Nom", exact=True).fill(corrected.nom)
    form.get_by_role("button", name="Corriger l'identité").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Indiquez le motif de la correction.")
    if js:
        check.fragment("dossier : correction refusée",
                       path=f"/gestion/personnes/{person_id}/identite")
    else:
        check("dossier : correction refusée")
    no_horizontal_scroll(page)

    form = page.locator("#identity-correction form")
    expect(form.get_by_label("Nom", exact=True)).to_have_value(corrected.nom)  # kept as typed
    form.get_by_label("Motif de la correction").fill("Erreur de saisie, vérifié sur la carte.")
    form.get_by_role("button", name="Corriger l'identité").click()
    expect(page.get_by_role("status").filter(has_text="L'identité est corrigée")).to_be_visible()
    identity = page.locator("#identity")
    expect(identity).to_contain_text(corrected.navs_display)
    expect(identity).to_contain_text(corrected.nom)
    if js:
        check.fragment("dossier : identité corrigée",
                       path=f"/gestion/personnes/{person_id}/identite")
    else:
        see_page(page, f"Dossier de Anna {corrected.nom}")
        check("dossier : après la correction")
    assert wait_for(lambda: any("identité" in mail.subject for mail in live.mailbox.to(email)))
