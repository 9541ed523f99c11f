"""The staff queue (/gestion/): order, scope, filters, searches, keyset pages, masking, counts,
htmx fragment and poll, and who may open it."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from guichet.core.audit import AuditEntry
from guichet.core.i18n import today_in_zurich
from guichet.core.identifiers import format_navs13, mask_navs13
from guichet.models import Beneficiary, Invoice
from guichet.models.base import db
from guichet.models.invoices import (STATUS_ACCEPTED, STATUS_PAID, STATUS_REJECTED,
                                     STATUS_VISA_PENDING)
from tests.support.page import page_text
from tests.support.queue import (answer_complement, ask_complement, let_complement_fall_due,
                                 many_sent, move, sent_invoice, take)


def receipts(response) -> list[str]:
    """The receipt numbers of the queue's rows, in their order."""
    return re.findall(r'class="receipt-number" href="/gestion/demandes/\d+">([^<]+)<',
                      response.get_data(as_text=True))


def next_link(response) -> str | None:
    match = re.search(r'<a href="([^"]+)" rel="next">', response.get_data(as_text=True))
    return match[1].replace("&amp;", "&") if match else None


@pytest.fixture
def owner(factory):
    return factory.user(email="lea@example.ch", nom="Müller")


def test_the_queue_puts_answered_complements_first_then_the_oldest_sent_then_overdue(
        app, staff_client, owner):
    staff = staff_client.user
    recent = sent_invoice(owner, days_ago=2)
    oldest = sent_invoice(owner, days_ago=20)
    answered = sent_invoice(owner, days_ago=1)
    overdue = sent_invoice(owner, days_ago=40)
    waiting = sent_invoice(owner, days_ago=30)
    ask_complement(app, staff, answered, today_in_zurich() + timedelta(days=30))
    answer_complement(app, owner, answered)
    ask_complement(app, staff, overdue, today_in_zurich() + timedelta(days=1))
    let_complement_fall_due(app, overdue)
    ask_complement(app, staff, waiting, today_in_zurich() + timedelta(days=10))

    response = staff_client.get("/gestion/")
    assert response.status_code == 200
    assert receipts(response) == [answered.receipt_number, oldest.receipt_number,
                                  recent.receipt_number, overdue.receipt_number,
                                  waiting.receipt_number]
    text = page_text(response)
    assert "Complément reçu" in text and "Échu" in text


def test_it_opens_on_mine_and_unassigned_and_second_visas_of_others(
        app, staff_client, second_staff_client, owner):
    mine, unassigned, others, visa = (sent_invoice(owner, days_ago=d) for d in (4, 3, 2, 1))
    take(app, staff_client.user, mine)
    take(app, second_staff_client.user, others, visa)
    move(app, visa, STATUS_VISA_PENDING, second_staff_client.user)

    shown = receipts(staff_client.get("/gestion/"))
    assert shown == [visa.receipt_number, mine.receipt_number, unassigned.receipt_number]
    assert others.receipt_number not in shown
    # the other gestionnaire sees theirs, the unassigned one and their own validation
    assert receipts(second_staff_client.get("/gestion/")) == [
        visa.receipt_number, unassigned.receipt_number, others.receipt_number]
    # everyone's, on request
    assert len(receipts(staff_client.get("/gestion/?gestionnaire=any"))) == 4
    assert receipts(staff_client.get("/gestion/?gestionnaire=mine")) == [mine.receipt_number]
    assert receipts(staff_client.get("/gestion/?gestionnaire=none")) == [
        unassigned.receipt_number]
    named = staff_client.get(f"/gestion/?gestionnaire={second_staff_client.user.id}")
    assert receipts(named) == [visa.receipt_number, others.receipt_number]


def test_decided_invoices_leave_the_default_queue_and_have_their_tab(app, staff_client, owner):
    staff = staff_client.user
    open_one, accepted, refused, paid = (sent_invoice(owner, days_ago=d) for d in (1, 2, 3, 4))
    take(app, staff, accepted, refused, paid)
    move(app, accepted, STATUS_ACCEPTED, staff)
    move(app, refused, STATUS_REJECTED, staff)
    move(app, paid, STATUS_ACCEPTED, staff)
    move(app, paid, STATUS_PAID, staff)

    assert receipts(staff_client.get("/gestion/")) == [open_one.receipt_number]
    for state, invoice in (("accepted", accepted), ("rejected", refused), ("paid", paid)):
        assert receipts(staff_client.get(f"/gestion/?etat={state}")) == [invoice.receipt_number]
    assert len(receipts(staff_client.get("/gestion/?etat=all"))) == 4
    assert receipts(staff_client.get("/gestion/?etat=in_review")) == []


