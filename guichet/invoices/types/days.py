"""Dates as the invoice types check and write them: today in Switzerland, ``03.02.2025``,
anniversaries (device age and renewal), and the "not in the future" check."""
from __future__ import annotations

from datetime import date

from .amounts import Errors


def day_text(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def not_future(errors: Errors, field: str, day: date | None, today: date, message: str):
    """Adds ``message`` for ``field`` when ``day`` is after ``today`` (and the field has no
    error yet)."""
    if day is not None and day > today and field not in errors:
        errors[field] = message
