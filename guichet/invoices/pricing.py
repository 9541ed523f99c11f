"""An invoice's amounts, errors and pièces, computed from what was typed and the dated rates.

``evaluate(invoice, strict=False)`` is used while editing: it reports only what is wrong in what
was typed. ``strict=True`` (review and sending) also reports what is missing.
"""
from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from guichet.core.identifiers import InvalidIdentifier
from guichet.core.money import format_chf
from guichet.models import BankAccount, Beneficiary, Decision, Invoice
from guichet.models.base import db
from guichet.models.invoices import STATUS_DRAFT, STATUS_REJECTED
from guichet.register.decision_numbers import parse_decision_number

from . import computations as calc
from .catalog import DATE, MONTH, invoice_type
from .parsing import read_values
from .rates import DatabaseRateBook, MissingRate
from .requirements import Requirement, requirements_for

ZERO = Decimal("0.00")


@dataclass
class Evaluation:
    header_errors: dict[str, str] = field(default_factory=dict)
    line_errors: list[dict[str, str]] = field(default_factory=list)
    priced_lines: list = field(default_factory=list)  # computations.LineResult
    total: Decimal = ZERO
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    decision: Decision | None = None

    @property
    def has_errors(self) -> bool:
        return bool(self.header_errors) or any(self.line_errors)


def evaluate(invoice: Invoice, *, strict: bool = False, rates=None) -> Evaluation:
    rates = rates or DatabaseRateBook()
    spec = invoice_type(invoice.invoice_type)
    result = Evaluation(line_errors=[{} for _line in invoice.lines])
    raw = invoice.fields or {}
    header, result.header_errors = read_values(spec.fields, raw)
    lines = []
    for index, line in enumerate(invoice.lines):
        values, errors = read_values(spec.line_fields, line.data or {})
        lines.append(values)
        result.line_errors[index].update(errors)
    _check_common(invoice, result, strict)
    if result.decision is not None:
        _check_decision_period(spec, result, header, lines)
    pricer = _PRICERS[invoice.invoice_type]
    try:
        pricer(invoice, header, lines, result, rates, strict)
    except MissingRate as exc:
        result.notes.append(str(exc))
    if strict:
        _check_missing(spec, invoice, result)
        _check_pieces(invoice, result)
    return result


# --- Common header ----------------------------------------------------------------------------

def _check_common(invoice: Invoice, result: Evaluation, strict: bool) -> None:
    raw = invoice.fields or {}
    beneficiary = _owned(Beneficiary, raw.get("beneficiary_id"), invoice.user_id)
    if beneficiary is None and (strict or raw.get("beneficiary_id")):
        result.header_errors["beneficiary_id"] = _("Choisissez le ou la bénéficiaire.")
    account = _owned(BankAccount, raw.get("bank_account_id"), invoice.user_id)
    if account is not None and (account.confirmed_at is None or account.removed_at):
        account = None
    if account is None and (strict or raw.get("bank_account_id")):
        result.header_errors["bank_account_id"] = _(
            "Choisissez l'IBAN sur lequel verser le remboursement.")
    number = (invoice.fields or {}).get("decision_number") or invoice.decision_number or ""
    if not number:
        if strict:
            result.header_errors["decision_number"] = _(
                "Indiquez le N° de décision : sans lui, la facture ne peut pas être payée.")
        return
    try:
        digits = parse_decision_number(number)
    except InvalidIdentifier as exc:
        result.header_errors["decision_number"] = str(exc)
        return
    if beneficiary is None:
        return
    listed = list(db.session.scalars(select(Decision).where(
        Decision.navs13 == beneficiary.navs13)))
    if not listed:
        return
    decision = next((d for d in listed if d.number == digits), None)
    if decision is None:
        result.header_errors["decision_number"] = _(
            "Ce N° de décision ne correspond à aucune décision de %(name)s. Vérifiez-le sur la "
            "décision reçue de l'office.", name=beneficiary.display_name)
    elif decision.invoice_type != invoice.invoice_type:
        result.header_errors["decision_number"] = _(
            "Cette décision ne couvre pas ce type de facture : choisissez la décision qui "
            "concerne « %(type)s ».", type=invoice_type(invoice.invoice_type).label)
    else:
        result.decision = decision


