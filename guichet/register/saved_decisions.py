"""The decision numbers a person saved for a beneficiary, with a short description, so that
the next invoices of that beneficiary offer them."""
from __future__ import annotations

from guichet.core.audit import record
from guichet.models import Beneficiary, SavedDecision, User
from guichet.models.base import db


class AlreadySaved(ValueError):
    """This decision number is already saved for this beneficiary."""


def save_decision(user: User, beneficiary: Beneficiary, number: str,
                  description: str) -> SavedDecision:
    if any(saved.number == number for saved in beneficiary.decisions):
        raise AlreadySaved()
    saved = SavedDecision(number=number, description=description or "")
    beneficiary.decisions.append(saved)
    db.session.flush()
    record("decision_saved", actor=user, object_type="beneficiary", object_id=beneficiary.id)
    return saved


def forget_decision(user: User, beneficiary: Beneficiary, decision_id: int) -> bool:
    for saved in beneficiary.decisions:
        if saved.id == decision_id:
            beneficiary.decisions.remove(saved)
            record("decision_forgotten", actor=user, object_type="beneficiary",
                   object_id=beneficiary.id)
            return True
    return False
