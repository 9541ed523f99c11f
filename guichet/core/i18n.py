"""Language and formatting: the UI speaks French (fr-CH); times are shown in Europe/Zurich."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import gettext

from .extensions import babel

ZURICH = ZoneInfo("Europe/Zurich")


def local_datetime(value: datetime | None) -> str:
    """``27.11.2026 à 14:05`` in Swiss time."""
    if value is None:
        return ""
    return value.astimezone(ZURICH).strftime("%d.%m.%Y à %H:%M")


def local_date(value) -> str:
    """``27.11.2026``; a moment is first put in Swiss time (23:30 UTC is already tomorrow)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZURICH)
    return value.strftime("%d.%m.%Y")


def ngettext_fr(singular: str, plural: str, num: int, **variables) -> str:
    """``ngettext`` with the French rule: 0 and 1 take the singular (« 0 nuit à la maison »).
    The texts are French source strings without a catalogue, and ngettext's rule without one is
    the English one (only 1 is singular)."""
    return gettext(singular if num <= 1 else plural, num=num, **variables)


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=lambda: "fr_CH", timezone_selector=lambda: "Europe/Zurich")
    app.jinja_env.policies["ext.i18n.trimmed"] = True
