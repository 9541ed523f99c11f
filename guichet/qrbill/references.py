"""The account and the reference of a QR-bill, checked as SIX requires (IG QR-bill 2.x, 4.3.2
and 4.3.6): a Swiss or Liechtenstein IBAN with valid check digits, a QR reference (27 digits,
recursive modulo 10) only with a QR-IBAN, an ISO 11649 creditor reference or none only with an
ordinary IBAN. The check digits are computed by python-stdnum."""
from __future__ import annotations

import re

from stdnum import iban as stdnum_iban
from stdnum import iso11649
from stdnum.ch import esr

QRR, SCOR, NON = "QRR", "SCOR", "NON"
REFERENCE_TYPES = (QRR, SCOR, NON)

# The institution identification (IID, characters 5 to 9) of a QR-IBAN.
QR_IID_RANGE = range(30000, 32000)

# ASCII shapes checked before stdnum sees the text: int() would take other scripts' digits.
_IBAN_SHAPE = re.compile(r"(?:CH|LI)[0-9]{7}[0-9A-Z]{12}")
_QRR_SHAPE = re.compile(r"[0-9]{27}")
_SCOR_SHAPE = re.compile(r"RF[0-9]{2}[0-9A-Z]{1,21}")


def _compact(value: str) -> str:
    """``value`` without spaces, in upper case (the form Guichet keeps and compares)."""
    return value.replace(" ", "").upper()


def checked_iban(value: str) -> str | None:
    """The compact IBAN when ``value`` is a CH or LI IBAN with valid check digits, else None."""
    compact = _compact(value)
    if not _IBAN_SHAPE.fullmatch(compact) or not stdnum_iban.is_valid(compact):
        return None
    return compact


def is_qr_iban(iban: str) -> bool:
    """Whether the compact ``iban`` is a QR-IBAN (its IID between 30000 and 31999)."""
    iid = iban[4:9]
    return len(iid) == 5 and iid.isascii() and iid.isdigit() and int(iid) in QR_IID_RANGE


def checked_reference(reference_type: str, value: str) -> str | None:
    """The compact reference when ``value`` is valid for ``reference_type`` ("" for NON), else
    None: a QRR reference has 27 digits and its check digit, a SCOR reference is ``RF``, two
    valid check digits and up to 21 letters or digits, NON has no reference."""
    compact = _compact(value)
    if reference_type == QRR:
        valid = bool(_QRR_SHAPE.fullmatch(compact)) and esr.is_valid(compact)
    elif reference_type == SCOR:
        valid = bool(_SCOR_SHAPE.fullmatch(compact)) and iso11649.is_valid(compact)
    elif reference_type == NON:
        valid = compact == ""
    else:
        valid = False
    return compact if valid else None


def reference_fits_account(reference_type: str, iban: str) -> bool:
    """SIX's pairing rule: a QR-IBAN takes a QR reference and nothing else, and a QR reference
    needs a QR-IBAN."""
    return (reference_type == QRR) == is_qr_iban(iban)


def formatted_reference(reference_type: str, reference: str) -> str:
    """The reference as printed on the payment part: QRR in a group of 2 then groups of 5
    (``21 00000 00003 13947 14300 09017``), SCOR in groups of 4, "" without a reference."""
    if reference_type == QRR and reference:
        return esr.format(reference)
    if reference_type == SCOR and reference:
        return iso11649.format(reference)
    return ""
