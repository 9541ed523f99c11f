"""Tests for the invoice types' computations (guichet.invoices.types.*): amounts per type,
and the rule checks."""
from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from guichet.core.identifiers import InvalidIdentifier
from guichet.invoices.rate_book import MissingRate, RateRow
from guichet.invoices.rates import StaticRateBook
from guichet.invoices.types import invoice_type
from guichet.invoices.types.aids import AidClaim, compute_aid, validate_aid
from guichet.invoices.types.amounts import Breakdown, InvalidClaim
from guichet.invoices.types.api_minor import compute_api_mineur, validate_api_mineur
from guichet.invoices.types.assistance import AssistantLine, compute_assistance, validate_assistant
from guichet.invoices.types.base import Claim, Evaluation
from guichet.invoices.types.standard import StandardLine, compute_standard, validate_standard_line
from guichet.invoices.types.travel import (TripLine, compute_trip, meal_rate_key, time_away,
                                           validate_trip)
from guichet.register.decision_numbers import parse_decision_number

D = Decimal
RATES = StaticRateBook()
TODAY = date(2025, 6, 15)


def trip(**changes) -> TripLine:
    base = TripLine(date=date(2025, 3, 3), depart="Neuchâtel", destination="Berne",
                    motif="Physiothérapie", transport="public", fare=D("24.60"),
                    departure_time=time(8, 0), return_time=time(10, 0))
    return replace(base, **changes)


def charges(line):
    return [(charge.rate_key, charge.amount) for charge in line.charges]


def assert_money(value):
    assert isinstance(value, Decimal) and value.as_tuple().exponent == -2


# --- Travel: viatique tiers -------------------------------------------------------------------

@pytest.mark.parametrize("departure, back, expected", [
    (time(8, 0), time(12, 59), None),                          # 4 h 59
    (time(8, 0), time(13, 0), "deplacement.repas_5_8h"),       # exactly 5 h
    (time(8, 0), time(14, 0), "deplacement.repas_5_8h"),       # 6 h
    (time(8, 0), time(16, 0), "deplacement.repas_5_8h"),       # exactly 8 h
    (time(8, 0), time(16, 1), "deplacement.repas_plus_8h"),    # 8 h 01
    (time(6, 30), time(19, 45), "deplacement.repas_plus_8h"),
])
def test_meal_tier_follows_time_away(departure, back, expected):
    assert meal_rate_key(time_away(trip(departure_time=departure, return_time=back))) == expected


@pytest.mark.parametrize("departure, back, meal", [
    (time(8, 0), time(12, 59), None),
    (time(8, 0), time(13, 0), "11.50"),
    (time(8, 0), time(14, 0), "11.50"),
    (time(8, 0), time(16, 0), "11.50"),
    (time(8, 0), time(16, 1), "19.00"),
])
def test_meal_amount_in_the_breakdown(departure, back, meal):
    line = compute_trip(trip(departure_time=departure, return_time=back), rates=RATES)
    meals = [c.amount for c in line.charges if (c.rate_key or "").startswith("deplacement.repas")]
    assert meals == ([D(meal)] if meal else [])
    assert line.amount == D("24.60") + (D(meal) if meal else 0)


def test_time_away_counts_the_nights():
    away = time_away(trip(departure_time=time(18, 0), return_time=time(9, 0), nights=1))
    assert away == timedelta(hours=15)
    assert time_away(trip(departure_time=None)) is None


# --- Travel: transport, nights, companion -----------------------------------------------------

def test_car_42_km():
    line = compute_trip(trip(transport="car", fare=None, km=D(42)), rates=RATES)
    assert charges(line) == [("deplacement.voiture_km", D("18.90"))]
    assert line.charges[0].label == "Voiture privée : 42 km × 0.45 CHF"
    assert line.charges[0].quantity == D(42) and line.charges[0].rate == D("0.45")
    assert line.amount == D("18.90")


