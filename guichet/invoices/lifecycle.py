"""Where an invoice may go from each state, and the one function that moves it.

Every change of state, whoever makes it, goes through :func:`move`: it refuses a move the
lifecycle does not allow (:class:`TransitionRefused`), writes the line of history the insured
person sees (« l'Office AI » for staff, never a gestionnaire's name), and keeps the invoice's
place in the staff queue (``queue_rank``, ``queue_since``) so that the queue is read from one
index, most urgent first.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from guichet.core.identifiers import normalize_name_for_match
from guichet.models import Invoice, InvoiceEvent, User, utcnow
from guichet.models.invoices import (RANK_COMPLEMENT_OVERDUE, RANK_COMPLEMENT_RECEIVED,
                                     RANK_COMPLEMENT_WAITING, RANK_DONE, RANK_SECOND_VISA,
                                     RANK_SENT, STATUS_ACCEPTED, STATUS_DRAFT, STATUS_IN_REVIEW,
                                     STATUS_NEEDS_INFO, STATUS_PAID, STATUS_REJECTED,
                                     STATUS_SUBMITTED, STATUS_VISA_PENDING)

#: (from, to) → what the move is called. Anything else is refused.
TRANSITIONS = {
    (STATUS_DRAFT, STATUS_SUBMITTED): "send",
    (STATUS_SUBMITTED, STATUS_IN_REVIEW): "take",
    (STATUS_IN_REVIEW, STATUS_NEEDS_INFO): "ask_complement",
    (STATUS_NEEDS_INFO, STATUS_SUBMITTED): "answer_complement",
    (STATUS_IN_REVIEW, STATUS_ACCEPTED): "validate",
    (STATUS_IN_REVIEW, STATUS_VISA_PENDING): "validate",
    (STATUS_VISA_PENDING, STATUS_ACCEPTED): "confirm_visa",
    (STATUS_VISA_PENDING, STATUS_IN_REVIEW): "send_back",
    (STATUS_IN_REVIEW, STATUS_REJECTED): "refuse",
    (STATUS_ACCEPTED, STATUS_PAID): "pay",
}

#: Moves inside the office that the insured person does not see (they read « En traitement »
#: before and after): no line of history, no e-mail; the audit log keeps them.
OFFICE_INTERNAL = {(STATUS_IN_REVIEW, STATUS_VISA_PENDING), (STATUS_VISA_PENDING, STATUS_IN_REVIEW)}

#: States in which the office still has work to do (the queue's « À traiter »).
OPEN_STATES = (STATUS_SUBMITTED, STATUS_IN_REVIEW, STATUS_NEEDS_INFO, STATUS_VISA_PENDING)


class TransitionRefused(RuntimeError):
    """The lifecycle does not allow this move from the invoice's state."""

    def __init__(self, status_from: str, status_to: str):
        super().__init__(f"{status_from} → {status_to}")
        self.status_from = status_from
        self.status_to = status_to


def allowed(status_from: str, status_to: str) -> bool:
    return (status_from, status_to) in TRANSITIONS


def move(invoice: Invoice, status_to: str, *, actor: User | None, message: str,
         by_office: bool = False, due_date: date | None = None) -> None:
    """Moves ``invoice`` to ``status_to`` with a line of history and its new place in the
    queue; raises :class:`TransitionRefused` when the lifecycle does not allow it. Reaching
    « À compléter » needs the complement's ``due_date`` (the queue orders those by it)."""
    status_from = invoice.status
    if not allowed(status_from, status_to):
        raise TransitionRefused(status_from, status_to)
    now = utcnow()
    invoice.queue_rank, invoice.queue_since = _queue_place(invoice, status_from, status_to, now,
                                                           due_date)
    invoice.status = status_to
    if (status_from, status_to) not in OFFICE_INTERNAL:
        add_event(invoice, message, actor=actor, by_office=by_office, status_from=status_from,
                  status_to=status_to)


def seen_by_insured(status_from: str, status_to: str) -> bool:
    """Whether the person sees this move (their history, an e-mail)."""
    return (status_from, status_to) not in OFFICE_INTERNAL


def add_event(invoice: Invoice, message: str, *, actor: User | None, by_office: bool = False,
              status_from: str | None = None, status_to: str | None = None) -> None:
    """A line of the history the insured person reads (also for events that move nothing)."""
    invoice.events.append(InvoiceEvent(actor_id=actor.id if actor else None, by_office=by_office,
                                       status_from=status_from, status_to=status_to,
                                       message=message))


def mark_overdue(invoice: Invoice) -> None:
    """An « À compléter » past its due date moves up the queue (``complements remind``)."""
    if invoice.status == STATUS_NEEDS_INFO:
        invoice.queue_rank = RANK_COMPLEMENT_OVERDUE


def _queue_place(invoice: Invoice, status_from: str, status_to: str, now: datetime,
                 due_date: date | None) -> tuple[int, datetime | None]:
    if status_to == STATUS_SUBMITTED and status_from == STATUS_NEEDS_INFO:
        return RANK_COMPLEMENT_RECEIVED, now
    if status_to in (STATUS_SUBMITTED, STATUS_IN_REVIEW):
        # taking an answered complement keeps it on top until decided
        if invoice.queue_rank == RANK_COMPLEMENT_RECEIVED and status_from != STATUS_DRAFT:
            return RANK_COMPLEMENT_RECEIVED, invoice.queue_since
        return RANK_SENT, invoice.submitted_at or now
    if status_to == STATUS_NEEDS_INFO:
        if due_date is None:
            raise ValueError("a complement needs its due date")
        return RANK_COMPLEMENT_WAITING, datetime.combine(due_date, time.min, tzinfo=timezone.utc)
    if status_to == STATUS_VISA_PENDING:
        return RANK_SECOND_VISA, now
    return RANK_DONE, now


def write_search_keys(invoice: Invoice, holder: User, beneficiary) -> None:
    """What the queue's search reads: the beneficiary's N° AVS and the two names as
    comparison keys (called at sending and when the office corrects an identity)."""
    invoice.subject_navs13 = beneficiary.navs13 if beneficiary is not None else holder.navs13
    subject = beneficiary if beneficiary is not None else holder
    invoice.subject_name_key = name_key(subject.nom, subject.prenom)
    invoice.holder_name_key = name_key(holder.nom, holder.prenom)


def name_key(nom: str | None, prenom: str | None) -> str | None:
    """« Müller Léa » → "muller lea": the key the queue's name search compares with."""
    return normalize_name_for_match(f"{nom or ''} {prenom or ''}") or None
