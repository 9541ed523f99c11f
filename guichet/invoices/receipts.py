"""Receipt numbers: NE-2026-000123 — office prefix, year of sending, a counter per year."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from guichet.models import ReceiptCounter
from guichet.models.base import db

ZURICH = ZoneInfo("Europe/Zurich")


def next_receipt_number(now: datetime) -> str:
    """Takes the next number for the year of ``now`` (Swiss time), locking the counter row."""
    prefix = current_app.config.get("RECEIPT_PREFIX", "NE")
    year = now.astimezone(ZURICH).year
    counter = db.session.scalar(select(ReceiptCounter).where(
        ReceiptCounter.prefix == prefix, ReceiptCounter.year == year).with_for_update())
    if counter is None:
        counter = ReceiptCounter(prefix=prefix, year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return f"{prefix}-{year}-{counter.last:06d}"