MAX_ROW_ID = 2**31 - 1


def row_id(raw) -> int | None:
    """A row id from what a form sent, or ``None`` (not ASCII digits, or beyond any id)."""
    text = str(raw or "")
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None


def owned_row(model, raw_id, user_id, *, active: bool = True):
    """The row of ``model`` with that id if it belongs to ``user_id`` (and, with ``active``,
    is not removed); else ``None``."""
    found = row_id(raw_id)
    row = db.session.get(model, found) if found is not None else None
    if row is None or row.user_id != user_id or active and getattr(row, "removed_at", None):
        return None
    return row


def _check_decision_period(spec, result: Evaluation, header: dict, lines: list[dict]) -> None:
    """Every cost must fall within the decision's validity (a month: at least partly)."""
    decision = result.decision
    periods = []
    for field_spec, values in [(f, header) for f in spec.fields] + [
            (f, values) for values in lines for f in spec.line_fields]:
        day = values.get(field_spec.name)
        if field_spec.kind == DATE and day and field_spec.name != "device_purchase_date" \
                and field_spec.name != "previous_device_date":
            periods.append((day, day))
        elif field_spec.kind == MONTH and day:
            periods.append((day, day.replace(day=monthrange(day.year, day.month)[1])))
    outside = sorted(start for start, end in periods
                     if not (decision.covers(start) or decision.covers(end)))
    if outside:
        result.header_errors.setdefault("decision_number", _(
            "Cette décision n'était pas valable le %(day)s : elle couvre les frais du %(start)s "
            "%(end)s. Vérifiez le numéro ou la date.", day=outside[0].strftime("%d.%m.%Y"),
            start=decision.valid_from.strftime("%d.%m.%Y"),
            end=_("au %(date)s", date=decision.valid_to.strftime("%d.%m.%Y"))
            if decision.valid_to else _("sans date de fin")))


def _owned(model, raw_id, user_id):
    return owned_row(model, raw_id, user_id)


def _check_missing(spec, invoice: Invoice, result: Evaluation) -> None:
    raw = invoice.fields or {}
    for field_spec in spec.fields:
        if (not field_spec.optional and field_spec.visible(raw)
                and not (raw.get(field_spec.name) or "").strip()):
            result.header_errors.setdefault(field_spec.name, _("Ce champ est obligatoire."))
    if spec.has_lines and not invoice.lines:
        result.header_errors.setdefault("lines", _("Ajoutez au moins une ligne."))
    for index, line in enumerate(invoice.lines):
        data = line.data or {}
        for field_spec in spec.line_fields:
            if (not field_spec.optional and field_spec.visible(data)
                    and not (data.get(field_spec.name) or "").strip()):
                result.line_errors[index].setdefault(field_spec.name,
                                                     _("Ce champ est obligatoire."))


def _check_pieces(invoice: Invoice, result: Evaluation) -> None:
    present = {attachment.requirement for attachment in invoice.attachments}
    missing = [r for r in result.requirements if r.required and r.key not in present]
    for requirement in missing:
        result.header_errors.setdefault(
            f"piece-{requirement.key}",
            _("Pièce manquante : %(label)s.", label=requirement.label))


def _keep(errors: dict[str, str], values: dict, strict: bool) -> dict[str, str]:
    """While editing, only errors about what was typed; when checking, all of them."""
    return dict(errors) if strict else {k: v for k, v in errors.items() if k in values}


# --- One pricer per type ----------------------------------------------------------------------

