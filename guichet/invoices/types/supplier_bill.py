"""What a supplier's invoice read from its Swiss QR-bill gives an invoice type's form
(:attr:`~.base.InvoiceType.fill_from_bill`): the facts, and the texts they write."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .days import day_text


@dataclass(frozen=True)
class SupplierBill:
    """What the Swiss QR-bill on the supplier's invoice tells a type's form: who invoiced, the
    invoice's number and date when its billing information gives them, and the amount (CHF).
    Never the creditor's IBAN: that is the supplier's account, not the person's payout."""

    supplier: str
    invoice_number: str | None
    invoice_date: date | None
    amount: Decimal


@dataclass(frozen=True)
class BillFill:
    """The texts a :class:`SupplierBill` writes in a draft's form: the header's fields by name,
    and the lines' fields by the line's position (a position past the last line adds one)."""

    header: dict[str, str] = field(default_factory=dict)
    lines: dict[int, dict[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.header or any(self.lines.values()))


def header_from_bill(bill: SupplierBill) -> dict[str, str]:
    """The header fields a supplier's invoice answers: « Fournisseur », its number and date
    (those the bill gives)."""
    written = {"supplier": bill.supplier}
    if bill.invoice_number:
        written["supplier_invoice_number"] = bill.invoice_number
    if bill.invoice_date:
        written["invoice_date"] = day_text(bill.invoice_date)
    return written
