"""What each kind of invoice is worth: pure functions over small input dataclasses.

Every ``compute_*`` function returns the lines of the invoice, each with the priced elements
(:class:`Charge`) it is made of — what was counted, at which rate, for how much — and the total.
Amounts are :class:`~decimal.Decimal` CHF rounded half-up to the centime; floats are refused.
Rates come from a :class:`~guichet.invoices.rates.RateBook`, looked up on the date of the cost.

``validate_*`` functions return ``{field: message}`` (empty when all is well), for forms.
Messages and labels are French source text passed through Flask-Babel (``_``, ``ngettext``;
``_l`` for the label dicts evaluated at import), so other languages can follow.
``compute_*`` functions trust the dates (they do not know "today") but raise
:class:`InvalidClaim` when the input cannot be priced at all (e.g. a car trip without
kilometres, a repair on a device less than one year old).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from guichet.core.i18n import ngettext_fr
from guichet.core.money import format_chf, to_amount

from .rates import RateBook

__all__ = [
    "Charge", "LineResult", "Breakdown", "InvalidClaim", "today_in_zurich",
    # travel
    "TRANSPORT_PUBLIC", "TRANSPORT_CAR", "TRANSPORT_TAXI", "TRANSPORT_OTHER", "TRANSPORTS",
    "TripLine", "time_away", "meal_rate_key", "validate_trip", "compute_trip", "compute_travel",
    # assistance
    "AssistantLine", "AssistanceResult", "validate_assistant", "compute_assistance",
    # API mineur
    "DAY_HOME", "DAY_INSTITUTION", "DAY_HOSPITAL", "DAY_PLACES", "DEGREES", "SUPPLEMENTS",
    "ApiMineurResult", "month_days", "validate_api_mineur", "compute_api_mineur",
    # hearing aids and other aids
    "AID_KINDS", "AidClaim", "AidResult", "six_year_rule_applies", "validate_aid", "compute_aid",
    # standard
    "StandardLine", "validate_standard_line", "compute_standard",
]

Errors = dict[str, str]
ZURICH = ZoneInfo("Europe/Zurich")
ZERO = Decimal("0.00")


# --- Results ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Charge:
    """One priced element of a line: ``quantity × rate`` (a flat rate) or an amount paid
    (``rate`` is then ``None``). ``label`` says it in words, e.g. ``42 km × 0.45 CHF``."""

    label: str
    amount: Decimal
    quantity: Decimal | None = None
    rate: Decimal | None = None
    rate_key: str | None = None


@dataclass(frozen=True)
class LineResult:
    """One line of an invoice (a trip, an assistant, a month, a device…)."""

    label_parts: tuple[str, ...]
    charges: tuple[Charge, ...]
    amount: Decimal

    @property
    def label(self) -> str:
        return " — ".join(part for part in self.label_parts if part)

    @classmethod
    def of(cls, label_parts: Iterable[str], charges: Iterable[Charge]) -> LineResult:
        charges = tuple(charges)
        return cls(tuple(label_parts), charges, _sum(charge.amount for charge in charges))


@dataclass(frozen=True)
class Breakdown:
    lines: tuple[LineResult, ...]
    total: Decimal

    @classmethod
    def of(cls, lines: Iterable[LineResult]) -> Breakdown:
        lines = tuple(lines)
        return cls(lines, _sum(line.amount for line in lines))


class InvalidClaim(ValueError):
    """The input cannot be priced; ``errors`` maps fields to (translated) messages."""

    def __init__(self, errors: Errors):
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


# --- Small helpers ----------------------------------------------------------------------------

def today_in_zurich() -> date:
    """Today's date in Switzerland (the server may run on UTC)."""
    return datetime.now(ZURICH).date()


