"""Language and formatting: the UI speaks French (fr-CH); times are shown in Europe/Zurich."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.support import NullTranslations
from flask import Flask, g, has_app_context
from flask_babel import LazyString, get_translations

from guichet.models.types import utcnow

from .extensions import babel

ZURICH = ZoneInfo("Europe/Zurich")


def today_in_zurich() -> date:
    """Today's date in Switzerland, the one every rule and page goes by (the server may run on
    UTC, where 23:30 is still yesterday)."""
    return utcnow().astimezone(ZURICH).date()


def _translations():
    """The catalogue of the current request's language, looked up once per request (Flask-Babel
    looks it up again for every string: a tenth of a page's rendering time went there)."""
    if not has_app_context():
        return NullTranslations()
    found = g.get("translations")
    if found is None:
        found = g.translations = get_translations()
    return found


def gettext(string: str, **variables) -> str:
    """As Flask-Babel's ``gettext``: the translated text, ``%``-formatted with ``variables``."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """Translated when shown (labels declared at import time, before any request)."""
    return LazyString(gettext, string, **variables)


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
    app.jinja_env.install_gettext_callables(  # templates' _() through the per-request catalogue
        gettext=lambda string: _translations().ugettext(string),
        ngettext=lambda singular, plural, num: _translations().ungettext(singular, plural, num),
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, num: _translations().unpgettext(
            context, singular, plural, num),
        newstyle=True)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
