"""What insured persons read says things plainly: no office jargon (« viatique », « art. 39g
RAI » as a question, « SHA-256 »), one inclusive style (no « un·e accompagnant·e … il »),
labels that say « facultatif » once, cleanly."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from guichet.invoices.types import INVOICE_TYPES
from tests.support.invoices import (add_decision, ask_for_complement, complete_standard, edit_page,
                                    new_invoice, one_trip_draft, post_form, review_token, send)
from tests.support.page import page_text


def pdf_text(client, invoice_id) -> str:
    response = client.get(f"/demandes/{invoice_id}/pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return " ".join(text.split())


@pytest.mark.parametrize("type_key", list(INVOICE_TYPES))
def test_no_label_says_facultatif_twice_or_after_a_bracket(ready, type_key):
    client = ready
    invoice_id = new_invoice(client, type_key)
    post_form(client, invoice_id, {"lines-0-transport": "car", "kind": "other_aid"})
    page = edit_page(client, invoice_id)
    assert "(facultatif)" in page  # the remark at least
    assert ") (facultatif)" not in page and "Facultatif. " not in page
    assert not re.search(r"\b(il|ils)\b[^.]*·|·[^.?]*\b(il|ils)\b", page), \
        "inclusive writing mixed with « il »"


def test_an_optional_label_with_brackets_takes_facultatif_inside_them(app, ready, factory):
    client = ready
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    ask_for_complement(app, invoice_id, factory)
    page = client.get(f"/demandes/{invoice_id}").get_data(as_text=True)
    label = re.search(r'<label for="files-complement">(.*?)</label>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", label) == "Documents (PDF, JPEG ou PNG, facultatif)"


def test_a_trip_says_meal_allowance_and_companion_plainly(ready):
    client = ready
    add_decision(client.user, "32420250000001", "deplacement")
    invoice_id = one_trip_draft(client, "32420250000001", companion="yes")
    form = edit_page(client, invoice_id)
    assert "La présence d'un·e accompagnant·e était-elle nécessaire ?" in form
    review, _token = review_token(client, invoice_id)
    for shown in (form, review, pdf_text(client, invoice_id)):
        assert "Forfait repas, absence de 6 h 00" in shown, shown
        assert "Forfait repas de l'accompagnant·e : 1 × 11.50 CHF" in shown
        assert "viatique" not in shown.lower()


def test_the_eleven_months_question_is_plain_and_keeps_its_legal_source(ready):
    client = ready
    page = edit_page(client, new_invoice(client, "assistance"))
    assert "Votre décision compte-t-elle 11 mois par an au lieu de 12 ?" in page
    assert "C'est écrit dans votre décision. Base légale : art. 39g RAI." in page
    assert "(art. 39g RAI) ?" not in page


def test_the_night_place_question_is_epicene(ready):
    client = ready
    add_decision(client.user, "32420250000003", "api_mineur", degree="faible")
    page = edit_page(client, new_invoice(client, "api_mineur"))
    assert "a-t-il" not in page


def test_the_pdf_names_the_file_fingerprint_in_plain_words(ready):
    client = ready
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    pdf = pdf_text(client, invoice_id)
    assert "Empreinte du fichier" in pdf and "SHA-256 (début)" not in pdf
    assert "L'empreinte montre que le fichier est celui envoyé" in pdf


def test_adding_a_beneficiary_is_said_without_a_masculine_default(logged_in, factory):
    from datetime import date
    page = page_text(logged_in.get("/compte/beneficiaires/"))
    assert "curateur·trice" in page and "curateur ou curatrice" not in page
    child = factory.person(nom="Muster", prenom="Léa", born=date(2015, 5, 1))
    added = logged_in.post("/compte/beneficiaires/", data={
        "navs13": child.navs13, "nom": "Muster", "prenom": "Léa", "date_naissance": "01.05.2015",
        "relation": "child"}, follow_redirects=True)
    assert "La personne a été ajoutée à vos bénéficiaires." in page_text(added)
    assert "Le bénéficiaire a été ajouté" not in page_text(added)