@pytest.mark.parametrize("km, expected", [
    ("12.5", "5.63"),    # 5.625 rounds half-up (half-even would give 5.62)
    ("10.1", "4.55"),    # 4.545
    ("1", "0.45"),
    ("333", "149.85"),
])
def test_car_amount_rounds_half_up(km, expected):
    line = compute_trip(trip(transport="car", fare=None, km=D(km)), rates=RATES)
    assert line.amount == D(expected)
    assert_money(line.amount)


@pytest.mark.parametrize("transport, fare, expected", [
    ("public", D("24.60"), "24.60"),
    ("taxi", D("38.5"), "38.50"),
    ("other", "12.345", "12.35"),
])
def test_fare_is_paid_as_paid(transport, fare, expected):
    line = compute_trip(trip(transport=transport, fare=fare), rates=RATES)
    assert charges(line) == [(None, D(expected))]


def test_nights_away():
    line = compute_trip(trip(nights=2, departure_time=time(7, 0), return_time=time(18, 0)),
                        rates=RATES)
    assert charges(line) == [(None, D("24.60")), ("deplacement.repas_plus_8h", D("19.00")),
                             ("deplacement.nuit", D("75.00"))]
    assert line.amount == D("118.60")


def test_companion_doubles_public_fare_and_meal():
    alone = compute_trip(trip(return_time=time(14, 0)), rates=RATES)
    together = compute_trip(trip(return_time=time(14, 0), companion=True), rates=RATES)
    assert alone.amount == D("36.10")
    assert together.amount == D("72.20")
    assert charges(together) == [(None, D("24.60")), ("deplacement.repas_5_8h", D("11.50")),
                                 (None, D("24.60")), ("deplacement.repas_5_8h", D("11.50"))]
    assert "avec accompagnant·e" in together.label_parts


def test_companion_doubles_other_fare():
    line = compute_trip(trip(transport="other", fare=D("10"), companion=True), rates=RATES)
    assert line.amount == D("20.00")


@pytest.mark.parametrize("transport, fare, km, expected", [
    ("car", None, D(42), "41.90"),        # 18.90 + 2 × 11.50: same car, no second fare
    ("taxi", D("50"), None, "73.00"),     # 50 + 2 × 11.50
])
def test_companion_in_the_same_vehicle_adds_only_the_meal(transport, fare, km, expected):
    line = compute_trip(trip(transport=transport, fare=fare, km=km, return_time=time(14, 0),
                             companion=True), rates=RATES)
    assert line.amount == D(expected)


def test_companion_without_meal_gets_no_meal():
    line = compute_trip(trip(companion=True), rates=RATES)     # 2 h away
    assert line.amount == D("49.20")


def test_travel_total_and_label():
    result = Breakdown.of(compute_trip(line, rates=RATES)
                          for line in (trip(), trip(transport="car", fare=None, km=D(42))))
    assert [line.amount for line in result.lines] == [D("24.60"), D("18.90")]
    assert result.total == D("43.50")
    assert_money(result.total)
    assert result.lines[0].label == ("03.03.2025 — Neuchâtel → Berne — Physiothérapie — "
                                     "Transports publics (2e classe)")


def test_rates_follow_the_trip_date():
    book = StaticRateBook([
        RateRow("deplacement.voiture_km", date(1992, 1, 1), date(2024, 12, 31), D("0.45"),
                "km", "RAI art. 90"),
        RateRow("deplacement.voiture_km", date(2025, 1, 1), None, D("0.70"), "km", "RAI art. 90"),
    ])
    car = trip(transport="car", fare=None, km=D(10))
    assert compute_trip(replace(car, date=date(2024, 12, 31)), rates=book).amount == D("4.50")
    assert compute_trip(replace(car, date=date(2025, 1, 1)), rates=book).amount == D("7.00")


def test_public_trip_does_not_need_the_car_rate():
    book = StaticRateBook([])       # no rate at all: a 2-hour public-transport trip needs none
    assert compute_trip(trip(), rates=book).amount == D("24.60")
    with pytest.raises(MissingRate):
        compute_trip(trip(transport="car", fare=None, km=D(3)), rates=book)


