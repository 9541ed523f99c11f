"""The draft's form as people use it: two saves of one draft that cross (a version conflict),
where the page comes back and what it says after each button, « Mettre à jour » next to the
questions that change the form, a pièce filed under the document it is, and what the page says
about leaving it."""
from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from sqlalchemy import select, update

from guichet.core.i18n import ZURICH
from guichet.invoices import drafts, pieces
from guichet.models import Attachment, Invoice
from guichet.models.base import db
from tests.support.files import pdf_bytes
from tests.support.invoices import (a_recent_day, edit_page, form_values, new_invoice, post_form,
                                    read_form, upload_folder_files)
from tests.support.page import page_text

HX = {"HX-Request": "true"}


def invoice_row(invoice_id: int) -> Invoice:
    db.session.expire_all()
    return db.session.get(Invoice, invoice_id)


def after_swap(response) -> dict:
    """What the page does once htmx swapped the answer in (focus, live region)."""
    header = response.headers.get("HX-Trigger-After-Settle")
    return json.loads(header)["guichet:after-swap"] if header else {}


# --- two saves of one draft that cross ----------------------------------------------------------

@pytest.fixture
def saved_meanwhile(monkeypatch):
    """Another request (the autosave htmx sent for the last change, another tab) saves the draft
    after this request read it and before it writes: the draft's version moves under it."""
    original = drafts.save_draft

    def save_after_the_other(invoice, submitted):
        with db.engine.begin() as connection:
            connection.execute(update(Invoice).where(Invoice.id == invoice.id).values(
                version=Invoice.version + 1, remark="Écrit dans l'autre onglet"))
        original(invoice, submitted)

    monkeypatch.setattr(drafts, "save_draft", save_after_the_other)


@pytest.mark.parametrize("action", ["review", "save", "", "add_line"])
def test_a_draft_saved_meanwhile_answers_its_fresh_form_not_a_500(ready, saved_meanwhile,
                                                                    action):
    client = ready
    invoice_id = new_invoice(client, "standard")
    response = post_form(client, invoice_id, {"supplier": "Orthopédie Rochat",
                                               "remark": "Mon texte"}, action=action)
    assert response.status_code == 409
    text = page_text(response)
    assert "Ce brouillon venait d'être modifié par une autre demande" in text
    assert "rien de ce que vous venez d'envoyer n'a été enregistré" in text
    # the fresh form: what the other request saved, nothing of this one
    values = read_form(response.get_data(as_text=True)).values
    assert values["remark"].strip() == "Écrit dans l'autre onglet" and values["supplier"] == ""
    invoice = invoice_row(invoice_id)
    assert invoice.remark == "Écrit dans l'autre onglet" and invoice.lines[0].data == {}
    assert len(invoice.lines) == 1


def test_a_file_sent_while_the_draft_was_saved_meanwhile_is_not_kept(app, ready,
                                                                      saved_meanwhile):
    client = ready
    invoice_id = new_invoice(client, "standard")
    response = post_form(client, invoice_id, action="upload", files={
        "supplier_invoice": [(pdf_bytes(), "facture.pdf")]})
    assert response.status_code == 409
    assert db.session.scalars(select(Attachment)).all() == []
    assert upload_folder_files(app) == []


def test_with_htmx_a_draft_saved_meanwhile_redraws_the_whole_form(ready, saved_meanwhile):
    client = ready
    invoice_id = new_invoice(client, "standard")
    response = post_form(client, invoice_id, {"remark": "Mon texte"}, action="", headers=HX)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div class="invoice-editor"') and "<html" not in body
    # the autosave targets the summary: the answer says to replace the whole form instead
    assert response.headers["HX-Retarget"] == ".invoice-editor"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert after_swap(response) == {"focus": "#invoice-conflict"}
    assert 'id="invoice-conflict" role="alert"' in body
    assert "Écrit dans l&#39;autre onglet" in body or "Écrit dans l'autre onglet" in body