def test_a_draft_is_never_in_the_queue(app, staff_client, owner):
    db.session.add(Invoice(user_id=owner.id, invoice_type="standard", fields={}))
    db.session.commit()
    assert receipts(staff_client.get("/gestion/?etat=all")) == []
    assert "Rien à traiter pour le moment" in page_text(staff_client.get("/gestion/"))


def test_filters_by_type_age_and_flag(app, staff_client, owner):
    travel = sent_invoice(owner, days_ago=3, invoice_type="deplacement")
    old = sent_invoice(owner, days_ago=45)
    flagged = sent_invoice(owner, days_ago=1, flagged=True)

    assert receipts(staff_client.get("/gestion/?type=deplacement")) == [travel.receipt_number]
    assert receipts(staff_client.get("/gestion/?age=30")) == [old.receipt_number]
    assert receipts(staff_client.get("/gestion/?age=7")) == [old.receipt_number]
    assert len(receipts(staff_client.get("/gestion/?age=""&type="))) == 3
    response = staff_client.get("/gestion/?signalees=1")
    assert receipts(response) == [flagged.receipt_number]
    assert "Signalée" in page_text(response)


@pytest.mark.parametrize("typed", ["756.1234.5678.97", "7561234567897", "756 1234 5678 97"])
def test_search_by_avs_number_with_or_without_dots(app, staff_client, factory, typed):
    person = factory.user(navs13="7561234567897", nom="Favre")
    other = factory.user(nom="Rochat")
    child = Beneficiary(user_id=other.id, navs13="7561234567897", nom="Rochat", prenom="Léo",
                        date_naissance=date(2015, 1, 1), relation="child")
    db.session.add(child)
    db.session.commit()
    own = sent_invoice(person, days_ago=2)
    for_the_child = sent_invoice(other, days_ago=1, beneficiary=child)
    sent_invoice(other, days_ago=3)

    response = staff_client.get("/gestion/", query_string={"q": typed})
    assert response.status_code == 200
    assert sorted(receipts(response)) == sorted([own.receipt_number,
                                                 for_the_child.receipt_number])
    rows = response.get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
    assert "7561234567897" not in rows and format_navs13("7561234567897") not in rows
    assert mask_navs13("7561234567897") in rows


def test_search_by_name_ignores_accents_and_case(app, staff_client, factory, owner):
    other = factory.user(nom="Mulligan")
    third = factory.user(nom="Favre")
    mine = sent_invoice(owner, days_ago=2)
    sent_invoice(other, days_ago=1)
    sent_invoice(third, days_ago=1)

    for typed in ("muller", "MÜLLER", "Müller Anna", "  müll", "Anna Müller"):
        found = receipts(staff_client.get("/gestion/", query_string={"q": typed}))
        assert mine.receipt_number in found, typed
    assert receipts(staff_client.get("/gestion/", query_string={"q": "muller"})) == [
        mine.receipt_number]
    assert len(receipts(staff_client.get("/gestion/", query_string={"q": "mul"}))) == 2
    assert receipts(staff_client.get("/gestion/", query_string={"q": "dupont"})) == []


def test_search_by_name_finds_the_account_holder_of_a_childs_invoice(app, staff_client, owner):
    child = Beneficiary(user_id=owner.id, navs13="7569999999991", nom="Keller", prenom="Zoé",
                        date_naissance=date(2016, 5, 1), relation="child")
    db.session.add(child)
    db.session.commit()
    invoice = sent_invoice(owner, beneficiary=child)
    for typed in ("keller zoe", "muller"):
        assert receipts(staff_client.get("/gestion/", query_string={"q": typed})) == [
            invoice.receipt_number], typed


@pytest.mark.parametrize("typed", ["{}", "{}".lower(), " {} ", "{}-compact"])
def test_search_by_receipt_number(app, staff_client, owner, typed):
    wanted = sent_invoice(owner, days_ago=3)
    sent_invoice(owner, days_ago=2)
    number = wanted.receipt_number
    typed = (number.replace("-", "") if typed == "{}-compact" else typed.format(
        number.lower() if typed == "{}" else number))
    assert receipts(staff_client.get("/gestion/", query_string={"q": typed})) == [number]