@pytest.mark.parametrize("changes, field", [
    ({"transport": "car", "fare": None, "km": None}, "km"),
    ({"transport": "car", "fare": None, "km": D(0)}, "km"),
    ({"transport": "public", "fare": None}, "fare"),
    ({"transport": "taxi", "fare": D(0)}, "fare"),
    ({"transport": "other", "fare": D("-3")}, "fare"),
    ({"transport": "velo"}, "transport"),
])
def test_trip_that_cannot_be_priced_is_refused(changes, field):
    with pytest.raises(InvalidClaim) as excinfo:
        compute_trip(trip(**changes), rates=RATES)
    assert field in excinfo.value.errors


def test_floats_are_refused():
    with pytest.raises(TypeError):
        compute_trip(trip(fare=24.6), rates=RATES)
    with pytest.raises(TypeError):
        compute_trip(trip(transport="car", fare=None, km=42.0), rates=RATES)


# --- Travel: validation -----------------------------------------------------------------------

def test_valid_trip_has_no_errors():
    assert validate_trip(trip(), today=TODAY) == {}
    assert validate_trip(trip(date=TODAY), today=TODAY) == {}
    assert validate_trip(trip(transport="car", fare=None, km=D(42)), today=TODAY) == {}


@pytest.mark.parametrize("changes, field, message", [
    ({"date": TODAY + timedelta(days=1)}, "date",
     "La date du trajet ne peut pas être dans le futur."),
    ({"return_time": time(8, 0)}, "return_time",
     "L'heure de retour doit être après l'heure de départ."),
    ({"return_time": time(7, 0)}, "return_time",
     "L'heure de retour doit être après l'heure de départ."),
    ({"transport": "car", "fare": None, "km": D(0)}, "km",
     "Indiquez les kilomètres parcourus en voiture (plus de 0 km)."),
    ({"transport": "car", "fare": None, "km": None}, "km",
     "Indiquez les kilomètres parcourus en voiture (plus de 0 km)."),
    ({"fare": D(0)}, "fare", "Indiquez le prix du billet en CHF (plus de 0 CHF)."),
    ({"transport": "taxi", "fare": None}, "fare",
     "Indiquez le prix de la course en CHF (plus de 0 CHF)."),
    ({"transport": "other", "fare": D("-1")}, "fare",
     "Indiquez le montant payé en CHF (plus de 0 CHF)."),
    ({"departure_time": None}, "departure_time", "Indiquez l'heure de départ."),
    ({"return_time": None}, "return_time", "Indiquez l'heure de retour."),
    ({"depart": " "}, "depart", "Indiquez le lieu de départ."),
    ({"destination": ""}, "destination", "Indiquez la destination."),
    ({"motif": ""}, "motif", "Indiquez le motif du trajet (mesure ou lieu de traitement)."),
    ({"nights": -1}, "nights", "Le nombre de nuits ne peut pas être négatif."),
    ({"date": TODAY, "nights": 1}, "nights",
     "Avec 1 nuit hors du domicile, le retour serait le 16.06.2025, dans le futur : vérifiez "
     "le nombre de nuits."),
])
def test_trip_validation_messages(changes, field, message):
    errors = validate_trip(trip(**changes), today=TODAY)
    assert errors[field] == message


def test_return_earlier_in_the_day_is_fine_after_a_night():
    assert validate_trip(trip(departure_time=time(18, 0), return_time=time(9, 0), nights=1),
                         today=TODAY) == {}


# --- Assistance -------------------------------------------------------------------------------

def assistance(assistants, month=date(2025, 1, 1), **kwargs):
    kwargs.setdefault("monthly_amount", D("2000.00"))
    return compute_assistance(month, assistants, rates=RATES, **kwargs)


def test_assistance_hours_and_nights():
    result = assistance([AssistantLine("Léa Martin", ordinary_hours=D("10"),
                                       qualified_hours=D("2"), nights=1)],
                        night_rate=D("100.00"))
    assert charges(result.lines[0]) == [("assistance.heure", D("353.00")),
                                        ("assistance.heure_qualifiee", D("105.90")),
                                        ("decision.nuit", D("100.00"))]
    assert result.total == result.claimed == result.payable == D("558.90")
    assert result.lines[0].label == "Léa Martin"
    assert result.cap_applied is None
    assert result.night_rate == D("100.00") and result.night_rate_from_decision


