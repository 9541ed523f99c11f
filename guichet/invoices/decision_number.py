"""N° de décision: office code (3 digits) + year (4) + case (7)."""
from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from ..identifiers import InvalidIdentifier

OFFICE_NAMES = {"324": "Office AI du canton de Neuchâtel", "322": "Office AI du canton de Vaud",
                "325": "Office AI du canton de Genève", "310": "Office AI du canton de Fribourg",
                "323": "Office AI du canton du Valais", "350": "Office AI du canton du Jura"}


def parse_decision_number(raw: str, office_code: str | None = None) -> str:
    """The 14 digits of a decision of this office, or a French explanation."""
    if office_code is None:
        office_code = current_app.config["OFFICE_CODE"] if has_app_context() else "324"
    text = (raw or "").strip()
    digits = "".join(ch for ch in text if ch not in " .-/\u00a0\u202f")
    if not digits:
        raise InvalidIdentifier(_l("Indiquez le N° de décision."))
    if not digits.isascii() or not digits.isdigit() or len(digits) != 14:
        raise InvalidIdentifier(_l("Le N° de décision compte 14 chiffres : code de l'office (3), "
                                   "année (4) et numéro de dossier (7)."))
    if digits[:3] != office_code:
        raise InvalidIdentifier(_l(
            "Ce numéro de décision n'est pas de l'%(office)s (code %(code)s).",
            office=OFFICE_NAMES.get(office_code, "office"), code=office_code))
    year = int(digits[3:7])
    if not 1960 <= year <= date.today().year + 1:
        raise InvalidIdentifier(_l("L'année du N° de décision (%(year)s) n'est pas possible.",
                                   year=digits[3:7]))
    return digits


def format_decision_number(digits: str) -> str:
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}" if len(digits) == 14 else digits
