"""The payload of a Swiss QR-bill read into a typed value, from SIX's "Swiss Implementation
Guidelines for the QR-bill" 2.x (payload version ``0200``).

The payload has one element per line (CR LF or LF): 31 mandatory elements from ``SPC`` to the
trailer ``EPD``, then the billing information and up to two alternative procedures. A bill that
is wrong in its structure -- header, account, reference, amount, currency, address, trailer,
number of lines -- is no bill (:func:`parse` returns None). Text that is merely too long is cut
to SIX's maximum, and every text is stripped of control characters (:mod:`.text`): the payload
comes from a supplier's document and is shown to staff."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import elements, references, stored
from .elements import MAX_MESSAGE, Address, InvalidElement
from .swico import BillingInfo, parse_billing_info
from .text import clean_text

__all__ = ["Address", "BillingInfo", "QrBill", "parse"]

# No QR code holds more characters (version 40, numeric mode): longer text is not a payload.
MAX_QR_CHARACTERS = 7089

MANDATORY_ELEMENTS = 31  # SPC ... EPD
MAX_ELEMENTS = 34        # + StrdBkgInf and two AltPmt

_VERSION_SHAPE = re.compile(r"02[0-9]{2}")  # any 2.x: SIX asks readers to check "02" only
_FINGERPRINT_VERSION = "guichet-qrbill-fingerprint-1"


@dataclass(frozen=True)
class QrBill:
    """What a QR-bill asks to be paid: to whom, how much, with which reference."""
    iban: str                    # compact, upper case
    creditor: Address
    amount: Decimal | None       # two decimals; None: the debtor writes the amount
    currency: str                # "CHF" or "EUR"
    debtor: Address | None
    reference_type: str          # "QRR", "SCOR" or "NON"
    reference: str               # compact, "" for NON
    message: str                 # the unstructured message (Ustrd), "" when none
    billing: BillingInfo | None  # Swico S1, None when none could be read

    @property
    def is_qr_iban(self) -> bool:
        """Whether the account is a QR-IBAN (then the reference is a QR reference)."""
        return references.is_qr_iban(self.iban)

    @property
    def formatted_reference(self) -> str:
        """The reference in the groups printed on bills, "" without one."""
        return references.formatted_reference(self.reference_type, self.reference)

    def fingerprint(self) -> str | None:
        """SHA-256 (hex) of what tells one supplier invoice from another whoever sends it: the
        creditor's IBAN, the reference (else the Swico invoice number, else the Swico invoice
        date), the amount and the currency. Debtor, message and addresses are left out: the
        same invoice sent by two people has the same fingerprint. None for an open amount or
        when neither reference, invoice number nor invoice date is there."""
        key = self._invoice_key()
        if self.amount is None or key is None:
            return None
        material = [_FINGERPRINT_VERSION, self.iban, *key, f"{self.amount:.2f}", self.currency]
        return hashlib.sha256(json.dumps(material).encode("ascii")).hexdigest()

    def _invoice_key(self) -> list[str] | None:
        """What names the invoice among the creditor's, with the kind of name it is (so that an
        invoice number written like a reference is not that reference)."""
        if self.reference:
            return ["reference", self.reference]
        if self.billing and self.billing.invoice_number:
            return ["invoice_number", self.billing.invoice_number]
        if self.billing and self.billing.invoice_date:
            return ["invoice_date", self.billing.invoice_date.isoformat()]
        return None

    def to_dict(self) -> dict:
        """The bill as JSON-safe values (text, None, nested dicts), to keep on the pièce: the
        amount as ``"1650.00"``, dates in ISO form; every key is always written."""
        return {
            "iban": self.iban,
            "creditor": stored.address_dict(self.creditor),
            "amount": None if self.amount is None else f"{self.amount:.2f}",
            "currency": self.currency,
            "debtor": None if self.debtor is None else stored.address_dict(self.debtor),
            "reference_type": self.reference_type,
            "reference": self.reference,
            "message": self.message,
            "billing": None if self.billing is None else stored.billing_dict(self.billing),
        }

    @classmethod
    def from_dict(cls, data: object) -> QrBill | None:
        """The bill :meth:`to_dict` gave, checked again by the payload's rules; None when
        ``data`` is not such a dict (the stored JSON may be old or altered). Never raises."""
        try:
            return cls(**stored.bill_fields(data))
        except InvalidElement:
            return None


def parse(text: object) -> QrBill | None:
    """The QR-bill in the payload ``text``, or None when it is not a valid QR-bill 2.x.
    Never raises, whatever ``text`` is."""
    if not isinstance(text, str) or len(text) > MAX_QR_CHARACTERS:
        return None
    try:
        return _bill_from_elements(_elements(text))
    except InvalidElement:
        return None


def _elements(text: str) -> list[str]:
    """The payload's elements: its lines (LF or CR LF), without the empty lines after the
    mandatory part that some generators add at the end."""
    lines = text.removeprefix("\ufeff").split("\n")
    found = [line[:-1] if line.endswith("\r") else line for line in lines]
    while len(found) > MANDATORY_ELEMENTS and not found[-1].strip():
        found.pop()
    if not MANDATORY_ELEMENTS <= len(found) <= MAX_ELEMENTS:
        raise InvalidElement(f"{len(found)} elements")
    return found


def _bill_from_elements(found: Sequence[str]) -> QrBill:
    """The bill from its elements, in SIX's order (IG 4.3.3). The ultimate creditor (elements
    12 to 18, reserved by SIX) and the alternative procedures (33 and 34) are not read."""
    header = [element.strip() for element in found[:3]]
    if header[0] != "SPC" or not _VERSION_SHAPE.fullmatch(header[1]) or header[2] != "1":
        raise InvalidElement("header")
    if found[30].strip() != "EPD":
        raise InvalidElement("trailer")
    iban, reference_type, reference = elements.account_and_reference(
        found[3], found[27], found[28])
    return QrBill(
        iban=iban,
        creditor=elements.address(found[4:11]),
        amount=elements.amount(found[18]),
        currency=elements.currency(found[19]),
        debtor=elements.optional_address(found[20:27]),
        reference_type=reference_type,
        reference=reference,
        message=clean_text(found[29], MAX_MESSAGE),
        billing=parse_billing_info(found[31]) if len(found) > 31 else None,
    )
