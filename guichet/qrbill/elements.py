"""The elements of a QR-bill checked one group at a time, as SIX's guidelines define them (IG
QR-bill 2.x, 4.3.3): the account with its reference, an address, the amount, the currency.
Each check gives the value Guichet keeps or raises :class:`InvalidElement`; the payload
(:mod:`.bill`) and the dict stored on a pièce (:mod:`.stored`) go through the same checks."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from guichet.core.money import to_amount

from . import references
from .text import clean_text

STRUCTURED, COMBINED = "S", "K"
CURRENCIES = ("CHF", "EUR")
MIN_AMOUNT, MAX_AMOUNT = Decimal("0.01"), Decimal("999999999.99")
MAX_AMOUNT_LENGTH = 12
MAX_NAME = MAX_STREET = MAX_ADDRESS_LINE = 70
MAX_BUILDING_NUMBER = MAX_POSTAL_CODE = 16
MAX_TOWN = 35
MAX_MESSAGE = 140  # the unstructured message (Ustrd)

_AMOUNT_SHAPE = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
_COUNTRY_SHAPE = re.compile(r"[A-Z]{2}")


class InvalidElement(ValueError):
    """An element breaks a rule of the QR-bill: what holds it is no bill."""


@dataclass(frozen=True)
class Address:
    """A creditor's or debtor's address, structured (``S``) or in two free lines (``K``)."""
    kind: str         # "S" or "K"
    name: str
    street: str       # S: street;          K: address line 1
    number: str       # S: building number; K: ""
    postal_code: str  # S: postal code;     K: ""
    town: str         # S: town;            K: address line 2 (postal code and town)
    country: str      # ISO 3166 alpha-2, "CH"

    def lines(self) -> list[str]:
        """The address as printed on the bill -- name, street and number, postal code and town
        (K: name, line 1, line 2) -- leaving out empty parts."""
        if self.kind == COMBINED:
            lines = [self.name, self.street, self.town]
        else:
            lines = [self.name, f"{self.street} {self.number}".strip(),
                     f"{self.postal_code} {self.town}".strip()]
        return [line for line in lines if line]


def account_and_reference(iban_text: str, type_text: str,
                          reference_text: str) -> tuple[str, str, str]:
    """The compact IBAN, the reference type and the compact reference, checked together: valid
    check digits, and a QR-IBAN with a QR reference only."""
    iban = references.checked_iban(iban_text.strip())
    reference_type = type_text.strip()
    reference = references.checked_reference(reference_type, reference_text.strip())
    if iban is None or reference is None:
        raise InvalidElement("account or reference")
    if not references.reference_fits_account(reference_type, iban):
        raise InvalidElement("a QR-IBAN and a QR reference go together")
    return iban, reference_type, reference


def address(elements: Sequence[str]) -> Address:
    """An address from its 7 elements: AdrTp, Name, StrtNmOrAdrLine1, BldgNbOrAdrLine2, PstCd,
    TwnNm, Ctry. S needs a postal code and a town; K needs line 2 and has neither."""
    kind, country = elements[0].strip(), elements[6].strip()
    name = clean_text(elements[1], MAX_NAME)
    if kind not in (STRUCTURED, COMBINED) or not name or not _COUNTRY_SHAPE.fullmatch(country):
        raise InvalidElement("address")
    if kind == COMBINED:
        line1 = clean_text(elements[2], MAX_ADDRESS_LINE)
        line2 = clean_text(elements[3], MAX_ADDRESS_LINE)
        if not line2 or clean_text(elements[4]) or clean_text(elements[5]):
            raise InvalidElement("combined address")
        return Address(COMBINED, name, line1, "", "", line2, country)
    postal_code = clean_text(elements[4], MAX_POSTAL_CODE)
    town = clean_text(elements[5], MAX_TOWN)
    if not postal_code or not town:
        raise InvalidElement("structured address")
    return Address(STRUCTURED, name, clean_text(elements[2], MAX_STREET),
                   clean_text(elements[3], MAX_BUILDING_NUMBER), postal_code, town, country)


def optional_address(elements: Sequence[str]) -> Address | None:
    """The ultimate debtor: None when all 7 elements are empty, else a valid address."""
    if not any(clean_text(element) for element in elements):
        return None
    return address(elements)


def amount(text: str) -> Decimal | None:
    """The amount (``.`` and at most two decimals, 0.01 to 999999999.99, at most 12
    characters), with two decimals; None when empty (the debtor writes the amount)."""
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_AMOUNT_LENGTH or not _AMOUNT_SHAPE.fullmatch(text):
        raise InvalidElement("amount")
    value = to_amount(text)
    if not MIN_AMOUNT <= value <= MAX_AMOUNT:
        raise InvalidElement("amount out of range")
    return value


def currency(text: str) -> str:
    """CHF or EUR, the only currencies of a QR-bill."""
    code = text.strip()
    if code not in CURRENCIES:
        raise InvalidElement("currency")
    return code
