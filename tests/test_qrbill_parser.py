"""guichet.qrbill.bill: the Swiss QR-bill payload read into a QrBill, or None when it breaks
SIX's rules; the Swico S1 billing information; the fingerprint that recognises one supplier
invoice whoever sends it; the dict kept on the pièce."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guichet.qrbill.bill import Address, QrBill, parse
from guichet.qrbill.swico import BillingInfo, parse_billing_info
from tests.support.qrbills import (IBAN, LI_IBAN, QR_IBAN, SIX_QRR, SIX_SCOR, bills,
                                   iban_with_check_digits, qrr_reference, scor_reference, spc_lines,
                                   spc_text)

SIX_EXAMPLE = (
    "SPC\n0200\n1\nCH4431999123000889012\nS\nRobert Schneider AG\nRue du Lac\n1268\n2501\nBiel\n"
    "CH\n\n\n\n\n\n\n\n1949.75\nCHF\nS\nPia-Maria Rutschmann-Schnyder\nGrosse Marktgasse\n28\n"
    "9400\nRorschach\nCH\nQRR\n210000000003139471430009017\nOrder of 15 June 2020\nEPD\n"
    "//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:0/40/0:30\n")

AUDITION_PLUS = Address("S", "Audition Plus SA", "Rue du Seyon", "12", "2000", "Neuchâtel", "CH")
ANNA_MUSTER = Address("S", "Anna Muster", "Rue de la Gare", "5", "2500", "Bienne", "CH")

# Hypothesis's per-example deadline is a timed assertion: speed is measured in bench/.
fuzz = settings(deadline=None, max_examples=300)
bills_fuzz = settings(deadline=None, max_examples=150)  # a generated bill costs more to draw


def parsed(**overrides) -> QrBill:
    bill = parse(spc_text(**overrides))
    assert bill is not None, overrides
    return bill


def refused(**overrides) -> bool:
    return parse(spc_text(**overrides)) is None


# -- SIX's example and the defaults -----------------------------------------------------------

def test_six_example_reads_as_printed_in_the_guidelines():
    assert parse(SIX_EXAMPLE) == QrBill(
        iban="CH4431999123000889012",
        creditor=Address("S", "Robert Schneider AG", "Rue du Lac", "1268", "2501", "Biel", "CH"),
        amount=Decimal("1949.75"), currency="CHF",
        debtor=Address("S", "Pia-Maria Rutschmann-Schnyder", "Grosse Marktgasse", "28", "9400",
                       "Rorschach", "CH"),
        reference_type="QRR", reference="210000000003139471430009017",
        message="Order of 15 June 2020",
        billing=BillingInfo("10201409", date(2020, 7, 1), "102673831"))


def test_six_example_shows_its_reference_and_addresses_as_printed():
    bill = parse(SIX_EXAMPLE)
    assert bill.is_qr_iban
    assert bill.formatted_reference == "21 00000 00003 13947 14300 09017"
    assert bill.creditor.lines() == ["Robert Schneider AG", "Rue du Lac 1268", "2501 Biel"]
    assert bill.debtor.lines() == ["Pia-Maria Rutschmann-Schnyder", "Grosse Marktgasse 28",
                                   "9400 Rorschach"]


def test_default_test_bill_reads_with_every_value():
    assert parse(spc_text()) == QrBill(
        QR_IBAN, AUDITION_PLUS, Decimal("1650.00"), "CHF", ANNA_MUSTER, "QRR", SIX_QRR,
        "Appareil auditif, facture 2026-0412",
        BillingInfo("2026-0412", date(2026, 11, 14), "106017086"))


def test_support_check_digits_match_the_published_examples():
    assert qrr_reference("21000000000313947143000901") == SIX_QRR
    assert scor_reference("539007547034") == SIX_SCOR
    assert iban_with_check_digits("CH", "0076" + "2011623852957") == IBAN
    assert qrr_reference("187858") == "000000000000000000001878583"  # stdnum's example


# -- addresses ---------------------------------------------------------------------------------

def test_combined_address_keeps_its_two_lines():
    bill = parsed(address_type="K", address_line1="Rue du Seyon 12",
                  address_line2="2000 Neuchâtel")
    assert bill.creditor == Address("K", "Audition Plus SA", "Rue du Seyon 12", "", "",
                                    "2000 Neuchâtel", "CH")
    assert bill.creditor.lines() == ["Audition Plus SA", "Rue du Seyon 12", "2000 Neuchâtel"]


def test_address_lines_leave_out_empty_parts():
    assert parsed(street="", number="").creditor.lines() == ["Audition Plus SA",
                                                             "2000 Neuchâtel"]
    assert parsed(street="Case postale", number="").creditor.lines()[1] == "Case postale"
    assert parsed(address_type="K", address_line1="").creditor.lines() == [
        "Audition Plus SA", "2000 Neuchâtel"]


@pytest.mark.parametrize("creditor", [
    ("S", "Audition Plus SA", "Rue du Seyon", "12", "", "Neuchâtel", "CH"),       # no postcode
    ("S", "Audition Plus SA", "Rue du Seyon", "12", "2000", "", "CH"),            # no town
    ("S", "", "Rue du Seyon", "12", "2000", "Neuchâtel", "CH"),                   # no name
    ("S", "\x00\u200b", "Rue du Seyon", "12", "2000", "Neuchâtel", "CH"),         # name of controls
    ("K", "Audition Plus SA", "Rue du Seyon 12", "", "", "", "CH"),               # no line 2
    ("K", "Audition Plus SA", "Rue du Seyon 12", "2000 Neuchâtel", "2000", "", "CH"),
    ("K", "Audition Plus SA", "Rue du Seyon 12", "2000 Neuchâtel", "", "Neuchâtel", "CH"),
    ("X", "Audition Plus SA", "Rue du Seyon", "12", "2000", "Neuchâtel", "CH"),
    ("", "Audition Plus SA", "Rue du Seyon", "12", "2000", "Neuchâtel", "CH"),
    ("S", "Audition Plus SA", "Rue du Seyon", "12", "2000", "Neuchâtel", "Suisse"),
    ("S", "Audition Plus SA", "Rue du Seyon", "12", "2000", "Neuchâtel", "ch"),
    ("S", "Audition Plus SA", "Rue du Seyon", "12", "2000", "Neuchâtel", ""),
])
def test_creditor_address_that_breaks_six_rules_is_no_bill(creditor):
    assert refused(creditor=creditor)


def test_debtor_is_optional_but_when_given_must_be_an_address():
    assert parsed(debtor=None).debtor is None
    assert parsed(debtor=("", "", "", "", "", "", "\x00")).debtor is None
    assert parsed(debtor=("K", "Anna Muster", "", "2500 Bienne", "", "", "CH")).debtor == \
        Address("K", "Anna Muster", "", "", "", "2500 Bienne", "CH")
    assert refused(debtor=("", "Anna Muster", "", "", "", "", ""))
    assert refused(debtor=("S", "Anna Muster", "Rue de la Gare", "5", "", "", "CH"))


def test_ultimate_creditor_is_tolerated_and_ignored():
    bill = parsed(ultimate_creditor=("S", "Someone Else", "Street", "1", "8000", "Zürich", "CH"))
    assert bill == parsed()


# -- references and accounts --------------------------------------------------------------------

def test_scor_reference_with_an_ordinary_iban():
    bill = parsed(reference_type="SCOR", reference="rf18 5390 0754 7034")
    assert (bill.iban, bill.reference_type, bill.reference) == (IBAN, "SCOR", SIX_SCOR)
    assert not bill.is_qr_iban
    assert bill.formatted_reference == "RF18 5390 0754 7034"


def test_non_reference_with_an_ordinary_iban():
    bill = parsed(reference_type="NON")
    assert (bill.iban, bill.reference_type, bill.reference) == (IBAN, "NON", "")
    assert bill.formatted_reference == ""


def test_liechtenstein_iban_and_iban_written_in_groups():
    assert parsed(reference_type="NON", iban=LI_IBAN).iban == LI_IBAN
    assert parsed(iban="ch44 3199 9123 0008 8901 2").iban == QR_IBAN


@pytest.mark.parametrize("overrides", [
    {"iban": "CH4531999123000889012"},                        # IBAN check digits
    {"iban": "CH4431999123000889013"},                        # IBAN body changed
    {"reference": SIX_QRR[:-1] + "8"},                        # QRR check digit
    {"reference_type": "SCOR", "reference": "RF19539007547034"},   # SCOR check digits
    {"reference_type": "SCOR", "reference": "RF18539007547035"},   # SCOR body changed
], ids=["iban-check", "iban-body", "qrr-check", "scor-check", "scor-body"])
def test_each_wrong_check_digit_is_no_bill(overrides):
    assert refused(**overrides)


@pytest.mark.parametrize("overrides", [
    {"iban": QR_IBAN, "reference_type": "SCOR"},               # QR-IBAN takes QRR only
    {"iban": QR_IBAN, "reference_type": "NON"},
    {"iban": IBAN, "reference_type": "QRR"},                   # QRR needs a QR-IBAN
])
def test_qr_iban_and_qr_reference_go_together(overrides):
    assert refused(**overrides)


@pytest.mark.parametrize("overrides", [
    {"iban": "DE89370400440532013000", "reference_type": "NON"},   # valid, but German
    {"iban": "", "reference_type": "NON"},
    {"iban": "CH44319991230008890", "reference_type": "QRR"},       # too short
    {"reference_type": "NON", "reference": SIX_SCOR},              # NON has no reference
    {"reference_type": "QRR", "reference": ""},
    {"reference_type": "QRR", "reference": SIX_QRR[1:]},           # 26 digits
    {"reference_type": "QRR", "reference": "0" * 27},
    {"reference_type": "QRR", "reference": "٢" + SIX_QRR[1:]},     # another script's digit
    {"reference_type": "SCOR", "reference": "RF18"},
    {"reference_type": "SCOR", "reference": scor_reference("A" * 22)},   # 26 characters
    {"reference_type": "SCOR", "reference": "RF18-5390-0754-7034"},
    {"reference_type": "ESR", "reference": SIX_QRR},
    {"reference_type": "qrr"},
])
def test_account_or_reference_that_breaks_six_rules_is_no_bill(overrides):
    assert refused(**overrides)


def test_longest_scor_reference_is_read():
    reference = scor_reference("A1" * 10 + "Z")
    assert len(reference) == 25
    assert parsed(reference_type="SCOR", reference=reference).reference == reference


# -- amount and currency ------------------------------------------------------------------------

def test_open_amount():
    bill = parsed(amount=None)
    assert bill.amount is None
    assert bill.fingerprint() is None


def test_euro():
    assert parsed(currency="EUR").currency == "EUR"


@pytest.mark.parametrize("written, amount", [
    ("0.01", "0.01"), ("999999999.99", "999999999.99"), ("1650", "1650.00"),
    ("1650.5", "1650.50"), ("1650.50", "1650.50"), ("0001650.00", "1650.00"),
    (" 1650.00 ", "1650.00"),
])
def test_amounts_within_six_limits(written, amount):
    assert parsed(amount=written).amount == Decimal(amount)
    assert parsed(amount=written).to_dict()["amount"] == amount


@pytest.mark.parametrize("written", [
    "0.00", "0", "1000000000.00", "1000000000", "00000001650.00", "1,650.00", "1650,00",
    "1'650.00", "-5.00", "+5.00", "1e3", "1650.", ".50", "1650.505", "NaN", "Infinity",
    "١٦٥٠.٠٠", "1650 CHF", "CHF",
])
def test_amounts_outside_six_limits_or_format_are_no_bill(written):
    assert refused(amount=written)


@pytest.mark.parametrize("currency", ["USD", "chf", "", "CHF EUR", "Fr."])
def test_other_currencies_are_no_bill(currency):
    assert refused(currency=currency)


# -- structure: header, trailer, lines ------------------------------------------------------------

@pytest.mark.parametrize("overrides", [
    {"qr_type": "SPX"}, {"qr_type": ""}, {"version": "0100"}, {"version": "0300"},
    {"version": "02"}, {"version": "020"}, {"version": "02AB"}, {"coding": "2"},
    {"coding": ""}, {"trailer": "EPX"}, {"trailer": ""},
])
def test_wrong_header_or_trailer_is_no_bill(overrides):
    assert refused(**overrides)


def test_later_minor_versions_are_read():
    assert parsed(version="0201") == parsed()
    assert parsed(version="0230") == parsed()


def test_lf_crlf_and_final_newline_read_the_same_bill():
    expected = parsed()
    for newline in ("\n", "\r\n"):
        for final_newline in (False, True):
            assert parsed(newline=newline, final_newline=final_newline) == expected
    assert parse(spc_text() + "\n\n\r\n") == expected


def test_missing_or_empty_optional_trailing_lines():
    without = parsed(billing=None)
    assert without.billing is None
    assert parse(spc_text(billing=None, final_newline=True)) == without
    assert parsed(billing="") == without
    assert len(spc_lines(billing=None)) == 31


def test_alternative_procedures_are_tolerated():
    one = parsed(alt_payments=["eBill/B/anna.muster@example.ch"])
    two = parsed(alt_payments=["eBill/B/anna.muster@example.ch", "XY;XYService;54321"])
    assert one == two == parsed()
    assert parsed(billing=None, alt_payments=["eBill/B/x"]).billing is None


def test_wrong_number_of_lines_is_no_bill():
    lines = spc_lines()
    assert parse("\n".join(lines[:30])) is None                       # no Ustrd before EPD
    assert parse("\n".join(lines[:10] + lines[11:])) is None          # one element missing
    assert parse("\n".join(lines[:10] + [""] + lines[10:])) is None   # one element too many
    assert refused(alt_payments=["one", "two", "three"])              # 35 elements
    assert parse("") is None and parse("SPC") is None


def test_a_cr_alone_does_not_separate_elements():
    assert parse(spc_text(newline="\r")) is None


@pytest.mark.parametrize("value", [None, b"SPC\n0200\n1", 42, 16.5, ["SPC"], {"SPC": 1}, object()])
def test_what_is_not_text_is_no_bill(value):
    assert parse(value) is None


def test_text_longer_than_any_qr_code_is_no_bill():
    assert parse(spc_text(message="x" * 8000)) is None
    assert parsed(message="x" * 1000).message == "x" * 140


def test_byte_order_mark_before_the_payload_is_tolerated():
    assert parse("\ufeff" + spc_text()) == parsed()


# -- hostile text ---------------------------------------------------------------------------------

def test_over_long_fields_are_cut_to_six_maximum():
    bill = parsed(name="N" * 100, street="S" * 100, number="1" * 20, postal_code="2" * 20,
                  town="T" * 50, message="M" * 300)
    assert bill.creditor == Address("S", "N" * 70, "S" * 70, "1" * 16, "2" * 16, "T" * 35, "CH")
    assert bill.message == "M" * 140
    combined = parsed(address_type="K", address_line1="A" * 90, address_line2="B" * 90)
    assert (combined.creditor.street, combined.creditor.town) == ("A" * 70, "B" * 70)


def test_a_cut_never_ends_on_a_space():
    assert parsed(name="A" * 69 + " Bcd").creditor.name == "A" * 69


def test_control_and_invisible_characters_are_stripped():
    bill = parsed(name="Audition\x00 Plus\x1b[31m SA\u202e", town="Neu\x85ch\u2028âtel\t",
                  message="\x07Facture\u200b 12\ud800\x7f")
    assert bill.creditor.name == "Audition Plus[31m SA"
    assert bill.creditor.town == "Neuchâtel"
    assert bill.message == "Facture 12"
    json.dumps(bill.to_dict(), ensure_ascii=False).encode("utf-8")


def test_text_is_normalised_to_nfc_and_stripped():
    bill = parsed(town="  Neucha\u0302tel ", name="\u00a0Audition Plus SA\u3000")
    assert bill.creditor.town == "Neuchâtel" == "Neuch\u00e2tel"
    assert bill.creditor.name == "Audition Plus SA"


def test_markup_is_kept_as_text():
    name = '<script>alert("x")</script> & <b>Cie</b>'
    bill = parsed(name=name, message="<img src=x onerror=alert(1)>")
    assert bill.creditor.name == name
    assert bill.message == "<img src=x onerror=alert(1)>"


# -- Swico S1 -------------------------------------------------------------------------------------

def test_swico_escaped_slash_and_backslash():
    assert parsed(billing=r"//S1/10/2026\/0412\\A/11/261114").billing == BillingInfo(
        "2026/0412\\A", date(2026, 11, 14), None)


@pytest.mark.parametrize("text, expected", [
    ("//S1/10/2026-0412", BillingInfo("2026-0412", None, None)),
    ("//S1/11/261114", BillingInfo(None, date(2026, 11, 14), None)),
    ("//S1/30/106017086", BillingInfo(None, None, "106017086")),
    ("//S1/10/X-1/31/260101261231/32/8.1", BillingInfo("X-1", None, None)),
    ("//S1/10/X-1/31/261231", BillingInfo("X-1", None, None)),
    ("//S1/10/X-1/11/261114/", BillingInfo("X-1", date(2026, 11, 14), None)),
    ("//S1/10/X-1/99/future tag", BillingInfo("X-1", None, None)),
    ("//S1/10//11/261114", BillingInfo(None, date(2026, 11, 14), None)),
    ("//S1/10/ X-1 /30/ 106017086", BillingInfo("X-1", None, "106017086")),
])
def test_swico_with_only_some_tags(text, expected):
    assert parse_billing_info(text) == expected
    assert parsed(billing=text).billing == expected


@pytest.mark.parametrize("text", [
    "//S1/20/client 42/40/0:30",         # nothing Guichet uses
    "//S1/",
    # each readable but for one fault: the invoice number is not read either
    "//S1/10/X-1/11", "//S1/10/X-1/xx/1", "//S1/10/X-1/1/1", "//S1/10/X-1/10/X-2",
    "//S1/10/X-1/11/261399", "//S1/10/X-1/11/2611140", "//S1/10/X-1/11/14.11.26",
    "//S1/10/X-1/31/2611", "//S1/10/X-1/31/261114261399", "//S1/10/X-1/31/26111426",
    # not S1
    "//S2/10/X-1", "/S1/10/X-1", "S1/10/X-1", "//s1/10/X-1", "Facture X-1",
])
def test_swico_garbage_gives_no_billing_but_the_bill_is_read(text):
    bill = parsed(billing=text)
    assert bill.billing is None
    assert bill == parsed(billing=None)


def test_swico_values_are_cleaned_and_bounded():
    billing = parsed(billing="//S1/10/<b>\x00N°\u202e 7<\\/b>/30/" + "1" * 200).billing
    assert billing.invoice_number == "<b>N° 7</b>"
    assert billing.vat_number == "1" * 140


# -- fingerprint ----------------------------------------------------------------------------------

def test_fingerprint_is_a_sha256_hex_digest():
    fingerprint = parsed().fingerprint()
    assert len(fingerprint) == 64 and int(fingerprint, 16) >= 0


def test_fingerprint_ignores_debtor_message_line_endings_and_address_type():
    expected = parsed().fingerprint()
    assert parsed(debtor=None).fingerprint() == expected
    assert parsed(debtor=("S", "Max Muster", "Bahnhofstr.", "1", "8000", "Zürich", "CH")
                  ).fingerprint() == expected
    assert parsed(message="Autre message").fingerprint() == expected
    assert parsed(newline="\r\n", final_newline=True).fingerprint() == expected
    assert parsed(address_type="K").fingerprint() == expected
    assert parsed(name="Audition Plus Sàrl").fingerprint() == expected
    assert parsed(amount="1650").fingerprint() == expected
    assert parsed(iban="ch44 3199 9123 0008 8901 2").fingerprint() == expected
    assert parsed(billing="//S1/10/autre").fingerprint() == expected  # the reference decides


@pytest.mark.parametrize("overrides", [
    {"amount": "1650.05"}, {"currency": "EUR"},
    {"reference": qrr_reference("21000000000313947143000902")},
    {"iban": iban_with_check_digits("CH", "31999" + "123000889013")},
])
def test_fingerprint_differs_with_amount_currency_reference_or_account(overrides):
    assert parsed(**overrides).fingerprint() != parsed().fingerprint()


def test_fingerprint_without_reference_uses_invoice_number_else_invoice_date():
    by_number = parsed(reference_type="NON").fingerprint()
    assert by_number is not None
    assert parsed(reference_type="NON", billing="//S1/10/2026-0412").fingerprint() == by_number
    assert parsed(reference_type="NON", billing="//S1/10/2026-0413").fingerprint() != by_number
    by_date = parsed(reference_type="NON", billing="//S1/11/261114").fingerprint()
    assert by_date not in (None, by_number)
    assert parsed(reference_type="NON", billing="//S1/11/261114/30/1").fingerprint() == by_date
    assert parsed(reference_type="NON", billing="//S1/11/261115").fingerprint() != by_date


def test_no_fingerprint_without_reference_invoice_number_or_date():
    assert parsed(reference_type="NON", billing=None).fingerprint() is None
    assert parsed(reference_type="NON", billing="//S1/30/106017086").fingerprint() is None
    assert parsed(reference_type="NON", amount=None).fingerprint() is None


def test_invoice_number_and_reference_do_not_collide():
    """The kind of key is part of what is hashed: an invoice number spelled like a reference
    is not that reference."""
    by_reference = parsed(reference_type="SCOR").fingerprint()
    by_number = parsed(reference_type="NON", billing=f"//S1/10/{SIX_SCOR}").fingerprint()
    assert by_reference != by_number


# -- to_dict / from_dict ---------------------------------------------------------------------------

def test_to_dict_is_json_safe_text():
    assert parse(SIX_EXAMPLE).to_dict() == {
        "iban": "CH4431999123000889012",
        "creditor": {"kind": "S", "name": "Robert Schneider AG", "street": "Rue du Lac",
                     "number": "1268", "postal_code": "2501", "town": "Biel", "country": "CH"},
        "amount": "1949.75", "currency": "CHF",
        "debtor": {"kind": "S", "name": "Pia-Maria Rutschmann-Schnyder",
                   "street": "Grosse Marktgasse", "number": "28", "postal_code": "9400",
                   "town": "Rorschach", "country": "CH"},
        "reference_type": "QRR", "reference": "210000000003139471430009017",
        "message": "Order of 15 June 2020",
        "billing": {"invoice_number": "10201409", "invoice_date": "2020-07-01",
                    "vat_number": "102673831"},
    }


@pytest.mark.parametrize("overrides", [
    {}, {"amount": None, "debtor": None, "billing": None}, {"address_type": "K"},
    {"reference_type": "SCOR", "currency": "EUR"}, {"reference_type": "NON", "message": ""},
    {"billing": "//S1/11/261114"},
])
def test_from_dict_reads_back_what_to_dict_gave(overrides):
    bill = parsed(**overrides)
    assert QrBill.from_dict(json.loads(json.dumps(bill.to_dict()))) == bill


def _stored(**changes) -> dict:
    data = parsed().to_dict()
    data.update(changes)
    return data


@pytest.mark.parametrize("data", [
    None, "", "SPC", 42, [], ["iban"], {}, {"iban": QR_IBAN},
    _stored(iban="CH4531999123000889012"), _stored(iban=None), _stored(iban=44),
    _stored(amount=1650), _stored(amount=1650.0), _stored(amount="1'650.00"),
    _stored(amount="0.00"), _stored(currency="USD"), _stored(reference_type="SCOR"),
    _stored(reference=SIX_QRR[:-1] + "0"), _stored(message=None),
    _stored(creditor=None), _stored(creditor="Audition Plus SA"),
    _stored(creditor={"kind": "S", "name": "Audition Plus SA"}),
    _stored(creditor={**parsed().to_dict()["creditor"], "town": ""}),
    _stored(creditor={**parsed(address_type="K").to_dict()["creditor"], "number": "12"}),
    _stored(debtor=["S", "Anna Muster"]), _stored(debtor={}),
    _stored(billing="//S1/10/1"), _stored(billing={"invoice_date": "14.11.2026"}),
    _stored(billing={"invoice_date": 20261114}), _stored(billing={"invoice_number": 412}),
])
def test_from_dict_on_garbage_is_none(data):
    assert QrBill.from_dict(data) is None


def test_from_dict_tolerates_keys_it_does_not_know_and_cleans_values():
    data = _stored(scanned_on="2026-11-20", message=" Facture\x00 ")
    assert QrBill.from_dict(data) == parsed(message="Facture")


def test_from_dict_without_any_one_key_is_none():
    """to_dict writes every key, None included: a missing one is not an open amount or an
    absent debtor but a stored value that is not what to_dict gave."""
    for key in parsed().to_dict():
        data = parsed().to_dict()
        del data[key]
        assert QrBill.from_dict(data) is None, key
    for key in parsed().to_dict()["billing"]:
        data = parsed().to_dict()
        del data["billing"][key]
        assert QrBill.from_dict(data) is None, key


def test_from_dict_with_an_empty_amount_is_none():
    assert QrBill.from_dict(_stored(amount="")) is None
    assert QrBill.from_dict(_stored(amount=None)) == parsed(amount=None)


# -- properties -----------------------------------------------------------------------------------

@fuzz
@given(st.text())
def test_any_text_is_a_bill_or_none(text):
    assert parse(text) is None or isinstance(parse(text), QrBill)


_LINE_MUTATIONS = st.sampled_from(["replace", "delete", "insert", "duplicate", "swap",
                                   "append-noise"])


@fuzz
@given(st.data())
def test_mutated_payloads_never_raise(data):
    lines = spc_lines(billing=data.draw(st.sampled_from([None, "//S1/10/1/11/261114"])))
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        mutation = data.draw(_LINE_MUTATIONS)
        noise = data.draw(st.text(max_size=30) | st.sampled_from(
            ["", "SPC", "EPD", "QRR", "S", "K", "CH", "0.00", "//S1/10/", "\\/", "\r"]))
        if mutation == "replace":
            lines[index] = noise
        elif mutation == "delete" and len(lines) > 1:
            del lines[index]
        elif mutation == "insert":
            lines.insert(index, noise)
        elif mutation == "duplicate":
            lines.insert(index, lines[index])
        elif mutation == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            lines[index] += noise
    text = data.draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    bill = parse(text)
    if bill is not None:
        assert QrBill.from_dict(bill.to_dict()) == bill


@bills_fuzz
@given(bills())
def test_generated_bill_reads_as_expected(generated):
    text, expected = generated
    assert parse(text) == expected


@bills_fuzz
@given(bills())
def test_to_dict_round_trips_through_json(generated):
    bill = parse(generated[0])
    stored = json.loads(json.dumps(bill.to_dict()))
    assert stored == bill.to_dict()
    assert QrBill.from_dict(stored) == bill


@fuzz
@given(st.text(max_size=200))
def test_hostile_names_keep_the_bill_readable_and_storable(name):
    lines = spc_lines()
    lines[5] = name.replace("\n", " ")
    bill = parse("\n".join(lines))
    if bill is not None:
        assert len(bill.creditor.name) <= 70
        assert bill.creditor.name == bill.creditor.name.strip()
        assert QrBill.from_dict(json.loads(json.dumps(bill.to_dict()))) == bill
        bill.creditor.name.encode("utf-8")


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12)


@fuzz
@given(_JSON_VALUES)
def test_from_dict_on_any_json_never_raises(value):
    assert QrBill.from_dict(value) is None or isinstance(QrBill.from_dict(value), QrBill)


@bills_fuzz
@given(bills(), st.data())
def test_from_dict_on_altered_stored_bills_never_raises(generated, data):
    stored = parse(generated[0]).to_dict()
    key = data.draw(st.sampled_from(sorted(stored)))
    stored[key] = data.draw(_JSON_VALUES)
    result = QrBill.from_dict(stored)
    assert result is None or isinstance(result, QrBill)
