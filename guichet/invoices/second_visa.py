"""When a validation needs a second gestionnaire's visa before it counts as « Validée »
(four eyes): a new IBAN, an approved total above ``SECOND_VISA_ABOVE``, or a random share
(``SECOND_VISA_SAMPLE``) of the others."""
from __future__ import annotations

import secrets
from decimal import Decimal

from flask import current_app

from guichet.core.i18n import lazy_gettext as _l
from guichet.models import Invoice

from .iban_check import new_iban_reason

NEW_IBAN = "new_iban"
ABOVE_AMOUNT = "above_amount"
SAMPLE = "sample"

VISA_REASONS = {
    NEW_IBAN: _l("IBAN nouveau (ajouté récemment ou jamais payé)"),
    ABOVE_AMOUNT: _l("Montant validé supérieur au seuil du second visa"),
    SAMPLE: _l("Contrôle par sondage"),
}

_SAMPLE_SCALE = 1_000_000


def visa_reasons(invoice: Invoice, total_approved: Decimal) -> list[str]:
    """The keys of :data:`VISA_REASONS` that apply to this validation (empty: none needed).
    The random share is drawn only when no other reason applies."""
    config = current_app.config
    reasons = []
    if new_iban_reason(invoice) is not None:
        reasons.append(NEW_IBAN)
    if total_approved > Decimal(str(config["SECOND_VISA_ABOVE"])):
        reasons.append(ABOVE_AMOUNT)
    if not reasons and secrets.randbelow(_SAMPLE_SCALE) < float(
            config["SECOND_VISA_SAMPLE"]) * _SAMPLE_SCALE:
        reasons.append(SAMPLE)
    return reasons


def visa_reason_labels(keys: list[str]) -> list[str]:
    return [str(VISA_REASONS.get(key, key)) for key in keys]
