"""Invoices in the staff queue, made fast: rows sent through the lifecycle as sending makes
them (search keys, receipt number, place in the queue), then moved by the staff verbs or by
``lifecycle.move`` — for tests of the queue's order, filters, searches and pages."""
from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from guichet.core.i18n import today_in_zurich
from guichet.core.unit_of_work import unit_of_work
from guichet.invoices import lifecycle, review, services
from guichet.models import Invoice, utcnow
from guichet.models.base import db
from guichet.models.invoices import STATUS_SUBMITTED

# far from the numbers sending gives (from 1), which the browser tests' shared database also holds
_receipts = itertools.count(700_001)


def sent_invoice(owner, *, days_ago: float = 1, invoice_type: str = "standard",
                 amount: str = "50.00", beneficiary=None, flagged: bool = False) -> Invoice:
    """An invoice of ``owner`` sent ``days_ago`` days ago (« Envoyée »), committed."""
    invoice = Invoice(user_id=owner.id, invoice_type=invoice_type, fields={}, status="draft",
                      total_claimed=Decimal(amount), flagged=flagged,
                      beneficiary_id=beneficiary.id if beneficiary is not None else None,
                      submitted_at=utcnow() - timedelta(days=days_ago),
                      receipt_number=f"NE-2026-{next(_receipts):06d}")
    db.session.add(invoice)
    lifecycle.write_search_keys(invoice, owner, beneficiary)
    lifecycle.move(invoice, STATUS_SUBMITTED, actor=owner, message="Demande envoyée.")
    db.session.commit()
    return invoice


def many_sent(owner, count: int, **fields) -> list[Invoice]:
    """``count`` sent invoices, the oldest first (one hour apart), in one commit."""
    now = utcnow()
    made = []
    for n in range(count):
        invoice = Invoice(user_id=owner.id, status="draft",
                          invoice_type=fields.get("invoice_type", "standard"),
                          fields={}, total_claimed=Decimal("10.00"),
                          submitted_at=now - timedelta(hours=count - n),
                          receipt_number=f"NE-2026-{next(_receipts):06d}")
        db.session.add(invoice)
        lifecycle.write_search_keys(invoice, owner, None)
        lifecycle.move(invoice, STATUS_SUBMITTED, actor=owner, message="Demande envoyée.")
        made.append(invoice)
    db.session.commit()
    return made


def staff_does(app, action, *invoices):
    """Runs ``action(invoice)`` for each invoice in one unit of work, as a request would."""
    with app.test_request_context(), unit_of_work():
        for invoice in invoices:
            action(db.session.get(Invoice, invoice.id))
    db.session.expire_all()


def take(app, staff, *invoices):
    staff_does(app, lambda invoice: review.take(invoice, staff, invoice.version), *invoices)


def ask_complement(app, staff, invoice, due: date):
    def ask(found):
        review.take(found, staff, found.version)
        review.ask_complement(found, staff, found.version, "Il manque une pièce.",
                              ["Facture détaillée"], due)
    staff_does(app, ask, invoice)


def answer_complement(app, owner, invoice):
    staff_does(app, lambda found: services.answer_complement(found, owner, "Voici."), invoice)


def move(app, invoice, status: str, actor):
    staff_does(app, lambda found: lifecycle.move(found, status, actor=actor, message="",
                                                 by_office=True), invoice)


def let_complement_fall_due(app, invoice, days_ago: int = 2):
    """The complement's due date passed ``days_ago`` days ago, and the daily command marked it
    (``lifecycle.mark_overdue``): what the queue sees of an overdue complement."""
    from datetime import datetime, time, timezone

    from guichet.models import ComplementRequest

    def fall_due(found):
        due = today_in_zurich() - timedelta(days=days_ago)
        for request in db.session.query(ComplementRequest).filter_by(invoice_id=found.id):
            request.due_date = due
        found.queue_since = datetime.combine(due, time.min, tzinfo=timezone.utc)
        lifecycle.mark_overdue(found)
    staff_does(app, fall_due, invoice)
