"""The Swiss QR-bill on a supplier's invoice: read in the pièce when it is attached, offered to
fill the draft's form (« Reprendre ces informations ? »), taken or declined, and recognised in
other invoices by its fingerprint.

- Reading: a type that rests on a supplier's invoice (:attr:`InvoiceType.fill_from_bill`) has
  each new pièce looked at (:func:`read_piece`); what was found is kept on the pièce
  (``attachments.qr_bill``, ``bill_fingerprint``). A pièce with no QR-bill, a damaged one or a
  code that is not a bill keeps ``{"bill": None}`` and changes nothing.
- The offer: a bill in CHF with an amount, whose type has something to write in the form
  (:func:`offer`). Taking it (:func:`take`) writes the supplier, the invoice's number and
  date and the amount as texts, all still editable; the fields still holding what the bill
  wrote are marked as read from the invoice (:func:`marks`). The creditor's IBAN is the
  supplier's account: it never goes near the person's payout IBAN.
- Claimed twice: the same fingerprint in another invoice that was sent. The person is told
  of their own (:func:`warnings_for_person`); the staff's review shows every one, whoever sent
  it (:func:`same_bills`, flag ``duplicate_bill`` in :mod:`.flags`).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from guichet.core.i18n import gettext as _
from guichet.core.money import format_chf
from guichet.models import Attachment, Invoice, InvoiceLine
from guichet.models.base import db
from guichet.models.invoices import STATUS_DRAFT
from guichet.qrbill.bill import QrBill, parse
from guichet.qrbill.reader import read_codes
from guichet.uploads.storage import InvalidStoredName, open_stored

from .types import invoice_type
from .types.days import day_text
from .types.supplier_bill import BillFill, SupplierBill

BILL_TAKEN = "taken"
BILL_DECLINED = "declined"


# --- Reading ----------------------------------------------------------------------------------

def reads_bills(invoice: Invoice) -> bool:
    """The invoice's type rests on a supplier's invoice: its pièces are looked at (unless the
    operator turned reading off, ``GUICHET_QR_BILL_READING=false``)."""
    return current_app.config.get("QR_BILL_READING", True) and \
        invoice_type(invoice.invoice_type).fill_from_bill is not None


def read_piece(attachment: Attachment) -> QrBill | None:
    """Looks for a QR-bill in the stored pièce (the first QR code that is one, last page
    first) and keeps what was found on it; returns the bill."""
    try:
        path = open_stored(attachment.stored_name)
    except (FileNotFoundError, InvalidStoredName):
        return None
    bill = next((found for found in map(parse, read_codes(path, attachment.content_type))
                 if found is not None), None)
    attachment.qr_bill = {"bill": bill.to_dict() if bill else None}
    attachment.bill_fingerprint = bill.fingerprint() if bill else None
    return bill


def bill_of(attachment: Attachment) -> QrBill | None:
    """The QR-bill read in the pièce, if one was."""
    kept = attachment.qr_bill
    if not isinstance(kept, dict) or not isinstance(kept.get("bill"), dict):
        return None
    return QrBill.from_dict(kept["bill"])


def looked_at_without_bill(attachment: Attachment) -> bool:
    """The pièce was looked at and holds no QR-bill (« Aucune facture QR lue »)."""
    return isinstance(attachment.qr_bill, dict) and bill_of(attachment) is None


def amount_text(bill: QrBill) -> str:
    """The bill's amount as pages write it: ``1'650.00 CHF``, ``1650.00 EUR``, « montant
    ouvert »."""
    if bill.amount is None:
        return _("montant ouvert")
    return format_chf(bill.amount) if bill.currency == "CHF" else \
        f"{bill.amount:.2f} {bill.currency}"


def supplier_bill(bill: QrBill | None) -> SupplierBill | None:
    """What a form may take from the bill: only a bill in CHF with its amount (an open amount
    or a bill in EUR gives nothing to reimburse from)."""
    if bill is None or bill.currency != "CHF" or bill.amount is None:
        return None
    billing = bill.billing
    return SupplierBill(
        supplier=bill.creditor.name,
        invoice_number=billing.invoice_number if billing and billing.invoice_number else None,
        invoice_date=billing.invoice_date if billing else None, amount=bill.amount)


# --- The offer --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Offer:
    """« Nous avons lu la facture de … Reprendre ces informations ? » for one pièce."""

    attachment: Attachment
    bill: SupplierBill
    fill: BillFill

    @property
    def sentence(self) -> str:
        bill = self.bill
        facts = format_chf(bill.amount)
        if bill.invoice_number and bill.invoice_date:
            facts = _("%(amount)s, facture n° %(number)s du %(day)s", amount=facts,
                      number=bill.invoice_number, day=day_text(bill.invoice_date))
        elif bill.invoice_number:
            facts = _("%(amount)s, facture n° %(number)s", amount=facts,
                      number=bill.invoice_number)
        elif bill.invoice_date:
            facts = _("%(amount)s, facture du %(day)s", amount=facts,
                      day=day_text(bill.invoice_date))
        return _("Nous avons lu la facture de %(supplier)s : %(facts)s.",
                 supplier=bill.supplier, facts=facts)


def offer(invoice: Invoice) -> Offer | None:
    """The bill to offer on the draft's form: the newest pièce's whose bill the person has
    not answered yet and that gives the form something to take."""
    if invoice.status != STATUS_DRAFT or not reads_bills(invoice):
        return None
    for attachment in sorted(invoice.attachments, key=lambda a: a.id or 0, reverse=True):
        found = _offer_of(invoice, attachment)
        if found is not None:
            return found
    return None


def _offer_of(invoice: Invoice, attachment: Attachment) -> Offer | None:
    if attachment.bill_answer is not None or attachment.qr_bill is None:
        return None
    bill = supplier_bill(bill_of(attachment))
    if bill is None:
        return None
    spec = invoice_type(invoice.invoice_type)
    header, lines = spec.stored_answers(invoice.fields, [line.data for line in invoice.lines])
    fill = spec.fill_from_bill(bill, header, lines)
    return Offer(attachment, bill, fill) if fill else None


def _own_attachment(invoice: Invoice, attachment_id: int | None) -> Attachment | None:
    return next((a for a in invoice.attachments if a.id == attachment_id), None)


def take(invoice: Invoice, attachment_id: int | None) -> Offer | None:
    """« Reprendre ces informations »: writes what the bill of one of the draft's own pièces
    gives into its form (each text cut to its field's length) and remembers it; ``None`` when
    there is nothing to take (another invoice's pièce, an answered offer, no bill)."""
    attachment = _own_attachment(invoice, attachment_id)
    found = _offer_of(invoice, attachment) if attachment is not None else None
    if found is None or invoice.status != STATUS_DRAFT:
        return None
    spec = invoice_type(invoice.invoice_type)
    limits = {f.name: f.max_length for f in spec.fields}
    header = {name: text[:limits[name]] for name, text in found.fill.header.items()
              if name in limits}
    invoice.fields = {**(invoice.fields or {}), **header}
    line_limits = {f.name: f.max_length for f in spec.line_fields}
    written_lines = {}
    for position, values in sorted(found.fill.lines.items()):
        if position > len(invoice.lines):
            continue
        texts = {name: text[:line_limits[name]] for name, text in values.items()
                 if name in line_limits}
        if position == len(invoice.lines):
            invoice.lines.append(InvoiceLine(position=position, data=texts))
        else:
            line = invoice.lines[position]
            line.data = {**(line.data or {}), **texts}
        written_lines[str(position)] = texts
    attachment.bill_answer = BILL_TAKEN
    attachment.bill_filled = {"header": header, "lines": written_lines}
    return found


def decline(invoice: Invoice, attachment_id: int | None) -> Attachment | None:
    """« Non merci »: the offer of that pièce's bill is not made again."""
    attachment = _own_attachment(invoice, attachment_id)
    if attachment is None or attachment.bill_answer is not None:
        return None
    attachment.bill_answer = BILL_DECLINED
    return attachment


def marks(invoice: Invoice) -> set[str]:
    """The form's fields (their ids: ``supplier``, ``lines-0-unit_price``) that still hold what
    a bill taken wrote in them: shown as read from the invoice until the person changes them."""
    found: set[str] = set()
    fields = invoice.fields or {}
    for attachment in invoice.attachments:
        filled = attachment.bill_filled if attachment.bill_answer == BILL_TAKEN else None
        if not isinstance(filled, dict):
            continue
        for name, text in (filled.get("header") or {}).items():
            if fields.get(name) == text:
                found.add(name)
        for position, values in (filled.get("lines") or {}).items():
            index = int(position) if str(position).isdigit() else -1
            if 0 <= index < len(invoice.lines):
                data = invoice.lines[index].data or {}
                found.update(f"lines-{index}-{name}" for name, text in values.items()
                             if data.get(name) == text)
    return found


# --- Claimed twice ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SameBill:
    """A pièce of this invoice whose supplier invoice (same fingerprint) is also in another
    invoice that was sent: which one, and whether it is the same account's."""

    attachment: Attachment
    receipt_number: str
    same_account: bool


def same_bills(invoice: Invoice) -> list[SameBill]:
    """The invoice's supplier invoices found in other invoices sent (anyone's), oldest first;
    each other invoice once per pièce."""
    by_print: dict[str, list[Attachment]] = {}
    for attachment in invoice.attachments:
        if attachment.bill_fingerprint:
            by_print.setdefault(attachment.bill_fingerprint, []).append(attachment)
    if not by_print:
        return []
    rows = db.session.execute(
        select(Attachment.bill_fingerprint, Invoice.receipt_number, Invoice.user_id)
        .join(Invoice, Invoice.id == Attachment.invoice_id)
        .where(Attachment.bill_fingerprint.in_(list(by_print)),
               Attachment.invoice_id != invoice.id, Invoice.status != STATUS_DRAFT)
        .order_by(Invoice.submitted_at, Invoice.id))
    found, seen = [], set()
    for fingerprint, receipt, user_id in rows:
        attachment = by_print[fingerprint][0]
        if not receipt or (attachment.id, receipt) in seen:
            continue
        seen.add((attachment.id, receipt))
        found.append(SameBill(attachment, receipt, user_id == invoice.user_id))
    return found


def warnings_for_person(invoice: Invoice) -> list[str]:
    """What the person is told before sending: their own invoices that already hold the same
    supplier invoice (another account's are never named to them)."""
    receipts: list[str] = []
    for same in same_bills(invoice):
        if same.same_account and same.receipt_number not in receipts:
            receipts.append(same.receipt_number)
    if not receipts:
        return []
    return [_("Cette facture semble déjà envoyée avec %(receipts)s. Vous pouvez l'envoyer quand "
              "même : dites pourquoi dans la remarque.", receipts=", ".join(receipts))]
