"""Allocation pour impotent (API) — mineur·e (LAI art. 42ter): paid per night spent at home.

For a month, the person says whether every night was spent at home; if not, only the nights
spent elsewhere, as periods (du … au …) in a home or institution, or in hospital. Nights at home
are paid at the daily rate of the decision's degree (faible,
moyenne, grave), plus the intensive-care supplement when the decision grants it. The daily rates
derive from the maximum AVS pension (20 / 50 / 80 % ÷ 30; supplement 40 / 70 / 100 %) and the
office maintains them. The allocation is for minors: nights from the beneficiary's 18th birthday
are not counted, and a beneficiary already 18 before the month cannot receive it. No pièce is
required; a stay certificate helps when nights were spent away.
"""
from __future__ import annotations

from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.i18n import ngettext_fr, today_in_zurich
from guichet.core.money import to_amount
from guichet.invoices.rate_book import RateBook, RateRow

from .amounts import Errors, InvalidClaim, LineResult, flat_charge
from .base import (INTEGER, MONTH, MONTH_HINT, SELECT, YESNO, Claim, FieldSpec, InvoiceType,
                   Requirement)
from .days import add_years, day_text
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
#: The places of a night away from home (the periods the person lists).
AWAY_PLACES = {place: label for place, label in DAY_PLACES.items() if place != DAY_HOME}
ADULT_AGE = 18
_WEEKDAYS = (_l("lundi"), _l("mardi"), _l("mercredi"), _l("jeudi"), _l("vendredi"),
             _l("samedi"), _l("dimanche"))
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


# --- Nights as the person reads them ----------------------------------------------------------

def night_label(day: date) -> str:
    """``lundi 3 mars``, ``samedi 1er mars``."""
    number = _("%(day)der", day=1) if day.day == 1 else str(day.day)
    return _("%(weekday)s %(day)s %(month)s", weekday=str(_WEEKDAYS[day.weekday()]),
             day=number, month=str(_MONTHS[day.month - 1]))


def _days_in(month: date) -> int:
    return monthrange(month.year, month.month)[1]


def month_nights(month: date) -> list[tuple[str, str]]:
    """Each night of the month as a choice: (its day number, ``lundi 3 mars``)."""
    first = month.replace(day=1)
    return [(str(day), night_label(first.replace(day=day)))
            for day in range(1, _days_in(first) + 1)]


def _period_text(first: date, last: date) -> str:
    if first == last:
        return _("la nuit du %(day)s", day=night_label(first))
    return _("du %(first)s au %(last)s", first=night_label(first), last=night_label(last))


def _away_errors(month: date, lines: list[dict]) -> list[Errors]:
    """For each period away (``first``, ``last``: day numbers, ``place``), what is wrong."""
    days = _days_in(month)
    found, taken = [], {}
    for index, values in enumerate(lines):
        errors: Errors = {}
        first, last = values.get("first"), values.get("last")
        for name, day in (("first", first), ("last", last)):
            if day is not None and not 1 <= day <= days:
                errors[name] = _("Choisissez une nuit de %(month)s.", month=_month_label(month))
        if not errors and first is not None and last is not None:
            if last < first:
                errors["last"] = _("La dernière nuit doit être le même jour que la première ou "
                                   "après.")
            else:
                other = next((taken[day] for day in range(first, last + 1) if day in taken), None)
                if other is not None:
                    errors["first"] = _("Cette période recouvre la période %(num)d.",
                                        num=other + 1)
                for day in range(first, last + 1):
                    taken.setdefault(day, index)
        if values.get("place") is not None and values["place"] not in AWAY_PLACES:
            errors["place"] = _("Choisissez : en home ou institution, ou à l'hôpital.")
        found.append(errors)
    return found


def nights_of(month: date, away: list[dict]) -> dict[int, str]:
    """Every night of the month at home, except the complete periods of ``away``."""
    days = {day: DAY_HOME for day in range(1, _days_in(month) + 1)}
    for values in away:
        first, last, place = values.get("first"), values.get("last"), values.get("place")
        if first and last and place in AWAY_PLACES and 1 <= first <= last <= len(days):
            days.update({day: place for day in range(first, last + 1)})
    return days


def _runs(days: Mapping[int, str]) -> list[tuple[int, int, str]]:
    """The runs of consecutive nights away from home, by day number: (first, last, place)."""
    runs: list[list] = []
    for day in sorted(days):
        place = days[day]
        if place == DAY_HOME:
            continue
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == place:
            runs[-1][1] = day
        else:
            runs.append([day, day, place])
    return [(first, last, place) for first, last, place in runs]


