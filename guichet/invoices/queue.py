"""The staff queue (``/gestion/``): which invoices a gestionnaire sees, in which order, a page
at a time, and how many there are in each state.

Everything here is read from indexes (migrations ``b9c0d1e2f3a4``, ``d1e2f3a4b5c6``): the order is the stored one,
``(queue_rank, queue_since, id)`` kept by :mod:`guichet.invoices.lifecycle`, and a page is a
keyset page (« the 50 rows after this one »), so a page deep in the list costs what the first
costs. The open states are exactly the ranks below ``RANK_DONE``, so « À traiter » is an index
range, not a scan.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import and_, func, literal, or_, select, tuple_, union, union_all
from sqlalchemy.orm import aliased

from guichet.core.audit import record
from guichet.core.i18n import today_in_zurich
from guichet.core.identifiers import normalize_name_for_match
from guichet.models import Beneficiary, Invoice, User, utcnow
from guichet.models.base import db
from guichet.models.invoices import (RANK_COMPLEMENT_OVERDUE, RANK_COMPLEMENT_RECEIVED,
                                     RANK_DONE, STATUS_ACCEPTED, STATUS_DRAFT, STATUS_IN_REVIEW,
                                     STATUS_NEEDS_INFO, STATUS_PAID, STATUS_REJECTED,
                                     STATUS_SUBMITTED, STATUS_VISA_PENDING)
from guichet.models.user import STAFF_ROLES

from .lifecycle import OPEN_STATES

PAGE_SIZE = 50

#: The « state » choices besides each status: the open states (the default tab), everything.
STATE_OPEN = ""
STATE_ALL = "all"
#: The tabs, in their order (the open states, then the decided ones).
TAB_STATES = (STATUS_SUBMITTED, STATUS_IN_REVIEW, STATUS_NEEDS_INFO, STATUS_VISA_PENDING,
              STATUS_ACCEPTED, STATUS_REJECTED, STATUS_PAID)
DECIDED_STATES = (STATUS_ACCEPTED, STATUS_REJECTED, STATUS_PAID)
#: A decided tab is counted only while it is in view, and only up to this many (« 1000+ »).
COUNT_CAP = 1000

#: The « gestionnaire » choices besides a named one.
ASSIGNEE_MINE_OR_NONE = ""   # the default: mine, without gestionnaire, and second visas
ASSIGNEE_MINE = "mine"
ASSIGNEE_NONE = "none"
ASSIGNEE_ANY = "any"

SEARCH_AVS, SEARCH_NAME, SEARCH_RECEIPT = "avs", "name", "receipt"
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f\u2010-\u2015]+")
_RECEIPT = re.compile(r"([A-Za-z]{2})\s*[-\s]?\s*(\d{4})\s*[-\s]?\s*(\d{1,6})", re.ASCII)
#: Above every character a name key holds: ``key >= q AND key < q + TOP`` is a prefix range
#: that an ordinary index serves (no LIKE, no collation question) on SQLite and PostgreSQL.
_TOP = "\uffff"


@dataclass(frozen=True)
class QueueFilter:
    """What the queue's GET form asks for (see ``guichet.staff.queue_forms``)."""

    state: str = STATE_OPEN
    invoice_type: str = ""
    older_than_days: int | None = None
    assignee: str = ASSIGNEE_MINE_OR_NONE
    flagged: bool = False
    q: str = ""

    @property
    def is_default(self) -> bool:
        return self == QueueFilter()

    @property
    def search(self) -> tuple[str, str] | None:
        """(kind, normalised term) of the search box, or None when it is empty."""
        return classify_search(self.q)

    @property
    def effective(self) -> QueueFilter:
        """A search left at the default state and gestionnaire looks everywhere: the person
        on the phone wants all their invoices, not only the open ones that are mine."""
        if not self.search:
            return self
        return replace(self, state=STATE_ALL if self.state == STATE_OPEN else self.state,
                       assignee=ASSIGNEE_ANY if self.assignee == ASSIGNEE_MINE_OR_NONE
                       else self.assignee)

    def args(self, **changes) -> dict:
        """The query string of this filter (for links: tabs, pages, the poll), without the
        defaults."""
        values = replace(self, **changes) if changes else self
        found = {"etat": values.state, "type": values.invoice_type,
                 "age": values.older_than_days, "gestionnaire": values.assignee,
                 "signalees": "1" if values.flagged else None, "q": values.q}
        return {key: value for key, value in found.items() if value not in (None, "")}


