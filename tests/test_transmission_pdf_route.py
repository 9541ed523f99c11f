"""The batch's PDF download (issue 10): written by ``guichet.invoices.transmission_pdf`` (another
part of the work) to a temporary file and sent from there, the same bytes at every download,
audited."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from guichet.models import AuditEntry, ReviewDecision
from guichet.models.base import db
from tests.support.batches import build, validated, validated_through_the_pages


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


def test_later_changes_to_the_records_leave_the_batch_pdf_as_it_was(app, factory, ready,
                                                                      transmission_client):
    """After the batch was built, the creditor's NIF is recorded (the payment gives it), the
    gestionnaire's name changes and the reduction's reason is renamed: the batch's PDF stays
    byte for byte what it was; a batch built later prints the NIF."""
    from pypdf import PdfReader

    from guichet.models import RefusalReason, User
    owner = ready.user
    staff = factory.user(email="lots.nif@example.ch", role="transmission", prenom="Claire",
                         nom="Lot")
    first = validated_through_the_pages(app, ready, staff)
    decision = db.session.scalar(select(ReviewDecision).where(
        ReviewDecision.invoice_id == first.id))
    reason = db.session.scalar(select(RefusalReason).where(RefusalReason.kind == "reduction"))
    decision.line_amounts = [{**decision.line_amounts[0], "approved": "80.00",
                              "reason_code": reason.code, "reason": "Plafond"}]
    decision.total_approved = first.total_approved = Decimal("80.00")
    db.session.commit()
    batch = build(app, staff)
    url = f"/gestion/lots/{batch.id}/lot.pdf"
    before = transmission_client.get(url).data
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(
        io.BytesIO(before)).pages).split())  # a cell's text may wrap
    assert "Claire Lot" in text and reason.label in text and "premier paiement" in text

    db.session.get(User, owner.id).nif = "4567123"
    db.session.get(User, staff.id).nom = "Lot-Renommée"
    db.session.get(RefusalReason, reason.id).label = "Un tout autre libellé"
    db.session.commit()
    assert transmission_client.get(url).data == before

    later = build(app, staff, validated(owner, staff, 1))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(
        transmission_client.get(f"/gestion/lots/{later.id}/lot.pdf").data)).pages).split())
    assert "4567123" in text and "Claire Lot-Renommée" in text