def test_a_search_looks_at_every_state_and_gestionnaire_unless_a_filter_is_chosen(
        app, staff_client, second_staff_client, owner):
    taken = sent_invoice(owner, days_ago=2)
    decided = sent_invoice(owner, days_ago=3)
    take(app, second_staff_client.user, taken, decided)
    move(app, decided, STATUS_ACCEPTED, second_staff_client.user)
    assert receipts(staff_client.get("/gestion/")) == []
    assert receipts(staff_client.get("/gestion/?q=muller")) == [taken.receipt_number,
                                                                decided.receipt_number]
    assert receipts(staff_client.get("/gestion/?q=muller&etat=in_review")) == [
        taken.receipt_number]
    assert receipts(staff_client.get("/gestion/?q=muller&gestionnaire=mine")) == []


def test_keyset_pages_of_fifty_without_duplicates_or_gaps(app, staff_client, owner):
    made = many_sent(owner, 120)
    response = staff_client.get("/gestion/")
    seen = receipts(response)
    assert len(seen) == 50
    pages = 1
    while (link := next_link(response)) is not None:
        assert "apres=" in link and "page=" not in link
        response = staff_client.get(link)
        assert response.status_code == 200
        seen += receipts(response)
        pages += 1
    assert pages == 3
    assert seen == [invoice.receipt_number for invoice in made]  # oldest first, each once
    assert "Première page" in page_text(response)


def test_keyset_pages_keep_the_filters(app, staff_client, owner):
    many_sent(owner, 60, invoice_type="deplacement")
    many_sent(owner, 5)
    first = staff_client.get("/gestion/?type=deplacement")
    link = next_link(first)
    assert "type=deplacement" in link
    assert len(receipts(staff_client.get(link))) == 10


@pytest.mark.parametrize("cursor", ["x", "1.2", "99999999999999999999.1.1", "-1.0.0", "2.0.%00"])
def test_a_bad_cursor_shows_the_first_page(app, staff_client, owner, cursor):
    invoice = sent_invoice(owner)
    response = staff_client.get("/gestion/", query_string={"apres": cursor})
    assert response.status_code == 200
    assert receipts(response) == [invoice.receipt_number]


@pytest.mark.parametrize("query", ["etat=nothing", "type=bogus", "age=3", "gestionnaire=999999",
                                   "gestionnaire=x", "q=" + "a" * 300])
def test_bad_filter_values_answer_a_french_message_not_an_error(app, staff_client, owner, query):
    invoice = sent_invoice(owner)
    response = staff_client.get(f"/gestion/?{query}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Veuillez corriger ce qui suit" in text
    assert ("Choisissez une valeur de la liste." in text
            or "Tapez au plus 100 caractères." in text)
    assert receipts(response) == [invoice.receipt_number]  # the default stands in


def test_the_list_masks_avs_numbers(app, staff_client, owner):
    sent_invoice(owner)
    body = staff_client.get("/gestion/").get_data(as_text=True)
    assert owner.navs13 not in body and format_navs13(owner.navs13) not in body
    assert mask_navs13(owner.navs13) in body
    assert "Anna Müller" in page_text(staff_client.get("/gestion/"))


def test_tabs_count_the_open_states_of_the_scope(app, staff_client, second_staff_client, owner):
    staff = staff_client.user
    sent = [sent_invoice(owner, days_ago=d) for d in (1, 2, 3)]
    take(app, staff, sent[0])
    take(app, second_staff_client.user, sent[1])  # someone else's: not counted by default
    ask_complement(app, staff, sent_invoice(owner), today_in_zurich() + timedelta(days=9))
    accepted = sent_invoice(owner)
    take(app, staff, accepted)
    move(app, accepted, STATUS_ACCEPTED, staff)

    text = page_text(staff_client.get("/gestion/"))
    assert "À traiter 3 " in text
    assert "Envoyée 1 " in text and "En traitement 1 " in text and "À compléter 1 " in text
    assert "Second visa 0 " in text
    assert "Validée — transmise pour paiement Refusée" in text  # decided tabs: not counted
    assert "Validée — transmise pour paiement 1 " in page_text(
        staff_client.get("/gestion/?etat=accepted"))
    assert "En traitement 2 " in page_text(staff_client.get("/gestion/?gestionnaire=any"))


def test_htmx_gets_the_results_region_and_a_browser_the_page(app, staff_client, owner):
    invoice = sent_invoice(owner)
    page = staff_client.get("/gestion/?type=standard")
    assert "HX-Request" in page.headers["Vary"]
    assert "<html" in page.get_data(as_text=True) and 'id="queue-filters"' in page.get_data(
        as_text=True)
    fragment = staff_client.get("/gestion/?type=standard", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="queue-results"')
    assert invoice.receipt_number in body
    # the region polls the same filters, every 30 s, with the morph swap
    assert 'data-hx-get="/gestion/?type=standard"' in body
    assert 'data-hx-trigger="every 30s, queue-visible from:document"' in body
    boosted = staff_client.get("/gestion/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_the_form_works_without_javascript_and_applies_with_htmx(app, staff_client, owner):
    sent_invoice(owner)
    body = staff_client.get("/gestion/").get_data(as_text=True)
    form = re.search(r'<form method="get" action="/gestion/"[^>]*>', body)[0]
    assert 'data-hx-get="/gestion/"' in form and 'data-hx-push-url="true"' in form
    assert 'data-hx-trigger="change, submit"' in form
    assert 'data-hx-target="#queue-results"' in form
    assert ">Filtrer</button>" in body
    assert "js/queue-poll.js" in body and "<script>" not in body


def test_the_poll_brings_new_invoices_and_records_no_search(app, staff_client, owner):
    response = staff_client.get("/gestion/?q=muller")
    assert receipts(response) == []
    invoice = sent_invoice(owner)
    before = len(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "queue_searched")).all())
    poll = staff_client.get("/gestion/?q=muller", headers={"HX-Request": "true",
                                                           "HX-Trigger": "queue-results"})
    assert receipts(poll) == [invoice.receipt_number]
    after = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "queue_searched")).all()
    assert len(after) == before


