"""Finding a person in the office's register (N° AVS, name ignoring case and accents, birth
date): registration, profile checks and new beneficiaries all ask the same question."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from guichet.core.identifiers import normalize_name_for_match
from guichet.models import RegisteredPerson
from guichet.models.base import db


def find_in_register(navs13: str, nom: str, date_naissance: date) -> RegisteredPerson | None:
    """The register entry with this N° AVS, name and birth date, or ``None``."""
    person = db.session.scalar(select(RegisteredPerson).where(RegisteredPerson.navs13 == navs13))
    if person is None or person.date_naissance != date_naissance:
        return None
    if person.nom_match != normalize_name_for_match(nom):
        return None
    return person
