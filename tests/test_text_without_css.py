"""The invoice form as a text browser shows it (no CSS, the ``hidden`` attribute ignored, no
JavaScript): nothing meant to stay out of sight appears, such as an upload progress « 0 % » or a
stray « Enregistrer » button; and Enter in a field still saves the draft (the form's first
button, which browsers press for Enter, is « Enregistrer le brouillon »)."""
from __future__ import annotations

import re

import pytest

from guichet.invoices.types import INVOICE_TYPES
from tests.support.invoices import new_invoice
from tests.support.page import page_text


@pytest.mark.parametrize("type_key", sorted(INVOICE_TYPES))
def test_the_invoice_form_shows_nothing_hidden_without_css(ready, type_key):
    invoice_id = new_invoice(ready, type_key)
    response = ready.get(f"/demandes/{invoice_id}/modifier")
    text = page_text(response)
    assert "%" not in re.sub(r"\d+ ?% de", "", text), text  # no « 0 % », « 100 % » …
    stray = re.findall(r"Enregistrer(?! le brouillon| ce numéro pour mes prochaines factures)"
                       r"[^.]{0,30}", text)
    assert stray == [], stray
    assert "Pièces justificatives" in text  # the part where the progress bar was


@pytest.mark.parametrize("type_key", sorted(INVOICE_TYPES))
def test_enter_in_a_field_saves_the_draft(ready, type_key):
    invoice_id = new_invoice(ready, type_key)
    body = ready.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    start = body.index('<form id="invoice-form"')
    form = body[start:body.index("</form>", start)]
    first_button = re.search(r"<button\b[^>]*>(.*?)</button>", form, re.S)
    assert 'type="submit"' in first_button[0] and 'value="save"' in first_button[0]
    assert first_button[1].strip() == "Enregistrer le brouillon"
    assert "hidden" not in first_button[0] and "aria-hidden" not in first_button[0]
