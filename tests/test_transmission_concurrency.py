"""Two gestionnaires building a batch at the same moment never put an invoice in two batches
(issue 10): the second one's guarded claim finds the invoices taken and nothing of it is kept.
Needs a real concurrent database: PostgreSQL (GUICHET_TEST_POSTGRES_URL)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from guichet.core.unit_of_work import unit_of_work
from guichet.invoices import transmission
from guichet.models import BatchCounter, Invoice, TransmissionBatch, User
from guichet.models.base import db
from tests.support.batches import build, validated
from tests.support.databases import count


def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@pytest.mark.parametrize("first_of_the_year", [True, False])
def test_two_gestionnaires_building_at_once_never_share_an_invoice(app, factory,
                                                                   first_of_the_year):
    if not is_postgres(app):
        pytest.skip("needs PostgreSQL's concurrent transactions")
    owner = factory.user(email="anna@example.ch")
    first = factory.user(email="first@example.ch", role="transmission")
    second = factory.user(email="second@example.ch", role="transmission")
    if not first_of_the_year:
        build(app, first, validated(owner, first, 1))
    invoices = validated(owner, first, 4)
    ids = [invoice.id for invoice in invoices]
    batches_before = count(TransmissionBatch)
    claimed, started = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def gestionnaire(name: str, staff_id: int, wait_for=None, then=None, hold=None):
        with app.app_context(), app.test_request_context():
            try:
                with unit_of_work():
                    if wait_for is not None:
                        wait_for.wait(10)
                    if then is not None:
                        then.set()
                    batch = transmission.build_batch(db.session.get(User, staff_id), ids)
                    outcome[name] = batch.number
                    if hold is not None:
                        hold.set()
                        started.wait(10)
                        threading.Event().wait(0.5)  # the other one is now waiting on us
            except transmission.BatchRefused as refused:
                outcome[name] = refused
            finally:
                db.session.remove()

    a = threading.Thread(target=gestionnaire, args=("a", first.id), kwargs={"hold": claimed})
    b = threading.Thread(target=gestionnaire, args=("b", second.id),
                         kwargs={"wait_for": claimed, "then": started})
    a.start(), b.start()
    a.join(30), b.join(30)
    assert isinstance(outcome["a"], str), outcome
    assert isinstance(outcome["b"], transmission.BatchRefused), outcome
    db.session.expire_all()
    assert count(TransmissionBatch) == batches_before + 1
    batch = db.session.scalar(select(TransmissionBatch).where(
        TransmissionBatch.number == outcome["a"]))
    assert {invoice.batch_id for invoice in db.session.scalars(
        select(Invoice).where(Invoice.id.in_(ids)))} == {batch.id}
    assert batch.count == 4
    assert db.session.scalar(select(BatchCounter.last)) == batches_before + 1
