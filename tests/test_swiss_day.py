"""The day Guichet goes by is the day in Switzerland, also when the server runs on UTC: between
midnight in Neuchâtel and midnight UTC (one hour in winter, two in summer) the dates people type
and the due dates staff set belong to the new day."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from guichet.core import i18n
from guichet.core.forms import parse_birth_date
from guichet.core.i18n import today_in_zurich
from guichet.core.identifiers import InvalidIdentifier
from tests.support.page import page_text
from tests.support.queue import ask_complement, sent_invoice


@pytest.fixture
def clock(monkeypatch):
    """Sets the moment ``today_in_zurich`` reads (nothing else: sessions keep the real time)."""
    def at(moment: datetime) -> None:
        monkeypatch.setattr(i18n, "utcnow", lambda: moment)
    return at


def test_at_half_past_midnight_in_switzerland_it_is_already_the_next_day(clock):
    clock(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))   # 00:30 in winter
    assert today_in_zurich() == date(2027, 1, 1)
    clock(datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc))    # 00:30 in summer
    assert today_in_zurich() == date(2026, 7, 1)
    clock(datetime(2026, 6, 30, 21, 30, tzinfo=timezone.utc))
    assert today_in_zurich() == date(2026, 6, 30)


def test_a_child_born_today_in_switzerland_is_not_born_in_the_future(clock):
    utc_day = datetime.now(timezone.utc).date()
    clock(datetime.combine(utc_day, datetime.min.time(), tzinfo=timezone.utc)
          + timedelta(hours=23, minutes=30))          # tonight 23:30 UTC: tomorrow in Neuchâtel
    born = utc_day + timedelta(days=1)
    assert parse_birth_date(f"{born:%d.%m.%Y}") == born
    with pytest.raises(InvalidIdentifier) as refused:
        parse_birth_date(f"{born + timedelta(days=1):%d.%m.%Y}")
    assert "ne peut pas être dans le futur" in str(refused.value)


def test_a_complement_is_overdue_in_the_queue_from_midnight_in_switzerland(
        app, clock, staff_client, factory):
    owner = factory.user(email="lea@example.ch", nom="Müller")
    invoice = sent_invoice(owner, days_ago=3)
    due = today_in_zurich() + timedelta(days=1)
    ask_complement(app, staff_client.user, invoice, due)
    clock(datetime.combine(due, datetime.min.time(), tzinfo=timezone.utc)
          + timedelta(hours=23, minutes=30))           # the due day's 23:30 UTC: 00:30 after it
    assert "Échu" in page_text(staff_client.get("/gestion/"))
    clock(datetime.combine(due, datetime.min.time(), tzinfo=timezone.utc)
          + timedelta(hours=22, minutes=30))           # 23:30 on the due day itself
    assert "Échu" not in page_text(staff_client.get("/gestion/"))
