"""N° de décision: office code (3 digits) + year (4) + case (7). The CdC refuses an invoice
without one, so it is checked on the server and explained in plain French."""
from __future__ import annotations

import re
from datetime import date

from flask import current_app, has_app_context

from guichet.core.i18n import gettext as _
from guichet.core.i18n import today_in_zurich
from guichet.core.identifiers import InvalidIdentifier

OFFICE_CANTONS = {"324": "Neuchâtel", "322": "Vaud", "325": "Genève", "310": "Fribourg",
                  "323": "Valais", "350": "Jura"}
FIRST_DECISION_YEAR = 1960  # the federal disability insurance began on 1 January 1960
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f\u2010-\u2015/]+")


def parse_decision_number(raw: str | None, office_code: str | None = None,
                          today: date | None = None) -> str:
    """The 14 digits of a decision of this office, typed with or without spaces, dots or
    dashes; raises InvalidIdentifier with a French explanation."""
    if office_code is None:
        office_code = current_app.config["OFFICE_CODE"] if has_app_context() else "324"
    text = (raw or "").strip()
    if not text:
        raise InvalidIdentifier(_("Indiquez le numéro de décision."))
    digits = _SEPARATORS.sub("", text)
    if not re.fullmatch(r"[0-9]+", digits):
        raise InvalidIdentifier(_("Le numéro de décision ne contient que des chiffres (les "
                                  "espaces, points et tirets sont acceptés)."))
    if len(digits) != 14:
        raise InvalidIdentifier(_(
            "Le numéro de décision compte 14 chiffres : le code de l'office (3), l'année (4) et "
            "le numéro de dossier (7). Vous en avez saisi %(count)s.", count=len(digits)))
    if digits[:3] != office_code:
        canton = OFFICE_CANTONS.get(office_code)
        if canton:
            message = _("Ce numéro de décision n'est pas de l'Office AI du canton de "
                        "%(canton)s (code %(code)s).", canton=canton, code=office_code)
        else:
            message = _("Ce numéro de décision n'est pas de notre Office AI (code %(code)s).",
                        code=office_code)
        raise InvalidIdentifier(message)
    year = int(digits[3:7])
    today = today or today_in_zurich()
    if not FIRST_DECISION_YEAR <= year <= today.year:
        raise InvalidIdentifier(_(
            "L'année de ce numéro de décision (%(year)s) n'est pas plausible : les chiffres 4 à "
            "7 donnent l'année de la décision. Vérifiez le numéro sur votre décision.",
            year=year))
    return digits
