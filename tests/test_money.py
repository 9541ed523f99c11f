"""Tests for guichet.core.money: exact CHF amounts and their Swiss display."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guichet.core.money import format_chf, to_amount


@pytest.mark.parametrize("value, expected", [
    ("0.005", Decimal("0.01")),
    ("0.004", Decimal("0.00")),
    ("2.675", Decimal("2.68")),        # as a float, 2.675 would round down
    ("2.665", Decimal("2.67")),
    ("-2.675", Decimal("-2.68")),      # half away from zero
    ("12.5", Decimal("12.50")),
    (" 7 ", Decimal("7.00")),
    ("1E+3", Decimal("1000.00")),
    (0, Decimal("0.00")),
    (42, Decimal("42.00")),
    (-3, Decimal("-3.00")),
    (Decimal("19.999"), Decimal("20.00")),
    (Decimal("0.125"), Decimal("0.13")),
])
def test_to_amount_rounds_half_up_to_cents(value, expected):
    result = to_amount(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_negative_zero_is_plain_zero():
    result = to_amount("-0.004")
    assert result == 0
    assert not result.is_signed()


@pytest.mark.parametrize("value", [2.675, 1.0, True, None, [1]])
def test_to_amount_refuses_floats_and_other_types(value):
    with pytest.raises(TypeError):
        to_amount(value)


@pytest.mark.parametrize("value", [
    "", "abc", "1,50", "1'234.50", "NaN", "Infinity", "-inf", "1E+40",
])
def test_to_amount_refuses_non_amounts(value):
    with pytest.raises(ValueError):
        to_amount(value)


@pytest.mark.parametrize("amount, text", [
    (Decimal("1234.5"), "1'234.50 CHF"),
    ("1234.50", "1'234.50 CHF"),
    (1234567, "1'234'567.00 CHF"),
    (Decimal("-1234.5"), "-1'234.50 CHF"),
    ("-1234567.891", "-1'234'567.89 CHF"),
    (0, "0.00 CHF"),
    ("0.005", "0.01 CHF"),
    ("-0.001", "0.00 CHF"),
    ("999.995", "1'000.00 CHF"),
    ("12", "12.00 CHF"),
    ("123", "123.00 CHF"),
])
def test_format_chf(amount, text):
    assert format_chf(amount) == text


def test_format_chf_uses_ascii_apostrophe():
    text = format_chf(1000)
    assert "\u0027" in text
    assert "\u2019" not in text


def test_format_chf_refuses_floats():
    with pytest.raises(TypeError):
        format_chf(12.5)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
def test_format_chf_reads_back_to_the_same_amount(amount):
    text = format_chf(amount)
    assert text.endswith(" CHF")
    assert to_amount(text.removesuffix(" CHF").replace("'", "")) == amount