def test_assistance_rounds_each_product_half_up():
    result = assistance([AssistantLine("A", ordinary_hours=D("0.25"))])    # 8.825
    assert result.total == D("8.83")


def test_assistance_rates_of_december_2024_and_january_2025():
    line = [AssistantLine("A", ordinary_hours=D(10), qualified_hours=D(10), nights=1)]
    december = assistance(line, month=date(2024, 12, 31))
    january = assistance(line, month=date(2025, 1, 1))
    assert [c.rate for c in december.lines[0].charges] == [D("34.30"), D("51.50"), D("164.40")]
    assert [c.rate for c in january.lines[0].charges] == [D("35.30"), D("52.95"), D("169.10")]
    assert december.total == D("1022.40")
    assert january.total == D("1051.60")


@pytest.mark.parametrize("night_rate, used, key", [
    (D("120.00"), D("120.00"), "decision.nuit"),
    (D("200.00"), D("169.10"), "assistance.nuit_max"),    # capped at the maximum
    (None, D("169.10"), "assistance.nuit_max"),           # decision's rate unknown
])
def test_night_rate_is_the_decisions_capped_at_the_maximum(night_rate, used, key):
    result = assistance([AssistantLine("A", nights=2)], night_rate=night_rate)
    assert result.night_rate == used
    assert charges(result.lines[0]) == [(key, used * 2)]
    assert result.night_rate_from_decision is (night_rate is not None)


def test_month_may_exceed_monthly_amount_by_50_percent():
    # 100 h × 35.30 = 3'530.00 claimed; monthly 2'000 → at most 3'000 this month
    result = assistance([AssistantLine("A", ordinary_hours=D(100))])
    assert result.claimed == D("3530.00")
    assert result.month_cap == D("3000.00")
    assert result.payable == D("3000.00")
    assert result.cap_applied == "month"
    assert result.remaining_month == D("0.00")
    assert result.year_cap == D("24000.00")
    assert result.remaining_year == D("21000.00")


def test_under_the_cap_shows_what_remains():
    result = assistance([AssistantLine("A", ordinary_hours=D(50))])     # 1'765.00
    assert result.payable == D("1765.00") and result.cap_applied is None
    assert result.remaining_month == D("1235.00")
    assert result.remaining_year == D("22235.00")


def test_yearly_amount_limits_the_month():
    earlier = {date(2025, m, 1): D("2900.00") for m in range(1, 8)}     # 20'300 in Jan–Jul
    earlier[date(2025, 8, 1)] = D("2500.00")                             # 22'800
    earlier[date(2024, 12, 1)] = D("3000.00")                            # another year
    result = assistance([AssistantLine("A", ordinary_hours=D(60))], month=date(2025, 9, 1),
                        previous_payable=earlier)                        # claims 2'118.00
    assert result.already_payable_year == D("22800.00")
    assert result.payable == D("1200.00")
    assert result.cap_applied == "year"
    assert result.remaining_year == D("0.00")
    assert result.remaining_month == D("1800.00")


def test_eleven_months_yearly_amount():
    earlier = [(date(2025, m, 1), D("2000.00")) for m in range(1, 11)]  # 20'000
    result = assistance([AssistantLine("A", ordinary_hours=D(60))], month=date(2025, 11, 1),
                        previous_payable=earlier, eleven_months=True)
    assert result.year_cap == D("22000.00")
    assert result.payable == D("2000.00") and result.cap_applied == "year"
    assert result.remaining_year == D("0.00")


def test_same_month_already_paid_counts_against_the_month():
    result = assistance([AssistantLine("A", ordinary_hours=D(50))], month=date(2025, 3, 1),
                        previous_payable={date(2025, 3, 1): D("2500.00")})
    assert result.already_payable_month == D("2500.00")
    assert result.payable == D("500.00") and result.cap_applied == "month"


