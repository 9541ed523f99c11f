"""The beneficiaries an account acts for (the holder is always one) and their decisions."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from guichet.core.audit import record
from guichet.core.signals import insured_logged_in, profile_changed
from guichet.models import Beneficiary, User, utcnow
from guichet.models.base import db
from guichet.models.beneficiaries import RELATION_SELF
from guichet.register.lookup import find_in_register


class NotInRegister(ValueError):
    """No register entry matches the N° AVS, name and date of birth given."""


class AlreadyListed(ValueError):
    """The person or the decision is already in the list."""


def connect_signals() -> None:
    """The holder's entry follows the account: made at login, changed with the profile."""
    insured_logged_in.connect(_keep_holder_in_step)
    profile_changed.connect(_keep_holder_in_step)


def _keep_holder_in_step(user: User, **_extra) -> None:
    ensure_holder(user)


def ensure_holder(user: User) -> Beneficiary | None:
    """The account holder is always one of its beneficiaries (made or brought up to date at
    login and on profile changes, so that pages never write)."""
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

