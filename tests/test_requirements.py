"""Tests for the pièces justificatives each invoice type asks for, and why."""
from dataclasses import replace
from datetime import date, time
from decimal import Decimal

import pytest

from guichet.invoices.rates import StaticRateBook
from guichet.invoices.types import invoice_type
from guichet.invoices.types.aids import aid_requirements
from guichet.invoices.types.api_minor import api_mineur_requirements
from guichet.invoices.types.assistance import AssistantLine, assistance_requirements
from guichet.invoices.types.base import Claim, Evaluation, Requirement
from guichet.invoices.types.standard import standard_requirements
from guichet.invoices.types.travel import TripLine, travel_requirements

D = Decimal


def trip(transport, day=3, companion=False):
    return TripLine(date=date(2025, 3, day), depart="Neuchâtel", destination="Berne",
                    motif="Physiothérapie", transport=transport,
                    fare=None if transport == "car" else D("20"),
                    km=D(42) if transport == "car" else None,
                    departure_time=time(8), return_time=time(10), companion=companion)


def keys(requirements):
    return [(r.key, r.required) for r in requirements]


# --- Travel -----------------------------------------------------------------------------------

@pytest.mark.parametrize("transports, mentioned, expected", [
    (["public"], False, ["transport_tickets"]),
    (["public", "public"], False, ["transport_tickets"]),
    (["other"], False, ["other_cost_receipts"]),
    (["taxi"], False, ["taxi_receipt", "disability_certificate"]),
    (["taxi"], True, ["taxi_receipt"]),
    (["car"], False, ["disability_certificate"]),
    (["car"], True, []),
    (["car", "taxi"], False, ["taxi_receipt", "disability_certificate"]),
    (["public", "car", "taxi", "other"], False,
     ["transport_tickets", "taxi_receipt", "other_cost_receipts", "disability_certificate"]),
    ([], False, []),
])
def test_travel_requirements(transports, mentioned, expected):
    trips = [trip(transport, day=i + 1) for i, transport in enumerate(transports)]
    found = travel_requirements(trips, decision_mentions_vehicle=mentioned)
    assert keys(found) == [(key, True) for key in expected]


def test_travel_reasons_name_the_trips():
    found = travel_requirements([trip("public", 3), trip("public", 10), trip("car", 12)])
    tickets, certificate = found
    assert tickets.label == "Billets ou quittances de transports publics"
    assert tickets.reason == ("Le prix du billet est remboursé sur justificatif pour les trajets "
                              "en transports publics du 03.03.2025 et du 10.03.2025.")
    assert certificate.reason.startswith("L'AI ne prend en charge la voiture privée que si le "
                                         "handicap l'exige")


def test_disability_certificate_reason_names_both_car_and_taxi():
    certificate = travel_requirements([trip("car", 1), trip("taxi", 2)])[-1]
    assert certificate.key == "disability_certificate"
    assert "la voiture privée et le taxi" in certificate.reason


def test_companion_tickets_are_asked_for_too():
    tickets = travel_requirements([trip("public", companion=True)])[0]
    assert "accompagnant·e" in tickets.reason
    assert "accompagnant·e" not in travel_requirements([trip("public")])[0].reason


# --- Assistance -------------------------------------------------------------------------------

@pytest.mark.parametrize("sick_days, expected", [
    ([0], ["assistant_payslips"]),
    ([3], ["assistant_payslips"]),                       # up to 3 days: no certificate
    ([4], ["assistant_payslips", "medical_certificate"]),
    ([0, 5], ["assistant_payslips", "medical_certificate"]),
    ([], ["assistant_payslips"]),
])
def test_assistance_requirements(sick_days, expected):
    assistants = [AssistantLine(f"Assistant {i}", ordinary_hours=D(10), sick_days_paid=days)
                  for i, days in enumerate(sick_days)]
    assert keys(assistance_requirements(assistants)) == [(key, True) for key in expected]


def test_medical_certificate_names_the_assistants():
    found = assistance_requirements([AssistantLine("Léa", D(1), sick_days_paid=4),
                                     AssistantLine("Marc", D(1), sick_days_paid=1),
                                     AssistantLine("Zoé", D(1), sick_days_paid=8)])
    assert found[1].reason.startswith("Le salaire de Léa et Zoé a été maintenu pour maladie "
                                      "pendant plus de 3 jours")


