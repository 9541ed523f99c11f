"""How values read on pages, in e-mails and in PDFs: sizes, accounts (the money formatter is in
``money``, identifiers in ``identifiers`` and ``iban``)."""
from __future__ import annotations

from .i18n import gettext as _
from .iban import mask_iban

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
