"""French enumerations the types use in messages and in the reasons pièces are asked for."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from guichet.core.i18n import gettext as _

from .days import day_text


def enumeration(texts: list[str]) -> str:
    """``a``, ``a et b``, ``a, b et c``."""
    if len(texts) <= 1:
        return "".join(texts)
    return _("%(first)s et %(last)s", first=", ".join(texts[:-1]), last=texts[-1])


def dates_phrase(days: Iterable[date]) -> str:
    """``du 03.02.2025``, ``du 03.02.2025 et du 10.02.2025``, ``du …, du … et du …``."""
    return enumeration([_("du %(day)s", day=day_text(day)) for day in sorted(set(days))])


def names_phrase(names: Iterable[str]) -> str:
    """Each name once, in order: ``Anna et Marc``."""
    return enumeration(list(dict.fromkeys(names)))
