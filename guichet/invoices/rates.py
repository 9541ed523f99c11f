"""The office's dated rates: the defaults the invoice types declare, seeding them, reading them.

The rate in force on the date of a cost applies: each rate is a row with a ``key`` (e.g.
:data:`~guichet.invoices.types.travel.RATE_CAR_KM`), a validity period and an amount in CHF.
The office edits the rows as data (table ``rates``); each invoice type's module declares the
figures known when it was written, with their legal source, and :func:`seed_default_rates`
writes the missing ones to a database. A database made by the migrations gets the same rows
from the rates data migration, which carries its own copy (tests/test_migrations.py checks
that both agree).

Computations ask a :class:`~guichet.invoices.rate_book.RateBook` for amounts;
:class:`DatabaseRateBook` reads the ``rates`` table, :class:`StaticRateBook` holds rows in memory.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.models import User
from guichet.models.base import db
from guichet.models.rates import Rate

from .rate_book import RateRow, row_in_force
from .types import default_rates

__all__ = ["StaticRateBook", "DatabaseRateBook", "RateChangeRefused", "RateHistory", "all_rates",
           "change_rate", "rates_by_key", "seed_default_rates"]


class StaticRateBook:
    """Rates held in memory (tests, previews). Defaults to every type's default rates."""

    def __init__(self, rows: Iterable | None = None):
        self._by_key: dict[str, list[RateRow]] = {}
        for row in default_rates() if rows is None else rows:
            row = row if isinstance(row, RateRow) else RateRow.of(row)
            self._by_key.setdefault(row.key, []).append(row)

    def row(self, key: str, on: date) -> RateRow:
        return row_in_force(self._by_key.get(key, ()), key, on)

    def amount(self, key: str, on: date) -> Decimal:
        return self.row(key, on).amount


class DatabaseRateBook:
    """Rates read from the ``rates`` table; each key is read once per instance, so make one
    instance per request or computation (edits by the office show up in the next one)."""

    def __init__(self, session=None):
        self._session = db.session if session is None else session
        self._cache: dict[str, list[RateRow]] = {}

    def _rows(self, key: str) -> list[RateRow]:
        if key not in self._cache:
            found = self._session.scalars(select(Rate).where(Rate.key == key))
            self._cache[key] = [RateRow.of(rate) for rate in found]
        return self._cache[key]

    def row(self, key: str, on: date) -> RateRow:
        return row_in_force(self._rows(key), key, on)

    def amount(self, key: str, on: date) -> Decimal:
        return self.row(key, on).amount


def seed_default_rates(session) -> int:
    """Add the default rates of every invoice type that are not in the table yet (same key
    and ``valid_from``); rows already there, possibly edited by the office, are left alone.
    Flushes but does not commit. Returns how many rows were added."""
    present = {(key, start)
               for key, start in session.execute(select(Rate.key, Rate.valid_from))}
    added = 0
    for row in default_rates():
        if (row.key, row.valid_from) in present:
            continue
        session.add(Rate(key=row.key, valid_from=row.valid_from, valid_to=row.valid_to,
                         amount=row.amount, label=row.label, source=row.source))
        present.add((row.key, row.valid_from))
        added += 1
    if added:
        session.flush()
    return added


_MAX_AMOUNT = Decimal("9999999999.99")  # what Numeric(12, 2) holds
_MAX_SOURCE = Rate.source.type.length


class RateChangeRefused(Exception):
    """The rate was not changed; the message (French) says why, ``field`` which value is wrong
    (``key``, ``amount``, ``valid_from`` or ``source``)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def all_rates() -> list[Rate]:
    """Every rate row, by key and then by date."""
    return list(db.session.scalars(select(Rate).order_by(Rate.key, Rate.valid_from)))


@dataclass(frozen=True)
class RateHistory:
    """One rate's periods, oldest first; ``label`` is that of its latest period."""

    key: str
    label: str
    periods: list[Rate]

    @property
    def current(self) -> Rate:
        return self.periods[-1]


def rates_by_key() -> list[RateHistory]:
    """Every rate with its periods, by key (what the administrators' page lists)."""
    grouped: dict[str, list[Rate]] = {}
    for rate in all_rates():
        grouped.setdefault(rate.key, []).append(rate)
    return [RateHistory(key, periods[-1].label, periods) for key, periods in grouped.items()]


def change_rate(key: str, amount: Decimal, valid_from: date, source: str,
                actor: User | None = None) -> Rate:
    """A new ``amount`` for the rate ``key`` from ``valid_from`` on (costs before that date keep
    the old amount): the rate that starts last ends the day before, and the new row keeps its
    label. Refused (:class:`RateChangeRefused`) for an unknown key, an amount that is not a
    number of francs a ``Numeric(12, 2)`` column holds, an empty or overlong source, or a date
    that does not come after the start of the rate that starts last. Invoices already sent
    keep their amounts: they were computed and kept when sent. Adds the row and an audit
    entry (``actor``: the administrator; none from the command line); the caller's unit of
    work commits."""
    if not amount.is_finite() or not 0 <= amount <= _MAX_AMOUNT:
        raise RateChangeRefused(_("Montant hors limites : %(amount)s (de 0 à 9'999'999'999.99 "
                                  "CHF).", amount=amount), field="amount")
    source = source.strip()
    if not source or len(source) > _MAX_SOURCE:
        raise RateChangeRefused(_("Indiquez la base légale (%(max)d caractères au plus).",
                                  max=_MAX_SOURCE), field="source")
    current = db.session.scalars(select(Rate).where(Rate.key == key)
                                 .order_by(Rate.valid_from.desc())).first()
    if current is None:
        raise RateChangeRefused(_("Taux inconnu : %(key)s (voir « rates list »).", key=key),
                                field="key")
    if valid_from <= current.valid_from:
        raise RateChangeRefused(_("La date doit suivre le début du taux en vigueur (%(day)s).",
                                  day=f"{current.valid_from:%d.%m.%Y}"), field="valid_from")
    current.valid_to = valid_from - timedelta(days=1)
    rate = Rate(key=key, valid_from=valid_from, amount=amount.quantize(Decimal("0.01")),
                label=current.label, source=source)
    db.session.add(rate)
    record("rate_changed", actor=actor, object_type="rate", object_id=key,
           amount=str(rate.amount), valid_from=valid_from.isoformat(), source=source,
           previous_amount=str(current.amount))
    return rate
