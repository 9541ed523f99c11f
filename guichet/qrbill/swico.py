"""The billing information of a QR-bill (its ``StrdBkgInf`` element) in Swico's "S1" syntax
(Syntaxdefinition der Rechnungsinformationen): ``//S1/`` then tag/value pairs separated by
``/``, for instance ``//S1/10/2026-0412/11/261114/30/106017086``. Inside a value, ``\\/`` stands
for a slash and ``\\\\`` for a backslash.

Guichet keeps the invoice number (tag 10), the invoice date (11) and the VAT number (30).
Billing information it cannot trust -- another syntax, a tag that is not a number or comes
twice, a tag without a value pair, a date that is not a date -- is dropped whole rather than
read in part, so that a fingerprint never rests on a half-understood value."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .text import clean_text

PREFIX = "//S1/"
INVOICE_NUMBER, INVOICE_DATE, VAT_NUMBER, VAT_DATES = "10", "11", "30", "31"

# The longest the whole element may be (IG QR-bill 4.3.7): no value read from it is longer.
MAX_VALUE_LENGTH = 140

_TAG_SHAPE = re.compile(r"[0-9]{2}")
_DATE_SHAPE = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class BillingInfo:
    """The parts of Swico's billing information Guichet uses; None where a tag is absent."""
    invoice_number: str | None
    invoice_date: date | None
    vat_number: str | None  # as written: "106017086" stays that (no CHE prefix added)


class _Unreadable(ValueError):
    """The billing information does not follow the S1 syntax."""


def billing_info(invoice_number: str | None, invoice_date: date | None,
                 vat_number: str | None) -> BillingInfo | None:
    """A :class:`BillingInfo`, or None when it would hold nothing Guichet uses."""
    if invoice_number is None and invoice_date is None and vat_number is None:
        return None
    return BillingInfo(invoice_number, invoice_date, vat_number)


def parse_billing_info(text: str) -> BillingInfo | None:
    """The Swico S1 billing information in ``text``, or None when there is none Guichet can read
    (not S1, malformed, or no invoice number, invoice date nor VAT number)."""
    text = clean_text(text)
    if not text.startswith(PREFIX):
        return None
    try:
        values = _tagged_values(text[len(PREFIX):])
        invoice_date = _swico_date(values[INVOICE_DATE]) if INVOICE_DATE in values else None
        if VAT_DATES in values:
            _check_vat_dates(values[VAT_DATES])
    except _Unreadable:
        return None
    return billing_info(clean_value(values.get(INVOICE_NUMBER)), invoice_date,
                        clean_value(values.get(VAT_NUMBER)))


def _tagged_values(body: str) -> dict[str, str]:
    """The non-empty value of each tag in ``body``; unknown tags are kept (and ignored later):
    Swico adds tags over time."""
    parts = _split_unescaped(body)
    if parts and parts[-1] == "" and len(parts) % 2:
        parts.pop()  # a slash after the last value
    if len(parts) % 2:
        raise _Unreadable("a tag without its value")
    values: dict[str, str] = {}
    for tag, value in zip(parts[::2], parts[1::2]):
        if not _TAG_SHAPE.fullmatch(tag) or tag in values:
            raise _Unreadable(f"tag {tag!r}")
        values[tag] = value.strip()
    return {tag: value for tag, value in values.items() if value}


def _split_unescaped(body: str) -> list[str]:
    """``body`` split at each ``/`` that is not escaped, with ``\\/`` and ``\\\\`` undone (a
    backslash before any other character is kept as it is)."""
    parts, current, index = [], [], 0
    while index < len(body):
        char = body[index]
        following = body[index + 1:index + 2]
        if char == "\\" and following in ("/", "\\"):
            current.append(following)
            index += 2
            continue
        if char == "/":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def _swico_date(value: str) -> date:
    """A Swico date, ``YYMMDD`` in the 2000s."""
    if not _DATE_SHAPE.fullmatch(value):
        raise _Unreadable(f"date {value!r}")
    try:
        return date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))
    except ValueError:
        raise _Unreadable(f"date {value!r}") from None


def _check_vat_dates(value: str) -> None:
    """Tag 31 holds one date (``YYMMDD``) or a period (``YYMMDDYYMMDD``)."""
    if len(value) not in (6, 12):
        raise _Unreadable(f"VAT dates {value!r}")
    _swico_date(value[:6])
    if len(value) == 12:
        _swico_date(value[6:])


def clean_value(value: str | None) -> str | None:
    """A text value cleaned and cut to :data:`MAX_VALUE_LENGTH`, None when absent or empty."""
    if value is None:
        return None
    return clean_text(value, MAX_VALUE_LENGTH) or None
