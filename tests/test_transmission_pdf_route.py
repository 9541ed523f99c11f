"""The batch's PDF download (issue 10): written by ``guichet.invoices.transmission_pdf`` (another
part of the work) to a temporary file and sent from there, the same bytes at every download,
audited; until that module exists the batch page offers no PDF and the URL leads back to it."""
from __future__ import annotations

import io
import sys
import types
from datetime import date
from decimal import Decimal

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


@pytest.fixture
def fake_renderer(monkeypatch):
    """A stand-in for the real module: writes what it was given, as text."""
    calls = []
    module = types.ModuleType("guichet.invoices.transmission_pdf")

    def write_batch_pdf(out, batch_header, invoices):
        receipts = [invoice.receipt_number for invoice in invoices]
        calls.append(receipts)
        assert isinstance(batch_header.created_on, date)
        assert isinstance(batch_header.control_sum, Decimal)
        out.write(f"%PDF-fake {batch_header.number} {batch_header.count} "
                  f"{batch_header.control_sum} {' '.join(receipts)}".encode())
    module.write_batch_pdf = write_batch_pdf
    monkeypatch.setitem(sys.modules, "guichet.invoices.transmission_pdf", module)
    import guichet.invoices
    monkeypatch.setattr(guichet.invoices, "transmission_pdf", module, raising=False)
    return calls


def test_the_pdf_is_written_by_the_renderer_and_sent_as_a_file(batch, transmission_client,
                                                               fake_renderer):
    url = f"/gestion/lots/{batch.id}/lot.pdf"
    assert url in transmission_client.get(f"/gestion/lots/{batch.id}").get_data(as_text=True)
    response = transmission_client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"{batch.number}.pdf" in response.headers["Content-Disposition"]
    body = response.data.decode()
    assert body.startswith(f"%PDF-fake {batch.number} 2 174.70 NE-2026-")
    assert len(fake_renderer[0]) == 2
    assert transmission_client.get(url).data == response.data
    actions = db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.action == "batch_downloaded")).all()
    assert [detail["file"] for detail in actions] == ["pdf", "pdf"]


def test_without_the_renderer_the_url_leads_back_to_the_batch(batch, transmission_client,
                                                              monkeypatch):
    monkeypatch.setitem(sys.modules, "guichet.invoices.transmission_pdf", None)
    response = transmission_client.get(f"/gestion/lots/{batch.id}/lot.pdf")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/gestion/lots/{batch.id}"
    page = transmission_client.get(f"/gestion/lots/{batch.id}").get_data(as_text=True)
    assert "Le PDF du lot n&#39;est pas encore disponible." in page
    assert "lot.pdf" not in page


def test_the_real_pdf_holds_every_receipt_number(batch, transmission_client):
    pytest.importorskip("guichet.invoices.transmission_pdf")
    from pypdf import PdfReader
    response = transmission_client.get(f"/gestion/lots/{batch.id}/lot.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert batch.number in text
    from guichet.invoices import transmission
    for invoice in transmission.batch_invoices(batch):
        assert invoice.receipt_number in text
    assert transmission_client.get(f"/gestion/lots/{batch.id}/lot.pdf").data == response.data
