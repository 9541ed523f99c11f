"""Facture standard: any other cost covered by a decision, as the supplier invoiced it.

The supplier, the invoice's number and date, and its lines (date, libellé, quantité, prix
unitaire); each line is quantity × unit price. Pièce: the supplier's invoice.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.i18n import today_in_zurich
from guichet.core.money import format_chf

from .amounts import Breakdown, Charge, Errors, LineResult, exact, number_text, sum_amounts, times
from .base import DATE, DATE_HINT, MONEY, NUMBER, Claim, FieldSpec, InvoiceType, Requirement
from .days import day_text, not_future
from .supplier_bill import BillFill, SupplierBill, header_from_bill

KEY = "standard"


@dataclass(frozen=True)
class StandardLine:
    date: date
    label: str
    quantity: Decimal
    unit_price: Decimal


def validate_standard_line(line: StandardLine, today: date | None = None) -> Errors:
    today = today or today_in_zurich()
    errors: Errors = {}
    if line.date is None:
        errors["date"] = _("Indiquez la date.")
    not_future(errors, "date", line.date, today, _("La date ne peut pas être dans le futur."))
    if not (line.label or "").strip():
        errors["label"] = _("Indiquez le libellé.")
    if line.quantity is None or exact(line.quantity, "quantity") <= 0:
        errors["quantity"] = _("La quantité doit être supérieure à 0.")
    if line.unit_price is None or exact(line.unit_price, "unit_price") <= 0:
        errors["unit_price"] = _("Le prix unitaire doit être supérieur à 0 CHF.")
    return errors


def compute_standard(lines: Iterable[StandardLine]) -> Breakdown:
    """Each line is quantity × unit price, rounded half-up to the centime."""
    results = []
    for line in lines:
        quantity = exact(line.quantity, "quantity")
        price = exact(line.unit_price, "unit_price")
        charge = Charge(f"{number_text(quantity)} × {format_chf(price)}", times(quantity, price),
                        quantity, price)
        results.append(LineResult.of((day_text(line.date), line.label), [charge]))
    return Breakdown.of(results)


def standard_requirements() -> list[Requirement]:
    return [Requirement(
        "supplier_invoice", _("Facture du fournisseur"),
        _("Le remboursement se fonde sur la facture du fournisseur."))]


def fill_from_bill(bill: SupplierBill, header: dict, lines: list[dict]) -> BillFill:
    """The supplier, the invoice's number and date; the amount becomes the only line (one ×
    the amount, dated like the invoice when it has no date yet). An invoice already typed in
    several lines keeps them: the bill gives their total, not each line."""
    fill = BillFill(header=header_from_bill(bill))
    if len(lines) <= 1:
        line = lines[0] if lines else {}
        written = {"quantity": "1", "unit_price": f"{bill.amount:.2f}"}
        if bill.invoice_date and not (line.get("date") or "").strip():
            written["date"] = day_text(bill.invoice_date)
        if not (line.get("label") or "").strip():
            written["label"] = (_("Facture n° %(number)s", number=bill.invoice_number)
                                if bill.invoice_number else _("Facture du fournisseur"))
        fill.lines[0] = written
    return fill


def price(claim: Claim) -> None:
    """Each line checked and priced on its own."""
    result = claim.result
    for index, values in enumerate(claim.lines):
        line = StandardLine(date=values.get("date"), label=values.get("label", ""),
                            quantity=values.get("quantity"),
                            unit_price=values.get("unit_price"))
        errors = claim.reportable(validate_standard_line(line), values)
        errors.update(result.line_errors[index])
        result.line_errors[index] = errors
        if not errors and line.date and line.quantity is not None and line.unit_price is not None:
            result.priced_lines.extend(compute_standard([line]).lines)
    result.requirements = standard_requirements()
    result.total = sum_amounts(line.amount for line in result.priced_lines)


TYPE = InvoiceType(
    key=KEY, label=_l("Facture standard"),
    description=_l("Tout autre frais couvert par une décision de l'office."),
    price=price, fill_from_bill=fill_from_bill, bill_pieces=("supplier_invoice",),
    line_label=_l("Ligne"), lines_title=_l("Lignes de la facture"),
    add_line_label=_l("Ajouter une ligne"),
    line_added=_l("Ligne %(num)d ajoutée"), line_removed=_l("Ligne supprimée"),
    fields=(
        FieldSpec("supplier", _l("Fournisseur"), max_length=120),
        FieldSpec("supplier_invoice_number", _l("N° de la facture du fournisseur"),
                  max_length=60),
        FieldSpec("invoice_date", _l("Date de la facture"), DATE, hint=DATE_HINT,
                  width="short"),
    ),
    line_fields=(
        FieldSpec("date", _l("Date"), DATE, hint=DATE_HINT, width="short"),
        FieldSpec("label", _l("Libellé"), max_length=200),
        FieldSpec("quantity", _l("Quantité"), NUMBER, width="short"),
        FieldSpec("unit_price", _l("Prix unitaire (CHF)"), MONEY, width="short"),
    ))