def test_nothing_left_for_the_year():
    result = assistance([AssistantLine("A", ordinary_hours=D(1))], month=date(2025, 12, 1),
                        previous_payable={date(2025, 6, 1): D("30000.00")})
    assert result.payable == D("0.00") and result.remaining_year == D("0.00")
    assert result.cap_applied == "year"


@pytest.mark.parametrize("line, field", [
    (AssistantLine("", ordinary_hours=D(1)), "name"),
    (AssistantLine("A", ordinary_hours=D(-1)), "ordinary_hours"),
    (AssistantLine("A", qualified_hours=D(-1)), "qualified_hours"),
    (AssistantLine("A", ordinary_hours=D(1), nights=-1), "nights"),
    (AssistantLine("A", ordinary_hours=D(1), sick_days_paid=-2), "sick_days_paid"),
    (AssistantLine("A", ordinary_hours=D(1), gross_salary=D(-5)), "gross_salary"),
    (AssistantLine("A"), "ordinary_hours"),
])
def test_assistant_validation(line, field):
    assert field in validate_assistant(line)


def test_valid_assistant():
    assert validate_assistant(AssistantLine("A", D(10), D(0), 0, D("400.00"), 2)) == {}


# --- API mineur -------------------------------------------------------------------------------

def test_api_20_nights_at_home_degree_moyenne():
    days = {day: "home" for day in range(1, 21)}
    days.update({day: "institution" for day in range(21, 29)})
    days.update({29: "hospital", 30: "hospital", 31: "hospital"})
    result = compute_api_mineur(date(2025, 1, 1), days, "moyenne", rates=RATES)
    assert result.total == D("840.00")
    assert (result.nights_at_home, result.days_in_institution, result.days_in_hospital) == \
        (20, 8, 3)
    assert result.daily_rate == D("42.00") and result.supplement_rate is None
    assert result.lines[0].label_parts == ("Janvier 2025", "20 nuits à la maison")


@pytest.mark.parametrize("degree, supplement, expected", [
    ("faible", None, "168.00"),          # 10 × 16.80
    ("grave", None, "672.00"),           # 10 × 67.20
    ("grave", "4h", "1008.00"),          # + 10 × 33.60
    ("moyenne", "6h", "1008.00"),        # 10 × 42.00 + 10 × 58.80
    ("faible", "8h", "1008.00"),         # 10 × 16.80 + 10 × 84.00
])
def test_api_degrees_and_supplements(degree, supplement, expected):
    days = {date(2025, 2, day): "home" for day in range(1, 11)}
    result = compute_api_mineur(date(2025, 2, 1), days, degree, supplement, rates=RATES)
    assert result.total == D(expected)


def test_api_rates_by_the_months_first_day():
    days = {1: "home", 2: "home", 3: "home"}
    assert compute_api_mineur(date(2024, 12, 1), days, "faible",
                              rates=RATES).total == D("48.99")     # 3 × 16.33
    assert compute_api_mineur(date(2025, 1, 1), days, "faible",
                              rates=RATES).total == D("50.40")     # 3 × 16.80


def test_api_without_nights_at_home_is_zero():
    result = compute_api_mineur(date(2025, 1, 1), {1: "hospital"}, "grave", "8h", rates=RATES)
    assert result.total == D("0.00")


@pytest.mark.parametrize("days, degree, supplement, field", [
    ({1: "home"}, "tres_grave", None, "degree"),
    ({1: "home"}, "grave", "5h", "supplement"),
    ({1: "ailleurs"}, "grave", None, "days"),
    ({32: "home"}, "grave", None, "days"),
    ({date(2025, 2, 1): "home"}, "grave", None, "days"),
])
def test_api_input_that_cannot_be_priced(days, degree, supplement, field):
    with pytest.raises(InvalidClaim) as excinfo:
        compute_api_mineur(date(2025, 1, 1), days, degree, supplement, rates=RATES)
    assert field in excinfo.value.errors
    assert field in validate_api_mineur(date(2025, 1, 1), days, degree, supplement, today=TODAY)


