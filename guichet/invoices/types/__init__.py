"""The invoice types the office accepts: one module each, listed here, in the order offered.

Every other module takes the type keys (``Invoice.invoice_type``, ``Decision.invoice_type``, the
decisions CSV's ``type_facture``) and each type's knowledge from this registry. Adding a type
means writing its module (an :class:`~.base.InvoiceType` named ``TYPE``) and listing it in
:data:`INVOICE_TYPES`.
"""
from __future__ import annotations

from guichet.invoices.rate_book import RateRow

from . import aids, api_minor, assistance, standard, travel
from .base import InvoiceType

__all__ = ["INVOICE_TYPES", "invoice_type", "default_rates"]

#: Each type by its key, in the order the person is offered them.
INVOICE_TYPES: dict[str, InvoiceType] = {
    kind.key: kind for kind in (travel.TYPE, assistance.TYPE, api_minor.TYPE, aids.TYPE,
                                standard.TYPE)}


def invoice_type(key: str) -> InvoiceType:
    """The type of that key; ``KeyError`` for an unknown one."""
    return INVOICE_TYPES[key]


def default_rates() -> tuple[RateRow, ...]:
    """The dated rates every type declares, as known when its module was written: what a new
    database is seeded with (the office then changes them as data)."""
    return tuple(row for kind in INVOICE_TYPES.values() for row in kind.rates)
