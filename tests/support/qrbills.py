"""QR-bill payloads built by the tests: :func:`spc_text` writes a valid payload (or, through its
overrides, a broken one), :func:`qrr_reference` and :func:`scor_reference` make references with
their check digits, and :func:`bills` generates valid payloads with the bill each must read as.

Check digits come from python-stdnum, not from the parser under test."""
from __future__ import annotations

import string
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum.ch import esr
from stdnum.iso7064 import mod_97_10

from guichet.qrbill.bill import Address, QrBill
from guichet.qrbill.swico import BillingInfo

QR_IBAN = "CH4431999123000889012"     # SIX's example QR-IBAN (IID 31999)
IBAN = "CH9300762011623852957"        # a classic example IBAN (IID 00762)
LI_IBAN = "LI21088100002324013AA"
SIX_QRR = "210000000003139471430009017"
SIX_SCOR = "RF18539007547034"
BILLING = "//S1/10/2026-0412/11/261114/30/106017086"
MESSAGE = "Appareil auditif, facture 2026-0412"
DEBTOR = ("S", "Anna Muster", "Rue de la Gare", "5", "2500", "Bienne", "CH")
EMPTY_ADDRESS = ("",) * 7

_DEFAULT = object()


def qrr_reference(digits: str) -> str:
    """A QR reference: ``digits`` (up to 26, padded with leading zeros) and their recursive
    modulo 10 check digit."""
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 26:
        raise ValueError(f"not up to 26 digits: {digits!r}")
    body = digits.zfill(26)
    return body + esr.calc_check_digit(body)


def scor_reference(body: str) -> str:
    """An ISO 11649 creditor reference: ``RF``, the check digits of ``body``, then ``body``."""
    body = body.upper()
    return "RF" + mod_97_10.calc_check_digits(body + "RF") + body


def iban_with_check_digits(country: str, bban: str) -> str:
    """The IBAN of ``bban`` in ``country`` with its check digits computed."""
    return country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban


def spc_lines(*, qr_type="SPC", version="0200", coding="1", iban=_DEFAULT,
              address_type="S", name="Audition Plus SA", street="Rue du Seyon", number="12",
              postal_code="2000", town="Neuchâtel", country="CH",
              address_line1="Rue du Seyon 12", address_line2="2000 Neuchâtel",
              creditor: Sequence[str] | None = None,
              ultimate_creditor: Sequence[str] = EMPTY_ADDRESS,
              amount: str | Decimal | None = "1650.00", currency="CHF",
              debtor: Sequence[str] | None = DEBTOR, reference_type="QRR", reference=_DEFAULT,
              message=MESSAGE, trailer="EPD", billing: str | None = BILLING,
              alt_payments: Sequence[str] = ()) -> list[str]:
    """The elements of a payload, valid unless an override makes it wrong.

    The IBAN and reference follow ``reference_type`` unless given: a QR-IBAN and SIX's QR
    reference for QRR, an ordinary IBAN and ``RF18539007547034`` for SCOR, no reference for NON.
    ``address_type="K"`` writes the creditor in two lines (``address_line1``, ``address_line2``);
    ``creditor`` gives its 7 elements as they are. ``amount=None`` is an open amount,
    ``debtor=None`` no debtor, ``billing=None`` no StrdBkgInf line (an empty one when alternative
    procedures follow)."""
    if iban is _DEFAULT:
        iban = QR_IBAN if reference_type == "QRR" else IBAN
    if reference is _DEFAULT:
        reference = {"QRR": SIX_QRR, "SCOR": SIX_SCOR}.get(reference_type, "")
    if creditor is None:
        creditor = ((address_type, name, street, number, postal_code, town, country)
                    if address_type != "K" else
                    (address_type, name, address_line1, address_line2, "", "", country))
    lines = [qr_type, version, coding, iban, *creditor, *ultimate_creditor,
             "" if amount is None else str(amount), currency,
             *(EMPTY_ADDRESS if debtor is None else debtor),
             reference_type, reference, message, trailer]
    if billing is not None or alt_payments:
        lines.append(billing or "")
    lines.extend(alt_payments)
    return lines


def spc_text(*, newline="\n", final_newline=False, **overrides) -> str:
    """A payload as a QR code holds it: :func:`spc_lines` joined by ``newline`` (LF or CR LF),
    with one after the last element when ``final_newline``."""
    lines = spc_lines(**overrides)
    return newline.join(lines) + (newline if final_newline else "")


# -- Hypothesis: valid bills and what they read as --------------------------------------------

_WORD_CHARACTERS = (string.ascii_letters + string.digits + " -.,'&()+<>\"/\\"
                    + "éèêëàâäôöùûüçÉÈÀÂÖÜßñÅåØø")  # precomposed: already NFC