def _price_travel(invoice, header, lines, result, rates, strict):
    trips = []
    for index, values in enumerate(lines):
        trip = calc.TripLine(
            date=values.get("date"), depart=values.get("depart", ""),
            destination=values.get("destination", ""), motif=values.get("motif", ""),
            transport=values.get("transport", ""), fare=values.get("fare"), km=values.get("km"),
            departure_time=values.get("departure_time"), return_time=values.get("return_time"),
            nights=values.get("nights", 0), companion=values.get("companion", False))
        errors = _keep(calc.validate_trip(trip), values, strict)
        errors.update(result.line_errors[index])
        result.line_errors[index] = errors
        if not errors and trip.date and trip.transport:
            try:
                result.priced_lines.append(calc.compute_trip(trip, rates=rates))
                trips.append(trip)
            except calc.InvalidClaim:
                pass
        elif trip.transport and trip.date:
            trips.append(trip)
    vehicle_known = all(values.get("vehicle_required") for values in lines
                        if values.get("transport") in ("car", "taxi"))
    result.requirements = requirements_for("deplacement", trips=trips,
                                           decision_mentions_vehicle=vehicle_known and any(
                                               v.get("transport") in ("car", "taxi")
                                               for v in lines))
    result.total = _sum(result.priced_lines)


def _price_standard(invoice, header, lines, result, rates, strict):
    for index, values in enumerate(lines):
        line = calc.StandardLine(date=values.get("date"), label=values.get("label", ""),
                                 quantity=values.get("quantity"),
                                 unit_price=values.get("unit_price"))
        errors = _keep(calc.validate_standard_line(line), values, strict)
        errors.update(result.line_errors[index])
        result.line_errors[index] = errors
        if not errors and line.date and line.quantity is not None and line.unit_price is not None:
            result.priced_lines.extend(calc.compute_standard([line]).lines)
    result.requirements = requirements_for("standard")
    result.total = _sum(result.priced_lines)


def _price_assistance(invoice, header, lines, result, rates, strict):
    assistants = []
    for index, values in enumerate(lines):
        assistant = calc.AssistantLine(
            name=values.get("name", ""), ordinary_hours=values.get("ordinary_hours", Decimal(0)),
            qualified_hours=values.get("qualified_hours", Decimal(0)),
            nights=values.get("nights", 0), gross_salary=values.get("gross_salary"),
            sick_days_paid=values.get("sick_days_paid", 0))
        errors = _keep(calc.validate_assistant(assistant), values, strict)
        errors.update(result.line_errors[index])
        result.line_errors[index] = errors
        if not errors and assistant.name:
            assistants.append(assistant)
    result.requirements = requirements_for("assistance", assistants=assistants)
    month = header.get("month")
    monthly = (result.decision.monthly_amount if result.decision is not None
               and result.decision.monthly_amount is not None else header.get("monthly_amount"))
    if month is None or not assistants:
        return
    if monthly is None:
        if strict:
            result.header_errors.setdefault("monthly_amount", _(
                "Indiquez le montant mensuel de votre décision."))
        return
    computed = calc.compute_assistance(
        month, assistants, monthly_amount=monthly, rates=rates,
        previous_payable=_previous_assistance(invoice, month),
        eleven_months=bool(header.get("eleven_months")))
    result.priced_lines = list(computed.lines)
    result.total = computed.payable
    if computed.cap_applied:
        result.notes.append(_("Montant demandé %(claimed)s, plafonné à %(payable)s.",
                              claimed=format_chf(computed.total),
                              payable=format_chf(computed.payable)))
    result.notes.append(_("Il reste %(month)s pour ce mois et %(year)s pour l'année.",
                          month=format_chf(computed.remaining_month),
                          year=format_chf(computed.remaining_year)))


def _previous_assistance(invoice: Invoice, month: date) -> list[tuple[date, Decimal]]:
    """What earlier assistance invoices of the same person ask for the same year."""
    beneficiary_id = (invoice.fields or {}).get("beneficiary_id")
    others = db.session.scalars(select(Invoice).where(
        Invoice.user_id == invoice.user_id, Invoice.invoice_type == "assistance",
        Invoice.id != invoice.id, Invoice.status.not_in((STATUS_DRAFT, STATUS_REJECTED))))
    found = []
    for other in others:
        if (other.fields or {}).get("beneficiary_id") != beneficiary_id:
            continue
        values, _errors = read_values(invoice_type("assistance").fields, other.fields or {})
        other_month = values.get("month")
        if other_month and other_month.year == month.year and other_month != month:
            found.append((other_month, other.total_approved if other.total_approved is not None
                          else other.total_claimed))
    return found


