"""``flask complements remind`` (run daily): reminds the insured person of a complement the
office awaits, once a few days before its due date (``COMPLEMENT_REMINDER_DAYS``) and once
after it has passed, and moves the overdue ones up the staff queue.

Each reminder is queued once (``reminded_before_at``, ``reminded_overdue_at``) through the
outbox and says only that the office awaits an answer, by when, and where to give it: nothing
of the office's message, the documents asked or the invoice's content. Running it twice the
same day sends nothing new.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.i18n import today_in_zurich
from guichet.messaging import queue_email
from guichet.models import ComplementRequest, Invoice, User, utcnow
from guichet.models.base import db
from guichet.models.invoices import RANK_COMPLEMENT_OVERDUE, STATUS_NEEDS_INFO

from . import flags, lifecycle

BEFORE = "before"
OVERDUE = "overdue"


@dataclass(frozen=True)
class Reminder:
    """One reminder queued: which invoice, which kind, the due date."""

    receipt_number: str
    kind: str  # BEFORE or OVERDUE
    due_date: date


@dataclass
class ReminderReport:
    """What one run did: the reminders queued, and how many invoices moved up the queue."""

    reminders: list[Reminder] = field(default_factory=list)
    marked_overdue: int = 0

    def lines(self) -> list[str]:
        found = []
        for item in self.reminders:
            due = f"{item.due_date:%d.%m.%Y}"
            found.append(_("Rappel avant l'échéance : %(receipt)s (échéance %(due)s)",
                           receipt=item.receipt_number, due=due) if item.kind == BEFORE else
                         _("Rappel après l'échéance : %(receipt)s (échu depuis le %(due)s)",
                           receipt=item.receipt_number, due=due))
        found.append(_("%(sent)s rappel(s) envoyé(s), %(marked)s demande(s) échue(s) signalée(s) "
                       "dans la file.", sent=len(self.reminders), marked=self.marked_overdue))
        return found


def open_complements() -> list[tuple[ComplementRequest, Invoice]]:
    """The requests still unanswered on invoices « À compléter », oldest due first."""
    return list(db.session.execute(
        select(ComplementRequest, Invoice)
        .join(Invoice, Invoice.id == ComplementRequest.invoice_id)
        .where(Invoice.status == STATUS_NEEDS_INFO, ComplementRequest.answered_at.is_(None),
               ComplementRequest.due_date.is_not(None))
        .order_by(ComplementRequest.due_date, ComplementRequest.id)))


def send_reminders(today: date | None = None) -> ReminderReport:
    """Queues the reminders due ``today`` (Neuchâtel's date by default) and marks the overdue
    complements in the queue; in the caller's unit of work."""
    today = today or today_in_zurich()
    ahead = timedelta(days=current_app.config["COMPLEMENT_REMINDER_DAYS"])
    report = ReminderReport()
    overdue = []
    for complement, invoice in open_complements():
        due = complement.due_date
        if due < today:
            overdue.append(invoice)
            if complement.reminded_overdue_at is None:
                complement.reminded_overdue_at = utcnow()
                _remind(invoice, complement, OVERDUE, report)
        elif due - ahead <= today and complement.reminded_before_at is None:
            complement.reminded_before_at = utcnow()
            _remind(invoice, complement, BEFORE, report)
    report.marked_overdue = _mark_overdue(overdue, today)
    return report


def _remind(invoice: Invoice, complement: ComplementRequest, kind: str,
            report: ReminderReport) -> None:
    from guichet.core.web import external_url
    owner = db.session.get(User, invoice.user_id)
    receipt = invoice.receipt_number
    queue_email(owner.email, "complement_reminder",
                subject=_("Votre demande %(receipt)s : l'office attend votre réponse",
                          receipt=receipt),
                receipt=receipt, due_date=complement.due_date, overdue=kind == OVERDUE,
                url=external_url("invoices.show_invoice", invoice_id=invoice.id))
    record("complement_reminder_sent", object_type="invoice", object_id=invoice.id, kind=kind)
    report.reminders.append(Reminder(receipt, kind, complement.due_date))


def _mark_overdue(invoices: list[Invoice], today: date) -> int:
    """Moves the overdue complements up the queue and flags them: through the flags' own
    :func:`~.flags.refresh_overdue_flags` where it exists, else by their queue rank."""
    refresh = getattr(flags, "refresh_overdue_flags", None)
    if refresh is not None:
        return refresh(today)
    marked = 0
    for invoice in invoices:
        if invoice.queue_rank != RANK_COMPLEMENT_OVERDUE:
            lifecycle.mark_overdue(invoice)
            marked += 1
    return marked