def away_periods(month: date, days: Mapping[int, str]) -> list[tuple[date, date, str]]:
    """The runs of consecutive nights away from home, as dates: (first, last, place)."""
    first_day = month.replace(day=1)
    return [(first_day.replace(day=first), first_day.replace(day=last), place)
            for first, last, place in _runs(days)]


def read_stored(fields: dict, lines: list[dict]) -> tuple[dict, list[dict]]:
    """A draft saved when the form asked for every night (one line per day of the month,
    ``{"place": …}``, and no « Toutes les nuits à la maison ? ») reads as today's answers: the
    nights away as periods, the same nights. Today's drafts are returned as they are."""
    if fields.get("all_home") or not lines or any(set(line) != {"place"} for line in lines):
        return fields, lines
    runs = _runs({index + 1: line.get("place") or DAY_HOME for index, line in enumerate(lines)})
    return ({**fields, "all_home": "no" if runs else "yes"},
            [{"first": str(first), "last": str(last), "place": place}
             for first, last, place in runs])


def line_answers(header: dict, line: dict) -> list[tuple[str, str]]:
    """A period away as the documents show it: « Nuits : du lundi 3 mars au mercredi 5 mars »,
    « Lieu : Hôpital »; the days as typed when the month or a day cannot be read."""
    month, place = header.get("month"), str(AWAY_PLACES.get(line.get("place"), ""))
    try:
        first, last = (month.replace(day=int(line.get(key) or ""))
                       for key in ("first", "last"))
    except (AttributeError, TypeError, ValueError):
        nights = _("du %(first)s au %(last)s", first=line.get("first") or "—",
                   last=line.get("last") or "—")
    else:
        nights = _period_text(first, last)
    return [(_("Nuits"), nights)] + ([(_("Lieu"), place)] if place else [])


def lines_context(header: dict) -> dict:
    """What the template of the nights (templates/invoices/_api_nights.html) shows: the month,
    its nights as choices, and the answer to « Toutes les nuits à la maison ? »."""
    month = header.get("month")
    return {"month": _month_label(month) if month else "",
            "nights": month_nights(month) if month else [],
            "count": _days_in(month) if month else 0,
            "all_home": header.get("all_home")}


def wants_periods(header: dict) -> bool:
    """Periods away are asked only when not every night was spent at home."""
    return header.get("all_home") is False


# --- The form and its evaluation --------------------------------------------------------------

def _adult_from(claim: Claim) -> date | None:
    beneficiary = claim.beneficiary
    born = beneficiary.date_naissance if beneficiary is not None else None
    return add_years(born, ADULT_AGE) if born else None


def price(claim: Claim) -> None:
    """The month's nights (every night at home, except the periods away), at the degree (and
    supplement) of the decision when the office knows it, else as typed; only the nights before
    the beneficiary's 18th birthday."""
    result = claim.result
    header = claim.header
    month = header.get("month")
    all_home = header.get("all_home")
    degree, supplement = header.get("degree"), header.get("supplement")
    decision = claim.decision
    if decision is not None and decision.degree and is_decision_degree(decision.degree):
        degree, supplement = decided_degree(decision.degree)
    supplement = None if supplement in (None, "", NO_SUPPLEMENT) else supplement
    if month is None:
        result.pending.append(_("indiquez le mois"))
        return
    month = month.replace(day=1)
    away = claim.lines if all_home is False else []
    for index, errors in enumerate(_away_errors(month, away)):
        for name, message in claim.reportable(errors, claim.lines[index]).items():
            result.line_errors[index].setdefault(name, message)
    days = nights_of(month, away)
    result.requirements = api_mineur_requirements(days)
    if all_home is None:
        result.pending.append(_("dites si toutes les nuits ont été passées à la maison"))
        return
    if all_home is False and not away and claim.strict:
        result.header_errors.setdefault("lines", _(
            "Indiquez les périodes passées ailleurs qu'à la maison, ou répondez « Oui » à "
            "« Toutes les nuits du mois à la maison ? »."))
    for first, last, place in away_periods(month, days):
        result.notes.append(_("Nuits hors de la maison : %(period)s, %(place)s.",
                              period=_period_text(first, last),
                              place=str(DAY_PLACES[place]).lower()))
    adult_from = _adult_from(claim)
    if adult_from is not None and adult_from <= month:
        result.header_errors.setdefault("beneficiary_id", _(
            "%(name)s a eu 18 ans le %(day)s : l'API pour mineur·e ne couvre que les nuits "
            "avant cette date. Choisissez l'enfant concerné·e, ou vérifiez le mois.",
            name=claim.beneficiary.display_name, day=day_text(adult_from)))
        return
    if adult_from is not None and adult_from.replace(day=1) == month:
        not_counted = [day for day, place in days.items()
                       if place == DAY_HOME and day >= adult_from.day]
        if not_counted:
            result.notes.append(_(
                "%(name)s a 18 ans le %(day)s : l'API pour mineur·e couvre les nuits jusqu'à la "
                "veille. Les nuits à la maison à partir du %(day)s ne sont pas comptées.",
                name=claim.beneficiary.display_name, day=day_text(adult_from)))
        days = {day: place for day, place in days.items() if day < adult_from.day}
    if not degree:
        result.pending.append(_("indiquez le degré d'impotence de la décision"))
        if claim.strict:
            result.header_errors.setdefault("degree", _(
                "Indiquez le degré d'impotence de la décision."))
        return
    errors = validate_api_mineur(month, days, degree, supplement)
    if errors:
        if "month" in errors:
            result.header_errors.setdefault("month", errors["month"])
            return
        result.header_errors.setdefault("all_home" if all_home else "lines", errors["days"])
        if not claim.strict:
            return
    try:
        computed = compute_api_mineur(month, days, degree, supplement, rates=claim.rates)
    except InvalidClaim as exc:
        result.header_errors.setdefault("lines", " ".join(exc.errors.values()))
        return
    result.priced_lines = list(computed.lines)
    result.total = computed.total


