"""The priced elements every invoice type returns, and the exact arithmetic they share.

A type's computation returns its lines (:class:`LineResult`), each made of the priced elements
(:class:`Charge`) — what was counted, at which rate, for how much — and the total.
Amounts are :class:`~decimal.Decimal` CHF rounded half-up to the centime; floats are refused.
Rates come from a :class:`~guichet.invoices.rate_book.RateBook`, looked up on the date of the
cost.

A type's ``validate_*`` functions return :data:`Errors` (empty when all is well), for forms.
Its ``compute_*`` functions trust the dates (they do not know "today") but raise
:class:`InvalidClaim` when the input cannot be priced at all (e.g. a car trip without
kilometres). Messages and labels are French source text passed through Flask-Babel.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from guichet.core.i18n import gettext as _
from guichet.core.money import format_chf, to_amount
from guichet.invoices.rate_book import RateBook

#: ``{field: message}``
Errors = dict[str, str]
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Charge:
    """One priced element of a line: ``quantity × rate`` (a flat rate) or an amount paid
    (``rate`` is then ``None``). ``label`` says it in words, e.g. ``42 km × 0.45 CHF``."""

    label: str
    amount: Decimal
    quantity: Decimal | None = None
    rate: Decimal | None = None
    rate_key: str | None = None


@dataclass(frozen=True)
class LineResult:
    """One line of an invoice (a trip, an assistant, a month, a device…)."""

    label_parts: tuple[str, ...]
    charges: tuple[Charge, ...]
    amount: Decimal

    @property
    def label(self) -> str:
        return " — ".join(part for part in self.label_parts if part)

    @classmethod
    def of(cls, label_parts: Iterable[str], charges: Iterable[Charge]) -> LineResult:
        charges = tuple(charges)
        return cls(tuple(label_parts), charges, sum_amounts(charge.amount for charge in charges))


@dataclass(frozen=True)
class Breakdown:
    lines: tuple[LineResult, ...]
    total: Decimal

    @classmethod
    def of(cls, lines: Iterable[LineResult]) -> Breakdown:
        lines = tuple(lines)
        return cls(lines, sum_amounts(line.amount for line in lines))


class InvalidClaim(ValueError):
    """The input cannot be priced; ``errors`` maps fields to (translated) messages."""

    def __init__(self, errors: Errors):
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


def exact(value, field: str) -> Decimal:
    """An exact number from ``str``, ``int`` or ``Decimal``; floats are refused."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise TypeError(f"{field}: expected str, int or Decimal, not {type(value).__name__}")
    result = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{field}: not a finite number: {value!r}")
    return result


def optional_exact(value, field: str) -> Decimal | None:
    return None if value is None else exact(value, field)


def sum_amounts(amounts: Iterable[Decimal]) -> Decimal:
    return to_amount(sum(amounts, ZERO))


def times(quantity: Decimal, rate: Decimal) -> Decimal:
    return to_amount(quantity * rate)


def number_text(value: Decimal | int) -> str:
    """``42``, ``7.5``, ``0.25`` — no trailing zeros, no exponent."""
    return format(Decimal(value).normalize(), "f")


def flat_charge(label: str, quantity: Decimal | int, key: str, on: date, rates: RateBook,
                unit: str = "") -> Charge:
    """``quantity`` × the rate ``key`` in force on ``on``: ``Heures : 10 h × 35.30 CHF``."""
    rate = rates.amount(key, on)
    quantity = Decimal(quantity)
    return Charge(_("%(label)s : %(quantity)s%(unit)s × %(rate)s", label=str(label),
                    quantity=number_text(quantity), unit=unit, rate=format_chf(rate)),
                  times(quantity, rate), quantity, rate, key)