def _price_api(invoice, header, lines, result, rates, strict):
    month = header.get("month")
    days = {index + 1: values.get("place", "home") for index, values in enumerate(lines)}
    result.requirements = requirements_for("api_mineur", days=days)
    degree, supplement = header.get("degree"), header.get("supplement")
    if result.decision is not None and result.decision.degree:
        degree, _sep, decided = result.decision.degree.partition("+")
        supplement = decided or None
    supplement = None if supplement in (None, "", "aucun") else supplement
    if month is None:
        return
    if not degree:
        if strict:
            result.header_errors.setdefault("degree", _(
                "Indiquez le degré d'impotence de la décision."))
        return
    errors = calc.validate_api_mineur(month, days, degree, supplement)
    if errors:
        target = "month" if "month" in errors else "days"
        result.header_errors.setdefault(target if target == "month" else "lines",
                                        errors.get("month") or errors.get("days"))
        if "month" in errors or not strict and "days" in errors:
            return
    try:
        computed = calc.compute_api_mineur(month, days, degree, supplement, rates=rates)
    except calc.InvalidClaim as exc:
        result.header_errors.setdefault("lines", " ".join(exc.errors.values()))
        return
    result.priced_lines = list(computed.lines)
    result.total = computed.total


def _price_aids(invoice, header, lines, result, rates, strict):
    kind = header.get("kind")
    result.requirements = requirements_for("moyens_auxiliaires", aid_kind=kind)
    if not kind:
        return
    claim = calc.AidClaim(
        kind=kind, cost_date=header.get("invoice_date"), devices=header.get("devices", 1),
        device_purchase_date=header.get("device_purchase_date"),
        supplier_amount=header.get("supplier_amount"),
        previous_device_claim_date=_previous_device(invoice, header),
        description=header.get("description", ""))
    errors = _keep(calc.validate_aid(claim), header, strict)
    for name, message in errors.items():
        result.header_errors.setdefault(name if name != "cost_date" else "invoice_date", message)
    if errors or claim.cost_date is None:
        return
    computed = calc.compute_aid(claim, rates=rates)
    result.priced_lines = list(computed.lines)
    result.total = computed.total
    if computed.six_year_rule:
        result.flags.append("six_year_rule")
        result.notes.append(_("Moins de 6 ans depuis le précédent appareil : l'office "
                              "vérifiera si un nouvel appareil peut être remboursé."))


def _previous_device(invoice: Invoice, header: dict) -> date | None:
    typed = header.get("previous_device_date")
    beneficiary_id = (invoice.fields or {}).get("beneficiary_id")
    dates = [typed] if typed else []
    for other in db.session.scalars(select(Invoice).where(
            Invoice.user_id == invoice.user_id, Invoice.invoice_type == "moyens_auxiliaires",
            Invoice.id != invoice.id, Invoice.status.not_in((STATUS_DRAFT, STATUS_REJECTED)))):
        fields = other.fields or {}
        if fields.get("beneficiary_id") == beneficiary_id and fields.get("kind") in (
                "une_oreille", "deux_oreilles"):
            values, _errors = read_values(invoice_type("moyens_auxiliaires").fields, fields)
            if values.get("invoice_date"):
                dates.append(values["invoice_date"])
    return max(dates) if dates else None


def _sum(lines) -> Decimal:
    return sum((line.amount for line in lines), ZERO)


_PRICERS = {"deplacement": _price_travel, "standard": _price_standard,
            "assistance": _price_assistance, "api_mineur": _price_api,
            "moyens_auxiliaires": _price_aids}


def sync_month_days(invoice: Invoice) -> None:
    """API mineur: one line per day of the chosen month (à la maison by default)."""
    from guichet.models import InvoiceLine
    values, _errors = read_values(invoice_type("api_mineur").fields, invoice.fields or {})
    month = values.get("month")
    wanted = monthrange(month.year, month.month)[1] if month else 0
    while len(invoice.lines) < wanted:
        invoice.lines.append(InvoiceLine(position=len(invoice.lines), data={"place": "home"}))
    del invoice.lines[wanted:]