# --- API mineur -------------------------------------------------------------------------------

@pytest.mark.parametrize("days, expected", [
    ({1: "home", 2: "home"}, []),
    ({}, []),
    ({1: "home", 2: "institution"}, [("stay_certificate", False)]),
    ({1: "hospital"}, [("stay_certificate", False)]),
])
def test_api_mineur_requires_nothing(days, expected):
    assert keys(api_mineur_requirements(days)) == expected


def test_stay_certificate_reason():
    found = api_mineur_requirements({1: "institution", 2: "hospital"})[0]
    assert "en home ou institution et à l'hôpital" in found.reason


# --- Aids and standard ------------------------------------------------------------------------

@pytest.mark.parametrize("kind, expected", [
    ("une_oreille", ["supplier_invoice"]),
    ("deux_oreilles", ["supplier_invoice"]),
    ("reparation_electronique", ["supplier_invoice"]),
    ("reparation_autre", ["supplier_invoice"]),
    ("autre_moyen", ["supplier_invoice"]),
    ("piles", []),
    (None, ["supplier_invoice"]),
])
def test_aid_requirements(kind, expected):
    assert keys(aid_requirements(kind)) == [(key, True) for key in expected]


def test_standard_requirements():
    assert keys(standard_requirements()) == [("supplier_invoice", True)]


# --- Each type asks for its own pièces --------------------------------------------------------

def asked(type_key, header=None, lines=()):
    """The pièces the registered type ``type_key`` asks for, given typed answers."""
    result = Evaluation(line_errors=[{} for _line in lines])
    invoice_type(type_key).price(Claim(header=header or {}, lines=list(lines), result=result,
                                       rates=StaticRateBook(), strict=False,
                                       earlier_invoices=list))
    return result.requirements


def test_each_type_asks_for_its_own_pieces():
    taxi = {"date": date(2025, 3, 3), "depart": "Neuchâtel", "destination": "Berne",
            "motif": "Physiothérapie", "transport": "taxi", "fare": D("20"),
            "departure_time": time(8), "return_time": time(10)}
    assert keys(asked("deplacement", lines=[taxi])) == \
        [("taxi_receipt", True), ("disability_certificate", True)]
    assert keys(asked("deplacement", lines=[{**taxi, "vehicle_required": True}])) == \
        [("taxi_receipt", True)]
    assert keys(asked("assistance", lines=[{"name": "A", "ordinary_hours": D(1),
                                            "sick_days_paid": 4}])) == \
        [("assistant_payslips", True), ("medical_certificate", True)]
    assert asked("api_mineur") == []
    assert keys(asked("api_mineur", header={"month": date(2025, 3, 1), "all_home": False},
                      lines=[{"first": 2, "last": 3, "place": "hospital"}])) == \
        [("stay_certificate", False)]
    assert asked("api_mineur", header={"month": date(2025, 3, 1), "all_home": True}) == []
    assert asked("moyens_auxiliaires", header={"kind": "piles"}) == []
    assert keys(asked("standard")) == [("supplier_invoice", True)]
    with pytest.raises(KeyError):
        invoice_type("inconnu")


def test_every_requirement_speaks_french_and_keys_are_snake_case():
    every = (travel_requirements([trip(t) for t in ("public", "car", "taxi", "other")])
             + assistance_requirements([AssistantLine("A", D(1), sick_days_paid=9)])
             + api_mineur_requirements({1: "institution"}) + aid_requirements("une_oreille")
             + standard_requirements())
    for requirement in every:
        assert isinstance(requirement, Requirement)
        assert requirement.key.isidentifier() and requirement.key == requirement.key.lower()
        assert requirement.label and requirement.reason.endswith(".")
    assert len({r.key for r in every}) == 8


def test_requirement_is_immutable():
    requirement = standard_requirements()[0]
    with pytest.raises(AttributeError):
        requirement.key = "other"   # type: ignore[misc]
    assert replace(requirement, required=False).required is False
