"""Whether the IBAN an invoice is paid to is new: a fraud signal the office looks at (a flag)
and that asks for a second visa on validation."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from guichet.core.i18n import gettext as _
from guichet.models import BankAccount, Invoice
from guichet.models.base import db
from guichet.models.invoices import STATUS_PAID


def new_iban_reason(invoice: Invoice) -> str | None:
    """Why the invoice's IBAN counts as new, in French, or ``None``: it was added (or
    confirmed) less than ``NEW_IBAN_DAYS`` before the invoice was sent, or nothing was ever
    paid to it."""
    if not invoice.iban:
        return None
    days = current_app.config["NEW_IBAN_DAYS"]
    account = db.session.get(BankAccount, invoice.bank_account_id) if invoice.bank_account_id \
        else None
    sent = invoice.submitted_at
    added = account.confirmed_at or account.created_at if account is not None else None
    if added is not None and sent is not None and sent - added < timedelta(days=days):
        return _("IBAN ajouté le %(date)s, moins de %(days)s jours avant l'envoi.",
                 date=f"{added:%d.%m.%Y}", days=days)
    paid_before = db.session.scalar(select(Invoice.id).where(
        Invoice.iban == invoice.iban, Invoice.status == STATUS_PAID,
        Invoice.id != invoice.id).limit(1))
    if paid_before is None:
        return _("Aucun paiement n'a encore été fait sur cet IBAN.")
    return None
