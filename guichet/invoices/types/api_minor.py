"""Allocation pour impotent (API) — mineur·e (LAI art. 42ter): paid per night spent at home.

For a month, each day says where the child spent the night: at home, in a home or institution,
or in hospital. Nights at home are paid at the daily rate of the decision's degree (faible,
moyenne, grave), plus the intensive-care supplement when the decision grants it. The daily rates
derive from the maximum AVS pension (20 / 50 / 80 % ÷ 30; supplement 40 / 70 / 100 %) and the
office maintains them. No pièce is required; a stay certificate helps when nights were spent
away.
"""
from __future__ import annotations

from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.i18n import ngettext_fr
from guichet.core.money import to_amount
from guichet.invoices.rate_book import RateBook, RateRow

from .amounts import Errors, InvalidClaim, LineResult, flat_charge
from .base import MONTH, SELECT, Claim, FieldSpec, InvoiceType, Requirement
from .days import day_text, today_in_zurich
from .wording import enumeration

KEY = "api_mineur"

DAY_HOME = "home"
DAY_INSTITUTION = "institution"
DAY_HOSPITAL = "hospital"
DAY_PLACES = {
    DAY_HOME: _l("À la maison"),
    DAY_INSTITUTION: _l("En home ou institution"),
    DAY_HOSPITAL: _l("À l'hôpital"),
}
DEGREES = {"faible": _l("Impotence faible"), "moyenne": _l("Impotence moyenne"),
           "grave": _l("Impotence grave")}
#: The degree inside a sentence (``Nuits à la maison, impotence faible``).
_DEGREES_IN_TEXT = {"faible": _l("impotence faible"), "moyenne": _l("impotence moyenne"),
                    "grave": _l("impotence grave")}
SUPPLEMENTS = {"4h": _l("au moins 4 heures"), "6h": _l("au moins 6 heures"),
               "8h": _l("au moins 8 heures")}
#: The form's answer for "no supplement".
NO_SUPPLEMENT = "aucun"
_MONTHS = (_l("janvier"), _l("février"), _l("mars"), _l("avril"), _l("mai"), _l("juin"),
           _l("juillet"), _l("août"), _l("septembre"), _l("octobre"), _l("novembre"),
           _l("décembre"))


# --- The decision's degree -------------------------------------------------------------------

def is_decision_degree(text: str) -> bool:
    """Whether ``text`` reads as a decision's ``degree`` (as the decisions file gives it):
    ``faible``, ``moyenne`` or ``grave``, then ``+4h``, ``+6h`` or ``+8h`` when the decision
    grants the intensive-care supplement."""
    level, _plus, supplement = text.partition("+")
    return level in DEGREES and (supplement == "" or supplement in SUPPLEMENTS)


def decided_degree(text: str) -> tuple[str, str | None]:
    """A decision's degree and supplement (``None``): ``moyenne+4h`` → ``("moyenne", "4h")``."""
    degree, _plus, supplement = text.partition("+")
    return degree, supplement or None


# --- Rates: from the maximum AVS pension ------------------------------------------------------

def daily_rate(max_monthly_pension: str | int | Decimal, percent: int) -> Decimal:
    """Daily API rate for a minor: ``percent`` % of the maximum AVS pension, divided by 30,
    rounded half-up to the centime (LAI art. 42ter)."""
    return to_amount(Decimal(max_monthly_pension) * percent / 100 / 30)


def rate_key(name: str) -> str:
    """``api_mineur.grave``, ``api_mineur.supplement_4h``."""
    return f"{KEY}.{name}"


_LAI_42TER = "LAI art. 42ter / RAI art. 39"
_PERCENTS = (
    ("faible", 20, "API mineur·e — impotence faible, par jour"),
    ("moyenne", 50, "API mineur·e — impotence moyenne, par jour"),
    ("grave", 80, "API mineur·e — impotence grave, par jour"),
    ("supplement_4h", 40, "API mineur·e — supplément pour soins intenses (4 h), par jour"),
    ("supplement_6h", 70, "API mineur·e — supplément pour soins intenses (6 h), par jour"),
    ("supplement_8h", 100, "API mineur·e — supplément pour soins intenses (8 h), par jour"),
)


def _rates(period: tuple[date, date | None], max_pension: str) -> list[RateRow]:
    pension = f"CHF {max_pension} par mois"
    return [
        RateRow.for_period(rate_key(name), period,
                           daily_rate(max_pension.replace("'", ""), percent),
                           f"{label} ({percent} % de la rente maximale de {pension}, ÷ 30)",
                           _LAI_42TER)
        for name, percent, label in _PERCENTS
    ]


