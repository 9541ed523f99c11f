"""The Swiss QR-bill on the supplier's invoice, through the invoice form (issue 11): read when
the pièce is attached, offered (« Reprendre ces informations ? »), taken into the form or
declined, never touching the person's payout IBAN; bills that give nothing change nothing; the
same supplier invoice in another invoice is told to its owner and flagged for the staff."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from guichet.models import Attachment, Invoice
from guichet.models.base import db
from tests.support.invoices import (a_recent_day, add_decision, edit_page, form_values, new_invoice,
                                    post_form, review_token, send)
from tests.support.page import page_text
from tests.support.qrbill_files import bill_pdf, bill_photo, bill_png
from tests.support.qrbills import spc_text

pytestmark = pytest.mark.config(QR_BILL_READING=True)

OFFER = ("Nous avons lu la facture de Audition Plus SA : 1'650.00 CHF, facture n° 2026-0412 "
         "du 14.11.2026. Reprendre ces informations ?")
DECISION = "324 2025 0000005"
HTMX = {"HX-Request": "true"}


def attachments_of(invoice_id: int) -> list[Attachment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Attachment).where(Attachment.invoice_id == invoice_id)
                                   .order_by(Attachment.id)))


def attach(client, invoice_id: int, content: bytes, name: str = "facture-audition.pdf",
           key: str = "supplier_invoice", **kwargs):
    return post_form(client, invoice_id, action="upload", files={key: [(content, name)]},
                     **kwargs)


def standard_with_bill(client, content: bytes | None = None,
                       name: str = "facture-audition.pdf") -> int:
    invoice_id = new_invoice(client, "standard")
    response = attach(client, invoice_id, content or bill_pdf(spc_text()), name)
    assert response.status_code == 303, response.status_code
    return invoice_id


def take(client, invoice_id: int, **kwargs):
    attachment = attachments_of(invoice_id)[-1]
    return post_form(client, invoice_id, action=f"take_bill:{attachment.id}", **kwargs)


# --- The offer and taking it --------------------------------------------------------------------

def test_a_supplier_invoice_with_a_qr_bill_is_offered_and_fills_the_form(ready):
    invoice_id = standard_with_bill(ready)
    page = edit_page(ready, invoice_id)
    assert OFFER in page
    assert "Facture QR lue : Audition Plus SA, 1'650.00 CHF" in page
    account_before = db.session.get(Invoice, invoice_id).bank_account_id

    response = take(ready, invoice_id)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/demandes/{invoice_id}/modifier#supplier"
    page = edit_page(ready, invoice_id)
    assert "Informations reprises de la facture de Audition Plus SA" in page
    values = form_values(ready, invoice_id)
    assert (values["supplier"], values["supplier_invoice_number"], values["invoice_date"]) == (
        "Audition Plus SA", "2026-0412", "14.11.2026")
    assert (values["lines-0-quantity"], values["lines-0-unit_price"], values["lines-0-date"],
            values["lines-0-label"]) == ("1", "1650.00", "14.11.2026", "Facture n° 2026-0412")
    page = edit_page(ready, invoice_id)
    assert "Reprendre ces informations ?" not in page            # asked once
    assert page.count("lu sur la facture") == 7                  # 3 header fields, 4 of the line
    assert "Total demandé 1'650.00 CHF" in page
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.bank_account_id == account_before             # the payout IBAN is untouched
    assert "CH4431999123000889012" not in json.dumps(invoice.fields)


def test_with_htmx_taking_the_bill_redraws_the_form_and_focuses_the_first_field_filled(ready):
    invoice_id = new_invoice(ready, "standard")
    response = attach(ready, invoice_id, bill_pdf(spc_text()), headers=HTMX)
    assert response.status_code == 200
    trigger = json.loads(response.headers["HX-Trigger-After-Settle"])["guichet:after-swap"]
    assert trigger["focus"] == "#bill-offer"
    assert trigger["say"].startswith("facture-audition.pdf jointe. Nous avons lu la facture de "
                                     "Audition Plus SA")
    assert 'id="bill-offer"' in response.get_data(as_text=True)

    response = take(ready, invoice_id, headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == ".invoice-editor"
    trigger = json.loads(response.headers["HX-Trigger-After-Settle"])["guichet:after-swap"]
    assert trigger["focus"] == "#supplier"
    assert "Informations reprises de la facture de Audition Plus SA" in trigger["say"]
    html = response.get_data(as_text=True)
    assert 'value="Audition Plus SA"' in html and "lu sur la facture" in html


def test_a_field_changed_after_taking_the_bill_is_no_longer_marked(ready):
    invoice_id = standard_with_bill(ready)
    take(ready, invoice_id)
    post_form(ready, invoice_id, {"supplier": "Audition Plus, Neuchâtel"}, action="save")
    page = edit_page(ready, invoice_id)
    assert page.count("lu sur la facture") == 6
    assert form_values(ready, invoice_id)["supplier"] == "Audition Plus, Neuchâtel"


def test_declining_changes_nothing_and_is_not_asked_again(ready):
    invoice_id = standard_with_bill(ready)
    before = form_values(ready, invoice_id)
    attachment = attachments_of(invoice_id)[-1]
    response = post_form(ready, invoice_id, action=f"decline_bill:{attachment.id}")
    assert response.status_code == 303
    after = form_values(ready, invoice_id)
    assert {k: v for k, v in after.items() if k != "csrf_token"} == \
        {k: v for k, v in before.items() if k != "csrf_token"}
    assert "Reprendre ces informations ?" not in edit_page(ready, invoice_id)


def test_a_phone_photo_of_the_bill_is_read_too(ready):
    invoice_id = new_invoice(ready, "standard")
    assert attach(ready, invoice_id, bill_photo(spc_text()), "photo.jpg").status_code == 303
    assert OFFER in edit_page(ready, invoice_id)


def test_the_bill_is_found_beside_another_qr_code_on_its_page(ready):
    content = bill_pdf(spc_text(), pages=2,
                       other_codes=("https://audition-plus.example.ch/avis",))
    invoice_id = standard_with_bill(ready, content)
    assert OFFER in edit_page(ready, invoice_id)


def test_a_bill_without_swico_information_offers_what_it_has(ready):
    text = spc_text(billing="", message="Appareils auditifs")
    invoice_id = standard_with_bill(ready, bill_png(text))
    page = edit_page(ready, invoice_id)
    assert "Nous avons lu la facture de Audition Plus SA : 1'650.00 CHF. Reprendre ces " \
           "informations ?" in page
    take(ready, invoice_id)
    values = form_values(ready, invoice_id)
    assert values["supplier"] == "Audition Plus SA" and values["supplier_invoice_number"] == ""
    assert values["lines-0-unit_price"] == "1650.00"


@pytest.mark.parametrize("content", [
    pytest.param(lambda: bill_pdf(None), id="no-qr-code"),
    pytest.param(lambda: bill_pdf(spc_text(amount=None)), id="open-amount"),
    pytest.param(lambda: bill_pdf("https://audition-plus.example.ch/facture/2026-0412"),
                 id="not-a-bill"),
    pytest.param(lambda: bill_pdf(spc_text(currency="EUR")), id="eur"),
    pytest.param(lambda: bill_pdf(spc_text().replace("EPD", "XYZ")), id="damaged"),
])
def test_a_file_that_gives_nothing_changes_nothing_and_shows_no_error(ready, content):
    invoice_id = new_invoice(ready, "standard")
    before = form_values(ready, invoice_id)
    response = attach(ready, invoice_id, content())
    assert response.status_code == 303
    page = edit_page(ready, invoice_id)
    assert "Reprendre ces informations" not in page
    assert "Certains fichiers n'ont pas été joints" not in page
    after = form_values(ready, invoice_id)
    assert {k: v for k, v in after.items() if k != "csrf_token"} == \
        {k: v for k, v in before.items() if k != "csrf_token"}
    assert len(attachments_of(invoice_id)) == 1                   # the pièce itself is kept


def test_no_qr_bill_is_said_plainly(ready):
    invoice_id = standard_with_bill(ready, bill_pdf(None))
    assert "Aucune facture QR lue" in edit_page(ready, invoice_id)


def test_a_hearing_aid_invoice_takes_the_supplier_number_and_date_but_not_the_flat_rate(ready):
    invoice_id = new_invoice(ready, "moyens_auxiliaires")
    post_form(ready, invoice_id, {"kind": "deux_oreilles"}, action="save")
    assert attach(ready, invoice_id, bill_pdf(spc_text())).status_code == 303
    assert OFFER in edit_page(ready, invoice_id)
    take(ready, invoice_id)
    values = form_values(ready, invoice_id)
    assert (values["supplier"], values["supplier_invoice_number"], values["invoice_date"]) == (
        "Audition Plus SA", "2026-0412", "14.11.2026")
    assert "supplier_amount" not in values


def test_another_aid_takes_the_amount_of_the_bill(ready):
    invoice_id = new_invoice(ready, "moyens_auxiliaires")
    post_form(ready, invoice_id, {"kind": "autre_moyen"}, action="save")
    attach(ready, invoice_id, bill_pdf(spc_text()))
    take(ready, invoice_id)
    assert form_values(ready, invoice_id)["supplier_amount"] == "1650.00"


def test_a_taxi_invoice_fills_the_fare_of_the_taxi_ride(ready):
    invoice_id = new_invoice(ready, "deplacement")
    post_form(ready, invoice_id, {"lines-0-transport": "taxi", "lines-0-date": a_recent_day()},
              action="save")
    taxi_bill = spc_text(name="Taxis Neuchâtelois SA", amount="86.40",
                         billing="//S1/10/T-5521/11/261110")
    assert attach(ready, invoice_id, bill_pdf(taxi_bill), "taxi.pdf",
                  key="taxi_receipt").status_code == 303
    assert ("Nous avons lu la facture de Taxis Neuchâtelois SA : 86.40 CHF, facture n° T-5521 "
            "du 10.11.2026.") in edit_page(ready, invoice_id)
    take(ready, invoice_id)
    values = form_values(ready, invoice_id)
    assert values["lines-0-fare"] == "86.40"
    assert values["lines-0-date"] == a_recent_day()              # the ride's date is kept


def test_a_travel_claim_without_a_taxi_ride_is_offered_nothing(ready):
    invoice_id = new_invoice(ready, "deplacement")
    post_form(ready, invoice_id, {"lines-0-transport": "public"}, action="save")
    attach(ready, invoice_id, bill_pdf(spc_text()), key="transport_tickets")
    assert "Reprendre ces informations" not in edit_page(ready, invoice_id)


def test_hostile_fields_are_shown_as_text_and_cut(ready):
    name = "<script>alert('x')</script>" + "A" * 200
    invoice_id = standard_with_bill(ready, bill_pdf(spc_text(name=name)))
    html = ready.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    take(ready, invoice_id)
    supplier = form_values(ready, invoice_id)["supplier"]
    assert supplier.startswith("<script>alert('x')</script>AAA") and len(supplier) == 70


# --- Forged requests ----------------------------------------------------------------------------

def test_another_persons_pièce_cannot_be_taken_or_declined(ready, other_person):
    theirs = standard_with_bill(other_person)
    their_attachment = attachments_of(theirs)[-1]
    mine = new_invoice(ready, "standard")
    before = form_values(ready, mine)
    for action in (f"take_bill:{their_attachment.id}", f"decline_bill:{their_attachment.id}"):
        assert post_form(ready, mine, action=action).status_code == 303
    after = form_values(ready, mine)
    assert after["supplier"] == before["supplier"] == ""
    assert attachments_of(theirs)[-1].bill_answer is None
    assert OFFER in edit_page(other_person, theirs)


@pytest.mark.parametrize("action", ["take_bill:abc", "take_bill:-1", "take_bill:99999999999",
                                    "take_bill:", "decline_bill:0"])
def test_a_forged_bill_action_only_saves(ready, action):
    invoice_id = standard_with_bill(ready)
    response = post_form(ready, invoice_id, action=action)
    assert response.status_code == 303
    assert OFFER in edit_page(ready, invoice_id)


def test_a_bill_taken_twice_writes_once(ready):
    invoice_id = standard_with_bill(ready)
    attachment = attachments_of(invoice_id)[-1]
    take(ready, invoice_id)
    post_form(ready, invoice_id, {"supplier": "Changé"}, action="save")
    post_form(ready, invoice_id, action=f"take_bill:{attachment.id}")
    assert form_values(ready, invoice_id)["supplier"] == "Changé"


def test_types_that_rest_on_no_supplier_invoice_do_not_read_their_pieces(ready):
    invoice_id = new_invoice(ready, "assistance")
    response = post_form(ready, invoice_id, action="upload",
                         files={"other": [(bill_pdf(spc_text()), "facture.pdf")]})
    assert response.status_code == 303
    assert [a.qr_bill for a in attachments_of(invoice_id)] == [None]
    assert "Reprendre ces informations" not in edit_page(ready, invoice_id)


@pytest.mark.config(QR_BILL_READING=False)
def test_an_operator_may_turn_the_reading_off(ready):
    invoice_id = standard_with_bill(ready)
    assert [a.qr_bill for a in attachments_of(invoice_id)] == [None]
    page = edit_page(ready, invoice_id)
    assert "Reprendre ces informations" not in page and "Aucune facture QR lue" not in page


# --- Claimed twice ------------------------------------------------------------------------------

def sendable_standard(client, content: bytes, name: str = "facture.pdf") -> int:
    """A standard invoice filled from the bill on ``content``, ready to send."""
    invoice_id = standard_with_bill(client, content, name)
    take(client, invoice_id)
    response = post_form(client, invoice_id, {"decision_number": DECISION}, action="save")
    assert response.status_code == 303
    return invoice_id


def flags_of(invoice_id: int) -> dict[str, str]:
    db.session.expire_all()
    return {flag["code"]: flag["reason"] for flag in db.session.get(Invoice, invoice_id).flags}


def test_the_same_supplier_invoice_sent_again_by_the_same_account_is_told_before_sending(ready):
    add_decision(ready.user, "32420250000005", "standard")
    first = sendable_standard(ready, bill_pdf(spc_text()))
    send(ready, first)
    receipt = db.session.get(Invoice, first).receipt_number
    # the same bill, another file: a photo of the paper invoice
    second = sendable_standard(ready, bill_photo(spc_text()), "photo.jpg")
    warning = (f"Cette facture semble déjà envoyée avec {receipt}. Vous pouvez l'envoyer quand "
               "même : dites pourquoi dans la remarque.")
    assert warning in edit_page(ready, second)
    review, token = review_token(ready, second)
    assert warning in review and token                         # it may still be sent
    post_form(ready, second, {"remark": "La première a été refusée par erreur."}, action="save")
    send(ready, second)
    reason = flags_of(second)["duplicate_bill"]
    second_receipt = db.session.get(Invoice, second).receipt_number
    assert reason == (
        "La facture de Audition Plus SA (1'650.00 CHF, facture n° 2026-0412, réf. "
        "21 00000 00003 13947 14300 09017) lue dans la pièce « photo.jpg » figure aussi dans "
        f"la demande {receipt}, envoyée par le même compte ; cette demande : {second_receipt}.")
    assert "duplicate_piece" not in flags_of(second)           # not the same file


def test_another_accounts_copy_is_told_only_to_the_staff(ready, other_person, staff_client):
    add_decision(ready.user, "32420250000005", "standard")
    first = sendable_standard(ready, bill_pdf(spc_text()))
    send(ready, first)
    receipt = db.session.get(Invoice, first).receipt_number
    add_decision(other_person.user, "32420250000006", "standard")
    second = standard_with_bill(other_person, bill_pdf(spc_text(debtor=None), pages=2))
    take(other_person, second)
    post_form(other_person, second, {"decision_number": "324 2025 0000006"}, action="save")
    assert "semble déjà envoyée" not in edit_page(other_person, second)
    review, token = review_token(other_person, second)
    assert "semble déjà envoyée" not in review and receipt not in review and token
    send(other_person, second)
    second_receipt = db.session.get(Invoice, second).receipt_number
    assert f"figure aussi dans la demande {receipt}, envoyée par un autre compte ; cette " \
           f"demande : {second_receipt}." in flags_of(second)["duplicate_bill"]
    screen = page_text(staff_client.get(f"/gestion/demandes/{second}"))
    assert receipt in screen and "envoyée par un autre compte" in screen
    assert "Facture QR lue" in screen and "CH44 3199 9123 0008 8901 2" in screen


def test_a_draft_holding_the_same_bill_is_no_duplicate(ready, other_person):
    standard_with_bill(other_person)                            # never sent
    add_decision(ready.user, "32420250000005", "standard")
    mine = sendable_standard(ready, bill_pdf(spc_text()))
    send(ready, mine)
    assert "duplicate_bill" not in flags_of(mine)


def test_another_invoice_number_of_the_same_supplier_is_no_duplicate(ready):
    add_decision(ready.user, "32420250000005", "standard")
    send(ready, sendable_standard(ready, bill_pdf(spc_text())))
    other_bill = spc_text(reference_type="NON", reference="",
                          iban="CH9300762011623852957",
                          billing="//S1/10/2026-0413/11/261114")
    second = sendable_standard(ready, bill_pdf(other_bill))
    assert "semble déjà envoyée" not in edit_page(ready, second)
    send(ready, second)
    assert "duplicate_bill" not in flags_of(second)


def test_the_offer_and_the_marks_are_not_on_the_sent_invoice(ready):
    add_decision(ready.user, "32420250000005", "standard")
    invoice_id = sendable_standard(ready, bill_pdf(spc_text()))
    send(ready, invoice_id)
    page = page_text(ready.get(f"/demandes/{invoice_id}"))
    assert "Reprendre ces informations" not in page and "lu sur la facture" not in page
    assert re.search(r"Audition Plus SA", page)
