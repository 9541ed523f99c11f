"""Language and formatting: the UI speaks French (fr-CH); times are shown in Europe/Zurich."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from .extensions import babel

ZURICH = ZoneInfo("Europe/Zurich")


def local_datetime(value: datetime | None) -> str:
    """``27.11.2026 à 14:05`` in Swiss time."""
    if value is None:
        return ""
    return value.astimezone(ZURICH).strftime("%d.%m.%Y à %H:%M")


def local_date(value) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=lambda: "fr_CH", timezone_selector=lambda: "Europe/Zurich")
    app.jinja_env.filters["datetime_local"] = local_datetime
    app.jinja_env.filters["date_local"] = local_date
    app.jinja_env.policies["ext.i18n.trimmed"] = True