RATES = (*_rates((date(2024, 1, 1), date(2024, 12, 31)), "2'450"),
         *_rates((date(2025, 1, 1), None), "2'520"))


# --- What a month is worth --------------------------------------------------------------------

@dataclass(frozen=True)
class ApiMineurResult:
    lines: tuple[LineResult, ...]
    total: Decimal
    nights_at_home: int
    days_in_institution: int
    days_in_hospital: int
    daily_rate: Decimal
    supplement_rate: Decimal | None


def _month_label(month: date) -> str:
    return _("%(month)s %(year)d", month=str(_MONTHS[month.month - 1]), year=month.year)


def _dated_days(month: date, days: Mapping[int | date, str]) -> dict[date, str]:
    """``days`` keyed by dates (keys may be days of the month as numbers)."""
    first = month.replace(day=1)
    dated = {}
    for day, place in days.items():
        if isinstance(day, int) and not isinstance(day, bool):
            try:
                day = first.replace(day=day)
            except ValueError:
                raise InvalidClaim({"days": _("Le %(day)s n'est pas un jour de %(month)s.",
                                              day=day, month=_month_label(first))}) from None
        dated[day] = place
    return dated


def _api_pricing_errors(month: date, days: Mapping[int | date, str], degree: str,
                        supplement: str | None) -> Errors:
    errors: Errors = {}
    if degree not in DEGREES:
        errors["degree"] = _("Le degré d'impotence doit être faible, moyen ou grave.")
    if supplement is not None and supplement not in SUPPLEMENTS:
        errors["supplement"] = _(
            "Le supplément pour soins intenses doit être de 4, 6 ou 8 heures.")
    try:
        dated = _dated_days(month, days)
    except InvalidClaim as exc:
        errors.update(exc.errors)
        return errors
    first = month.replace(day=1)
    for day, place in sorted(dated.items()):
        if (day.year, day.month) != (first.year, first.month):
            errors["days"] = _("Le %(day)s n'est pas dans le mois de %(month)s.",
                               day=day_text(day), month=_month_label(first))
            break
        if place not in DAY_PLACES:
            errors["days"] = _("Pour le %(day)s, indiquez : à la maison, en home ou "
                               "institution, ou à l'hôpital.", day=day_text(day))
            break
    return errors


def validate_api_mineur(month: date, days: Mapping[int | date, str], degree: str,
                        supplement: str | None = None, today: date | None = None) -> Errors:
    today = today or today_in_zurich()
    errors: Errors = {}
    if month is None:
        return {"month": _("Indiquez le mois.")}
    if month.replace(day=1) > today:
        errors["month"] = _("Le mois ne peut pas être dans le futur.")
    errors.update(_api_pricing_errors(month, days, degree, supplement))
    if "days" not in errors:
        dated = _dated_days(month, days)
        future = sorted(day for day, place in dated.items() if place == DAY_HOME and day > today)
        if future:
            errors["days"] = _("Le %(day)s est dans le futur : seules les nuits déjà "
                               "passées à la maison peuvent être demandées.",
                               day=day_text(future[0]))
        elif DAY_HOME not in dated.values():
            errors["days"] = _("Aucune nuit à la maison n'est indiquée pour ce mois.")
    return errors


def compute_api_mineur(month: date, days: Mapping[int | date, str], degree: str,
                       supplement: str | None = None, *, rates: RateBook) -> ApiMineurResult:
    """Nights at home × the daily rate of ``degree`` (plus the intensive-care supplement per
    night at home), at the rates in force on the first day of ``month``. ``days`` maps each
    day (a date, or its number in the month) to ``home``, ``institution`` or ``hospital``."""
    errors = _api_pricing_errors(month, days, degree, supplement)
    if errors:
        raise InvalidClaim(errors)
    first = month.replace(day=1)
    places = list(_dated_days(first, days).values())
    nights = places.count(DAY_HOME)
    charges = [flat_charge(_("Nuits à la maison, %(degree)s",
                             degree=str(_DEGREES_IN_TEXT[degree])), nights,
                           rate_key(degree), first, rates)]
    supplement_rate = None
    if supplement is not None:
        charge = flat_charge(_("Supplément pour soins intenses (%(hours)s)",
                               hours=str(SUPPLEMENTS[supplement])), nights,
                             rate_key(f"supplement_{supplement}"), first, rates)
        supplement_rate = charge.rate
        charges.append(charge)
    line = LineResult.of((_month_label(first).capitalize(),
                          ngettext_fr("%(num)d nuit à la maison", "%(num)d nuits à la maison",
                                      nights)), charges)
    return ApiMineurResult(
        lines=(line,), total=line.amount, nights_at_home=nights,
        days_in_institution=places.count(DAY_INSTITUTION),
        days_in_hospital=places.count(DAY_HOSPITAL), daily_rate=charges[0].rate,
        supplement_rate=supplement_rate)