DEGREE_CHOICES = (("faible", _l("Faible")), ("moyenne", _l("Moyenne")), ("grave", _l("Grave")))
SUPPLEMENT_CHOICES = ((NO_SUPPLEMENT, _l("Aucun")), ("4h", _l("Au moins 4 heures par jour")),
                      ("6h", _l("Au moins 6 heures par jour")),
                      ("8h", _l("Au moins 8 heures par jour")))


def _decided_degree(decision) -> str | None:
    """The degree of the office's decision, when the register has it."""
    if not decision.degree or not is_decision_degree(decision.degree):
        return None
    return str(dict(DEGREE_CHOICES)[decided_degree(decision.degree)[0]])


def _decided_supplement(decision) -> str | None:
    """The intensive-care supplement of the office's decision (none is an answer too)."""
    if not decision.degree or not is_decision_degree(decision.degree):
        return None
    supplement = decided_degree(decision.degree)[1] or NO_SUPPLEMENT
    return str(dict(SUPPLEMENT_CHOICES)[supplement])


TYPE = InvoiceType(
    key=KEY, label=_l("Allocation pour impotent (API) — mineur·e"),
    description=_l("Les nuits passées à la maison pendant un mois."),
    price=price, rates=RATES, for_minors=True, demo_decision=(("degree", "moyenne+4h"),),
    line_label=_l("Période hors de la maison"), lines_title=_l("Nuits du mois"),
    add_line_label=_l("Ajouter une période"),
    line_added=_l("Période %(num)d ajoutée"), line_removed=_l("Période supprimée"),
    lines_template="invoices/_api_nights.html", lines_wanted=wants_periods,
    lines_context=lines_context, read_stored=read_stored, line_answers=line_answers,
    fields=(
        FieldSpec("degree", _l("Degré d'impotence selon la décision"), SELECT,
                  choices=DEGREE_CHOICES, hint=_l("Tel qu'il figure sur la décision de l'office."),
                  decided_by=_decided_degree),
        FieldSpec("supplement", _l("Supplément pour soins intenses selon la décision"), SELECT,
                  choices=SUPPLEMENT_CHOICES, optional=True,
                  hint=_l("Sans réponse : aucun supplément."), decided_by=_decided_supplement),
        FieldSpec("month", _l("Mois"), MONTH, hint=MONTH_HINT, width="short", structural=True),
        FieldSpec("all_home", _l("Toutes les nuits du mois à la maison ?"), YESNO,
                  structural=True,
                  hint=_l("Si non, vous indiquerez seulement les nuits passées ailleurs.")),
    ),
    line_fields=(
        FieldSpec("first", _l("Du"), INTEGER),
        FieldSpec("last", _l("Au"), INTEGER),
        FieldSpec("place", _l("Lieu où l'enfant a passé ces nuits"), SELECT,
                  choices=tuple(AWAY_PLACES.items()), changes_pieces=True),
    ))
