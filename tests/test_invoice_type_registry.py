"""The invoice types come from one registry: a new type is one module, listed there."""
from __future__ import annotations

import re
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

import guichet
from guichet.invoices.decision_import import import_decisions
from guichet.invoices.rate_book import RateRow
from guichet.invoices.rates import DatabaseRateBook, seed_default_rates
from guichet.invoices.types import INVOICE_TYPES, default_rates
from guichet.invoices.types.amounts import LineResult, flat_charge
from guichet.invoices.types.base import INTEGER, FieldSpec, InvoiceType, Requirement
from guichet.models import BankAccount, Beneficiary, Decision, Invoice, utcnow
from guichet.models.base import db
from tests.support.page import page_text

GUICHET = Path(guichet.__file__).parent
TEMPLATES = GUICHET.parent / "templates"


def test_only_its_own_module_names_a_type_key():
    """Models, imports, demo data, CLI and templates take the keys from the registry."""
    keys = "|".join(re.escape(key) for key in INVOICE_TYPES)
    quoted = re.compile(rf"""["']({keys})[."']""")
    owner = {kind.key: Path(sys.modules[kind.price.__module__].__file__)
             for kind in INVOICE_TYPES.values()}
    found = []
    for path in [*GUICHET.rglob("*.py"), *TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")]:
        for match in quoted.finditer(path.read_text(encoding="utf-8")):
            if path != owner[match[1]]:
                found.append(f"{path.relative_to(GUICHET.parent)}: {match[0]}")
    assert found == []


def test_every_type_declares_its_own_rates():
    prefixes = {row.key.partition(".")[0] for row in default_rates()}
    assert prefixes <= set(INVOICE_TYPES)
    for kind in INVOICE_TYPES.values():
        assert all(row.key.startswith(f"{kind.key}.") for row in kind.rates), kind.key


# --- A sixth type -----------------------------------------------------------------------------

PARKING_RATE = "parking.jour"


def _price_parking(claim):
    days = claim.header.get("days")
    claim.result.requirements = [Requirement("parking_receipt", "Quittance du parking",
                                             "Le forfait se fonde sur la quittance.")]
    if days:
        line = LineResult.of(("Parking",), [flat_charge("Jours", days, PARKING_RATE,
                                                        date(2025, 3, 1), claim.rates)])
        claim.result.priced_lines = [line]
        claim.result.total = line.amount


PARKING = InvoiceType(
    key="parking", label="Frais de parking", description="Les jours de parking à l'hôpital.",
    price=_price_parking,
    rates=(RateRow.for_period(PARKING_RATE, (date(2025, 1, 1), None), "7.50",
                              "Parking, par jour", "Exemple"),),
    fields=(FieldSpec("days", "Nombre de jours", INTEGER),))


def test_a_sixth_type_needs_only_its_module_and_the_registry(logged_in, monkeypatch):
    monkeypatch.setitem(INVOICE_TYPES, PARKING.key, PARKING)
    client, user = logged_in, logged_in.user
    # Its rates are seeded with the others', its key is accepted in the decisions file.
    assert seed_default_rates(db.session) == 1
    assert DatabaseRateBook().amount(PARKING_RATE, date(2025, 3, 1)) == Decimal("7.50")
    report = import_decisions(f"navs13,numero_decision,type_facture,valable_du\n"
                              f"{user.navs13},32420250000077,parking,2025-01-01\n".encode())
    assert report.created == 1 and report.errors == []
    assert db.session.scalar(select(Decision.invoice_type)) == "parking"
    db.session.add(BankAccount(user_id=user.id, iban="CH5604835012345678009", holder="Anna",
                               bank_name="UBS", confirmed_at=utcnow()))
    db.session.commit()

    # It is offered, its form asks its field, its price and pièces are shown.
    assert "Frais de parking" in page_text(client.get("/demandes/"))
    response = client.post("/demandes/nouvelle", data={"type": "parking"})
    assert response.status_code == 303
    invoice = db.session.scalar(select(Invoice))
    assert invoice.invoice_type == "parking"
    assert "Nombre de jours" in page_text(client.get(f"/demandes/{invoice.id}/modifier"))
    beneficiary = db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == user.id))
    account = db.session.scalar(select(BankAccount))
    response = client.post(f"/demandes/{invoice.id}/modifier", data={
        "beneficiary_id": str(beneficiary.id), "bank_account_id": str(account.id),
        "decision_number": "324 2025 0000077", "days": "3", "remark": "", "action": "save"})
    assert response.status_code == 303
    page = page_text(client.get(f"/demandes/{invoice.id}/modifier"))
    assert "22.50 CHF" in page and "Quittance du parking" in page
    assert db.session.get(Invoice, invoice.id).total_claimed == Decimal("22.50")
