"""Which pièces justificatives an invoice needs, and why, given its type and the answers.

Each :class:`Requirement` has a stable snake_case ``key`` (attachments are filed under it),
a ``label`` (what to attach) and ``reason`` (why, in the person's situation) — French source
text passed through Flask-Babel's ``gettext`` so other languages can follow —, and
``required`` (``False``: useful to attach, but the invoice can be sent without it).
A key appears at most once per invoice; its reason names the lines concerned.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

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


def _enumeration(texts: list[str]) -> str:
    """``a``, ``a et b``, ``a, b et c``."""
    if len(texts) <= 1:
        return "".join(texts)
    return _("%(first)s et %(last)s", first=", ".join(texts[:-1]), last=texts[-1])


def _dates(days: Iterable[date]) -> str:
    """``du 03.02.2025``, ``du 03.02.2025 et du 10.02.2025``, ``du …, du … et du …``."""
    return _enumeration([_("du %(day)s", day=day.strftime("%d.%m.%Y"))
                         for day in sorted(set(days))])


def _names(names: Iterable[str]) -> str:
    return _enumeration(list(dict.fromkeys(names)))


def _trip_count(days: list[date]) -> int:
    return len(set(days))


def travel_requirements(trips: Iterable[TripLine], *,
                        decision_mentions_vehicle: bool = False) -> list[Requirement]:
    """Tickets for public transport, receipts for taxis and other costs, and — for car or taxi —
    the certificate that the disability requires it, unless the decision already says so."""
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
                     _trip_count(public), dates=_dates(public))
            + companion_note(TRANSPORT_PUBLIC)))
    if taxi:
        found.append(Requirement(
            "taxi_receipt", _("Quittances de taxi"),
            ngettext("La course est remboursée sur quittance pour le trajet en taxi %(dates)s.",
                     "La course est remboursée sur quittance pour les trajets en taxi "
                     "%(dates)s.",
                     _trip_count(taxi), dates=_dates(taxi))))
    if other:
        found.append(Requirement(
            "other_cost_receipts", _("Quittances des autres frais de transport"),
            ngettext("Le montant payé est remboursé sur justificatif pour le trajet %(dates)s.",
                     "Le montant payé est remboursé sur justificatif pour les trajets "
                     "%(dates)s.",
                     _trip_count(other), dates=_dates(other))
            + companion_note(TRANSPORT_OTHER)))
    if (car or taxi) and not decision_mentions_vehicle:
        means = _enumeration([name for name, days in ((_("la voiture privée"), car),
                                                      (_("le taxi"), taxi)) if days])
        found.append(Requirement(
            "disability_certificate",
            _("Certificat médical attestant que le handicap exige ce moyen de transport"),
            _("L'AI ne prend en charge %(means)s que si le handicap l'exige, et votre décision "
              "ne le mentionne pas.", means=means)))
    return found


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
                     SICK_DAYS_WITHOUT_CERTIFICATE, names=_names(sick))))
    return found


def api_mineur_requirements(days: Mapping[int | date, str]) -> list[Requirement]:
    """Nothing is required; a stay certificate helps when some nights were spent away."""
    away = set(days.values()) & {DAY_INSTITUTION, DAY_HOSPITAL}
    if not away:
        return []
    places = _enumeration([label for place, label in (
        (DAY_INSTITUTION, _("en home ou institution")), (DAY_HOSPITAL, _("à l'hôpital")))
        if place in away])
    return [Requirement(
        "stay_certificate", _("Attestation de séjour (home, institution ou hôpital)"),
        _("Certains jours ont été passés %(places)s : une attestation des dates de séjour "
          "accélère le contrôle. Elle n'est pas obligatoire.", places=places), required=False)]


def aid_requirements(kind: str | None) -> list[Requirement]:
    """The supplier's original invoice, except for batteries (a flat rate, no receipt).
    ``kind`` is ``AidClaim.kind``; ``None`` (not chosen yet) asks for the invoice."""
    if kind == "piles":
        return []
    return [Requirement(
        "supplier_invoice", _("Facture originale du fournisseur"),
        _("Le forfait ou le montant remboursé se fonde sur la facture du fournisseur."))]


def standard_requirements() -> list[Requirement]:
    return [Requirement(
        "supplier_invoice", _("Facture du fournisseur"),
        _("Le remboursement se fonde sur la facture du fournisseur."))]


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