def test_api_validation():
    june = {day: "home" for day in range(1, 31)}
    assert validate_api_mineur(date(2025, 5, 1), {1: "home"}, "moyenne", today=TODAY) == {}
    errors = validate_api_mineur(date(2025, 6, 1), june, "moyenne", today=TODAY)
    assert errors["days"].startswith("Le 16.06.2025 est dans le futur")
    assert "month" in validate_api_mineur(date(2025, 7, 1), {}, "moyenne", today=TODAY)
    assert validate_api_mineur(date(2025, 5, 1), {1: "hospital"}, "moyenne", today=TODAY) == \
        {"days": "Aucune nuit à la maison n'est indiquée pour ce mois."}


def _api_claim(born, month=date(2025, 3, 1), all_home=True, lines=(), degree="moyenne"):
    """What the API type makes of a month for a child born on ``born`` (the form's answers
    typed, the common checks passed)."""
    result = Evaluation(line_errors=[{} for _line in lines])
    result.beneficiary = SimpleNamespace(display_name="Léo Muster", date_naissance=born)
    invoice_type("api_mineur").price(Claim(
        header={"month": month, "all_home": all_home, "degree": degree}, lines=list(lines),
        result=result, rates=RATES, strict=True, earlier_invoices=list))
    return result


@pytest.mark.parametrize("born, nights, total", [
    (date(2007, 4, 1), 31, "1302.00"),   # 18 the day after the month: every night
    (date(2007, 3, 31), 30, "1260.00"),  # 18 on the last day: its night is not counted
    (date(2007, 3, 15), 14, "588.00"),   # the 1st to the 14th
    (date(2007, 3, 2), 1, "42.00"),
])
def test_api_counts_only_the_nights_before_the_18th_birthday(born, nights, total):
    result = _api_claim(born)
    assert result.total == D(total)
    assert result.priced_lines[0].label_parts[1].startswith(f"{nights} nuit")
    assert not result.header_errors
    assert any("a 18 ans le" in note for note in result.notes) == (nights < 31)


@pytest.mark.parametrize("born", [date(2007, 3, 1), date(2001, 5, 4), date(1985, 3, 15)])
def test_api_is_refused_from_the_month_of_the_18th_birthday(born):
    """18 on the 1st of the month or before: no night of it is for a minor."""
    result = _api_claim(born)
    eighteen = born.replace(year=born.year + 18)
    assert result.header_errors["beneficiary_id"].startswith(
        f"Léo Muster a eu 18 ans le {eighteen:%d.%m.%Y} : l'API pour mineur·e ne couvre que "
        "les nuits avant cette date.")
    assert result.total == D("0.00") and result.priced_lines == []


def test_api_periods_away_price_as_the_same_nights_one_by_one():
    """The periods give the nights the form asked one by one before: the same amount."""
    periods = [{"first": 3, "last": 5, "place": "hospital"},
               {"first": 20, "last": 31, "place": "institution"}]
    result = _api_claim(date(2016, 7, 20), all_home=False, lines=periods)
    days = {day: "home" for day in range(1, 32)}
    days.update({3: "hospital", 4: "hospital", 5: "hospital"})
    days.update({day: "institution" for day in range(20, 32)})
    assert result.total == compute_api_mineur(date(2025, 3, 1), days, "moyenne",
                                              rates=RATES).total == D("672.00")  # 16 × 42.00
    assert result.notes == [
        "Nuits hors de la maison : du lundi 3 mars au mercredi 5 mars, à l'hôpital.",
        "Nuits hors de la maison : du jeudi 20 mars au lundi 31 mars, en home ou "
        "institution."]


@pytest.mark.parametrize("lines, field, message", [
    ([{"first": 5, "last": 3, "place": "hospital"}], "last",
     "La dernière nuit doit être le même jour que la première ou après."),
    ([{"first": 1, "last": 32, "place": "hospital"}], "last", "Choisissez une nuit de mars 2025."),
    ([{"first": 1, "last": 5, "place": "hospital"}, {"first": 5, "last": 6, "place": "hospital"}],
     "first", "Cette période recouvre la période 1."),
    ([{"first": 1, "last": 2, "place": "home"}], "place",
     "Choisissez : en home ou institution, ou à l'hôpital."),
])
def test_api_periods_that_cannot_be_counted(lines, field, message):
    result = _api_claim(date(2016, 7, 20), all_home=False, lines=lines)
    assert result.line_errors[-1][field] == message