@dataclass(frozen=True)
class QueueRow:
    id: int
    user_id: int
    receipt_number: str | None
    status: str
    invoice_type: str
    subject_name: str
    subject_navs13: str | None
    submitted_at: datetime | None
    total_claimed: Decimal
    assignee_id: int | None
    queue_rank: int
    queue_since: datetime | None
    flagged: bool
    #: days since it was sent, and whether an « À compléter » is past its due date: computed
    #: once per page (``queue_page``), not once per row and use
    age_days: int | None = None
    overdue: bool = False

    @property
    def complement_received(self) -> bool:
        return self.queue_rank == RANK_COMPLEMENT_RECEIVED and self.status in (
            STATUS_SUBMITTED, STATUS_IN_REVIEW)

    @property
    def second_visa(self) -> bool:
        return self.status == STATUS_VISA_PENDING

    @classmethod
    def of(cls, row, now: datetime, today: datetime) -> QueueRow:
        """A row of the page's query, with its age and whether it is overdue: an « À
        compléter » past its due date (its ``queue_since`` is the due date)."""
        age = None if row.submitted_at is None else max(0, (now - _aware(row.submitted_at)).days)
        overdue = row.status == STATUS_NEEDS_INFO and (
            row.queue_rank == RANK_COMPLEMENT_OVERDUE or (
                row.queue_since is not None and _aware(row.queue_since) < today))
        return cls(*row, age_days=age, overdue=overdue)

    @property
    def cursor(self) -> str:
        return encode_cursor(self.queue_rank, self.queue_since, self.id)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None
    staff_names: dict[int, str] = field(default_factory=dict)


# --- the search box ----------------------------------------------------------------------------

def classify_search(raw: str) -> tuple[str, str] | None:
    """« 756.1234.5678.97 » or « 7561234567897 » → AVS; « ne-2026-000123 » → receipt; any
    other text → a name prefix (« Müller » → "muller")."""
    text = (raw or "").strip()
    if not text:
        return None
    digits = _SEPARATORS.sub("", text)
    if digits.isascii() and digits.isdigit() and len(digits) == 13:
        return SEARCH_AVS, digits
    match = _RECEIPT.fullmatch(text)
    if match:
        return SEARCH_RECEIPT, f"{match[1].upper()}-{match[2]}-{int(match[3]):06d}"
    key = normalize_name_for_match(text)
    return (SEARCH_NAME, key[:200]) if key else None


# --- the keyset cursor -------------------------------------------------------------------------

def encode_cursor(rank: int, since: datetime | None, invoice_id: int) -> str:
    """« after this row »: ``rank.microseconds.id`` (a sent invoice always has its since)."""
    micros = 0 if since is None else int((_aware(since) - _EPOCH) / timedelta(microseconds=1))
    return f"{rank}.{micros}.{invoice_id}"


def decode_cursor(raw: str | None) -> tuple[int, datetime, int] | None:
    """The cursor of a « Page suivante » link, or None for anything else (the first page)."""
    parts = (raw or "").split(".")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts):
        return None
    rank, micros, invoice_id = (int(p) for p in parts)
    if rank > 99 or invoice_id > 2**62:
        return None
    try:
        since = _EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        return None
    return rank, since, invoice_id


# --- the queries -------------------------------------------------------------------------------

