"""The beneficiaries an account acts for (the holder is always one) and their decisions."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..audit import record
from ..auth.services import find_in_register
from ..extensions import db
from ..models import Beneficiary, SavedDecision, User, utcnow
from ..models.beneficiaries import RELATION_SELF


class NotInRegister(ValueError):
    """No register entry matches the N° AVS, name and date of birth given."""


class AlreadyListed(ValueError):
    """The person or the decision is already in the list."""


def beneficiaries_of(user: User) -> list[Beneficiary]:
    """The holder first, then the others (the holder's entry is made at login)."""
    rows = db.session.scalars(select(Beneficiary).where(
        Beneficiary.user_id == user.id, Beneficiary.removed_at.is_(None))
        .order_by(Beneficiary.relation != RELATION_SELF, Beneficiary.id))
    return list(rows)


def ensure_holder(user: User) -> Beneficiary | None:
    """The account holder is always one of its beneficiaries; called on login and on
    profile changes (POST requests), so that pages never write."""
    if not user.navs13:
        return None
    holder = db.session.scalar(select(Beneficiary).where(
        Beneficiary.user_id == user.id, Beneficiary.relation == RELATION_SELF))
    if holder is None:
        holder = Beneficiary(user_id=user.id, navs13=user.navs13, nom=user.nom,
                             prenom=user.prenom, date_naissance=user.date_naissance,
                             relation=RELATION_SELF)
        db.session.add(holder)
        db.session.flush()
    elif (holder.navs13, holder.nom, holder.prenom, holder.date_naissance) != (
            user.navs13, user.nom, user.prenom, user.date_naissance):
        holder.navs13, holder.nom, holder.prenom = user.navs13, user.nom, user.prenom
        holder.date_naissance = user.date_naissance
    return holder


def owned_beneficiary(user: User, beneficiary_id: int) -> Beneficiary | None:
    beneficiary = db.session.get(Beneficiary, beneficiary_id)
    if beneficiary is None or beneficiary.user_id != user.id or beneficiary.removed_at:
        return None
    return beneficiary


def add_beneficiary(user: User, navs13: str, nom: str, prenom: str, born: date,
                    relation: str) -> Beneficiary:
    person = find_in_register(navs13, nom, born)
    if person is None:
        raise NotInRegister()
    existing = db.session.scalar(select(Beneficiary).where(
        Beneficiary.user_id == user.id, Beneficiary.navs13 == navs13))
    if existing is not None and existing.removed_at is None:
        raise AlreadyListed()
    if existing is None:
        existing = Beneficiary(user_id=user.id, navs13=navs13)
        db.session.add(existing)
    existing.nom, existing.prenom, existing.date_naissance = person.nom, prenom, born
    existing.relation, existing.removed_at = relation, None
    db.session.flush()
    record("beneficiary_added", actor=user, object_type="beneficiary", object_id=existing.id)
    return existing


def remove_beneficiary(user: User, beneficiary: Beneficiary) -> bool:
    if beneficiary.relation == RELATION_SELF:
        return False
    beneficiary.removed_at = utcnow()
    record("beneficiary_removed", actor=user, object_type="beneficiary",
           object_id=beneficiary.id)
    return True


def save_decision(user: User, beneficiary: Beneficiary, number: str,
                  description: str) -> SavedDecision:
    if any(saved.number == number for saved in beneficiary.decisions):
        raise AlreadyListed()
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
