"""Tests for guichet.core.identifiers: parsing, validation and display of identifiers."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from guichet.core.identifiers import (InvalidIdentifier, format_navs13, format_phone_national,
                                      mask_navs13, mask_phone, normalize_name_for_match,
                                      normalize_navs13, normalize_npa, normalize_swiss_mobile,
                                      parse_register_date)


def message_of(excinfo) -> str:
    return str(excinfo.value)


# --- AVS number ---------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "756.1234.5678.97",
    "7561234567897",
    " 756 1234 5678 97 ",
    "756.1234.567897",
    "756-1234-5678-97",
    "756\u00a01234\u00a05678\u00a097",
])
def test_navs13_accepts_usual_layouts(raw):
    assert normalize_navs13(raw) == "7561234567897"


@pytest.mark.parametrize("raw, expected_part", [
    ("", "Indiquez votre N° AVS"),
    ("   ", "Indiquez votre N° AVS"),
    ("756.1234.5678.9", "13 chiffres"),
    ("756.1234.5678.977", "13 chiffres"),
    ("756.1234.5678.9A", "13 chiffres"),
    ("756/1234/5678/97", "13 chiffres"),
    ("٧٥٦١٢٣٤٥٦٧٨٩٧", "13 chiffres"),  # Arabic-Indic digits are not accepted
    ("123.4567.8901.23", "commence toujours par 756"),
    ("756.1234.5678.98", "vérifiez les chiffres"),
    ("756.1234.5678.90", "vérifiez les chiffres"),
])
def test_navs13_refusals_have_distinct_messages(raw, expected_part):
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_navs13(raw)
    assert expected_part in message_of(excinfo)
    assert expected_part in str(excinfo.value.message)


def test_invalid_identifier_is_a_value_error():
    with pytest.raises(ValueError):
        normalize_navs13("756.1234.5678.98")


def test_navs13_length_message_shows_an_example():
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_navs13("12")
    assert message_of(excinfo) == (
        "Le N° AVS compte 13 chiffres et commence par 756, par exemple 756.1234.5678.97."
    )


@pytest.mark.parametrize("digits, formatted, masked", [
    ("7561234567897", "756.1234.5678.97", "756.****.****.97"),
    ("756.1234.5678.97", "756.1234.5678.97", "756.****.****.97"),
    ("7569217076985", "756.9217.0769.85", "756.****.****.85"),
])
def test_navs13_display(digits, formatted, masked):
    assert format_navs13(digits) == formatted
    assert mask_navs13(digits) == masked


@pytest.mark.parametrize("bad", ["", "756123", "75612345678970"])
def test_navs13_display_rejects_wrong_shape(bad):
    with pytest.raises(ValueError):
        format_navs13(bad)
    with pytest.raises(ValueError):
        mask_navs13(bad)


# --- Swiss mobile ----------------------------------------------------------------------

@pytest.mark.parametrize("raw, e164", [
    ("079 123 45 67", "+41791234567"),
    ("0791234567", "+41791234567"),
    ("+41 79 123 45 67", "+41791234567"),
    ("+41791234567", "+41791234567"),
    ("0041791234567", "+41791234567"),
    ("0041 79 123 45 67", "+41791234567"),
    ("079.123.45.67", "+41791234567"),
    ("079/123 45 67", "+41791234567"),
    ("+41 (0)79 123 45 67", "+41791234567"),
    ("076 123 45 67", "+41761234567"),
    ("077 123 45 67", "+41771234567"),
    ("078 123 45 67", "+41781234567"),
    ("075 123 45 67", "+41751234567"),
])
def test_swiss_mobile_accepted(raw, e164):
    assert normalize_swiss_mobile(raw) == e164


@pytest.mark.parametrize("raw, expected_part", [
    ("", "Indiquez votre numéro de portable"),
    ("abc", "pas lisible"),
    ("079 CALL ME", "pas lisible"),
    ("079 123 45 67 ext. 12", "pas lisible"),
    ("+33 6 12 34 56 78", "Seuls les numéros de portable suisses"),
    ("0033612345678", "Seuls les numéros de portable suisses"),
    ("+49 151 23456789", "Seuls les numéros de portable suisses"),
    ("+423 791 23 45", "Seuls les numéros de portable suisses"),  # Liechtenstein
    ("079 123 45", "n'existe pas"),
    ("079 123 45 678", "n'existe pas"),
    ("032 910 71 00", "n'est pas un numéro de portable"),   # fixed line
    ("021 316 11 11", "n'est pas un numéro de portable"),   # fixed line
    ("0800 123 456", "n'est pas un numéro de portable"),    # toll free
    ("0900 123 456", "n'est pas un numéro de portable"),    # premium rate
])
def test_swiss_mobile_refusals(raw, expected_part):
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_swiss_mobile(raw)
    assert expected_part in message_of(excinfo)


def test_foreign_mobile_message_is_exact():
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_swiss_mobile("+33 6 12 34 56 78")
    assert message_of(excinfo) == "Seuls les numéros de portable suisses (+41 7x) sont acceptés."


@pytest.mark.parametrize("e164, national, masked", [
    ("+41791234567", "079 123 45 67", "079 *** ** 67"),
    ("+41761112233", "076 111 22 33", "076 *** ** 33"),
])
def test_phone_display(e164, national, masked):
    assert format_phone_national(e164) == national
    assert mask_phone(e164) == masked


def test_normalized_phone_round_trips():
    e164 = normalize_swiss_mobile("+41 79 123 45 67")
    assert normalize_swiss_mobile(format_phone_national(e164)) == e164


# --- NPA ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, npa", [
    ("1003", "1003"), (" 2800 ", "2800"), ("1000", "1000"), ("9999", "9999"),
])
def test_npa_accepted(raw, npa):
    assert normalize_npa(raw) == npa


@pytest.mark.parametrize("raw, expected_part", [
    ("", "Indiquez le NPA"),
    ("0999", "4 chiffres"),
    ("999", "4 chiffres"),
    ("10000", "4 chiffres"),
    ("10a3", "4 chiffres"),
    ("CH-1003", "4 chiffres"),
    ("-100", "4 chiffres"),
])
def test_npa_refused(raw, expected_part):
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_npa(raw)
    assert expected_part in message_of(excinfo)


# --- Dates ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("1980-12-31", datetime.date(1980, 12, 31)),
    ("31.12.1980", datetime.date(1980, 12, 31)),
    ("1.2.1980", datetime.date(1980, 2, 1)),
    ("01.02.1980", datetime.date(1980, 2, 1)),
    (" 29.02.2024 ", datetime.date(2024, 2, 29)),
])
def test_register_date_accepted(raw, expected):
    assert parse_register_date(raw) == expected


@pytest.mark.parametrize("raw, expected_part", [
    ("", "Indiquez une date"),
    ("31/12/1980", "jour.mois.année"),
    ("1980-1-2", "jour.mois.année"),
    ("31.12.80", "jour.mois.année"),
    ("hier", "jour.mois.année"),
    ("1980-12-31T00:00", "jour.mois.année"),
    ("31.02.1980", "n'existe pas"),
    ("29.02.2023", "n'existe pas"),
    ("1980-13-01", "n'existe pas"),
    ("00.01.1980", "n'existe pas"),
])
def test_register_date_refused(raw, expected_part):
    with pytest.raises(InvalidIdentifier) as excinfo:
        parse_register_date(raw)
    assert expected_part in message_of(excinfo)


# --- Names ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "Müller-Dupont",
    "muller dupont",
    "MULLER  DUPONT",
    "Muller – Dupont",
    " Mu\u0308ller-Dupont ",  # decomposed ü (as typed on some systems)
    "MÜLLER\u2011DUPONT",     # non-breaking hyphen
])
def test_names_match_whatever_the_writing(name):
    assert normalize_name_for_match(name) == "muller dupont"


@pytest.mark.parametrize("name, key", [
    ("D'Alessandro", "d alessandro"),
    ("D’Alessandro", "d alessandro"),
    ("Françoise", "francoise"),
    ("Weiß", "weiss"),
    ("Ærø", "ærø"),  # letters without a decomposition stay as they are
    ("", ""),
])
def test_name_keys(name, key):
    assert normalize_name_for_match(name) == key


def test_different_names_do_not_match():
    assert normalize_name_for_match("Müller") != normalize_name_for_match("Muller-Dupont")


# --- Properties --------------------------------------------------------------------------

@given(st.text(max_size=40))
def test_name_key_is_idempotent(name):
    key = normalize_name_for_match(name)
    assert normalize_name_for_match(key) == key


@given(st.from_regex(r"756[0-9]{9}", fullmatch=True))
def test_every_navs13_with_its_check_digit_round_trips(first12):
    digits = first12 + str(ean.calc_check_digit(first12))
    assert normalize_navs13(format_navs13(digits)) == digits
    wrong = first12 + str((int(digits[-1]) + 1) % 10)
    with pytest.raises(InvalidIdentifier):
        normalize_navs13(wrong)