# --- Pièces -----------------------------------------------------------------------------------

def api_mineur_requirements(days: Mapping[int | date, str]) -> list[Requirement]:
    """Nothing is required; a stay certificate helps when some nights were spent away."""
    away = set(days.values()) & {DAY_INSTITUTION, DAY_HOSPITAL}
    if not away:
        return []
    places = enumeration([label for place, label in (
        (DAY_INSTITUTION, _("en home ou institution")), (DAY_HOSPITAL, _("à l'hôpital")))
        if place in away])
    return [Requirement(
        "stay_certificate", _("Attestation de séjour (home, institution ou hôpital)"),
        _("Certains jours ont été passés %(places)s : une attestation des dates de séjour "
          "accélère le contrôle. Elle n'est pas obligatoire.", places=places), required=False)]


# --- The form and its evaluation --------------------------------------------------------------

def price(claim: Claim) -> None:
    """The month's nights, at the degree (and supplement) of the decision when the office
    knows it, else as typed."""
    result = claim.result
    header = claim.header
    month = header.get("month")
    days = {index + 1: values.get("place", DAY_HOME)
            for index, values in enumerate(claim.lines)}
    result.requirements = api_mineur_requirements(days)
    degree, supplement = header.get("degree"), header.get("supplement")
    if claim.decision is not None and claim.decision.degree:
        degree, supplement = decided_degree(claim.decision.degree)
    supplement = None if supplement in (None, "", NO_SUPPLEMENT) else supplement
    if month is None:
        return
    if not degree:
        if claim.strict:
            result.header_errors.setdefault("degree", _(
                "Indiquez le degré d'impotence de la décision."))
        return
    errors = validate_api_mineur(month, days, degree, supplement)
    if errors:
        target = "month" if "month" in errors else "days"
        result.header_errors.setdefault(target if target == "month" else "lines",
                                        errors.get("month") or errors.get("days"))
        if "month" in errors or not claim.strict and "days" in errors:
            return
    try:
        computed = compute_api_mineur(month, days, degree, supplement, rates=claim.rates)
    except InvalidClaim as exc:
        result.header_errors.setdefault("lines", " ".join(exc.errors.values()))
        return
    result.priced_lines = list(computed.lines)
    result.total = computed.total


def nights_of_month(header: dict) -> int:
    """One line per day of the chosen month (none until a month is chosen)."""
    month = header.get("month")
    return monthrange(month.year, month.month)[1] if month else 0


DEGREE_CHOICES = (("faible", _l("Faible")), ("moyenne", _l("Moyenne")), ("grave", _l("Grave")))
SUPPLEMENT_CHOICES = ((NO_SUPPLEMENT, _l("Aucun")), ("4h", _l("Au moins 4 heures par jour")),
                      ("6h", _l("Au moins 6 heures par jour")),
                      ("8h", _l("Au moins 8 heures par jour")))

TYPE = InvoiceType(
    key=KEY, label=_l("Allocation pour impotent (API) — mineur·e"),
    description=_l("Les nuits passées à la maison pendant un mois."),
    price=price, rates=RATES, for_minors=True, demo_decision=(("degree", "moyenne+4h"),),
    line_label=_l("Nuit"), lines_title=_l("Nuits du mois"),
    fixed_line_count=nights_of_month, fixed_line_data=(("place", DAY_HOME),),
    fields=(
        FieldSpec("month", _l("Mois"), MONTH, hint=_l("MM.AAAA, par exemple 10.2026"),
                  width="short", structural=True),
        FieldSpec("degree", _l("Degré d'impotence selon la décision"), SELECT,
                  choices=DEGREE_CHOICES, optional=True,
                  hint=_l("Le degré de la décision enregistrée à l'office fait foi.")),
        FieldSpec("supplement", _l("Supplément pour soins intenses selon la décision"), SELECT,
                  choices=SUPPLEMENT_CHOICES, optional=True),
    ),
    line_fields=(
        FieldSpec("place", _l("Lieu où l'enfant a passé la nuit"), SELECT,
                  choices=tuple(DAY_PLACES.items())),
    ))
