"""An invoice's amounts, errors and pièces: the checks every type shares, then its own.

``evaluate`` reads what was typed into typed values (by field kind), checks the common header
(beneficiary, IBAN, decision number, the decision's period), then hands a
:class:`~.types.base.Claim` to the invoice type's ``price``, which checks its own answers,
computes the amounts from the dated rates and names the pièces it asks for.

``evaluate(invoice, strict=False)`` is used while editing: it reports only what is wrong in what
was typed. ``strict=True`` (review and sending) also reports what is missing.
"""
from __future__ import annotations

from calendar import monthrange
from datetime import date

from sqlalchemy import select

from guichet.core.i18n import gettext as _
from guichet.core.identifiers import InvalidIdentifier
from guichet.models import BankAccount, Beneficiary, Decision, Invoice
from guichet.models.base import db
from guichet.models.invoices import STATUS_DRAFT, STATUS_REJECTED
from guichet.register.decision_numbers import parse_decision_number

from .parsing import read_values
from .rate_book import MissingRate
from .rates import DatabaseRateBook
from .types import invoice_type
from .types.base import DATE, MONTH, Claim, EarlierInvoice, Evaluation, InvoiceType


def evaluate(invoice: Invoice, *, strict: bool = False, rates=None) -> Evaluation:
    rates = rates or DatabaseRateBook()
    spec = invoice_type(invoice.invoice_type)
    raw, raw_lines = spec.stored_answers(invoice.fields, [line.data for line in invoice.lines])
    result = Evaluation(line_errors=[{} for _line in raw_lines])
    header, result.header_errors = read_values(spec.fields, raw)
    lines = []
    for index, data in enumerate(raw_lines):
        values, errors = read_values(spec.line_fields, data)
        lines.append(values)
        result.line_errors[index].update(errors)
    _check_common(invoice, result, strict)
    if result.decision is not None:
        _check_decision_period(spec, result, header, lines)
    claim = Claim(header=header, lines=lines, result=result, rates=rates, strict=strict,
                  earlier_invoices=lambda: _earlier_invoices(invoice, spec))
    try:
        spec.price(claim)
    except MissingRate as exc:
        result.notes.append(str(exc))
    if strict:
        _check_missing(spec, raw, raw_lines, result)
        _check_pieces(invoice, result)
    return result


def _earlier_invoices(invoice: Invoice, spec: InvoiceType) -> list[EarlierInvoice]:
    """The person's other invoices of the same type and beneficiary already sent (neither a
    draft nor refused): what caps and renewal rules compare with."""
    others = db.session.scalars(select(Invoice).where(
        Invoice.user_id == invoice.user_id, Invoice.invoice_type == invoice.invoice_type,
        Invoice.beneficiary_id == invoice.beneficiary_id,  # IS NULL when none is chosen
        Invoice.id != invoice.id, Invoice.status.not_in((STATUS_DRAFT, STATUS_REJECTED))))
    found = []
    for other in others:
        values, _errors = read_values(spec.fields, other.fields or {})
        found.append(EarlierInvoice(values, other.total_approved
                                    if other.total_approved is not None
                                    else other.total_claimed, other.receipt_number))
    return found


# --- Common header ----------------------------------------------------------------------------

def decision_number_of(invoice: Invoice) -> str:
    """The decision number an invoice carries, on every page, form and PDF and in its checks:
    the valid number when there is one (the column: 14 digits of this office), else the text
    as typed (kept in the draft's fields, so that it can be corrected), else ``""``."""
    return invoice.decision_number or (invoice.fields or {}).get("decision_number") or ""


