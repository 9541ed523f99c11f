"""A QR-bill as JSON-safe values kept on a pièce, and back. Reading back checks every value by
the payload's rules (:mod:`.elements`): the stored JSON may be old or altered, and what does
not pass is no bill rather than an error."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from . import elements
from .elements import COMBINED, MAX_MESSAGE, Address, InvalidElement
from .swico import BillingInfo, billing_info, clean_value
from .text import clean_text


def address_dict(address: Address) -> dict:
    return {"kind": address.kind, "name": address.name, "street": address.street,
            "number": address.number, "postal_code": address.postal_code,
            "town": address.town, "country": address.country}


def billing_dict(billing: BillingInfo) -> dict:
    return {"invoice_number": billing.invoice_number,
            "invoice_date": billing.invoice_date and billing.invoice_date.isoformat(),
            "vat_number": billing.vat_number}


def bill_fields(data: object) -> dict[str, object]:
    """The fields of a QrBill from what ``QrBill.to_dict`` gave, each checked again; raises
    :class:`InvalidElement` when a key is missing or a value is not what to_dict writes."""
    fields = _mapping(data)
    iban, reference_type, reference = elements.account_and_reference(
        _text(fields, "iban"), _text(fields, "reference_type"), _text(fields, "reference"))
    debtor = _present(fields, "debtor")
    return {
        "iban": iban,
        "creditor": _address(_present(fields, "creditor")),
        "amount": _amount(_optional_text(fields, "amount")),
        "currency": elements.currency(_text(fields, "currency")),
        "debtor": None if debtor is None else _address(debtor),
        "reference_type": reference_type,
        "reference": reference,
        "message": clean_text(_text(fields, "message"), MAX_MESSAGE),
        "billing": _billing(_present(fields, "billing")),
    }


def _amount(text: str | None) -> Decimal | None:
    """None for an open amount, else text the payload's amount rule accepts (not empty)."""
    if text is None:
        return None
    if not text.strip():
        raise InvalidElement("empty amount")
    return elements.amount(text)


def _address(data: object) -> Address:
    fields = _mapping(data)
    kind, street, number, postal_code, town = (
        _text(fields, key) for key in ("kind", "street", "number", "postal_code", "town"))
    if kind.strip() == COMBINED:
        if number.strip() or postal_code.strip():
            raise InvalidElement("combined address with a number or a postal code")
        number, postal_code, town = town, "", ""  # back to the payload's order: line 2 4th
    return elements.address([kind, _text(fields, "name"), street, number, postal_code, town,
                             _text(fields, "country")])


def _billing(data: object) -> BillingInfo | None:
    if data is None:
        return None
    fields = _mapping(data)
    number, day, vat = (_optional_text(fields, key)
                        for key in ("invoice_number", "invoice_date", "vat_number"))
    try:
        invoice_date = None if day is None else date.fromisoformat(day)
    except ValueError:
        raise InvalidElement("invoice date") from None
    return billing_info(clean_value(number), invoice_date, clean_value(vat))


def _mapping(data: object) -> Mapping:
    if not isinstance(data, Mapping):
        raise InvalidElement("not a mapping")
    return data


def _present(fields: Mapping, key: str) -> object:
    """The value of ``key``: to_dict writes every key, None included."""
    if key not in fields:
        raise InvalidElement(f"no {key}")
    return fields[key]


def _text(fields: Mapping, key: str) -> str:
    value = _present(fields, key)
    if not isinstance(value, str):
        raise InvalidElement(f"{key} is not text")
    return value


def _optional_text(fields: Mapping, key: str) -> str | None:
    value = _present(fields, key)
    if value is not None and not isinstance(value, str):
        raise InvalidElement(f"{key} is neither text nor None")
    return value
