"""The batch's CSV list (issue 10): UTF-8 with BOM, ``;``, a header, one row per invoice from
its frozen copy and its standing decision, a control-sum row; cells that a spreadsheet would
run as a formula neutralised; the same bytes at every download."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from guichet.core.i18n import local_date
from guichet.invoices import batch_list
from guichet.models import AuditEntry, Invoice, ReviewDecision
from guichet.models.base import db
from tests.support.batches import build, validated, validated_through_the_pages


@pytest.fixture
def gestionnaire(factory):
    return factory.user(email="lots@example.ch", role="transmission")


def rows_of(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize("value, shown", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+41", "'+41"), ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Anna", "Anna"),
    ("", ""), (None, "")])
def test_cells_that_would_run_as_formulas_are_neutralised(value, shown):
    assert batch_list.neutralise(value) == shown


def test_the_list_holds_one_row_per_invoice_then_the_control_sum(app, ready, staff_login,
                                                                 gestionnaire):
    client = staff_login("transmission", "transmission@example.ch")
    invoice = validated_through_the_pages(app, ready, gestionnaire, amount="87.35")
    batch = build(app, gestionnaire)
    response = client.get(f"/gestion/lots/{batch.id}/liste.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f'filename="{batch.number}.csv"' in response.headers["Content-Disposition"]
    header, row, control = rows_of(response.data)
    assert header == ["Lot", "N° de reçu", "N° AVS", "Nom", "Prénom", "Bénéficiaire",
                      "N° de décision", "Type de demande", "IBAN", "Titulaire du compte",
                      "Montant validé", "Date du visa"]
    user = ready.user
    navs = f"{user.navs13[:3]}.{user.navs13[3:7]}.{user.navs13[7:11]}.{user.navs13[11:]}"
    decision = db.session.scalar(select(ReviewDecision).where(
        ReviewDecision.invoice_id == invoice.id))
    assert row[:5] == [batch.number, invoice.receipt_number, navs, user.nom, user.prenom]
    assert navs in row[5]
    assert row[6] == "32420250000005"
    assert row[7] and row[7] != "standard"  # the type's French label
    assert row[8:] == ["CH5604835012345678009", "Anna Muster", "87.35",
                       local_date(decision.decided_at)]
    assert control[:3] == [batch.number, "Somme de contrôle", "1 demandes"]
    assert control[10] == "87.35"
    assert client.get(f"/gestion/lots/{batch.id}/liste.csv").data == response.data
    downloads = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "batch_downloaded")).all()
    assert len(downloads) == 2 and all(entry.detail["file"] == "csv" for entry in downloads)
    assert user.navs13 not in str([entry.detail for entry in downloads])


def test_names_that_look_like_formulas_are_neutralised_in_the_list(app, factory, gestionnaire):
    owner = factory.user(email="formula@example.ch", nom="=cmd|' /C calc'!A0", prenom="@Léa")
    validated(owner, gestionnaire, 2, amount="1234.50", holder="+Holder")
    batch = build(app, gestionnaire)
    _header, first, second, control = rows_of(batch_list.batch_list_bytes(batch))
    assert first[3] == "'=cmd|' /C calc'!A0" and first[4] == "'@Léa"
    assert first[9] == "'+Holder"
    assert first[10] == second[10] == "1234.50"
    assert control[10] == "2469.00" and control[2] == "2 demandes"


def test_the_list_follows_the_frozen_copy_not_the_live_account(app, factory, gestionnaire):
    owner = factory.user(email="moved@example.ch", nom="Avant")
    validated(owner, gestionnaire, 1)
    batch = build(app, gestionnaire)
    before = batch_list.batch_list_bytes(batch)
    owner.nom = "Après"
    db.session.commit()
    assert batch_list.batch_list_bytes(batch) == before
    assert "Avant" in before.decode("utf-8-sig")
    assert db.session.scalar(select(Invoice.batch_id)) == batch.id
