"""Amounts in Swiss francs: exact decimal values and their Swiss display.

Amounts are always :class:`decimal.Decimal` with two decimals, rounded half
up (the commercial rounding people expect on an invoice). Floats are refused
because they cannot hold most decimal amounts exactly (``2.675`` is really
``2.67499999...``), which would silently round the wrong way.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["to_amount", "format_chf"]

_CENT = Decimal("0.01")


def to_amount(value: str | int | Decimal) -> Decimal:
    """Return ``value`` as a Decimal with exactly 2 decimals (half-up).

    Accepts ``str`` (e.g. ``"12.5"``, ``" 2.675 "``), ``int`` and ``Decimal``.
    Raises ``TypeError`` for floats (and bools or other types) and
    ``ValueError`` for text that is not a finite number.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise TypeError(
            f"amounts must be str, int or Decimal, not {type(value).__name__}"
        )
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    else:
        value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    try:
        amount = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the decimal context holds
        raise ValueError(f"amount too large: {value!r}") from None
    # "-0.004" rounds to -0.00; keep a single zero so it never shows a sign.
    return abs(amount) if amount == 0 else amount


def format_chf(amount: str | int | Decimal) -> str:
    """Swiss display of an amount: ``1'234.50 CHF``, ``-1'234'567.00 CHF``.

    Thousands are grouped with an ASCII apostrophe (U+0027), as on Swiss
    invoices and payment slips.
    """
    value = to_amount(amount)
    sign = "-" if value < 0 else ""
    grouped = f"{abs(value):,.2f}".replace(",", "'")
    return f"{sign}{grouped} CHF"