def test_a_search_is_audited_with_the_person_found_and_no_avs_number(app, staff_client, owner):
    sent_invoice(owner)
    staff_client.get("/gestion/", query_string={"q": format_navs13(owner.navs13)})
    [entry] = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "queue_searched")).all()
    assert entry.actor_id == staff_client.user.id
    assert entry.detail["person_id"] == owner.id and entry.detail["kind"] == "avs"
    assert owner.navs13 not in str(entry.detail)


def test_the_queue_needs_staff(app, logged_in):
    anonymous = app.test_client().get("/gestion/")
    assert anonymous.status_code == 302 and "/connexion" in anonymous.headers["Location"]
    assert logged_in.get("/gestion/").status_code == 404
    assert logged_in.get("/gestion/", headers={"HX-Request": "true"}).status_code == 404


def test_staff_land_on_the_queue_after_login(staff_login):
    client = staff_login("reviewer", "claire@example.ch")
    assert client.get("/").headers["Location"] == "/gestion/"
    assert "Demandes à traiter" in page_text(client.get("/gestion/"))


def test_the_queue_changes_nothing(app, staff_client, owner):
    invoice = sent_invoice(owner)
    version = invoice.version
    staff_client.get("/gestion/")
    staff_client.get("/gestion/?q=muller&etat=all")
    db.session.refresh(invoice)
    assert (invoice.status, invoice.version, invoice.assignee_id) == (
        "submitted", version, None)
    assert staff_client.post("/gestion/").status_code == 405


def test_each_tab_stops_counting_after_the_cap(app, staff_client, owner, monkeypatch):
    from guichet.invoices import queue
    from tests.support.queue import many_sent
    many_sent(owner, 5)
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    with app.test_request_context():
        counts = queue.state_counts(queue.QueueFilter(), staff_client.user)
    assert counts["submitted"] == 4  # « more than 3 »: the index is read no further
    assert counts["in_review"] == 0 and counts["paid"] is None


def test_the_filter_form_shows_what_was_asked_each_time(app, staff_client, factory):
    """The form's fragment is rendered once per set of values: each request still gets the
    values it asked for, and a new gestionnaire appears in the list at once."""
    def selected(response, name):
        form = response.get_data(as_text=True).split('id="queue-filters"')[1].split("</form>")[0]
        select = form.split(f'name="{name}"')[1].split("</select>")[0]
        return re.findall(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                          select)

    first = staff_client.get("/gestion/?etat=submitted")
    again = staff_client.get("/gestion/?etat=needs_info")
    assert selected(first, "etat") != selected(again, "etat")
    assert "needs_info" in str(selected(again, "etat"))
    factory.user(email="nouvelle@example.ch", role="reviewer", prenom="Nora", nom="Nouvelle")
    assert "Nora Nouvelle" in staff_client.get("/gestion/?etat=submitted").get_data(as_text=True)
