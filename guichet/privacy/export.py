"""« Exporter mes données » (nLPD art. 25 and 28): everything the account holds, as JSON."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from guichet.models import BankAccount, Beneficiary, ComplementRequest, Invoice, User
from guichet.models.base import db


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj, names) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def export_user_data(user: User) -> dict:
    """The account, its beneficiaries, IBANs and invoices (lines, pièces, history)."""
    account = _row(user, ["email", "phone", "civilite", "nom", "prenom", "date_naissance",
                          "navs13", "rue", "npa", "localite", "pays", "created_at",
                          "email_confirmed_at", "phone_confirmed_at"])
    beneficiaries = [
        {**_row(person, ["navs13", "nom", "prenom", "date_naissance", "relation",
                         "created_at", "removed_at"]),
         "decisions": [_row(saved, ["number", "description", "created_at"])
                       for saved in person.decisions]}
        for person in db.session.scalars(select(Beneficiary).where(
            Beneficiary.user_id == user.id).order_by(Beneficiary.id))]
    ibans = [_row(account_row, ["iban", "holder", "bank_name", "created_at", "confirmed_at",
                                "removed_at"])
             for account_row in db.session.scalars(select(BankAccount).where(
                 BankAccount.user_id == user.id).order_by(BankAccount.id))]
    invoices = []
    for invoice in db.session.scalars(select(Invoice).where(Invoice.user_id == user.id)
                                      .order_by(Invoice.id)):
        complements = db.session.scalars(select(ComplementRequest).where(
            ComplementRequest.invoice_id == invoice.id).order_by(ComplementRequest.id))
        invoices.append({
            **_row(invoice, ["receipt_number", "invoice_type", "status", "decision_number",
                             "iban", "fields", "remark", "total_claimed", "total_approved",
                             "created_at", "submitted_at", "updated_at"]),
            "lines": [_row(line, ["position", "data", "amount", "approved_amount",
                                  "approval_reason"]) for line in invoice.lines],
            "pieces": [_row(piece, ["requirement", "filename", "content_type", "size", "sha256",
                                    "uploaded_at"]) for piece in invoice.attachments],
            "history": [_row(event, ["at", "by_office", "status_from", "status_to", "message"])
                        for event in invoice.events],
            "complements": [_row(c, ["message", "documents", "due_date", "created_at", "answer",
                                     "answered_at"]) for c in complements],
        })
    return {"exported_at": _plain(datetime.now().astimezone()), "account": account,
            "beneficiaries": beneficiaries, "ibans": ibans, "invoices": invoices}
