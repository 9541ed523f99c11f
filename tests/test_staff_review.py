"""The gestionnaire's review screen (issue 9, part 2): the invoice's shared view with the
person, the beneficiary and the IBAN in full (here only, audited), the decision as the register
has it, the history with the gestionnaires' names, complements and decisions so far, staff-only
notes, and the pièces beside the lines — images inline, PDFs as pages drawn on the server, the
original to download — every view and download audited with whose data it was."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from guichet.core.unit_of_work import unit_of_work
from guichet.invoices import review
from guichet.models import Attachment, AuditEntry, Invoice, StaffNote
from guichet.models.base import db
from tests.support.databases import count
from tests.support.files import pdf_bytes, pdf_garbage, png_bytes
from tests.support.invoices import (IBAN, MOTIF, complete_standard, new_invoice, post_form, send,
                                    take_and_ask_complement)
from tests.support.page import page_text


def sent_invoice(client, **options) -> Invoice:
    invoice_id = complete_standard(client, **options)
    send(client, invoice_id)
    return db.session.get(Invoice, invoice_id)


def test_smoke(ready, staff_client):
    invoice = sent_invoice(ready)
    response = staff_client.get(f"/gestion/demandes/{invoice.id}")
    print(page_text(response))
    print(response.get_data(as_text=True)[-6000:])
    assert response.status_code == 200
