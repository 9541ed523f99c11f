"""What each state of an invoice means to the insured person, in plain French."""
from __future__ import annotations

from dataclasses import dataclass, replace

from guichet.core.i18n import lazy_gettext as _l
from guichet.models.invoices import (STATUS_ACCEPTED, STATUS_DRAFT, STATUS_IN_REVIEW,
                                     STATUS_NEEDS_INFO, STATUS_PAID, STATUS_REJECTED,
                                     STATUS_SUBMITTED, STATUS_VISA_PENDING)


@dataclass(frozen=True)
class StatusInfo:
    label: object
    meaning: object
    next_step: object
    may_change: bool  # the office may still move it: the list keeps polling


STATUS_INFO = {
    STATUS_DRAFT: StatusInfo(
        _l("Brouillon"), _l("Pas encore envoyée : vous pouvez la compléter."),
        _l("Terminez-la et envoyez-la quand vous êtes prêt·e."), False),
    STATUS_SUBMITTED: StatusInfo(
        _l("Envoyée"), _l("Bien reçue par l'office."),
        _l("Un·e gestionnaire va l'examiner."), True),
    STATUS_IN_REVIEW: StatusInfo(
        _l("En traitement"), _l("Un·e gestionnaire l'examine."),
        _l("Vous serez averti·e par e-mail de la décision."), True),
    STATUS_NEEDS_INFO: StatusInfo(
        _l("À compléter"), _l("L'office a besoin d'informations ou de documents."),
        _l("Répondez avant la date indiquée."), True),
    STATUS_ACCEPTED: StatusInfo(
        _l("Validée — transmise pour paiement"), _l("Acceptée par l'office."),
        _l("La Centrale de compensation verse le montant sur votre compte."), True),
    STATUS_REJECTED: StatusInfo(
        _l("Refusée"), _l("L'office ne peut pas la rembourser."),
        _l("Vous pouvez demander une décision formelle pour la contester."), False),
    STATUS_PAID: StatusInfo(
        _l("Payée"), _l("Le montant a été versé."), _l("Rien à faire."), False),
}

# Waiting for the second visa is still « En traitement » for the person.
STATUS_INFO[STATUS_VISA_PENDING] = STATUS_INFO[STATUS_IN_REVIEW]


def status_info(status: str) -> StatusInfo:
    return STATUS_INFO[status]


def status_text(status: str) -> StatusInfo:
    """The state's label, meaning and next step as text (not lazy strings)."""
    info = status_info(status)
    return replace(info, label=str(info.label), meaning=str(info.meaning),
                   next_step=str(info.next_step))
