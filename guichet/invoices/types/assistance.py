"""Contribution d'assistance (RAI art. 39f–39i): one invoice per month, one line per assistant.

Hours are paid at the hourly rate (a higher one for qualified hours), nights at the decision's
flat rate up to the maximum. The month may exceed the decision's monthly amount by at most
50 %, within the yearly amount (12 × monthly, or 11 × in the cases of art. 39g); what remains is
shown. Pièces: the assistants' payslips, and a medical certificate when salary was continued
for illness beyond 3 days.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.i18n import ngettext
from guichet.core.money import format_chf, to_amount
from guichet.invoices.rate_book import RateBook, RateRow

from .amounts import (ZERO, Charge, Errors, LineResult, exact, flat_charge, optional_exact,
                      sum_amounts, times)
from .base import (INTEGER, MONEY, MONTH, MONTH_HINT, NUMBER, YESNO, Claim, FieldSpec, Flag,
                   InvoiceType, Requirement)
from .wording import names_phrase

KEY = "assistance"

RATE_HOUR = "assistance.heure"
RATE_QUALIFIED_HOUR = "assistance.heure_qualifiee"
RATE_NIGHT_MAX = "assistance.nuit_max"
#: The rate key of a night charge priced at the decision's own flat rate (not a table rate).
DECISION_NIGHT = "decision.nuit"

_RAI_39F = "RAI art. 39f"
_YEAR_2024 = (date(2024, 1, 1), date(2024, 12, 31))
_SINCE_2025 = (date(2025, 1, 1), None)

RATES = (
    RateRow.for_period(RATE_HOUR, _YEAR_2024, "34.30", "Contribution d'assistance, par heure",
                       _RAI_39F),
    RateRow.for_period(RATE_QUALIFIED_HOUR, _YEAR_2024, "51.50",
                       "Contribution d'assistance, par heure (qualifications particulières)",
                       _RAI_39F),
    RateRow.for_period(RATE_NIGHT_MAX, _YEAR_2024, "164.40",
                       "Contribution d'assistance, forfait de nuit maximal", _RAI_39F),
    RateRow.for_period(RATE_HOUR, _SINCE_2025, "35.30", "Contribution d'assistance, par heure",
                       _RAI_39F),
    RateRow.for_period(RATE_QUALIFIED_HOUR, _SINCE_2025, "52.95",
                       "Contribution d'assistance, par heure (qualifications particulières)",
                       _RAI_39F),
    RateRow.for_period(RATE_NIGHT_MAX, _SINCE_2025, "169.10",
                       "Contribution d'assistance, forfait de nuit maximal", _RAI_39F),
)

MONTH_OVERRUN = Decimal("1.5")   # the month may exceed the monthly amount by at most 50 %
#: The flags staff see when what is claimed goes beyond a cap (:func:`cap_flags`).
MONTH_CAP_FLAG = "month_cap"
YEAR_CAP_FLAG = "year_cap"
#: Salary continued for illness beyond this many days needs a medical certificate.
SICK_DAYS_WITHOUT_CERTIFICATE = 3


# --- What a month is worth --------------------------------------------------------------------

@dataclass(frozen=True)
class AssistantLine:
    name: str
    ordinary_hours: Decimal = Decimal(0)
    qualified_hours: Decimal = Decimal(0)
    nights: int = 0
    gross_salary: Decimal | None = None
    sick_days_paid: int = 0


@dataclass(frozen=True)
class AssistanceResult:
    """``total`` is what is claimed; ``payable`` what the caps leave of it.

    ``cap_applied`` is ``None``, ``"month"`` (150 % of the monthly amount) or ``"year"``
    (12 or 11 × the monthly amount). ``remaining_month`` / ``remaining_year`` are what is left
    after this invoice. ``night_rate_from_decision`` is false when the decision's night rate was
    unknown and the maximum was used."""

    lines: tuple[LineResult, ...]
    total: Decimal
    payable: Decimal
    cap_applied: str | None
    month_cap: Decimal
    year_cap: Decimal
    already_payable_month: Decimal
    already_payable_year: Decimal
    remaining_month: Decimal
    remaining_year: Decimal
    night_rate: Decimal | None
    night_rate_from_decision: bool

    @property
    def claimed(self) -> Decimal:
        return self.total


def validate_assistant(line: AssistantLine) -> Errors:
    errors: Errors = {}
    if not (line.name or "").strip():
        errors["name"] = _("Indiquez le nom de l'assistant·e.")
    for field, message in (
            ("ordinary_hours", _("Les heures ordinaires ne peuvent pas être négatives.")),
            ("qualified_hours", _("Les heures qualifiées ne peuvent pas être négatives.")),
    ):
        if exact(getattr(line, field), field) < 0:
            errors[field] = message
    if line.nights < 0:
        errors["nights"] = _("Le nombre de nuits ne peut pas être négatif.")
    if line.sick_days_paid < 0:
        errors["sick_days_paid"] = _("Le nombre de jours ne peut pas être négatif.")
    salary = optional_exact(line.gross_salary, "gross_salary")
    if salary is not None and salary < 0:
        errors["gross_salary"] = _("Le salaire brut ne peut pas être négatif.")
    if not errors and not (exact(line.ordinary_hours, "ordinary_hours")
                           or exact(line.qualified_hours, "qualified_hours") or line.nights):
        errors["ordinary_hours"] = _("Indiquez les heures ou les nuits de travail de ce mois.")
    return errors


def _pairs(amounts) -> Iterable[tuple[date, Decimal]]:
    return amounts.items() if isinstance(amounts, Mapping) else amounts


def compute_assistance(month: date, assistants: Iterable[AssistantLine], *,
                       monthly_amount: Decimal, rates: RateBook,
                       night_rate: Decimal | None = None,
                       previous_payable: Mapping[date, Decimal]
                       | Iterable[tuple[date, Decimal]] = (),
                       eleven_months: bool = False) -> AssistanceResult:
    """One month of assistance, at the rates in force on the first day of ``month``.

    ``night_rate`` is the decision's night flat rate (capped at ``assistance.nuit_max``; the
    maximum applies when it is ``None``); a night charge's ``rate_key`` is ``"decision.nuit"``
    when the decision's own rate was used, else ``"assistance.nuit_max"``.

    ``previous_payable`` holds the payable amounts of the person's other assistance invoices,
    by month (any day of the month): those of another year are ignored, those of this same
    month count against the month's cap too. ``eleven_months``:
    the yearly amount is 11 × monthly (RAI art. 39g) instead of 12 ×.
    """
    month = month.replace(day=1)
    monthly_amount = to_amount(exact(monthly_amount, "monthly_amount"))
    assistants = tuple(assistants)

    used_rate = night_key = None
    from_decision = night_rate is not None
    if any(line.nights for line in assistants):
        used_rate = rates.amount(RATE_NIGHT_MAX, month)
        night_key = RATE_NIGHT_MAX
        if night_rate is not None and to_amount(exact(night_rate, "night_rate")) < used_rate:
            used_rate = to_amount(exact(night_rate, "night_rate"))
            night_key = DECISION_NIGHT

    lines = []
    for line in assistants:
        charges = []
        hours = exact(line.ordinary_hours, "ordinary_hours")
        qualified = exact(line.qualified_hours, "qualified_hours")
        if hours:
            charges.append(flat_charge(_("Heures"), hours, RATE_HOUR, month, rates, " h"))
        if qualified:
            charges.append(flat_charge(_("Heures qualifiées"), qualified, RATE_QUALIFIED_HOUR,
                                       month, rates, " h"))
        if line.nights:
            nights = Decimal(line.nights)
            charges.append(Charge(_("Nuits : %(count)d × %(rate)s", count=line.nights,
                                    rate=format_chf(used_rate)),
                                  times(nights, used_rate), nights, used_rate, night_key))
        lines.append(LineResult.of((line.name,), charges))
    claimed = sum_amounts(line.amount for line in lines)

    month_cap = to_amount(monthly_amount * MONTH_OVERRUN)
    year_cap = to_amount(monthly_amount * (11 if eleven_months else 12))
    same_year = [(day, to_amount(exact(amount, "previous_payable")))
                 for day, amount in _pairs(previous_payable) if day.year == month.year]
    already_month = sum_amounts(amount for day, amount in same_year if day.month == month.month)
    already_year = sum_amounts(amount for day, amount in same_year)
    room_month = max(month_cap - already_month, ZERO)
    room_year = max(year_cap - already_year, ZERO)
    payable = min(claimed, room_month, room_year)
    cap_applied = None
    if payable < claimed:
        cap_applied = "year" if room_year < room_month else "month"

    return AssistanceResult(
        lines=tuple(lines), total=claimed, payable=payable, cap_applied=cap_applied,
        month_cap=month_cap, year_cap=year_cap, already_payable_month=already_month,
        already_payable_year=already_year, remaining_month=room_month - payable,
        remaining_year=room_year - payable, night_rate=used_rate,
        night_rate_from_decision=from_decision)


def cap_flags(month: date, computed: AssistanceResult, *, monthly_amount: Decimal,
              eleven_months: bool = False) -> list[Flag]:
    """What staff must look at when the month's claim goes beyond the monthly cap (150 % of
    the decision's monthly amount) or the yearly one (12 or 11 ×), with what was already
    asked for the month and the year and what the caps leave."""
    found = []
    if computed.already_payable_month + computed.total > computed.month_cap:
        claimed = _("%(amount)s demandés", amount=format_chf(computed.total))
        if computed.already_payable_month:
            claimed = _("%(amount)s demandés en plus de %(already)s déjà demandés pour ce mois",
                        amount=format_chf(computed.total),
                        already=format_chf(computed.already_payable_month))
        found.append(Flag(MONTH_CAP_FLAG, _(
            "Plafond mensuel dépassé pour %(month)s : %(claimed)s, plafond %(cap)s "
            "(%(percent)d %% du montant mensuel de %(monthly)s) ; montant retenu %(payable)s.",
            month=f"{month:%m.%Y}", claimed=claimed, cap=format_chf(computed.month_cap),
            percent=int(MONTH_OVERRUN * 100),
            monthly=format_chf(monthly_amount), payable=format_chf(computed.payable))))
    if computed.already_payable_year + computed.total > computed.year_cap:
        found.append(Flag(YEAR_CAP_FLAG, _(
            "Plafond annuel dépassé pour %(year)d : %(claimed)s demandés pour %(month)s et "
            "%(already)s déjà demandés cette année, plafond %(cap)s (%(months)d × %(monthly)s) ; "
            "montant retenu %(payable)s.",
            year=month.year, month=f"{month:%m.%Y}", claimed=format_chf(computed.total),
            already=format_chf(computed.already_payable_year),
            cap=format_chf(computed.year_cap), months=11 if eleven_months else 12,
            monthly=format_chf(monthly_amount), payable=format_chf(computed.payable))))
    return found


# --- Pièces -----------------------------------------------------------------------------------

def assistance_requirements(assistants: Iterable[AssistantLine]) -> list[Requirement]:
    """Payslips always; a medical certificate when salary was continued for illness beyond
    :data:`SICK_DAYS_WITHOUT_CERTIFICATE` days."""
    assistants = list(assistants)
    found = [Requirement(
        "assistant_payslips", _("Fiches de salaire des assistant·e·s pour le mois"),
        _("La contribution d'assistance se fonde sur les heures et les salaires déclarés : "
          "joignez la fiche de salaire du mois de chaque assistant·e."))]
    sick = [line.name for line in assistants
            if line.sick_days_paid > SICK_DAYS_WITHOUT_CERTIFICATE]
    if sick:
        found.append(Requirement(
            "medical_certificate", _("Certificat médical (maladie de l'assistant·e)"),
            ngettext("Le salaire de %(names)s a été maintenu pour maladie pendant plus de "
                     "%(num)d jour : un certificat médical est nécessaire.",
                     "Le salaire de %(names)s a été maintenu pour maladie pendant plus de "
                     "%(num)d jours : un certificat médical est nécessaire.",
                     SICK_DAYS_WITHOUT_CERTIFICATE, names=names_phrase(sick))))
    return found


# --- The form and its evaluation --------------------------------------------------------------

def price(claim: Claim) -> None:
    """The month's assistants, priced together and capped by the decision's monthly amount
    (the office's figure wins over the one typed) and what earlier months of the year used."""
    result = claim.result
    assistants = []
    for index, values in enumerate(claim.lines):
        assistant = AssistantLine(
            name=values.get("name", ""), ordinary_hours=values.get("ordinary_hours", Decimal(0)),
            qualified_hours=values.get("qualified_hours", Decimal(0)),
            nights=values.get("nights", 0), gross_salary=values.get("gross_salary"),
            sick_days_paid=values.get("sick_days_paid", 0))
        errors = claim.reportable(validate_assistant(assistant), values)
        errors.update(result.line_errors[index])
        result.line_errors[index] = errors
        if not errors and assistant.name:
            assistants.append(assistant)
    result.requirements = assistance_requirements(assistants)
    month = claim.header.get("month")
    if month is not None and _month_already_sent(claim, month):
        return
    decision = claim.decision
    monthly = (decision.monthly_amount if decision is not None
               and decision.monthly_amount is not None else claim.header.get("monthly_amount"))
    if month is None:
        result.pending.append(_("indiquez le mois"))
    if not assistants:
        result.pending.append(_("indiquez les heures d'au moins un·e assistant·e"))
    if monthly is None:
        result.pending.append(_("indiquez le montant mensuel de votre décision"))
    if month is None or not assistants:
        return
    if monthly is None:
        if claim.strict:
            result.header_errors.setdefault("monthly_amount", _(
                "Indiquez le montant mensuel de votre décision."))
        return
    eleven_months = bool(claim.header.get("eleven_months"))
    computed = compute_assistance(
        month, assistants, monthly_amount=monthly, rates=claim.rates,
        previous_payable=_earlier_months(claim, month), eleven_months=eleven_months)
    result.priced_lines = list(computed.lines)
    result.total = computed.payable
    result.flags.extend(cap_flags(month, computed, monthly_amount=monthly,
                                  eleven_months=eleven_months))
    if computed.cap_applied:
        result.notes.append(_("Montant demandé %(claimed)s, plafonné à %(payable)s.",
                              claimed=format_chf(computed.total),
                              payable=format_chf(computed.payable)))
    result.notes.append(_("Il reste %(month)s pour ce mois et %(year)s pour l'année.",
                          month=format_chf(computed.remaining_month),
                          year=format_chf(computed.remaining_year)))


def _month_already_sent(claim: Claim, month: date) -> bool:
    """One invoice per month: another one of this month already sent (not refused) is said on
    the month's field."""
    sent = next((earlier for earlier in claim.earlier_invoices()
                 if earlier.header.get("month") == month), None)
    if sent is None:
        return False
    claim.result.header_errors.setdefault("month", _(
        "Une demande pour ce mois a déjà été envoyée (%(receipt)s) : la contribution "
        "d'assistance se demande une fois par mois. Pour la compléter, répondez à l'office "
        "depuis cette demande-là.", receipt=sent.receipt_number or "—"))
    return True


def _earlier_months(claim: Claim, month: date) -> list[tuple[date, Decimal]]:
    """What earlier assistance invoices of the same person ask for other months of the year."""
    found = []
    for earlier in claim.earlier_invoices():
        other_month = earlier.header.get("month")
        if other_month and other_month.year == month.year and other_month != month:
            found.append((other_month, earlier.amount))
    return found


def _decided_monthly_amount(decision) -> str | None:
    """The monthly amount of the office's decision, when the register has it."""
    return None if decision.monthly_amount is None else format_chf(decision.monthly_amount)


TYPE = InvoiceType(
    key=KEY, label=_l("Contribution d'assistance"),
    description=_l("Les heures de vos assistant·e·s pour un mois (une facture par mois)."),
    price=price, rates=RATES, demo_decision=(("monthly_amount", Decimal("3200.00")),),
    line_label=_l("Assistant·e"), lines_title=_l("Assistant·e·s"),
    add_line_label=_l("Ajouter un·e assistant·e"),
    line_added=_l("Assistant·e %(num)d ajouté·e"), line_removed=_l("Assistant·e supprimé·e"),
    fields=(
        FieldSpec("month", _l("Mois"), MONTH, hint=MONTH_HINT,
                  width="short"),
        FieldSpec("monthly_amount", _l("Montant mensuel selon votre décision (CHF)"), MONEY,
                  width="short", hint=_l("Tel qu'il figure sur votre décision."),
                  decided_by=_decided_monthly_amount),
        FieldSpec("eleven_months", _l("Votre décision compte-t-elle 11 mois par an au lieu "
                                      "de 12 ?"), YESNO, optional=True,
                  hint=_l("C'est écrit dans votre décision. Base légale : art. 39g RAI.")),
    ),
    line_fields=(
        FieldSpec("name", _l("Nom de l'assistant·e"), max_length=100),
        FieldSpec("ordinary_hours", _l("Heures ordinaires"), NUMBER, width="short"),
        FieldSpec("qualified_hours", _l("Heures qualifiées"), NUMBER, width="short",
                  optional=True, hint=_l("Seulement si la décision en prévoit.")),
        FieldSpec("nights", _l("Nuits"), INTEGER, width="short", optional=True),
        FieldSpec("gross_salary", _l("Salaire brut (CHF)"), MONEY, width="short"),
        FieldSpec("sick_days_paid", _l("Jours de salaire maintenu pour maladie"), INTEGER,
                  width="short", optional=True,
                  hint=_l("Au-delà de 3 jours, joignez un certificat médical."),
                  changes_pieces=True),
    ))