def _decimal(value, field: str) -> Decimal:
    """An exact number from ``str``, ``int`` or ``Decimal``; floats are refused."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise TypeError(f"{field}: expected str, int or Decimal, not {type(value).__name__}")
    result = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{field}: not a finite number: {value!r}")
    return result


def _optional_decimal(value, field: str) -> Decimal | None:
    return None if value is None else _decimal(value, field)


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return to_amount(sum(amounts, ZERO))


def _times(quantity: Decimal, rate: Decimal) -> Decimal:
    return to_amount(quantity * rate)


def _number(value: Decimal | int) -> str:
    """``42``, ``7.5``, ``0.25`` — no trailing zeros, no exponent."""
    return format(Decimal(value).normalize(), "f")


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _flat(label: str, quantity: Decimal | int, key: str, on: date, rates: RateBook,
          unit: str = "") -> Charge:
    """``quantity`` × the rate ``key`` in force on ``on``: ``Heures : 10 h × 35.30 CHF``."""
    rate = rates.amount(key, on)
    quantity = Decimal(quantity)
    return Charge(_("%(label)s : %(quantity)s%(unit)s × %(rate)s", label=str(label),
                    quantity=_number(quantity), unit=unit, rate=format_chf(rate)),
                  _times(quantity, rate), quantity, rate, key)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def _not_future(errors: Errors, field: str, day: date | None, today: date, message: str):
    if day is not None and day > today and field not in errors:
        errors[field] = message


# --- 1. Frais de déplacement et de repas (RAI art. 90) ----------------------------------------

TRANSPORT_PUBLIC = "public"
TRANSPORT_CAR = "car"
TRANSPORT_TAXI = "taxi"
TRANSPORT_OTHER = "other"
TRANSPORTS = {
    TRANSPORT_PUBLIC: _l("Transports publics (2e classe)"),
    TRANSPORT_CAR: _l("Voiture privée"),
    TRANSPORT_TAXI: _l("Taxi"),
    TRANSPORT_OTHER: _l("Autre moyen de transport"),
}
#: Means of transport paid at the fare on the receipt (the others are paid per km or not again
#: for a companion travelling in the same vehicle).
FARE_TRANSPORTS = (TRANSPORT_PUBLIC, TRANSPORT_TAXI, TRANSPORT_OTHER)
#: Means of transport whose fare a necessary companion pays too.
COMPANION_PAYS_FARE = (TRANSPORT_PUBLIC, TRANSPORT_OTHER)

FIVE_HOURS = timedelta(hours=5)
EIGHT_HOURS = timedelta(hours=8)


@dataclass(frozen=True)
class TripLine:
    """One trip. ``nights`` is the number of nights away: the return is that many days after
    ``date``. ``fare`` is what was paid (public, taxi, other); ``km`` the distance by car."""

    date: date
    depart: str
    destination: str
    motif: str
    transport: str
    fare: Decimal | None = None
    km: Decimal | None = None
    departure_time: time | None = None
    return_time: time | None = None
    nights: int = 0
    companion: bool = False


def time_away(trip: TripLine) -> timedelta | None:
    """How long the person was away from home, or ``None`` when a time is missing."""
    if trip.departure_time is None or trip.return_time is None:
        return None
    start = datetime.combine(trip.date, trip.departure_time)
    end = datetime.combine(trip.date + timedelta(days=max(trip.nights, 0)), trip.return_time)
    return end - start


def meal_rate_key(away: timedelta | None) -> str | None:
    """The viatique for a time away: none under 5 h, the small one from 5 h up to and including
    8 h, the large one beyond 8 h."""
    if away is None or away < FIVE_HOURS:
        return None
    if away <= EIGHT_HOURS:
        return "deplacement.repas_5_8h"
    return "deplacement.repas_plus_8h"


def _duration(away: timedelta) -> str:
    minutes = int(away.total_seconds() // 60)
    return _("%(hours)d h %(minutes)02d", hours=minutes // 60, minutes=minutes % 60)


def _trip_pricing_errors(trip: TripLine) -> Errors:
    """What prevents pricing a trip at all."""
    errors: Errors = {}
    if trip.transport not in TRANSPORTS:
        errors["transport"] = _("Choisissez le moyen de transport.")
    elif trip.transport == TRANSPORT_CAR:
        km = _optional_decimal(trip.km, "km")
        if km is None or km <= 0:
            errors["km"] = _("Indiquez les kilomètres parcourus en voiture (plus de 0 km).")
    else:
        fare = _optional_decimal(trip.fare, "fare")
        if fare is None or fare <= 0:
            if trip.transport == TRANSPORT_PUBLIC:
                errors["fare"] = _("Indiquez le prix du billet en CHF (plus de 0 CHF).")
            elif trip.transport == TRANSPORT_TAXI:
                errors["fare"] = _("Indiquez le prix de la course en CHF (plus de 0 CHF).")
            else:
                errors["fare"] = _("Indiquez le montant payé en CHF (plus de 0 CHF).")
    if trip.nights < 0:
        errors["nights"] = _("Le nombre de nuits ne peut pas être négatif.")
    return errors


def validate_trip(trip: TripLine, today: date | None = None) -> Errors:
    """Messages per field for one trip; ``today`` defaults to today in Switzerland."""
    today = today or today_in_zurich()
    errors: Errors = {}
    if trip.date is None:
        errors["date"] = _("Indiquez la date du trajet.")
    elif trip.date > today:
        errors["date"] = _("La date du trajet ne peut pas être dans le futur.")
    for field, message in (
            ("depart", _("Indiquez le lieu de départ.")),
            ("destination", _("Indiquez la destination.")),
            ("motif", _("Indiquez le motif du trajet (mesure ou lieu de traitement).")),
    ):
        if not (getattr(trip, field) or "").strip():
            errors[field] = message
    errors.update(_trip_pricing_errors(trip))
    if trip.departure_time is None:
        errors["departure_time"] = _("Indiquez l'heure de départ.")
    if trip.return_time is None:
        errors["return_time"] = _("Indiquez l'heure de retour.")
    elif trip.departure_time is not None and trip.date is not None and "nights" not in errors:
        if time_away(trip) <= timedelta(0):
            errors["return_time"] = _("L'heure de retour doit être après l'heure de départ.")
        elif trip.date + timedelta(days=trip.nights) > today:
            errors["nights"] = _("Le retour ne peut pas être dans le futur.")
    return errors


def compute_trip(trip: TripLine, *, rates: RateBook) -> LineResult:
    """Transport, viatique, nights and the companion's share of one trip, at the trip date's
    rates."""
    errors = _trip_pricing_errors(trip)
    if errors:
        raise InvalidClaim(errors)
    on = trip.date
    charges: list[Charge] = []
    transport_label = str(TRANSPORTS[trip.transport])
    fare = None
    if trip.transport == TRANSPORT_CAR:
        charges.append(_flat(transport_label, _decimal(trip.km, "km"),
                             "deplacement.voiture_km", on, rates, unit=" km"))
    else:
        fare = to_amount(_decimal(trip.fare, "fare"))
        charges.append(Charge(_("%(transport)s : montant payé", transport=transport_label),
                              fare))

    away = time_away(trip)
    meal_key = meal_rate_key(away)
    meal = None
    if meal_key is not None:
        meal = _flat(_("Repas (viatique), absence de %(duration)s", duration=_duration(away)),
                     1, meal_key, on, rates)
        charges.append(meal)
    if trip.nights > 0:
        charges.append(_flat(_("Nuits hors du domicile"), trip.nights, "deplacement.nuit", on,
                             rates))

    if trip.companion:
        if trip.transport in COMPANION_PAYS_FARE:
            charges.append(Charge(_("%(transport)s de l'accompagnant·e : montant payé",
                                    transport=transport_label), fare))
        if meal is not None:
            charges.append(Charge(_("Repas (viatique) de l'accompagnant·e : 1 × %(rate)s",
                                    rate=format_chf(meal.rate)), meal.amount, meal.quantity,
                                  meal.rate, meal.rate_key))

    parts = [_day(trip.date), f"{trip.depart} → {trip.destination}", trip.motif, transport_label]
    if trip.companion:
        parts.append(_("avec accompagnant·e"))
    return LineResult.of(parts, charges)


def compute_travel(trips: Iterable[TripLine], *, rates: RateBook) -> Breakdown:
    return Breakdown.of(compute_trip(trip, rates=rates) for trip in trips)


# --- 2. Contribution d'assistance (RAI art. 39f–39i) ------------------------------------------

MONTH_OVERRUN = Decimal("1.5")   # the month may exceed the monthly amount by at most 50 %


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
        if _decimal(getattr(line, field), field) < 0:
            errors[field] = message
    if line.nights < 0:
        errors["nights"] = _("Le nombre de nuits ne peut pas être négatif.")
    if line.sick_days_paid < 0:
        errors["sick_days_paid"] = _("Le nombre de jours ne peut pas être négatif.")
    salary = _optional_decimal(line.gross_salary, "gross_salary")
    if salary is not None and salary < 0:
        errors["gross_salary"] = _("Le salaire brut ne peut pas être négatif.")
    if not errors and not (_decimal(line.ordinary_hours, "ordinary_hours")
                           or _decimal(line.qualified_hours, "qualified_hours") or line.nights):
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
    monthly_amount = to_amount(_decimal(monthly_amount, "monthly_amount"))
    assistants = tuple(assistants)

    used_rate = night_key = None
    from_decision = night_rate is not None
    if any(line.nights for line in assistants):
        used_rate = rates.amount("assistance.nuit_max", month)
        night_key = "assistance.nuit_max"
        if night_rate is not None and to_amount(_decimal(night_rate, "night_rate")) < used_rate:
            used_rate = to_amount(_decimal(night_rate, "night_rate"))
            night_key = "decision.nuit"

    lines = []
    for line in assistants:
        charges = []
        hours = _decimal(line.ordinary_hours, "ordinary_hours")
        qualified = _decimal(line.qualified_hours, "qualified_hours")
        if hours:
            charges.append(_flat(_("Heures"), hours, "assistance.heure", month, rates, " h"))
        if qualified:
            charges.append(_flat(_("Heures qualifiées"), qualified, "assistance.heure_qualifiee",
                                 month, rates, " h"))
        if line.nights:
            nights = Decimal(line.nights)
            charges.append(Charge(_("Nuits : %(count)d × %(rate)s", count=line.nights,
                                    rate=format_chf(used_rate)),
                                  _times(nights, used_rate), nights, used_rate, night_key))
        lines.append(LineResult.of((line.name,), charges))
    claimed = _sum(line.amount for line in lines)

    month_cap = to_amount(monthly_amount * MONTH_OVERRUN)
    year_cap = to_amount(monthly_amount * (11 if eleven_months else 12))
    same_year = [(day, to_amount(_decimal(amount, "previous_payable")))
                 for day, amount in _pairs(previous_payable) if day.year == month.year]
    already_month = _sum(amount for day, amount in same_year if day.month == month.month)
    already_year = _sum(amount for day, amount in same_year)
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


# --- 3. Allocation pour impotent — mineur·e (LAI art. 42ter) ----------------------------------

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
_MONTHS = (_l("janvier"), _l("février"), _l("mars"), _l("avril"), _l("mai"), _l("juin"),
           _l("juillet"), _l("août"), _l("septembre"), _l("octobre"), _l("novembre"),
           _l("décembre"))


@dataclass(frozen=True)
class ApiMineurResult:
    lines: tuple[LineResult, ...]
    total: Decimal
    nights_at_home: int
    days_in_institution: int
    days_in_hospital: int
    daily_rate: Decimal
    supplement_rate: Decimal | None


def month_days(month: date) -> list[date]:
    """Every day of the month ``month`` falls in."""
    first = month.replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    return [first + timedelta(days=offset) for offset in range((following - first).days)]


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
                               day=_day(day), month=_month_label(first))
            break
        if place not in DAY_PLACES:
            errors["days"] = _("Pour le %(day)s, indiquez : à la maison, en home ou "
                               "institution, ou à l'hôpital.", day=_day(day))
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
                               day=_day(future[0]))
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
    charges = [_flat(_("Nuits à la maison, %(degree)s",
                       degree=str(_DEGREES_IN_TEXT[degree])), nights,
                     f"api_mineur.{degree}", first, rates)]
    supplement_rate = None
    if supplement is not None:
        charge = _flat(_("Supplément pour soins intenses (%(hours)s)",
                         hours=str(SUPPLEMENTS[supplement])), nights,
                       f"api_mineur.supplement_{supplement}", first, rates)
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


# --- 4. Appareils auditifs et moyens auxiliaires (OMAI annexe 5.07) ---------------------------

AID_KINDS = {
    "une_oreille": _l("Appareil auditif, une oreille"),
    "deux_oreilles": _l("Appareils auditifs, deux oreilles"),
    "piles": _l("Piles pour appareils auditifs"),
    "reparation_electronique": _l("Réparation de l'électronique d'un appareil auditif"),
    "reparation_autre": _l("Autre réparation d'un appareil auditif"),
    "autre_moyen": _l("Autre moyen auxiliaire"),
}
DEVICE_KINDS = ("une_oreille", "deux_oreilles")
REPAIR_KINDS = ("reparation_electronique", "reparation_autre")
_AID_RATE_KEYS = {
    "une_oreille": "moyens_auxiliaires.appareil_une_oreille",
    "deux_oreilles": "moyens_auxiliaires.appareil_deux_oreilles",
    "piles": "moyens_auxiliaires.piles_par_appareil_an",
    "reparation_electronique": "moyens_auxiliaires.reparation_electronique",
    "reparation_autre": "moyens_auxiliaires.reparation_autre",
}
DEVICE_RENEWAL_YEARS = 6
REPAIR_MINIMUM_AGE_YEARS = 1
MAX_DEVICES = 2


@dataclass(frozen=True)
class AidClaim:
    """``cost_date`` is the date of the supplier's invoice (or of the purchase of batteries):
    its rates apply. ``devices`` counts hearing aids for batteries (one year per device)."""

    kind: str
    cost_date: date
    devices: int = 1
    device_purchase_date: date | None = None
    supplier_amount: Decimal | None = None
    previous_device_claim_date: date | None = None
    description: str = ""


@dataclass(frozen=True)
class AidResult:
    """``six_year_rule`` is true when a device is claimed less than six years after the
    previous one: staff decide, the claim is not refused."""

    lines: tuple[LineResult, ...]
    total: Decimal
    six_year_rule: bool


def _aid_pricing_errors(claim: AidClaim) -> Errors:
    errors: Errors = {}
    if claim.kind not in AID_KINDS:
        return {"kind": _("Choisissez ce qui est demandé.")}
    if claim.kind == "piles" and not 1 <= claim.devices <= MAX_DEVICES:
        errors["devices"] = _("Indiquez le nombre d'appareils auditifs (1 ou 2).")
    if claim.kind in REPAIR_KINDS:
        bought = claim.device_purchase_date
        if bought is None:
            errors["device_purchase_date"] = _("Indiquez la date d'achat de l'appareil réparé.")
        elif claim.cost_date < _add_years(bought, REPAIR_MINIMUM_AGE_YEARS):
            errors["device_purchase_date"] = _(
                "Une réparation n'est prise en charge que pour un appareil de plus d'un an ; "
                "cet appareil a été acheté le %(day)s.", day=_day(bought))
    if claim.kind == "autre_moyen":
        amount = _optional_decimal(claim.supplier_amount, "supplier_amount")
        if amount is None or amount <= 0:
            errors["supplier_amount"] = _("Indiquez le montant de la facture du fournisseur "
                                          "en CHF (plus de 0 CHF).")
    return errors


def six_year_rule_applies(claim: AidClaim) -> bool:
    """A hearing aid claimed less than 6 years after the previous one (flag for staff)."""
    previous = claim.previous_device_claim_date
    return (claim.kind in DEVICE_KINDS and previous is not None
            and claim.cost_date < _add_years(previous, DEVICE_RENEWAL_YEARS))


def validate_aid(claim: AidClaim, today: date | None = None) -> Errors:
    today = today or today_in_zurich()
    errors: Errors = {}
    if claim.cost_date is None:
        return {"cost_date": _("Indiquez la date de la facture.")}
    _not_future(errors, "cost_date", claim.cost_date, today,
                _("La date de la facture ne peut pas être dans le futur."))
    if claim.device_purchase_date is not None and claim.device_purchase_date > claim.cost_date:
        errors["device_purchase_date"] = _("La date d'achat de l'appareil doit précéder "
                                           "celle de la réparation.")
    for field, message in _aid_pricing_errors(claim).items():
        errors.setdefault(field, message)
    return errors


def compute_aid(claim: AidClaim, *, rates: RateBook) -> AidResult:
    errors = _aid_pricing_errors(claim)
    if errors:
        raise InvalidClaim(errors)
    label = str(AID_KINDS[claim.kind])
    if claim.kind == "autre_moyen":
        charge = Charge(_("Facture du fournisseur"), to_amount(_decimal(claim.supplier_amount,
                                                                        "supplier_amount")))
    elif claim.kind == "piles":
        charge = _flat(_("Forfait annuel par appareil"), claim.devices,
                       _AID_RATE_KEYS[claim.kind], claim.cost_date, rates)
    else:
        charge = _flat(_("Forfait"), 1, _AID_RATE_KEYS[claim.kind], claim.cost_date, rates)
    line = LineResult.of((_day(claim.cost_date), label, claim.description.strip()), [charge])
    return AidResult(lines=(line,), total=line.amount,
                     six_year_rule=six_year_rule_applies(claim))


# --- 5. Facture standard ----------------------------------------------------------------------

@dataclass(frozen=True)
class StandardLine:
    date: date
    label: str
    quantity: Decimal
    unit_price: Decimal


def validate_standard_line(line: StandardLine, today: date | None = None) -> Errors:
    today = today or today_in_zurich()
    errors: Errors = {}
    if line.date is None:
        errors["date"] = _("Indiquez la date.")
    _not_future(errors, "date", line.date, today, _("La date ne peut pas être dans le futur."))
    if not (line.label or "").strip():
        errors["label"] = _("Indiquez le libellé.")
    if line.quantity is None or _decimal(line.quantity, "quantity") <= 0:
        errors["quantity"] = _("La quantité doit être supérieure à 0.")
    if line.unit_price is None or _decimal(line.unit_price, "unit_price") <= 0:
        errors["unit_price"] = _("Le prix unitaire doit être supérieur à 0 CHF.")
    return errors


def compute_standard(lines: Iterable[StandardLine]) -> Breakdown:
    """Each line is quantity × unit price, rounded half-up to the centime."""
    results = []
    for line in lines:
        quantity = _decimal(line.quantity, "quantity")
        price = _decimal(line.unit_price, "unit_price")
        charge = Charge(f"{_number(quantity)} × {format_chf(price)}", _times(quantity, price),
                        quantity, price)
        results.append(LineResult.of((_day(line.date), line.label), [charge]))
    return Breakdown.of(results)