def _check_common(invoice: Invoice, result: Evaluation, strict: bool) -> None:
    raw = invoice.fields or {}
    # A column that names a row no longer usable, or a choice the draft could not take (kept
    # in the fields by drafts.save_draft), is said at once; nothing chosen only when checking.
    beneficiary = result.beneficiary = chosen_beneficiary(invoice.user_id, invoice.beneficiary_id)
    if beneficiary is None and (strict or invoice.beneficiary_id or raw.get("beneficiary_id")):
        result.header_errors["beneficiary_id"] = _("Choisissez le ou la bénéficiaire.")
    account = chosen_account(invoice.user_id, invoice.bank_account_id)
    if account is None and (strict or invoice.bank_account_id or raw.get("bank_account_id")):
        result.header_errors["bank_account_id"] = _(
            "Choisissez l'IBAN sur lequel verser le remboursement.")
    number = decision_number_of(invoice)
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


def remember_amounts(invoice: Invoice, evaluation: Evaluation) -> None:
    """The total and the flags for staff, as evaluated (kept with the draft, and at sending)."""
    invoice.total_claimed = evaluation.total
    invoice.flags = [{"code": flag.code, "reason": str(flag.reason)} for flag in evaluation.flags]


def chosen_beneficiary(user_id: int, raw_id) -> Beneficiary | None:
    """The beneficiary of that id if it is the person's own and not removed."""
    return owned_row(Beneficiary, raw_id, user_id)


def chosen_account(user_id: int, raw_id) -> BankAccount | None:
    """The IBAN of that id if it is the person's own, confirmed and not removed."""
    account = owned_row(BankAccount, raw_id, user_id)
    return account if account is not None and account.confirmed_at is not None else None


def cost_periods(spec: InvoiceType, header: dict, lines: list[dict]) -> list[tuple[date, date]]:
    """The periods of the costs, from the typed answers: (day, day) for a date, (first, last
    day) for a month; only the fields the decision must cover (``within_decision``)."""
    periods = []
    for field_spec, values in [(f, header) for f in spec.fields] + [
            (f, values) for values in lines for f in spec.line_fields]:
        day = values.get(field_spec.name)
        if not field_spec.within_decision or not day:
            continue
        if field_spec.kind == DATE:
            periods.append((day, day))
        elif field_spec.kind == MONTH:
            periods.append((day, day.replace(day=monthrange(day.year, day.month)[1])))
    return periods


def outside_decision(decision: Decision, periods: list[tuple[date, date]]) -> list[date]:
    """The first day of each cost period the decision does not cover (a month: not even
    partly), in order."""
    return sorted(start for start, end in periods
                  if not (decision.covers(start) or decision.covers(end)))


def typed_answers(invoice: Invoice) -> tuple[dict, list[dict]]:
    """The invoice's answers read into typed values (header, one dict per line); what cannot
    be read is left out."""
    spec = invoice_type(invoice.invoice_type)
    raw, raw_lines = spec.stored_answers(invoice.fields, [line.data for line in invoice.lines])
    header, _errors = read_values(spec.fields, raw)
    return header, [read_values(spec.line_fields, data)[0] for data in raw_lines]


def _check_decision_period(spec, result: Evaluation, header: dict, lines: list[dict]) -> None:
    """Every cost must fall within the decision's validity (a month: at least partly)."""
    decision = result.decision
    outside = outside_decision(decision, cost_periods(spec, header, lines))
    if outside:
        result.header_errors.setdefault("decision_number", _(
            "Cette décision n'était pas valable le %(day)s : elle couvre les frais du %(start)s "
            "%(end)s. Vérifiez le numéro ou la date.", day=outside[0].strftime("%d.%m.%Y"),
            start=decision.valid_from.strftime("%d.%m.%Y"),
            end=_("au %(date)s", date=decision.valid_to.strftime("%d.%m.%Y"))
            if decision.valid_to else _("sans date de fin")))


def _check_missing(spec, raw: dict, raw_lines: list[dict], result: Evaluation) -> None:
    for field_spec in spec.fields:
        if (not field_spec.optional and field_spec.asked(raw, result.decision)
                and not (raw.get(field_spec.name) or "").strip()):
            result.header_errors.setdefault(field_spec.name, _("Ce champ est obligatoire."))
    if spec.has_lines and not raw_lines and spec.lines_wanted is None:
        result.header_errors.setdefault("lines", _("Ajoutez au moins une ligne."))
    for index, data in enumerate(raw_lines):
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
