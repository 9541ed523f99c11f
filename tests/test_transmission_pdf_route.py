"""The batch's PDF download (issue 10): written by ``guichet.invoices.transmission_pdf`` (another
part of the work) to a temporary file and sent from there, the same bytes at every download,
audited."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from guichet.models import AuditEntry
from guichet.models.base import db
from tests.support.batches import build, validated


@pytest.fixture
def batch(app, factory):
    owner = factory.user(email="anna@example.ch")
    staff = factory.user(email="lots@example.ch", role="transmission")
    validated(owner, staff, 2, amount="87.35")
    return build(app, staff)


@pytest.fixture
def transmission_client(staff_login):
    return staff_login("transmission", "transmission@example.ch")


def test_the_real_pdf_holds_every_receipt_number(batch, transmission_client):
    from pypdf import PdfReader
    url = f"/gestion/lots/{batch.id}/lot.pdf"
    assert url in transmission_client.get(f"/gestion/lots/{batch.id}").get_data(as_text=True)
    response = transmission_client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"{batch.number}.pdf" in response.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert batch.number in text
    from guichet.invoices import transmission
    for invoice in transmission.batch_invoices(batch):
        assert invoice.receipt_number in text
    assert transmission_client.get(url).data == response.data
    actions = db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == "batch_downloaded")).all()
    assert [detail["file"] for detail in actions] == ["pdf", "pdf"]


def test_each_invoice_of_the_batch_has_its_own_pdf(app, factory, batch, transmission_client):
    """The ZAS takes no collective invoices: each invoice's PDF alone, linked from the batch
    page; an invoice of another batch (or of none) is not found there."""
    from pypdf import PdfReader

    from guichet.invoices import transmission
    invoices = transmission.batch_invoices(batch)
    page = transmission_client.get(f"/gestion/lots/{batch.id}").get_data(as_text=True)
    for invoice in invoices:
        url = f"/gestion/lots/{batch.id}/demandes/{invoice.id}.pdf"
        assert url in page
        response = transmission_client.get(url)
        assert response.status_code == 200
        assert f"{invoice.receipt_number}.pdf" in response.headers["Content-Disposition"]
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        assert invoice.receipt_number in text and "Visa de l'office AI" in text
        others = {other.receipt_number for other in invoices} - {invoice.receipt_number}
        assert not any(other in text for other in others)
    owner = factory.user(email="autre@example.ch")
    staff = factory.user(email="autre.lot@example.ch", role="transmission")
    outside = validated(owner, staff, 1)[0]
    assert transmission_client.get(
        f"/gestion/lots/{batch.id}/demandes/{outside.id}.pdf").status_code == 404
    files = db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == "batch_downloaded")).all()
    assert [detail["file"] for detail in files] == [
        f"pdf {invoice.receipt_number}" for invoice in invoices]
