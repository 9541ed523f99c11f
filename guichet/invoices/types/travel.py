"""Frais de déplacement et de repas (RAI art. 90; rates unchanged since 1992): one line per trip.

Public transport, taxi and other means are paid at the fare on the receipt, a private car per
kilometre; the viatique depends on the time away (5 to 8 hours, more than 8 hours); each night
away is a flat rate; a necessary companion gets transport and viatique too. Pièces: tickets and
receipts, and for car or taxi the certificate that the disability requires it (unless the
decision already says so).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.i18n import ngettext, today_in_zurich
from guichet.core.money import format_chf, to_amount
from guichet.invoices.rate_book import RateBook, RateRow

from .amounts import (Charge, Errors, InvalidClaim, LineResult, exact, flat_charge, optional_exact,
                      sum_amounts)
from .base import (DATE, DATE_HINT, INTEGER, MONEY, MONEY_EXAMPLE, NUMBER, SELECT, TIME, TIME_HINT,
                   YESNO, Claim, FieldSpec, Flag, InvoiceType, Requirement)
from .days import day_text
from .supplier_bill import BillFill, SupplierBill
from .wording import dates_phrase, enumeration

KEY = "deplacement"

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
#: Means of transport the AI pays only when the disability requires them.
VEHICLES = (TRANSPORT_CAR, TRANSPORT_TAXI)

#: The flag staff see when a meal allowance was given: it rests on the times declared.
MEAL_FLAG = "meal_allowance"

FIVE_HOURS = timedelta(hours=5)
EIGHT_HOURS = timedelta(hours=8)

RATE_CAR_KM = "deplacement.voiture_km"
RATE_MEAL_5_8H = "deplacement.repas_5_8h"
RATE_MEAL_OVER_8H = "deplacement.repas_plus_8h"
RATE_NIGHT = "deplacement.nuit"

_RAI_90 = "RAI art. 90"
_SINCE_1992 = (date(1992, 1, 1), None)

RATES = (
    RateRow.for_period(RATE_CAR_KM, _SINCE_1992, "0.45", "Voiture privée, par kilomètre",
                       _RAI_90),
    RateRow.for_period(RATE_MEAL_5_8H, _SINCE_1992, "11.50",
                       "Repas (viatique), absence de 5 à 8 heures", _RAI_90),
    RateRow.for_period(RATE_MEAL_OVER_8H, _SINCE_1992, "19.00",
                       "Repas (viatique), absence de plus de 8 heures", _RAI_90),
    RateRow.for_period(RATE_NIGHT, _SINCE_1992, "37.50", "Nuit hors du domicile", _RAI_90),
)


# --- What a trip is worth ---------------------------------------------------------------------

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
        return RATE_MEAL_5_8H
    return RATE_MEAL_OVER_8H


def _duration(away: timedelta) -> str:
    minutes = int(away.total_seconds() // 60)
    return _("%(hours)d h %(minutes)02d", hours=minutes // 60, minutes=minutes % 60)


def _trip_pricing_errors(trip: TripLine) -> Errors:
    """What prevents pricing a trip at all."""
    errors: Errors = {}
    if trip.transport not in TRANSPORTS:
        errors["transport"] = _("Choisissez le moyen de transport.")
    elif trip.transport == TRANSPORT_CAR:
        km = optional_exact(trip.km, "km")
        if km is None or km <= 0:
            errors["km"] = _("Indiquez les kilomètres parcourus en voiture (plus de 0 km).")
    else:
        fare = optional_exact(trip.fare, "fare")
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
        elif trip.nights > 0 and "date" not in errors and \
                trip.date + timedelta(days=trip.nights) > today:
            # only a return after nights away can be in the future on its own: a trip of the
            # day in the future is the date's error
            errors["nights"] = ngettext(
                "Avec %(num)d nuit hors du domicile, le retour serait le %(day)s, dans le "
                "futur : vérifiez le nombre de nuits.",
                "Avec %(num)d nuits hors du domicile, le retour serait le %(day)s, dans le "
                "futur : vérifiez le nombre de nuits.", trip.nights,
                day=day_text(trip.date + timedelta(days=trip.nights)))
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
        charges.append(flat_charge(transport_label, exact(trip.km, "km"), RATE_CAR_KM, on, rates,
                                   unit=" km"))
    else:
        fare = to_amount(exact(trip.fare, "fare"))
        charges.append(Charge(_("%(transport)s : montant payé", transport=transport_label),
                              fare))

    away = time_away(trip)
    meal_key = meal_rate_key(away)
    meal = None
    if meal_key is not None:
        meal = flat_charge(_("Forfait repas, absence de %(duration)s",
                             duration=_duration(away)), 1, meal_key, on, rates)
        charges.append(meal)
    if trip.nights > 0:
        charges.append(flat_charge(_("Nuits hors du domicile"), trip.nights, RATE_NIGHT, on,
                                   rates))

    if trip.companion:
        if trip.transport in COMPANION_PAYS_FARE:
            charges.append(Charge(_("%(transport)s de l'accompagnant·e : montant payé",
                                    transport=transport_label), fare))
        if meal is not None:
            charges.append(Charge(_("Forfait repas de l'accompagnant·e : 1 × %(rate)s",
                                    rate=format_chf(meal.rate)), meal.amount, meal.quantity,
                                  meal.rate, meal.rate_key))

    parts = [day_text(trip.date), f"{trip.depart} → {trip.destination}", trip.motif,
             transport_label]
    if trip.companion:
        parts.append(_("avec accompagnant·e"))
    return LineResult.of(parts, charges)


def meal_allowance_flag(trips: Iterable[TripLine], rates: RateBook) -> Flag | None:
    """The trips whose meal allowance follows from the times declared (5 to 8 hours, or more
    than 8 hours away), each with its times, duration and rate: a human checks the times.
    ``None`` when no trip has one."""
    found = []
    for trip in trips:
        away = time_away(trip)
        key = meal_rate_key(away)
        if key is None:
            continue
        tier = _("de 5 à 8 heures") if key == RATE_MEAL_5_8H else _("plus de 8 heures")
        found.append(_("%(day)s, %(start)s–%(end)s%(nights)s : %(duration)s, %(tier)s, "
                       "%(rate)s", day=day_text(trip.date),
                       start=f"{trip.departure_time:%H:%M}", end=f"{trip.return_time:%H:%M}",
                       nights=ngettext(" (%(num)d nuit)", " (%(num)d nuits)", trip.nights)
                       if trip.nights > 0 else "",
                       duration=_duration(away), tier=tier,
                       rate=format_chf(rates.amount(key, trip.date))))
    if not found:
        return None
    return Flag(MEAL_FLAG, ngettext(
        "Forfait repas selon les heures déclarées, à vérifier : %(trips)s.",
        "Forfaits repas selon les heures déclarées, à vérifier : %(trips)s.",
        len(found), trips=" ; ".join(found)))


# --- Pièces -----------------------------------------------------------------------------------

def travel_requirements(trips: Iterable[TripLine], *,
                        decision_mentions_vehicle: bool = False) -> list[Requirement]:
    """Tickets for public transport, receipts for taxis and other costs, and — for car or taxi —
    the certificate that the disability requires it, unless the decision already says so.
    A key appears at most once; its reason names the trips concerned."""
    trips = list(trips)

    def days_by(transport: str) -> list[date]:
        return [trip.date for trip in trips if trip.transport == transport]

    def companion_note(transport: str) -> str:
        if any(trip.companion for trip in trips if trip.transport == transport):
            return " " + _("Joignez aussi ceux de votre accompagnant·e.")
        return ""

    public, taxi, car, other = (days_by(TRANSPORT_PUBLIC), days_by(TRANSPORT_TAXI),
                                days_by(TRANSPORT_CAR), days_by(TRANSPORT_OTHER))
    found: list[Requirement] = []
    if public:
        found.append(Requirement(
            "transport_tickets", _("Billets ou quittances de transports publics"),
            ngettext("Le prix du billet est remboursé sur justificatif pour le trajet "
                     "en transports publics %(dates)s.",
                     "Le prix du billet est remboursé sur justificatif pour les trajets "
                     "en transports publics %(dates)s.",
                     len(set(public)), dates=dates_phrase(public))
            + companion_note(TRANSPORT_PUBLIC)))
    if taxi:
        found.append(Requirement(
            "taxi_receipt", _("Quittances de taxi"),
            ngettext("La course est remboursée sur quittance pour le trajet en taxi %(dates)s.",
                     "La course est remboursée sur quittance pour les trajets en taxi "
                     "%(dates)s.",
                     len(set(taxi)), dates=dates_phrase(taxi))))
    if other:
        found.append(Requirement(
            "other_cost_receipts", _("Quittances des autres frais de transport"),
            ngettext("Le montant payé est remboursé sur justificatif pour le trajet %(dates)s.",
                     "Le montant payé est remboursé sur justificatif pour les trajets "
                     "%(dates)s.",
                     len(set(other)), dates=dates_phrase(other))
            + companion_note(TRANSPORT_OTHER)))
    if (car or taxi) and not decision_mentions_vehicle:
        means = enumeration([name for name, days in ((_("la voiture privée"), car),
                                                     (_("le taxi"), taxi)) if days])
        found.append(Requirement(
            "disability_certificate",
            _("Certificat médical attestant que le handicap exige ce moyen de transport"),
            _("L'AI ne prend en charge %(means)s que si le handicap l'exige, et votre décision "
              "ne le mentionne pas.", means=means)))
    return found


def fill_from_bill(bill: SupplierBill, header: dict, lines: list[dict]) -> BillFill:
    """A taxi company's invoice: its amount is the fare of the first taxi ride whose fare is
    not typed yet (else of the first taxi ride), dated like the invoice when the ride has no
    date yet. No taxi ride: nothing to take."""
    taxis = [index for index, line in enumerate(lines)
             if line.get("transport") == TRANSPORT_TAXI]
    if not taxis:
        return BillFill()
    index = next((i for i in taxis if not (lines[i].get("fare") or "").strip()), taxis[0])
    written = {"fare": f"{bill.amount:.2f}"}
    if bill.invoice_date and not (lines[index].get("date") or "").strip():
        written["date"] = day_text(bill.invoice_date)
    return BillFill(lines={index: written})


# --- The form and its evaluation --------------------------------------------------------------

def price(claim: Claim) -> None:
    """Each trip is checked and priced on its own; the pièces follow the means of transport."""
    result = claim.result
    trips, priced = [], []
    for index, values in enumerate(claim.lines):
        trip = TripLine(
            date=values.get("date"), depart=values.get("depart", ""),
            destination=values.get("destination", ""), motif=values.get("motif", ""),
            transport=values.get("transport", ""), fare=values.get("fare"), km=values.get("km"),
            departure_time=values.get("departure_time"), return_time=values.get("return_time"),
            nights=values.get("nights", 0), companion=values.get("companion", False))
        errors = claim.reportable(validate_trip(trip), values)
        errors.update(result.line_errors[index])
        result.line_errors[index] = errors
        if not errors and trip.date and trip.transport:
            try:
                result.priced_lines.append(compute_trip(trip, rates=claim.rates))
                trips.append(trip)
                priced.append(trip)
            except InvalidClaim:
                pass
        elif trip.transport and trip.date:
            trips.append(trip)
    by_vehicle = [values for values in claim.lines if values.get("transport") in VEHICLES]
    result.requirements = travel_requirements(trips, decision_mentions_vehicle=bool(by_vehicle)
                                              and all(values.get("vehicle_required")
                                                      for values in by_vehicle))
    result.total = sum_amounts(line.amount for line in result.priced_lines)
    flag = meal_allowance_flag(priced, claim.rates)
    if flag is not None:
        result.flags.append(flag)


TYPE = InvoiceType(
    key=KEY, label=_l("Frais de déplacement et de repas"),
    description=_l("Trajets pour une mesure ou un traitement : billets, kilomètres en voiture, "
                   "repas et nuits hors du domicile."),
    price=price, rates=RATES, fill_from_bill=fill_from_bill, bill_pieces=("taxi_receipt",),
    line_label=_l("Trajet"), lines_title=_l("Trajets"), add_line_label=_l("Ajouter un trajet"),
    line_added=_l("Trajet %(num)d ajouté"), line_removed=_l("Trajet supprimé"),
    line_fields=(
        FieldSpec("date", _l("Date du trajet"), DATE, hint=DATE_HINT, width="short"),
        FieldSpec("depart", _l("Départ"), hint=_l("Localité de départ"), max_length=100),
        FieldSpec("destination", _l("Destination"), max_length=100),
        FieldSpec("motif", _l("Motif"), hint=_l("La mesure ou le lieu de traitement, par exemple "
                                              "« physiothérapie à Neuchâtel »."),
                  max_length=200),
        FieldSpec("transport", _l("Moyen de transport"), SELECT,
                  choices=tuple(TRANSPORTS.items()), structural=True),
        FieldSpec("fare", _l("Prix du billet ou de la course (CHF)"), MONEY, width="short",
                  hint=_l("Le montant payé, par exemple %(example)s.", example=MONEY_EXAMPLE),
                  show_if=("transport", FARE_TRANSPORTS)),
        FieldSpec("km", _l("Kilomètres parcourus (aller et retour)"), NUMBER, width="short",
                  show_if=("transport", (TRANSPORT_CAR,))),
        FieldSpec("vehicle_required", _l("La décision dit-elle déjà que votre handicap exige "
                                         "la voiture ou le taxi ?"), YESNO,
                  hint=_l("Sinon, joignez un certificat médical."),
                  show_if=("transport", VEHICLES), changes_pieces=True),
        FieldSpec("departure_time", _l("Heure de départ"), TIME, hint=TIME_HINT,
                  width="short"),
        FieldSpec("return_time", _l("Heure de retour"), TIME, hint=TIME_HINT, width="short"),
        FieldSpec("nights", _l("Nuits hors du domicile"), INTEGER, width="short", optional=True,
                  hint=_l("0 si vous êtes rentré·e le jour même.")),
        FieldSpec("companion", _l("La présence d'un·e accompagnant·e était-elle nécessaire ?"),
                  YESNO),
    ))