def _scope(flt: QueueFilter, staff: User):
    """The gestionnaire condition. The default: mine, without gestionnaire, and every second
    visa awaited (the first visa's gestionnaire stays the assignee: another one gives it)."""
    if flt.assignee == ASSIGNEE_MINE_OR_NONE:
        # « none or mine » as one expression: an OR of indexable terms would make SQLite
        # read each index apart and sort the whole open queue; this one it checks on the rows
        # of the queue's index, read in order, and stops after a page
        return or_(func.coalesce(Invoice.assignee_id, staff.id) == staff.id,
                   Invoice.status == STATUS_VISA_PENDING)
    if flt.assignee == ASSIGNEE_MINE:
        return Invoice.assignee_id == staff.id
    if flt.assignee == ASSIGNEE_NONE:
        return Invoice.assignee_id.is_(None)
    if flt.assignee == ASSIGNEE_ANY:
        return None
    return Invoice.assignee_id == int(flt.assignee)


def _state_condition(state: str):
    if state == STATE_OPEN:
        # the open states are exactly the ranks below RANK_DONE (lifecycle._queue_place; a
        # draft is RANK_DONE): a range of the queue's index, read in its order
        return Invoice.queue_rank < RANK_DONE
    if state == STATE_ALL:
        return Invoice.status != STATUS_DRAFT
    return Invoice.status == state


def _search_alternatives(kind: str, term: str) -> list:
    """The search as alternatives (an OR): each one an index range of its own."""
    if kind == SEARCH_AVS:
        holders = select(User.id).where(User.navs13 == term).scalar_subquery()
        return [Invoice.subject_navs13 == term, Invoice.user_id == holders]
    if kind == SEARCH_RECEIPT:
        return [Invoice.receipt_number == term]
    # the keys read « nom prénom »: « Mélanie Jeanrenaud » is also tried as « jeanrenaud melanie »
    words = term.split(" ")
    terms = [term] + ([" ".join(words[1:] + words[:1])] if len(words) > 1 else [])
    return [and_(key >= prefix, key < prefix + _TOP) for prefix in terms
            for key in (Invoice.subject_name_key, Invoice.holder_name_key)]


def conditions(flt: QueueFilter, staff: User, now: datetime | None = None) -> list:
    """The filter's conditions, the search's alternatives as one OR."""
    common, alternatives = split_conditions(flt, staff, now)
    return common + ([or_(*alternatives)] if alternatives else [])


def split_conditions(flt: QueueFilter, staff: User, now: datetime | None = None
                     ) -> tuple[list, list]:
    """(the conditions every row meets, the search's alternatives or [])."""
    flt = flt.effective
    found = [_state_condition(flt.state)]
    scope = _scope(flt, staff)
    if scope is not None:
        found.append(scope)
    if flt.invoice_type:
        found.append(Invoice.invoice_type == flt.invoice_type)
    if flt.older_than_days:
        found.append(Invoice.submitted_at <= (now or utcnow()) - timedelta(
            days=flt.older_than_days))
    if flt.flagged:
        found.append(Invoice.flagged.is_(True))
    return found, (_search_alternatives(*flt.search) if flt.search else [])


_Holder = aliased(User)