def test_a_draft_sent_meanwhile_leads_to_its_page(ready, monkeypatch):
    client = ready
    invoice_id = new_invoice(client, "standard")
    original = drafts.save_draft

    def sent_by_the_other(invoice, submitted):
        with db.engine.begin() as connection:
            connection.execute(update(Invoice).where(Invoice.id == invoice.id).values(
                version=Invoice.version + 1, status="submitted"))
        original(invoice, submitted)

    monkeypatch.setattr(drafts, "save_draft", sent_by_the_other)
    response = post_form(client, invoice_id, {"remark": "x"}, action="save")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/demandes/{invoice_id}"


def test_with_htmx_the_submit_buttons_save_then_lead_on(ready):
    """With scripts the form's buttons go through htmx (so that they queue behind an autosave):
    « Vérifier et envoyer » saves everything sent, then the browser goes to the review."""
    client = ready
    invoice_id = new_invoice(client, "standard")
    response = post_form(client, invoice_id, {"supplier": "Orthopédie Rochat"},
                         action="review", headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/demandes/{invoice_id}/verifier"
    assert invoice_row(invoice_id).fields["supplier"] == "Orthopédie Rochat"
    # « Recalculer » (the form's own request targets the summary) redraws the whole form
    response = post_form(client, invoice_id, action="refresh", headers=HX)
    assert response.headers["HX-Retarget"] == ".invoice-editor"
    assert response.get_data(as_text=True).lstrip().startswith('<div class="invoice-editor"')


def test_the_form_s_htmx_requests_queue_one_behind_the_other(ready):
    """One form, whose requests (autosave, buttons, submit) wait for the one before; the
    fields and buttons inside inherit that and set no other hx-sync."""
    client = ready
    invoice_id = new_invoice(client, "deplacement")
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    form = re.search(r'<form id="invoice-form"[^>]*>', html)[0]
    assert 'data-hx-sync="this:queue all"' in form
    assert 'data-hx-trigger="change, submit"' in form
    assert html.count("hx-sync") == 1


# --- focus and the live region after an htmx swap (browser tests check the page itself) ----------

def test_after_each_swap_the_page_knows_where_focus_goes_and_what_to_say(ready):
    client = ready
    invoice_id = new_invoice(client, "deplacement")
    response = post_form(client, invoice_id, action="add_line", headers=HX)
    assert after_swap(response) == {"focus": "#lines-1-date", "say": "Trajet 2 ajouté"}
    response = post_form(client, invoice_id, action="remove_line:0", headers=HX)
    assert after_swap(response) == {"focus": "#lines-title", "say": "Trajet supprimé"}
    response = post_form(client, invoice_id, action="upload", headers=HX, files={
        "other": [(pdf_bytes(), "quittance.pdf")]})
    attachment = db.session.scalars(select(Attachment)).one()
    assert after_swap(response) == {"focus": f"#attachment-{attachment.id}",
                                    "say": "quittance.pdf jointe"}
    assert f'id="attachment-{attachment.id}" tabindex="-1"' in response.get_data(as_text=True)
    response = post_form(client, invoice_id, action=f"remove_file:{attachment.id}", headers=HX)
    assert after_swap(response) == {"focus": "#pieces-title", "say": "quittance.pdf retirée"}


def test_a_file_chosen_with_scripts_is_announced_and_focus_stays_on_its_input(ready):
    client = ready
    invoice_id = new_invoice(client, "standard")
    response = post_form(client, invoice_id, action="", headers=HX, files={
        "supplier_invoice": [(pdf_bytes(), "a.pdf"), (pdf_bytes(text="b"), "b.pdf")]})
    assert after_swap(response) == {"say": "a.pdf, b.pdf jointes"}


# --- without scripts: « Mettre à jour » next to each question that changes the form --------------

def test_questions_that_change_the_form_have_their_update_button(ready):
    client = ready
    invoice_id = new_invoice(client, "deplacement")
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    buttons = re.findall(r'value="refresh:([^"]+)" class="[^"]*no-js-only', html)
    assert buttons == ["lines-0-transport"]
    post_form(client, invoice_id, {"lines-0-transport": "car"})
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    # the car asks whether the decision mentions it: that answer changes the pièces asked
    assert re.findall(r'value="refresh:([^"]+)"', html) == [
        "lines-0-transport", "lines-0-vehicle_required"]
    # and « Recalculer », hidden once scripts run, like the update buttons
    assert re.search(r'value="refresh" class="[^"]*no-js-only">Recalculer', html)


@pytest.mark.parametrize(("type_key", "changes", "question", "now_shown"), [
    ("deplacement", {"lines-0-transport": "car"}, "lines-0-transport", "Kilomètres parcourus"),
    ("moyens_auxiliaires", {"kind": "piles"}, "kind", "Nombre d'appareils"),
])
def test_update_comes_back_at_the_question_with_what_it_calls_for(ready, type_key, changes,
                                                                    question, now_shown):
    client = ready
    invoice_id = new_invoice(client, type_key)
    assert now_shown not in edit_page(client, invoice_id)
    response = post_form(client, invoice_id, changes, action=f"refresh:{question}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/demandes/{invoice_id}/modifier#{question}"
    page = client.get(response.headers["Location"])
    assert now_shown in page_text(page)
    assert f'id="{question}"' in page.get_data(as_text=True)


def test_an_update_for_a_question_that_does_not_exist_comes_back_at_the_top(ready):
    client = ready
    invoice_id = new_invoice(client, "deplacement")
    for value in ("refresh:Javascript:alert(1)", "refresh:#lines", "refresh:" + "a" * 50):
        response = post_form(client, invoice_id, action=value)
        assert response.status_code == 303
        assert response.headers["Location"] == f"/demandes/{invoice_id}/modifier"


# --- a pièce filed under the document it is ------------------------------------------------------

def travel_with_a_ticket_in_other_pieces(client) -> tuple[int, Attachment]:
    """The ticket attached before the trip's means of transport was chosen: it went to
    « Autres pièces », then the public transport asked for tickets."""
    invoice_id = new_invoice(client, "deplacement")
    post_form(client, invoice_id, action="upload", files={"other": [(pdf_bytes(), "billet.pdf")]})
    post_form(client, invoice_id, {
        "lines-0-date": a_recent_day(), "lines-0-depart": "Le Locle",
        "lines-0-destination": "Neuchâtel", "lines-0-motif": "physiothérapie",
        "lines-0-transport": "public", "lines-0-fare": "12.40", "lines-0-departure_time": "08:00",
        "lines-0-return_time": "11:00", "lines-0-companion": "no"},
        action="refresh:lines-0-transport")
    return invoice_id, db.session.scalars(select(Attachment)).one()


def test_a_piece_in_other_pieces_is_filed_under_the_document_it_is(ready):
    client = ready
    invoice_id, ticket = travel_with_a_ticket_in_other_pieces(client)
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    options = re.search(rf'<select id="piece-{ticket.id}" name="piece-{ticket.id}">(.*?)</select>',
                        html, re.S)[1]
    assert re.findall(r'value="([^"]+)"', options) == ["transport_tickets"]
    data = {**form_values(client, invoice_id), "action": f"move_file:{ticket.id}",
            f"piece-{ticket.id}": "transport_tickets"}
    response = client.post(f"/demandes/{invoice_id}/modifier", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/modifier#attachment-{ticket.id}")
    db.session.expire_all()
    assert db.session.get(Attachment, ticket.id).requirement == "transport_tickets"
    # listed under the tickets now, and the select is gone with « Autres pièces » empty
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    tickets = html.index('id="piece-transport_tickets-title"')
    assert tickets < html.index("billet.pdf") < html.index('id="piece-other-title"')
    assert f'id="piece-{ticket.id}"' not in html


def test_with_htmx_filing_a_piece_answers_the_summary_and_says_so(ready):
    client = ready
    invoice_id, ticket = travel_with_a_ticket_in_other_pieces(client)
    response = post_form(client, invoice_id, {f"piece-{ticket.id}": "transport_tickets"},
                         action=f"move_file:{ticket.id}", headers=HX)
    assert response.get_data(as_text=True).lstrip().startswith('<div id="invoice-summary"')
    assert after_swap(response) == {"focus": f"#attachment-{ticket.id}",
                                    "say": "billet.pdf classée"}


@pytest.mark.parametrize("key", ["disability_certificate", "other", "", "x" * 100])
def test_a_piece_is_filed_only_under_a_document_asked_for(ready, key):
    client = ready
    invoice_id, ticket = travel_with_a_ticket_in_other_pieces(client)
    post_form(client, invoice_id, {f"piece-{ticket.id}": key}, action=f"move_file:{ticket.id}")
    db.session.expire_all()
    assert db.session.get(Attachment, ticket.id).requirement == "other"


def test_someone_else_s_piece_is_not_filed(ready, factory, app):
    client = ready
    invoice_id, ticket = travel_with_a_ticket_in_other_pieces(client)
    other = factory.user(email="autre@example.ch")
    foreign = Invoice(user_id=other.id, invoice_type="deplacement", fields={})
    db.session.add(foreign)
    db.session.flush()
    assert pieces.reassign(foreign, ticket.id, "transport_tickets", ["transport_tickets"]) is None
    invoice = db.session.get(Invoice, invoice_id)
    assert pieces.reassign(invoice, ticket.id, "taxi_receipt", ["transport_tickets"]) is None
    moved = pieces.reassign(invoice, ticket.id, "transport_tickets", ["transport_tickets"])
    assert moved is not None and moved.requirement == "transport_tickets"
    db.session.rollback()


# --- what the page says about leaving it ---------------------------------------------------------

def test_the_page_says_what_is_true_about_leaving_it(ready):
    client = ready
    invoice_id = new_invoice(client, "standard")
    response = post_form(client, invoice_id, {"supplier": "Orthopédie Rochat"}, action="save")
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert "vous pouvez quitter cette page à tout moment" not in html
    # without scripts nothing saves by itself: said plainly, visible without scripts
    assert re.search(r'<p class="no-js-only">Enregistrez le brouillon avant de quitter cette '
                     r'page', html)
    # with scripts: when it was last saved, in Swiss time, written by the script (a browser
    # without scripts shows none of it, not even a text browser that ignores « hidden »)
    saved = invoice_row(invoice_id).updated_at.astimezone(ZURICH)
    assert (f'<p class="save-status js-only" id="invoice-saved" hidden data-js-text="Enregistré '
            f'à {saved:%H:%M}"></p>') in html
    text = page_text(client.get(f"/demandes/{invoice_id}/modifier"))
    assert "Enregistré à" not in text and "dès que vous quittez le champ" not in text
    assert response.status_code == 303


def test_each_autosave_answers_the_time_it_was_saved(ready):
    client = ready
    invoice_id = new_invoice(client, "standard")
    response = post_form(client, invoice_id, {"supplier": "Orthopédie Rochat"}, action="",
                         headers=HX)
    saved = invoice_row(invoice_id).updated_at.astimezone(ZURICH)
    assert f'data-js-text="Enregistré à {saved:%H:%M}"' in response.get_data(as_text=True)
    # « Enregistrer le brouillon » with scripts: said in the live region
    response = post_form(client, invoice_id, action="save", headers=HX)
    saved = invoice_row(invoice_id).updated_at.astimezone(ZURICH)
    assert after_swap(response) == {"say": f"Enregistré à {saved:%H:%M}"}


def test_a_draft_saved_another_day_says_the_day(ready):
    client = ready
    invoice_id = new_invoice(client, "standard")
    earlier = datetime(2026, 3, 2, 7, 5, tzinfo=ZURICH)
    db.session.execute(update(Invoice).where(Invoice.id == invoice_id).values(
        updated_at=earlier))
    db.session.commit()
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    assert 'data-js-text="Enregistré le 02.03.2026 à 07:05"' in html


def test_the_page_is_marked_as_run_with_scripts_before_the_form(ready):
    """The script that marks the page is loaded before the form, so that nothing meant only
    for a page without scripts shows for a moment."""
    client = ready
    invoice_id = new_invoice(client, "standard")
    html = client.get(f"/demandes/{invoice_id}/modifier").get_data(as_text=True)
    script = html.index('src="/static/js/invoice-editor.js"')
    assert script < html.index('<form id="invoice-form"')
    assert not re.search(r'src="/static/js/invoice-editor.js"[^>]*(defer|async)', html)