# --- Hearing aids and other aids --------------------------------------------------------------

@pytest.mark.parametrize("claim, expected", [
    (AidClaim("une_oreille", date(2025, 3, 1)), "840.00"),
    (AidClaim("deux_oreilles", date(2025, 3, 1)), "1650.00"),
    (AidClaim("piles", date(2025, 3, 1)), "40.00"),
    (AidClaim("piles", date(2025, 3, 1), devices=2), "80.00"),
    (AidClaim("reparation_electronique", date(2025, 3, 1),
              device_purchase_date=date(2023, 5, 1)), "200.00"),
    (AidClaim("reparation_autre", date(2025, 3, 1),
              device_purchase_date=date(2024, 3, 1)), "130.00"),   # exactly one year old
    (AidClaim("autre_moyen", date(2025, 3, 1), supplier_amount=D("312.455")), "312.46"),
])
def test_aid_amounts(claim, expected):
    result = compute_aid(claim, rates=RATES)
    assert result.total == D(expected)
    assert result.six_year_rule is False


def test_repair_on_a_device_less_than_one_year_old_is_refused():
    claim = AidClaim("reparation_electronique", date(2025, 3, 1),
                     device_purchase_date=date(2024, 3, 2))
    message = ("Une réparation n'est prise en charge que pour un appareil de plus d'un an ; "
               "cet appareil a été acheté le 02.03.2024.")
    with pytest.raises(InvalidClaim) as excinfo:
        compute_aid(claim, rates=RATES)
    assert excinfo.value.errors == {"device_purchase_date": message}
    assert validate_aid(claim, today=TODAY) == {"device_purchase_date": message}


@pytest.mark.parametrize("kind, previous, flagged", [
    ("une_oreille", date(2019, 3, 2), True),       # 5 years 364 days
    ("deux_oreilles", date(2022, 1, 1), True),
    ("une_oreille", date(2019, 3, 1), False),      # exactly 6 years
    ("deux_oreilles", date(2010, 1, 1), False),
    ("une_oreille", None, False),
    ("piles", date(2024, 3, 1), False),            # the rule is about devices only
])
def test_six_year_flag_for_staff(kind, previous, flagged):
    result = compute_aid(AidClaim(kind, date(2025, 3, 1), previous_device_claim_date=previous),
                         rates=RATES)
    assert result.six_year_rule is flagged
    assert result.total > 0                         # a flag, not a refusal


@pytest.mark.parametrize("claim, field", [
    (AidClaim("lunettes", date(2025, 3, 1)), "kind"),
    (AidClaim("piles", date(2025, 3, 1), devices=0), "devices"),
    (AidClaim("piles", date(2025, 3, 1), devices=3), "devices"),
    (AidClaim("reparation_autre", date(2025, 3, 1)), "device_purchase_date"),
    (AidClaim("autre_moyen", date(2025, 3, 1)), "supplier_amount"),
    (AidClaim("autre_moyen", date(2025, 3, 1), supplier_amount=D(0)), "supplier_amount"),
])
def test_aid_claims_that_cannot_be_priced(claim, field):
    with pytest.raises(InvalidClaim) as excinfo:
        compute_aid(claim, rates=RATES)
    assert field in excinfo.value.errors
    assert field in validate_aid(claim, today=TODAY)


def test_aid_validation_dates():
    assert validate_aid(AidClaim("une_oreille", TODAY), today=TODAY) == {}
    assert validate_aid(AidClaim("une_oreille", TODAY + timedelta(days=1)), today=TODAY) == \
        {"cost_date": "La date de la facture ne peut pas être dans le futur."}
    errors = validate_aid(AidClaim("reparation_autre", date(2025, 3, 1),
                                   device_purchase_date=date(2025, 4, 1)), today=TODAY)
    assert errors["device_purchase_date"].startswith("La date d'achat de l'appareil")


