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
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from guichet.models.base import db
from guichet.models.rates import Rate

from .rate_book import RateRow, row_in_force
from .types import default_rates

__all__ = ["StaticRateBook", "DatabaseRateBook", "seed_default_rates"]


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