def clean_texts(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """Text as the parser returns it: stripped, NFC, without controls, within ``max_size``."""
    texts = st.text(_WORD_CHARACTERS, max_size=max_size).map(str.strip)
    return texts.filter(bool) if min_size else texts


@st.composite
def ibans(draw, qr: bool) -> str:
    """A CH or LI IBAN with valid check digits: a QR-IBAN or an ordinary one."""
    country = draw(st.sampled_from(["CH", "LI"]))
    iid = draw(st.integers(30000, 31999) if qr else
               st.integers(0, 99999).filter(lambda n: not 30000 <= n <= 31999))
    account = draw(st.text(string.digits + string.ascii_uppercase, min_size=12, max_size=12))
    return iban_with_check_digits(country, f"{iid:05d}{account}")


@st.composite
def addresses(draw) -> tuple[list[str], Address]:
    """The 7 elements of a valid address and the :class:`Address` they read as."""
    kind = draw(st.sampled_from(["S", "K"]))
    name = draw(clean_texts(70, min_size=1))
    country = draw(st.sampled_from(["CH", "LI", "FR", "DE", "IT", "AT"]))
    if kind == "K":
        line1, line2 = draw(clean_texts(70)), draw(clean_texts(70, min_size=1))
        return ([kind, name, line1, line2, "", "", country],
                Address(kind, name, line1, "", "", line2, country))
    street, number = draw(clean_texts(70)), draw(clean_texts(16))
    postal_code, town = draw(clean_texts(16, min_size=1)), draw(clean_texts(35, min_size=1))
    return ([kind, name, street, number, postal_code, town, country],
            Address(kind, name, street, number, postal_code, town, country))


@st.composite
def amounts(draw) -> tuple[str, Decimal | None]:
    """An amount element (with 0, 1 or 2 decimals when they allow it) and its value."""
    cents = draw(st.none() | st.integers(1, 99_999_999_999))
    if cents is None:
        return "", None
    amount = Decimal(cents) / 100
    written = [f"{amount:.2f}"]
    if cents % 10 == 0:
        written.append(f"{amount:.1f}")
    if cents % 100 == 0:
        written.append(f"{amount:.0f}")
    return draw(st.sampled_from(written)), amount.quantize(Decimal("0.01"))


def _swico_escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("/", "\\/")


@st.composite
def billing_infos(draw) -> tuple[str | None, BillingInfo | None]:
    """A Swico S1 element (or none) and what Guichet reads from it."""
    if draw(st.booleans()):
        return draw(st.sampled_from([None, "", "//XY/other syntax"])), None
    number = draw(st.none() | clean_texts(30, min_size=1))
    day = draw(st.none() | st.dates(date(2000, 1, 1), date(2099, 12, 31)))
    vat = draw(st.none() | st.text(string.digits, min_size=9, max_size=9))
    customer = draw(st.none() | clean_texts(20, min_size=1))
    tags = [("10", number and _swico_escaped(number)),
            ("11", day and day.strftime("%y%m%d")),
            ("20", customer and _swico_escaped(customer)), ("30", vat), ("40", "0:30")]
    text = "//S1/" + "/".join(f"{tag}/{value}" for tag, value in tags if value)
    expected = (None if all(value is None for value in (number, day, vat))
                else BillingInfo(number, day, vat))
    return text, expected


@st.composite
def bills(draw) -> tuple[str, QrBill]:
    """A valid payload text and the :class:`QrBill` it must read as."""
    reference_type = draw(st.sampled_from(["QRR", "SCOR", "NON"]))
    iban = draw(ibans(qr=reference_type == "QRR"))
    if reference_type == "QRR":
        reference = qrr_reference(draw(st.text(string.digits, min_size=26, max_size=26)
                                       .filter(lambda digits: digits.strip("0"))))
    elif reference_type == "SCOR":
        reference = scor_reference(draw(st.text(string.digits + string.ascii_uppercase,
                                                min_size=1, max_size=21)))
    else:
        reference = ""
    creditor_elements, creditor = draw(addresses())
    debtor_elements, debtor = draw(st.none() | addresses()) or (None, None)
    amount_text, amount = draw(amounts())
    currency = draw(st.sampled_from(["CHF", "EUR"]))
    message = draw(clean_texts(140))
    billing_text, billing = draw(billing_infos())
    alt_payments = draw(st.lists(clean_texts(100, min_size=1), max_size=2))
    text = spc_text(newline=draw(st.sampled_from(["\n", "\r\n"])),
                    final_newline=draw(st.booleans()),
                    iban=iban, creditor=creditor_elements, amount=amount_text or None,
                    currency=currency, debtor=debtor_elements, reference_type=reference_type,
                    reference=reference, message=message, billing=billing_text,
                    alt_payments=alt_payments)
    return text, QrBill(iban, creditor, amount, currency, debtor, reference_type, reference,
                        message, billing)
