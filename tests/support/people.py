"""Around the person's file and the audit's « whose data »: a sent invoice of the person logged
in on a client, the file's address, and the whole audit log's details as one text to scan."""
from __future__ import annotations

import json

from sqlalchemy import select

from guichet.models import AuditEntry, Invoice
from guichet.models.base import db
from tests.support.invoices import complete_standard, post_form, send


def sent_invoice(client, beneficiary=None, amount: str = "87.35") -> Invoice:
    """A standard invoice sent by the person of ``client`` (for ``beneficiary``, else the
    holder)."""
    invoice_id = complete_standard(client, amount=amount)
    if beneficiary is not None:
        response = post_form(client, invoice_id, {"beneficiary_id": str(beneficiary.id)},
                             action="save")
        assert response.status_code == 303
    send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert beneficiary is None or invoice.beneficiary_id == beneficiary.id
    return invoice


def person_url(user) -> str:
    return f"/gestion/personnes/{user.id}"


def audit_details() -> str:
    """Every audit entry (action, object, detail) as one JSON text."""
    db.session.expire_all()
    return json.dumps([[entry.action, entry.object_type, entry.object_id, entry.detail]
                       for entry in db.session.scalars(select(AuditEntry))], ensure_ascii=False)
