"""Parsing, validation and display of the identifiers people type into Guichet.

Every ``normalize_*`` / ``parse_*`` function takes what a person typed and
returns one canonical form, or raises :class:`InvalidIdentifier` with a short
French message that tells them what to fix.  Keeping one canonical form per
identifier (13 digits for the AVS number, E.164 for phone numbers) is what lets
the rest of the application compare and look up values safely.

These functions are pure: they need no Flask application, only Flask-Babel's
``lazy_gettext``, whose strings are rendered when ``str()`` is called on them.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

import phonenumbers
from stdnum.ch import ssn

from .i18n import lazy_gettext as _l

__all__ = [
    "InvalidIdentifier",
    "normalize_navs13",
    "format_navs13",
    "mask_navs13",
    "normalize_swiss_mobile",
    "format_phone_national",
    "mask_phone",
    "normalize_npa",
    "parse_register_date",
    "parse_typed_date",
    "UnreadableDate",
    "NonexistentDate",
    "NPA_EXAMPLE",
    "normalize_name_for_match",
]


class InvalidIdentifier(ValueError):
    """A value typed by a person is not acceptable.

    ``message`` (and ``str(exc)``) is a French sentence meant to be shown to
    that person as is, next to the form field.
    """

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


# Separators people commonly type inside numbers: spaces (incl. no-break and
# thin spaces), dots and dashes.
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f\u2010-\u2015]+")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def _is_ascii_digits(value: str, length: int | None = None) -> bool:
    """True if ``value`` holds only ASCII digits (``str.isdigit`` accepts
    other scripts' digits, which we do not want to store)."""
    if _ASCII_DIGITS.fullmatch(value) is None:
        return False
    return length is None or len(value) == length


# --- AVS number (NAVS13) -------------------------------------------------------

def normalize_navs13(raw: str) -> str:
    """Return the 13 digits of a Swiss AVS number typed in any usual layout.

    Accepts ``756.1234.5678.97``, ``7561234567897`` or the digits separated by
    spaces, dots or dashes. The check digit is verified with ``stdnum.ch.ssn``.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidIdentifier(_l("Indiquez votre N° AVS."))
    digits = _SEPARATORS.sub("", text)
    if not _is_ascii_digits(digits, 13):
        raise InvalidIdentifier(_l(
            "Le N° AVS compte 13 chiffres et commence par 756, "
            "par exemple 756.1234.5678.97."
        ))
    if not digits.startswith("756"):
        raise InvalidIdentifier(_l(
            "Le N° AVS commence toujours par 756. "
            "Il figure sur votre carte d'assurance-maladie."
        ))
    if not ssn.is_valid(digits):
        raise InvalidIdentifier(_l(
            "Le N° AVS n'est pas valable : vérifiez les chiffres."
        ))
    return digits


def _navs13_digits(digits: str) -> str:
    """Compact a stored AVS number and check its shape (not its check digit,
    so that displaying data never fails on an old or imported value)."""
    compact = _SEPARATORS.sub("", digits or "")
    if not _is_ascii_digits(compact, 13):
        raise ValueError("an AVS number has 13 digits")
    return compact


def format_navs13(digits: str) -> str:
    """Display form of an AVS number: ``756.1234.5678.97``."""
    d = _navs13_digits(digits)
    return f"{d[:3]}.{d[3:7]}.{d[7:11]}.{d[11:]}"


def mask_navs13(digits: str) -> str:
    """Partly hidden AVS number for e-mails and logs: ``756.****.****.97``."""
    d = _navs13_digits(digits)
    return f"{d[:3]}.****.****.{d[11:]}"


# --- Swiss mobile phone ------------------------------------------------------------

# CH has no FIXED_LINE_OR_MOBILE ranges (checked against phonenumbers 9), but
# accepting it costs nothing should the metadata ever change.
_MOBILE_TYPES = frozenset({
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
})


# What may appear in a typed phone number. phonenumbers would also accept
# letters (vanity numbers such as "0800 FLOWERS") and extensions ("ext. 12"),
# which make no sense for a mobile that receives SMS.
_PHONE_CHARS = re.compile(r"[0-9+()/\s.\-\u00a0\u202f\u2010-\u2015]+")


def _parse_phone(raw: str) -> phonenumbers.PhoneNumber:
    unreadable = InvalidIdentifier(_l(
        "Ce numéro de téléphone n'est pas lisible. "
        "Indiquez-le par exemple ainsi : 079 123 45 67."
    ))
    if _PHONE_CHARS.fullmatch(raw) is None:
        raise unreadable
    try:
        return phonenumbers.parse(raw, "CH")
    except phonenumbers.NumberParseException:
        raise unreadable from None


def normalize_swiss_mobile(raw: str) -> str:
    """Return a Swiss mobile number in E.164 form, e.g. ``+41791234567``.

    Accepts national (``079 123 45 67``) and international (``+41 79 ...``,
    ``0041 79 ...``) writing. Only numbers that ``phonenumbers`` classifies as
    Swiss mobiles are accepted, since the number receives SMS codes.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidIdentifier(_l("Indiquez votre numéro de portable."))
    number = _parse_phone(text)
    if number.country_code != 41 or phonenumbers.region_code_for_number(number) != "CH":
        raise InvalidIdentifier(_l(
            "Seuls les numéros de portable suisses (+41 7x) sont acceptés."
        ))
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(_l(
            "Ce numéro de téléphone n'existe pas en Suisse : "
            "vérifiez les chiffres, par exemple 079 123 45 67."
        ))
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidIdentifier(_l(
            "Ce numéro n'est pas un numéro de portable. Indiquez un numéro de "
            "portable suisse (qui commence par 07), car nous y envoyons des codes par SMS."
        ))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_national(e164: str) -> str:
    """Display form of a stored E.164 number in Swiss layout: ``079 123 45 67``."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def mask_phone(e164: str) -> str:
    """Partly hidden phone number: ``079 *** ** 67``.

    Only the first and last groups of the national form stay visible, enough
    for a person to recognise their own number.
    """
    groups = format_phone_national(e164).split(" ")
    if len(groups) < 3:
        national = "".join(groups)
        return national[:3] + "*" * max(len(national) - 5, 0) + national[-2:]
    middle = ["*" * len(g) for g in groups[1:-1]]
    return " ".join([groups[0], *middle, groups[-1]])


# --- Postcode (NPA) --------------------------------------------------------------

#: The NPA that the field's hint and its error message both give as an example.
NPA_EXAMPLE = "2000"


def normalize_npa(raw: str) -> str:
    """Return a Swiss postcode (NPA) as 4 digits between 1000 and 9999."""
    text = (raw or "").strip()
    if not text:
        raise InvalidIdentifier(_l("Indiquez le NPA (code postal)."))
    if not _is_ascii_digits(text, 4) or int(text) < 1000:
        raise InvalidIdentifier(_l(
            "Le NPA compte 4 chiffres, par exemple %(example)s.", example=NPA_EXAMPLE
        ))
    return text


# --- Dates ---------------------------------------------------------------------------

class UnreadableDate(InvalidIdentifier):
    """The text is no date in any writing we accept (a form says how to write it)."""


class NonexistentDate(InvalidIdentifier):
    """The text reads as a date that does not exist (31.02.2026, 00.01.1980)."""


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_SWISS_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.ASCII)
# What people type: 2.11.1979, 02/11/1979, 2-11-1979, 2 11 1979, 2. 11. 1979 (one kind of
# separator), or 02111979 (a numeric keypad without « . », as on iOS).
_TYPED_DATE = re.compile(r"(\d{1,2})\s*([./\- ])\s*(\d{1,2})\s*\2\s*(\d{4})", re.ASCII)
_DIGITS_DATE = re.compile(r"(\d{2})(\d{2})(\d{4})", re.ASCII)


def _existing_date(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise NonexistentDate(_l(
            "Cette date n'existe pas : vérifiez le jour et le mois."
        )) from None


def parse_register_date(raw: str) -> datetime.date:
    """Parse a date of a register or decisions file: ``31.12.1980``, ``1.2.1980`` or
    ``1980-12-31`` (the writings the files are documented with)."""
    text = (raw or "").strip()
    if not text:
        raise UnreadableDate(_l("Indiquez une date."))
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _SWISS_DATE.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        raise UnreadableDate(_l(
            "Indiquez la date sous la forme jour.mois.année, par exemple 31.12.1980."
        ))
    return _existing_date(year, month, day)


def parse_typed_date(raw: str, example: str = "31.12.1980") -> datetime.date:
    """Parse a date a person typed: ``02.11.1979``, ``2.11.1979``, ``02/11/1979``,
    ``2-11-1979``, ``02111979`` or ``1979-11-02`` (what an ``<input type="date">`` sends).

    Raises :class:`UnreadableDate` (whose message gives ``example``, the one the field's hint
    gives) or :class:`NonexistentDate` (« Cette date n'existe pas »)."""
    text = (raw or "").strip()
    if not text:
        raise UnreadableDate(_l("Indiquez une date."))
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _TYPED_DATE.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), int(m[4])
    elif m := _DIGITS_DATE.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        raise UnreadableDate(_l(
            "Écrivez la date sous la forme JJ.MM.AAAA, par exemple %(example)s.",
            example=example))
    return _existing_date(year, month, day)


# --- Names ---------------------------------------------------------------------------

# Hyphens, dashes and apostrophes that people use (or not) inside names.
_NAME_JOINERS = re.compile(r"[\-\u2010-\u2015\u2212'\u2018\u2019\u02bc\u0060\u00b4]")
_WHITESPACE = re.compile(r"\s+")


def normalize_name_for_match(name: str) -> str:
    """Reduce a name to a comparison key, insensitive to case, accents,
    hyphens, apostrophes and spacing.

    ``"Müller-Dupont"``, ``"muller dupont"`` and ``"MULLER  DUPONT"`` all give
    ``"muller dupont"``. Used only to compare names; never stored or shown.
    """
    # Compatibility forms first (𝑨 → A), then case, then again: casefolding can itself
    # produce characters that decompose (ß → ss is fine, but ǰ and others are not).
    text = unicodedata.normalize("NFKD", name or "")
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _NAME_JOINERS.sub(" ", text)
    return _WHITESPACE.sub(" ", text).strip()