def test_leap_day_purchase_is_one_year_old_on_28_february():
    claim = AidClaim("reparation_autre", date(2025, 2, 28), device_purchase_date=date(2024, 2, 29))
    assert compute_aid(claim, rates=RATES).total == D("130.00")


# --- Standard invoice -------------------------------------------------------------------------

@pytest.mark.parametrize("quantity, price, expected", [
    ("1", "2.675", "2.68"),      # half-up, where a float would round down
    ("3", "0.335", "1.01"),      # 1.005
    ("2.5", "10.10", "25.25"),
    ("12", "19.90", "238.80"),
])
def test_standard_line_rounds_half_up(quantity, price, expected):
    result = compute_standard([StandardLine(date(2025, 3, 1), "Séance", D(quantity), D(price))])
    assert result.lines[0].amount == D(expected)
    assert result.total == D(expected)
    assert_money(result.total)


def test_standard_total():
    result = compute_standard([StandardLine(date(2025, 3, 1), "Séance", D(2), D("80")),
                               StandardLine(date(2025, 3, 8), "Matériel", D(1), D("14.35"))])
    assert result.total == D("174.35")
    assert result.lines[1].label == "08.03.2025 — Matériel"
    assert result.lines[0].charges[0].label == "2 × 80.00 CHF"


@pytest.mark.parametrize("line, field", [
    (StandardLine(TODAY + timedelta(days=1), "Séance", D(1), D(1)), "date"),
    (StandardLine(TODAY, " ", D(1), D(1)), "label"),
    (StandardLine(TODAY, "Séance", D(0), D(1)), "quantity"),
    (StandardLine(TODAY, "Séance", D(1), D(0)), "unit_price"),
    (StandardLine(TODAY, "Séance", D(1), None), "unit_price"),
])
def test_standard_line_validation(line, field):
    assert field in validate_standard_line(line, today=TODAY)


def test_valid_standard_line():
    assert validate_standard_line(StandardLine(TODAY, "Séance", D(1), D(90)), today=TODAY) == {}


# --- Decision number --------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "32420250001234", "324 2025 0001234", "324.2025.0001234", "324-2025-0001234",
    " 324 2025 000 12 34 ",
])
def test_decision_number_accepted(raw):
    assert parse_decision_number(raw, today=TODAY) == "32420250001234"


@pytest.mark.parametrize("raw, message", [
    ("", "Indiquez le numéro de décision."),
    (None, "Indiquez le numéro de décision."),
    ("324 2025 000123", "Le numéro de décision compte 14 chiffres : le code de l'office (3), "
                        "l'année (4) et le numéro de dossier (7). Vous en avez saisi 13."),
    ("324202500012345", "Vous en avez saisi 15."),
    ("324 2025 00012A4", "ne contient que des chiffres"),
    ("322 2025 0001234",
     "Ce numéro de décision n'est pas de l'Office AI du canton de Neuchâtel (code 324)."),
    ("324 1959 0001234", "L'année de ce numéro de décision (1959) n'est pas plausible"),
    ("324 2026 0001234", "L'année de ce numéro de décision (2026) n'est pas plausible"),
    ("324 0000 0001234", "(0) n'est pas plausible"),
])
def test_decision_number_refused(raw, message):
    with pytest.raises(InvalidIdentifier) as excinfo:
        parse_decision_number(raw, today=TODAY)
    assert message in str(excinfo.value)


def test_decision_number_of_another_office():
    assert parse_decision_number("322 2025 0001234", office_code="322",
                                 today=TODAY) == "32220250001234"
    with pytest.raises(InvalidIdentifier) as excinfo:
        parse_decision_number("324 2025 0001234", office_code="325", today=TODAY)
    assert str(excinfo.value) == ("Ce numéro de décision n'est pas de l'Office AI du canton de "
                                  "Genève (code 325).")


def test_decision_year_1960_and_current_year_are_plausible():
    assert parse_decision_number("32419600000001", today=TODAY) == "32419600000001"
    assert parse_decision_number("32420250000001", today=TODAY) == "32420250000001"
