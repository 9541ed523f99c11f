"""IBANs for payouts: Swiss or Liechtenstein, checked with schwifty, QR-IBANs refused."""
from __future__ import annotations

from dataclasses import dataclass

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from .i18n import lazy_gettext as _l
from .identifiers import InvalidIdentifier

QR_IID_RANGE = range(30000, 32000)


@dataclass(frozen=True)
class PayoutIban:
    compact: str
    bank_name: str | None


def parse_payout_iban(raw: str) -> PayoutIban:
    """The IBAN in compact form with its bank's name when known, or a French explanation."""
    text = "".join((raw or "").split()).upper().replace("-", "")
    if not text:
        raise InvalidIdentifier(_l("Indiquez l'IBAN."))
    if not text.startswith(("CH", "LI")):
        raise InvalidIdentifier(_l("Seuls les comptes en Suisse ou au Liechtenstein sont "
                                   "acceptés (IBAN commençant par CH ou LI)."))
    if len(text) != 21:
        raise InvalidIdentifier(_l("Un IBAN suisse compte 21 caractères, par exemple "
                                   "CH93 0076 2011 6238 5295 7."))
    try:
        iban = IBAN(text)
    except SchwiftyException:
        raise InvalidIdentifier(_l("Cet IBAN n'est pas valable : vérifiez les chiffres.")) from None
    if iban.bank_code.isdigit() and int(iban.bank_code) in QR_IID_RANGE:
        raise InvalidIdentifier(_l("Ceci est un QR-IBAN, réservé aux factures QR. Indiquez "
                                   "l'IBAN normal de votre compte."))
    return PayoutIban(iban.compact, iban.bank_name)


def mask_iban(compact: str) -> str:
    """``CH93 **** **** **** *295 7`` — enough to recognise the account, not to use it."""
    if len(compact) < 8:
        return "****"
    masked = compact[:4] + "*" * (len(compact) - 8) + compact[-4:]
    return " ".join(masked[i:i + 4] for i in range(0, len(masked), 4))
