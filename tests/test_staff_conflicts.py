"""Two gestionnaires acting on the same invoice: exactly one action stands; the other gets 409
with the fresh state and « Cette demande a changé entre-temps », and nothing of theirs applied."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from guichet.models import AuditEntry, Invoice, ReviewDecision
from guichet.models.base import db
from guichet.models.invoices import STATUS_ACCEPTED, STATUS_IN_REVIEW
from tests.support.decisions import (known_iban, press, review_html, review_url,
                                     seed_refusal_reasons, sent_invoice, take, validate)
from tests.support.accounts import login_staff
from tests.support.page import page_text

pytestmark = pytest.mark.config(SECOND_VISA_SAMPLE=0)

CHANGED = "Cette demande a changé entre-temps"
NOTHING_APPLIED = "Rien de ce que vous venez d'envoyer n'a été appliqué"


def invoice(invoice_id: int) -> Invoice:
    return db.session.get(Invoice, invoice_id)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def sent(ready):
    known_iban(ready.user)
    return sent_invoice(ready)


def second_client_of(app, client):
    """Another browser logged in as the same gestionnaire (two tabs, two computers)."""
    staff = client.user
    staff.totp_last_step = None  # a new code, as 30 s later
    db.session.commit()
    other = app.test_client()
    login_staff(other, staff, staff.totp_secret)
    other.user = staff
    return other


def test_one_validates_the_other_refuses_from_the_old_page_and_gets_409(
        app, sent, ready, staff_client, mailbox):
    seed_refusal_reasons(app)
    take(staff_client, sent)
    desk = staff_client
    laptop = second_client_of(app, staff_client)
    desk_page, laptop_page = review_html(desk, sent), review_html(laptop, sent)
    assert 'id="refuse-form"' in laptop_page
    mails = len(mailbox.to(ready.user.email))
    assert validate(desk, sent, html=desk_page).status_code == 303
    assert invoice(sent).status == STATUS_ACCEPTED
    response = press(laptop, sent, "refuse-form", {"refuse-reason_code": "duplicate",
                                                   "refuse-text": "Déjà payé."},
                     html=laptop_page)
    assert response.status_code == 409
    text = page_text(response)
    assert CHANGED in text and NOTHING_APPLIED in text
    assert "Cette demande est décidée" in text  # the fresh state, without the old forms
    assert 'id="refuse-form"' not in response.get_data(as_text=True)
    assert invoice(sent).status == STATUS_ACCEPTED
    assert count(ReviewDecision) == 1
    assert count(AuditEntry, AuditEntry.action == "invoice_refused") == 0
    assert len(mailbox.to(ready.user.email)) == mails + 1  # the validation's only
    assert invoice(sent).assignee_id == desk.user.id


def test_two_gestionnaires_take_at_once_one_stands(sent, staff_client, second_staff_client):
    first_page = review_html(staff_client, sent)
    second_page = review_html(second_staff_client, sent)
    assert press(staff_client, sent, "take-form", html=first_page).status_code == 303
    response = press(second_staff_client, sent, "take-form", html=second_page)
    assert response.status_code == 409
    assert CHANGED in page_text(response)
    assert "Traitée par" in page_text(response)
    row = invoice(sent)
    assert (row.status, row.assignee_id) == (STATUS_IN_REVIEW, staff_client.user.id)
    assert count(AuditEntry, AuditEntry.action == "invoice_taken") == 1


def test_validating_after_a_colleague_took_it_back_is_a_conflict(sent, staff_client, admin_client):
    take(staff_client, sent)
    page = review_html(staff_client, sent)
    assert press(admin_client, sent, "release-form").status_code == 303
    response = validate(staff_client, sent, html=page)
    assert response.status_code == 409
    assert invoice(sent).status == STATUS_IN_REVIEW
    assert count(ReviewDecision) == 0


@pytest.mark.parametrize("version", [None, "", "abc", "0", "999"])
def test_a_missing_or_forged_version_applies_nothing(sent, staff_client, version):
    data = {} if version is None else {"take-version": version}
    response = staff_client.post(f"{review_url(sent)}/prendre", data=data)
    assert response.status_code == 409
    assert invoice(sent).assignee_id is None


def test_htmx_gets_the_409_page_to_swap(sent, staff_client, second_staff_client):
    page = review_html(second_staff_client, sent)
    take(staff_client, sent)
    response = press(second_staff_client, sent, "take-form", html=page, headers={
        "HX-Request": "true", "HX-Boosted": "true"})
    assert response.status_code == 409
    assert CHANGED in page_text(response)
    # the page's htmx settings swap a 409 like a 200 (the fresh state replaces the old one)
    settings = response.get_data(as_text=True).replace("&#34;", '"')
    assert '{"code": "409", "swap": true}' in settings
