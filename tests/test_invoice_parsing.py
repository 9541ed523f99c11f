"""Reading what people type in invoice forms: what is read, and what each refusal says (the
message says what is wrong, and gives the example the field's hint gives)."""
from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from guichet.invoices.parsing import (Unreadable, parse_date, parse_integer, parse_money,
                                      parse_month, parse_number, parse_time)
from guichet.invoices.types.base import DATE_HINT, MONTH_HINT, TIME_HINT


@pytest.mark.parametrize("typed", ["02.11.2025", "2.11.2025", "02/11/2025", "2-11-2025",
                                   "02112025", "2025-11-02", " 2. 11. 2025 "])
def test_dates_as_people_type_them(typed):
    assert parse_date(typed) == date(2025, 11, 2)


@pytest.mark.parametrize("parse, typed, message", [
    (parse_date, "31.02.2026", "Cette date n'existe pas : vérifiez le jour et le mois."),
    (parse_date, "hier", "Écrivez la date sous la forme JJ.MM.AAAA, par exemple 14.10.2026."),
    (parse_date, "02.11/2025", "Écrivez la date sous la forme JJ.MM.AAAA, par exemple "
                               "14.10.2026."),
    (parse_month, "13.2026", "Ce mois n'existe pas : les mois vont de 01 à 12."),
    (parse_month, "octobre", "Écrivez le mois sous la forme MM.AAAA, par exemple 10.2026."),
    (parse_time, "25:00", "Cette heure n'existe pas : les heures vont de 00:00 à 23:59."),
    (parse_time, "midi", "Écrivez l'heure sous la forme HH:MM, par exemple 07:45."),
    (parse_money, "-12.50", "Le montant ne peut pas être négatif."),
    (parse_money, "\u221212", "Le montant ne peut pas être négatif."),
    (parse_money, "beaucoup", "Écrivez un nombre, par exemple 12.50."),
    (parse_money, "2000000", "Ce nombre est trop grand : il doit rester sous 1'000'000."),
    (parse_number, "-3", "Le nombre ne peut pas être négatif."),
    (parse_integer, "-2", "Le nombre ne peut pas être négatif."),
    (parse_integer, "deux", "Écrivez un nombre entier, par exemple 2."),
])
def test_each_refusal_says_what_is_wrong(parse, typed, message):
    with pytest.raises(Unreadable) as refused:
        parse(typed)
    assert str(refused.value) == message


@pytest.mark.parametrize("hint, parse", [(DATE_HINT, parse_date), (MONTH_HINT, parse_month),
                                         (TIME_HINT, parse_time)])
def test_the_hint_and_the_message_give_the_same_example(hint, parse):
    with pytest.raises(Unreadable) as refused:
        parse("?")
    example = str(hint).split("par exemple ")[1]
    assert str(refused.value).endswith(f"par exemple {example}.")


def test_what_is_read():
    assert parse_month("10/2026") == parse_month("102026") == date(2026, 10, 1)
    assert parse_time("7h45") == time(7, 45)
    assert parse_money("1'234.50 CHF") == Decimal("1234.50")
