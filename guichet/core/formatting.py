"""How values read on pages, in e-mails and in PDFs, and the template filters that say so.

Every formatter a template needs is a Jinja filter registered once by :func:`init_filters`
(``{{ amount|chf }}``), never handed to a template in its context. The money formatter lives in
``money``, identifiers in ``identifiers`` and ``iban``, Swiss times in ``i18n``; sizes, accounts and
decision numbers here.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask

from .i18n import gettext as _
from .i18n import local_date, local_datetime
from .iban import mask_iban
from .identifiers import mask_navs13
from .money import format_chf

KIB = 1024
MIB = 1024 * 1024


def format_size(size: int) -> str:
    """``10 Mo``, ``1,5 Mo``, ``300 ko``, ``12 octets`` (1 Mo = 1024 × 1024 octets)."""
    if size >= MIB:
        value, unit = size / MIB, "Mo"
    elif size >= KIB:
        value, unit = size / KIB, "ko"
    else:
        return f"{size} octet" if size < 2 else f"{size} octets"
    text = f"{value:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} {unit}"


def describe_account(account) -> str:
    """``CH56 **** … 9 — Anna Muster (UBS)``: masked IBAN, holder and bank."""
    bank = account.bank_name or _("banque inconnue")
    return f"{mask_iban(account.iban)} — {account.holder} ({bank})"


def format_decision_number(digits: str | None) -> str:
    """``324 2025 0001234`` for the 14 digits of a decision number (office, year, case); any
    other text is returned as it is (a number typed wrongly is shown as typed)."""
    digits = digits or ""
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}" if len(digits) == 14 and \
        digits.isdigit() else digits


def once_per_page(function: Callable[[str], object]) -> Callable[[str], object]:
    """``function``, each key's answer worked out once for the page being rendered (a list of
    twenty invoices asks for the same few labels twenty times)."""
    answers: dict[str, object] = {}

    def answer(key: str):
        if key not in answers:
            answers[key] = function(key)
        return answers[key]
    return answer


FILTERS: dict[str, Callable] = {
    "chf": format_chf,                    # 1'234.50 CHF
    "size": format_size,                  # 1,5 Mo
    "navs13_masked": mask_navs13,         # 756.****.****.97
    "iban_masked": mask_iban,             # CH93 **** **** **** *295 7
    "account_label": describe_account,    # CH93 **** … — Anna Muster (UBS)
    "decision_number": format_decision_number,  # 324 2025 0001234
    "swiss_date": local_date,             # 27.11.2026
    "swiss_datetime": local_datetime,     # 27.11.2026 à 14:05
}


def init_filters(app: Flask) -> None:
    """Registers the formatters as template filters, once for every template."""
    app.jinja_env.filters.update(FILTERS)
