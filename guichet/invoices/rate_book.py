"""Dated rates as the computations see them: a row in force over a period, and the book
that finds the one in force on the date of a cost.

Each invoice type declares the rates it uses (:class:`RateRow`, with their legal source) in its
own module; the office's figures live in the ``rates`` table, which
:mod:`guichet.invoices.rates` seeds and reads. Computations only know the :class:`RateBook`
protocol, so they can be tested with rows held in memory.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, runtime_checkable

from guichet.core.money import to_amount

__all__ = ["RateRow", "MissingRate", "RateBook", "row_in_force"]


@dataclass(frozen=True)
class RateRow:
    """One dated rate: ``amount`` CHF from ``valid_from`` to ``valid_to`` (both included;
    ``valid_to=None`` means "until further notice")."""

    key: str
    valid_from: date
    valid_to: date | None
    amount: Decimal
    label: str
    source: str

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    @classmethod
    def of(cls, row) -> RateRow:
        """A ``RateRow`` from any object with the same attributes (e.g. a ``Rate`` model)."""
        return cls(key=row.key, valid_from=row.valid_from, valid_to=row.valid_to,
                   amount=to_amount(row.amount), label=row.label, source=row.source)

    @classmethod
    def for_period(cls, key: str, period: tuple[date, date | None], amount: str | Decimal,
                   label: str, source: str) -> RateRow:
        """A default rate as a type module declares it: ``period`` is ``(from, to)``."""
        return cls(key=key, valid_from=period[0], valid_to=period[1], amount=to_amount(amount),
                   label=label, source=source)


class MissingRate(LookupError):
    """No rate ``key`` is in force on ``on``; the message is French, for staff and logs."""

    def __init__(self, key: str, on: date):
        self.key = key
        self.on = on
        super().__init__(
            f"Aucun taux « {key} » n'est en vigueur le {on:%d.%m.%Y}. "
            "L'administration doit saisir ce taux avant que le montant puisse être calculé.")


@runtime_checkable
class RateBook(Protocol):
    def amount(self, key: str, on: date) -> Decimal:
        """The amount of rate ``key`` in force on ``on``; raises :class:`MissingRate`."""
        ...


def row_in_force(rows: Iterable[RateRow], key: str, on: date) -> RateRow:
    """The row in force on ``on``; when periods overlap, the most recent ``valid_from`` wins."""
    candidates = [row for row in rows if row.in_force(on)]
    if not candidates:
        raise MissingRate(key, on)
    return max(candidates, key=lambda row: row.valid_from)