def queue_page(flt: QueueFilter, staff: User, after: str | None = None,
               size: int = PAGE_SIZE, names: dict[int, str] | None = None) -> QueuePage:
    """One page of the queue, most urgent first: the ``size`` rows after the cursor ``after``
    (a « Page suivante » link), and the cursor of the next page when there is one. ``names``:
    the gestionnaires' names when the caller has them already (``staff_names()``)."""
    order = (Invoice.queue_rank, Invoice.queue_since, Invoice.id)
    # first the page's ids, from the indexes alone where they can (a search by a common name
    # matches thousands of invoices: only the page's rows are then read and joined)
    common, alternatives = split_conditions(flt, staff)
    cursor = decode_cursor(after)
    if cursor is not None:
        common.append(tuple_(*order) > tuple_(
            literal(cursor[0], Invoice.queue_rank.type),
            literal(cursor[1], Invoice.queue_since.type), literal(cursor[2], Invoice.id.type)))
    if len(alternatives) > 1:
        # a UNION rather than an OR: each alternative read from its own index alone (key,
        # state, place in the queue), where an OR would read every matching row of the table
        found = union(*(select(*order).where(*common, alternative)
                        for alternative in alternatives)).subquery("found")
        ids = select(found.c.queue_rank, found.c.queue_since, found.c.id).order_by(
            found.c.queue_rank, found.c.queue_since, found.c.id)
    else:
        ids = select(*order).where(*common, *alternatives).order_by(*order)
    page_ids = ids.limit(size + 1).subquery("page_ids")
    subject_name = func.coalesce(Beneficiary.prenom + literal(" ") + Beneficiary.nom,
                                 _Holder.prenom + literal(" ") + _Holder.nom)
    query = (select(Invoice.id, Invoice.user_id, Invoice.receipt_number, Invoice.status,
                    Invoice.invoice_type, subject_name, Invoice.subject_navs13,
                    Invoice.submitted_at, Invoice.total_claimed, Invoice.assignee_id,
                    Invoice.queue_rank, Invoice.queue_since, Invoice.flagged)
             .select_from(page_ids).join(Invoice, Invoice.id == page_ids.c.id)
             .outerjoin(Beneficiary, Beneficiary.id == Invoice.beneficiary_id)
             .join(_Holder, _Holder.id == Invoice.user_id)
             .order_by(page_ids.c.queue_rank, page_ids.c.queue_since, page_ids.c.id))
    now = utcnow()
    # a due date is kept as its day at 00:00 UTC (lifecycle._queue_place): today, the same way
    today = datetime.combine(today_in_zurich(), time.min, tzinfo=timezone.utc)
    rows = [QueueRow.of(row, now, today) for row in db.session.execute(query)]
    more = len(rows) > size
    rows = rows[:size]
    assignees = {r.assignee_id for r in rows} - {None}
    if names is not None and assignees <= names.keys():
        shown = {staff_id: names[staff_id] for staff_id in assignees}
    else:
        shown = staff_names(assignees)
    return QueuePage(rows=rows, next_cursor=rows[-1].cursor if more else None,
                     staff_names=shown)


def record_search(flt: QueueFilter, page: QueuePage, staff: User) -> None:
    """A search is a read of the persons it finds: one audit entry, with ``person_id`` when
    the rows shown are one insured person's (a search by N° AVS or receipt), never the term
    itself (it may be an AVS number)."""
    if not flt.search:
        return
    people = {row.user_id for row in page.rows}
    record("queue_searched", actor=staff, object_type="queue", object_id=None,
           kind=flt.search[0], results=len(page.rows),
           **({"person_id": people.pop()} if len(people) == 1 else
              {"person_ids": sorted(people)} if people else {}))


def state_counts(flt: QueueFilter, staff: User) -> dict[str, int | None]:
    """How many invoices each tab holds, for the gestionnaire choice in effect, each up to
    :data:`COUNT_CAP` (the tab then reads « 1000+ »): every open state, and a decided state
    only while its tab is in view (``None``: not counted). One statement; each count stops
    after ``COUNT_CAP + 1`` entries of the ``(status, assignee_id)`` index, so a queue of
    20 000 open invoices costs what one of 1 000 costs."""
    scope = _scope(flt.effective, staff)
    counted = [*OPEN_STATES, *([flt.state] if flt.state in DECIDED_STATES else [])]
    parts = []
    for state in counted:
        capped = select(Invoice.status).where(Invoice.status == state)
        if scope is not None:
            capped = capped.where(scope)
        capped = capped.limit(COUNT_CAP + 1).subquery()
        parts.append(select(literal(state).label("state"), func.count().label("n"))
                     .select_from(capped))
    counts: dict[str, int | None] = {state: None for state in DECIDED_STATES}
    counts.update({row.state: row.n for row in db.session.execute(union_all(*parts))})
    return counts


def staff_names(ids: set[int] | None = None) -> dict[int, str]:
    """The gestionnaires' names by id (all of them, or those of ``ids``)."""
    query = select(User.id, User.prenom, User.nom, User.email).where(User.role.in_(STAFF_ROLES))
    if ids is not None:
        if not ids:
            return {}
        query = query.where(User.id.in_(ids))
    return {row.id: (f"{row.prenom or ''} {row.nom or ''}".strip() or row.email)
            for row in db.session.execute(query.order_by(User.nom, User.prenom, User.id))}


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

