"""Reading what people type in invoice forms: dates, times, months, amounts, counts."""
from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal, InvalidOperation

from guichet.core.i18n import gettext as _
from guichet.core.identifiers import NonexistentDate, UnreadableDate, parse_typed_date
from guichet.core.money import to_amount

from .types.base import (DATE, DATE_EXAMPLE, INTEGER, MONEY, MONEY_EXAMPLE, MONTH, MONTH_EXAMPLE,
                         NUMBER, NUMBER_EXAMPLE, TIME, TIME_EXAMPLE, YESNO)

MAX_AMOUNT = Decimal("1000000")


class Unreadable(ValueError):
    """What was typed cannot be read; the message says how to write it."""


def parse_date(raw: str) -> date:
    """14.10.2026, 14/10/2026, 14102026 …; a date that does not exist (31.02.2026) is said so."""
    try:
        return parse_typed_date(raw, example=DATE_EXAMPLE)
    except (UnreadableDate, NonexistentDate) as exc:
        raise Unreadable(str(exc)) from None


def parse_time(raw: str) -> time:
    match = re.fullmatch(r"(\d{1,2})\s*[:hH.]\s*(\d{2})", raw)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    if match:
        raise Unreadable(_("Cette heure n'existe pas : les heures vont de 00:00 à 23:59."))
    raise Unreadable(_("Écrivez l'heure sous la forme HH:MM, par exemple %(example)s.",
                       example=TIME_EXAMPLE))


def parse_month(raw: str) -> date:
    """10.2026, 10/2026, 102026, 2026-10; a month 13 is said not to exist."""
    match = (re.fullmatch(r"(\d{1,2})\s*[./ -]\s*(\d{4})", raw)
             or re.fullmatch(r"(\d{2})(\d{4})", raw))
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})", raw)
    month, year = (int(match[1]), int(match[2])) if match else (
        (int(iso[2]), int(iso[1])) if iso else (None, None))
    if month is not None and 1900 < year < 2200:
        if 1 <= month <= 12:
            return date(year, month, 1)
        raise Unreadable(_("Ce mois n'existe pas : les mois vont de 01 à 12."))
    raise Unreadable(_("Écrivez le mois sous la forme MM.AAAA, par exemple %(example)s.",
                       example=MONTH_EXAMPLE))


def _decimal(raw: str, example: str, negative: str) -> Decimal:
    text = raw.replace("CHF", "").replace("Fr.", "").replace("'", "").replace("’", "")
    text = text.replace("\u00a0", "").replace(" ", "").replace(",", ".").replace("\u2212", "-")
    if text.endswith(".-") or text.endswith(".–"):
        text = text[:-2]
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Unreadable(_("Écrivez un nombre, par exemple %(example)s.",
                           example=example)) from None
    if not value.is_finite():
        raise Unreadable(_("Écrivez un nombre, par exemple %(example)s.", example=example))
    if value < 0:
        raise Unreadable(negative)
    if value >= MAX_AMOUNT:
        raise Unreadable(_("Ce nombre est trop grand : il doit rester sous 1'000'000."))
    return value


def parse_money(raw: str) -> Decimal:
    value = _decimal(raw, MONEY_EXAMPLE, _("Le montant ne peut pas être négatif."))
    if value != value.quantize(Decimal("0.01")):
        raise Unreadable(_("Un montant a au plus deux décimales, par exemple %(example)s.",
                           example=MONEY_EXAMPLE))
    return to_amount(value)


def parse_number(raw: str) -> Decimal:
    value = _decimal(raw, NUMBER_EXAMPLE, _("Le nombre ne peut pas être négatif."))
    if value != value.quantize(Decimal("0.01")):
        raise Unreadable(_("Écrivez au plus deux décimales, par exemple %(example)s.",
                           example=NUMBER_EXAMPLE))
    return value


def parse_integer(raw: str) -> int:
    text = raw.strip()
    if re.fullmatch(r"[-\u2212]\s*\d+", text):
        raise Unreadable(_("Le nombre ne peut pas être négatif."))
    if not re.fullmatch(r"\d{1,4}", text):
        raise Unreadable(_("Écrivez un nombre entier, par exemple 2."))
    return int(text)


def parse_yesno(raw: str) -> bool:
    if raw in ("yes", "no"):
        return raw == "yes"
    raise Unreadable(_("Répondez par oui ou par non."))


PARSERS = {DATE: parse_date, TIME: parse_time, MONTH: parse_month, MONEY: parse_money,
           NUMBER: parse_number, INTEGER: parse_integer, YESNO: parse_yesno}


def read_values(specs, raw: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """(typed values of the non-empty visible fields, errors for the unreadable ones)."""
    values, errors = {}, {}
    for spec in specs:
        text = (raw.get(spec.name) or "").strip()
        if not text or not spec.visible(raw):
            continue
        parser = PARSERS.get(spec.kind)
        if parser is None:
            if spec.choices and text not in {value for value, _label in spec.choices}:
                errors[spec.name] = _("Choisissez une des réponses proposées.")
                continue
            values[spec.name] = text
            continue
        try:
            values[spec.name] = parser(text)
        except Unreadable as exc:
            errors[spec.name] = str(exc)
    return values, errors
