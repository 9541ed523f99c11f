"""The batch's list for the Centrale de compensation: a CSV file, one row per invoice, then a
control-sum row.

UTF-8 with a BOM (Excel, which the office opens it with, then reads the accents right), ``;``
between cells, ``\\r\\n`` line ends, a header row. Amounts as ``1234.50``, dates as
``31.12.2026``. What each row says comes from the invoice's copy kept at sending
(``invoices.frozen``) and from the decision that stands (the day of the visa: the second
visa's, else the validation's), so the file is the same at every download. A cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is neutralised with a leading
``'`` (a spreadsheet would otherwise run it as a formula).
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from guichet.core.i18n import gettext as _
from guichet.core.i18n import local_date
from guichet.core.identifiers import format_navs13
from guichet.models import Invoice, TransmissionBatch

from .review import standing_decision
from .transmission import iter_batch_invoices
from .types import INVOICE_TYPES
from .view import AccountCopy, PersonCopy

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def amount_text(value: Decimal | None) -> str:
    return f"{Decimal(value or 0):.2f}"


def header() -> list[str]:
    return [_("Lot"), _("N° de reçu"), _("N° AVS"), _("Nom"), _("Prénom"), _("Bénéficiaire"),
            _("N° de décision"), _("Type de demande"), _("IBAN"), _("Titulaire du compte"),
            _("Montant validé"), _("Date du visa")]


def _navs(digits: str | None) -> str:
    try:
        return format_navs13(digits) if digits else ""
    except Exception:  # a number kept as typed: shown as it is
        return digits or ""


def invoice_row(batch: TransmissionBatch, invoice: Invoice) -> list[str]:
    frozen = invoice.frozen or {}
    owner = PersonCopy.read(frozen.get("owner"))
    beneficiary = PersonCopy.read(frozen.get("beneficiary"))
    account = AccountCopy.read(frozen.get("account"))
    decision = standing_decision(invoice)
    visa = (decision.visa_at or decision.decided_at) if decision is not None else None
    spec = INVOICE_TYPES.get(invoice.invoice_type)
    beneficiary_text = ""
    if beneficiary is not None:
        beneficiary_text = f"{beneficiary.display_name}, {_navs(beneficiary.navs13)}"
    return [batch.number, invoice.receipt_number or "", _navs(owner.navs13 if owner else None),
            owner.nom if owner else "", owner.prenom if owner else "", beneficiary_text,
            frozen.get("decision_number") or invoice.decision_number or "",
            str(spec.label) if spec is not None else invoice.invoice_type,
            account.iban if account else (invoice.iban or ""),
            account.holder if account else "", amount_text(invoice.total_approved),
            local_date(visa)]


def control_row(batch: TransmissionBatch) -> list[str]:
    cells = [""] * len(header())
    cells[0], cells[1] = batch.number, _("Somme de contrôle")
    cells[2] = _("%(count)s demandes", count=batch.count)
    cells[10] = amount_text(batch.control_sum)
    return cells


def write_batch_list(out: io.TextIOBase, batch: TransmissionBatch) -> None:
    """Writes the list of ``batch`` to the text stream ``out`` (BOM included)."""
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header()])
    for invoice in iter_batch_invoices(batch):
        writer.writerow([neutralise(cell) for cell in invoice_row(batch, invoice)])
    writer.writerow([neutralise(cell) for cell in control_row(batch)])


def batch_list_bytes(batch: TransmissionBatch) -> bytes:
    buffer = io.StringIO()
    write_batch_list(buffer, batch)
    return buffer.getvalue().encode("utf-8")
