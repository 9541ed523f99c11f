"""Which pièces justificatives an invoice needs, and why, given its type and the answers.

Each :class:`Requirement` has a stable snake_case ``key`` (attachments are filed under it),
a French ``label`` (what to attach) and ``reason`` (why, in the person's situation), and
``required`` (``False``: useful to attach, but the invoice can be sent without it).
A key appears at most once per invoice; its reason names the lines concerned.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .computations import (DAY_HOSPITAL, DAY_INSTITUTION, TRANSPORT_CAR, TRANSPORT_OTHER,
                           TRANSPORT_PUBLIC, TRANSPORT_TAXI, AssistantLine, TripLine)

__all__ = [
    "Requirement", "SICK_DAYS_WITHOUT_CERTIFICATE", "travel_requirements",
    "assistance_requirements", "api_mineur_requirements", "aid_requirements",
    "standard_requirements", "requirements_for",
]

#: Salary continued for illness beyond this many days needs a medical certificate.
SICK_DAYS_WITHOUT_CERTIFICATE = 3


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    reason: str
    required: bool = True


def _dates(days: Iterable[date]) -> str:
    """``du 03.02.2025``, ``du 03.02.2025 et du 10.02.2025``, ``du …, du … et du …``."""
    texts = [f"du {day:%d.%m.%Y}" for day in sorted(set(days))]
    if len(texts) <= 1:
        return "".join(texts)
    return ", ".join(texts[:-1]) + " et " + texts[-1]


def _names(names: Iterable[str]) -> str:
    names = list(dict.fromkeys(names))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " et " + names[-1]


def _trip_or_trips(days: list[date]) -> str:
    return "le trajet" if len(set(days)) == 1 else "les trajets"


def travel_requirements(trips: Iterable[TripLine], *,
                        decision_mentions_vehicle: bool = False) -> list[Requirement]:
    """Tickets for public transport, receipts for taxis and other costs, and — for car or taxi —
    the certificate that the disability requires it, unless the decision already says so."""
    trips = list(trips)

    def days_by(transport: str) -> list[date]:
        return [trip.date for trip in trips if trip.transport == transport]

    def companion_note(transport: str) -> str:
        if any(trip.companion for trip in trips if trip.transport == transport):
            return " Joignez aussi ceux de votre accompagnant·e."
        return ""

    public, taxi, car, other = (days_by(TRANSPORT_PUBLIC), days_by(TRANSPORT_TAXI),
                                days_by(TRANSPORT_CAR), days_by(TRANSPORT_OTHER))
    found: list[Requirement] = []
    if public:
        found.append(Requirement(
            "transport_tickets", "Billets ou quittances de transports publics",
            f"Le prix du billet est remboursé sur justificatif pour {_trip_or_trips(public)} "
            f"en transports publics {_dates(public)}." + companion_note(TRANSPORT_PUBLIC)))
    if taxi:
        found.append(Requirement(
            "taxi_receipt", "Quittances de taxi",
            f"La course est remboursée sur quittance pour {_trip_or_trips(taxi)} en taxi "
            f"{_dates(taxi)}."))
    if other:
        found.append(Requirement(
            "other_cost_receipts", "Quittances des autres frais de transport",
            f"Le montant payé est remboursé sur justificatif pour {_trip_or_trips(other)} "
            f"{_dates(other)}." + companion_note(TRANSPORT_OTHER)))
    if (car or taxi) and not decision_mentions_vehicle:
        means = " et ".join(name for name, days in (("la voiture privée", car), ("le taxi", taxi))
                            if days)
        found.append(Requirement(
            "disability_certificate",
            "Certificat médical attestant que le handicap exige ce moyen de transport",
            f"L'AI ne prend en charge {means} que si le handicap l'exige, et votre décision ne "
            "le mentionne pas."))
    return found


def assistance_requirements(assistants: Iterable[AssistantLine]) -> list[Requirement]:
    """Payslips always; a medical certificate when salary was continued for illness beyond
    :data:`SICK_DAYS_WITHOUT_CERTIFICATE` days."""
    assistants = list(assistants)
    found = [Requirement(
        "assistant_payslips", "Fiches de salaire des assistant·e·s pour le mois",
        "La contribution d'assistance se fonde sur les heures et les salaires déclarés : "
        "joignez la fiche de salaire du mois de chaque assistant·e.")]
    sick = [line.name for line in assistants
            if line.sick_days_paid > SICK_DAYS_WITHOUT_CERTIFICATE]
    if sick:
        found.append(Requirement(
            "medical_certificate", "Certificat médical (maladie de l'assistant·e)",
            f"Le salaire de {_names(sick)} a été maintenu pour maladie pendant plus de "
            f"{SICK_DAYS_WITHOUT_CERTIFICATE} jours : un certificat médical est nécessaire."))
    return found


def api_mineur_requirements(days: Mapping[int | date, str]) -> list[Requirement]:
    """Nothing is required; a stay certificate helps when some nights were spent away."""
    away = set(days.values()) & {DAY_INSTITUTION, DAY_HOSPITAL}
    if not away:
        return []
    places = " et ".join(label for place, label in ((DAY_INSTITUTION, "en home ou institution"),
                                                    (DAY_HOSPITAL, "à l'hôpital"))
                         if place in away)
    return [Requirement(
        "stay_certificate", "Attestation de séjour (home, institution ou hôpital)",
        f"Certains jours ont été passés {places} : une attestation des dates de séjour "
        "accélère le contrôle. Elle n'est pas obligatoire.", required=False)]


def aid_requirements(kind: str | None) -> list[Requirement]:
    """The supplier's original invoice, except for batteries (a flat rate, no receipt).
    ``kind`` is ``AidClaim.kind``; ``None`` (not chosen yet) asks for the invoice."""
    if kind == "piles":
        return []
    return [Requirement(
        "supplier_invoice", "Facture originale du fournisseur",
        "Le forfait ou le montant remboursé se fonde sur la facture du fournisseur.")]


def standard_requirements() -> list[Requirement]:
    return [Requirement(
        "supplier_invoice", "Facture du fournisseur",
        "Le remboursement se fonde sur la facture du fournisseur.")]


def requirements_for(invoice_type: str, *, trips: Iterable[TripLine] = (),
                     decision_mentions_vehicle: bool = False,
                     assistants: Iterable[AssistantLine] = (),
                     days: Mapping[int | date, str] | None = None,
                     aid_kind: str | None = None) -> list[Requirement]:
    """The requirements of an invoice of type ``invoice_type`` (``Decision.invoice_type``
    keys), given the answers that matter for that type."""
    if invoice_type == "deplacement":
        return travel_requirements(trips, decision_mentions_vehicle=decision_mentions_vehicle)
    if invoice_type == "assistance":
        return assistance_requirements(assistants)
    if invoice_type == "api_mineur":
        return api_mineur_requirements(days or {})
    if invoice_type == "moyens_auxiliaires":
        return aid_requirements(aid_kind)
    if invoice_type == "standard":
        return standard_requirements()
    raise ValueError(f"unknown invoice type: {invoice_type!r}")
