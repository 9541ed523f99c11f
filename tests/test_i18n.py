"""Dates and times on pages are Swiss: « 28.11.2026 », in Europe/Zurich time."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from guichet.core.i18n import local_date, local_datetime


@pytest.mark.parametrize("value, shown", [
    (datetime(2026, 11, 27, 23, 30, tzinfo=timezone.utc), "28.11.2026"),   # 00:30 in Zurich
    (datetime(2026, 11, 27, 22, 59, tzinfo=timezone.utc), "27.11.2026"),   # 23:59 in Zurich
    (datetime(2026, 6, 30, 22, 15, tzinfo=timezone.utc), "01.07.2026"),    # summer time, +2 h
    (date(2026, 1, 5), "05.01.2026"),                                       # a day stays that day
    (None, ""),
])
def test_a_date_is_the_day_it_was_in_switzerland(value, shown):
    assert local_date(value) == shown


def test_a_moment_is_shown_in_swiss_time():
    assert local_datetime(datetime(2026, 11, 27, 13, 5, tzinfo=timezone.utc)) == \
        "27.11.2026 à 14:05"
    assert local_datetime(None) == ""


@pytest.mark.parametrize("num, shown", [(0, "0 nuit à la maison"), (1, "1 nuit à la maison"),
                                        (2, "2 nuits à la maison"), (31, "31 nuits à la maison")])
def test_french_plurals_keep_zero_and_one_singular(app, num, shown):
    from guichet.core.i18n import ngettext_fr
    with app.test_request_context():
        assert ngettext_fr("%(num)d nuit à la maison", "%(num)d nuits à la maison", num) == shown
