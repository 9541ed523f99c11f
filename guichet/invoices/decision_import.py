"""Importing the office's decisions (CSV): each line names an invoice type of the registry,
and, for the types that need them, the degree or the monthly amount the decision grants."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from guichet.core.identifiers import InvalidIdentifier, normalize_navs13, parse_register_date
from guichet.models import Decision
from guichet.models.base import db
from guichet.register.decision_numbers import parse_decision_number
from guichet.register.imports import ImportReport, add_or_update, decode_csv, read_csv

from .types import INVOICE_TYPES
from .types.api_minor import is_decision_degree

DECISION_COLUMNS = ("navs13", "numero_decision", "type_facture", "valable_du")


def _decision_values(row: dict) -> dict:
    """One CSV row of decisions as model values; raises InvalidIdentifier with the reason."""
    navs = normalize_navs13(row.get("navs13") or "")
    number = parse_decision_number(row.get("numero_decision") or "")
    invoice_type = (row.get("type_facture") or "").strip().lower()
    if invoice_type not in INVOICE_TYPES:
        raise InvalidIdentifier("type de facture inconnu (attendu : "
                                + ", ".join(INVOICE_TYPES) + ")")
    valid_from = parse_register_date((row.get("valable_du") or "").strip())
    valid_to_raw = (row.get("valable_au") or "").strip()
    valid_to = parse_register_date(valid_to_raw) if valid_to_raw else None
    if valid_to is not None and valid_to < valid_from:
        raise InvalidIdentifier("la fin de validité précède son début")
    degree = (row.get("degre") or "").strip().lower().replace(" ", "") or None
    if degree is not None and not is_decision_degree(degree):
        raise InvalidIdentifier("degré inconnu (attendu : faible, moyenne ou grave, suivi "
                                "au besoin du supplément pour soins intenses +4h, +6h "
                                "ou +8h)")
    amount_raw = (row.get("montant_mensuel") or "").strip().replace("'", "")
    try:
        monthly = Decimal(amount_raw).quantize(Decimal("0.01")) if amount_raw else None
    except InvalidOperation:
        raise InvalidIdentifier("montant mensuel illisible") from None
    if monthly is not None and (monthly < 0 or monthly >= Decimal("10000000")):
        raise InvalidIdentifier("montant mensuel impossible")
    return {"navs13": navs, "number": number, "invoice_type": invoice_type,
            "valid_from": valid_from, "valid_to": valid_to, "degree": degree,
            "monthly_amount": monthly}


def import_decisions(raw: bytes) -> ImportReport:
    """Adds or updates decisions by number; each bad line is listed with its reason."""
    text = decode_csv(raw)
    reader = read_csv(text, DECISION_COLUMNS)
    report = ImportReport()
    existing = {decision.number: decision for decision in db.session.scalars(select(Decision))}
    seen: set[str] = set()
    for line_number, row in enumerate(reader, start=2):
        try:
            values = _decision_values(row)
        except InvalidIdentifier as exc:
            report.errors.append((line_number, str(exc)))
            continue
        if values["number"] in seen:
            report.errors.append((line_number, "N° de décision en double dans le fichier"))
            continue
        seen.add(values["number"])
        add_or_update(report, existing.get(values["number"]), Decision, values)
    db.session.flush()
    return report
