"""Tests for guichet.invoices.lifecycle: which moves exist, and the queue's order they keep."""
from datetime import date, datetime, timezone
from itertools import product

import pytest

from guichet.invoices.lifecycle import TRANSITIONS, TransitionRefused, move, name_key
from guichet.models import Invoice
from guichet.models.base import db
from guichet.models.invoices import (RANK_COMPLEMENT_RECEIVED, RANK_COMPLEMENT_WAITING, RANK_DONE,
                                     RANK_SECOND_VISA, RANK_SENT)
from guichet.models.invoices import STATUS_ACCEPTED as ACCEPTED
from guichet.models.invoices import STATUS_DRAFT as DRAFT
from guichet.models.invoices import STATUS_IN_REVIEW as IN_REVIEW
from guichet.models.invoices import STATUS_NEEDS_INFO as NEEDS_INFO
from guichet.models.invoices import STATUS_PAID as PAID
from guichet.models.invoices import STATUS_REJECTED as REJECTED
from guichet.models.invoices import STATUS_SUBMITTED as SUBMITTED
from guichet.models.invoices import STATUS_VISA_PENDING as VISA_PENDING
from guichet.models.invoices import InvoiceEvent

STATES = (DRAFT, SUBMITTED, IN_REVIEW, NEEDS_INFO, VISA_PENDING, ACCEPTED, REJECTED, PAID)
SENT_AT = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def an_invoice(status: str, **columns) -> Invoice:
    return Invoice(user_id=1, invoice_type="standard", status=status, fields={}, remark="",
                   submitted_at=SENT_AT, **columns)


REFUSED = [(a, b) for a, b in product(STATES, STATES) if (a, b) not in TRANSITIONS]


@pytest.mark.parametrize("status_from, status_to", REFUSED)
def test_a_move_the_lifecycle_does_not_know_is_refused_and_changes_nothing(status_from,
                                                                          status_to):
    invoice = an_invoice(status_from)
    with pytest.raises(TransitionRefused):
        move(invoice, status_to, actor=None, message="x", due_date=date(2027, 1, 1))
    assert invoice.status == status_from and invoice.events == []


def test_paid_comes_only_after_validated():
    assert [status for status in STATES if (status, PAID) in TRANSITIONS] == [ACCEPTED]


def test_each_move_keeps_the_queue_order_and_the_history_the_person_reads(app):
    invoice = an_invoice(DRAFT)
    move(invoice, SUBMITTED, actor=None, message="Envoyée.")
    assert (invoice.queue_rank, invoice.queue_since) == (RANK_SENT, SENT_AT)

    move(invoice, IN_REVIEW, actor=None, by_office=True, message="Examinée.")
    assert invoice.queue_rank == RANK_SENT

    move(invoice, NEEDS_INFO, actor=None, by_office=True, message="Complément.",
         due_date=date(2026, 12, 31))
    assert invoice.queue_rank == RANK_COMPLEMENT_WAITING
    assert invoice.queue_since == datetime(2026, 12, 31, tzinfo=timezone.utc)

    move(invoice, SUBMITTED, actor=None, message="Réponse.")
    assert invoice.queue_rank == RANK_COMPLEMENT_RECEIVED
    answered = invoice.queue_since
    # taking it keeps it on top until it is decided
    move(invoice, IN_REVIEW, actor=None, by_office=True, message="Examinée.")
    assert (invoice.queue_rank, invoice.queue_since) == (RANK_COMPLEMENT_RECEIVED, answered)

    move(invoice, VISA_PENDING, actor=None, by_office=True, message="")
    assert invoice.queue_rank == RANK_SECOND_VISA
    move(invoice, ACCEPTED, actor=None, by_office=True, message="Validée.")
    assert invoice.queue_rank == RANK_DONE

    # the second visa is the office's own step: the person's history does not show it
    moves = [(event.status_from, event.status_to) for event in invoice.events]
    assert (IN_REVIEW, VISA_PENDING) not in moves
    assert moves[-1] == (VISA_PENDING, ACCEPTED)
    assert [event.by_office for event in invoice.events] == [False, True, True, False, True,
                                                            True]


def test_a_complement_needs_its_due_date():
    invoice = an_invoice(IN_REVIEW)
    with pytest.raises(ValueError):
        move(invoice, NEEDS_INFO, actor=None, message="x")


def test_the_search_key_of_a_name_ignores_accents_case_and_hyphens():
    assert name_key("Müller-Dupont", "Léa") == "muller dupont lea"
    assert name_key("Ćosić", "Marko") == "cosic marko"
    assert name_key(None, None) is None


def test_the_history_is_stored_with_the_invoice(app, factory):
    user = factory.user()
    invoice = Invoice(user_id=user.id, invoice_type="standard", status=DRAFT, fields={},
                      remark="")
    db.session.add(invoice)
    move(invoice, SUBMITTED, actor=user, message="Demande envoyée à l'office.")
    db.session.commit()
    stored = db.session.scalars(db.select(InvoiceEvent)).one()
    assert (stored.status_from, stored.status_to, stored.actor_id) == (DRAFT, SUBMITTED, user.id)
