"""Importing the office register of insured persons from CSV.

Header ``navs13,nom,prenom,date_naissance``; separator ``,`` or ``;``; dates ``YYYY-MM-DD`` or
``DD.MM.YYYY``. Importing the same file twice changes nothing; a changed name or date updates
the person.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from guichet.core.i18n import gettext as _
from guichet.core.identifiers import (InvalidIdentifier, normalize_name_for_match, normalize_navs13,
                                      parse_register_date)
from guichet.models import RegisteredPerson
from guichet.models.base import db

REQUIRED_COLUMNS = ("navs13", "nom", "prenom", "date_naissance")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")  # NUL would make PostgreSQL refuse all
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not in text files (tab, CR, LF are)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        """The counts in one sentence (the command line prints it, the admin page shows it)."""
        return _("%(created)d ajoutée(s), %(updated)d mise(s) à jour, %(unchanged)d "
                 "inchangée(s), %(refused)d ligne(s) refusée(s).", created=self.created,
                 updated=self.updated, unchanged=self.unchanged, refused=len(self.errors))

    def refused_lines(self) -> list[str]:
        """Each refused line with its reason, in the file's order."""
        return [_("ligne %(number)d : %(reason)s", number=number, reason=reason)
                for number, reason in self.errors]

    def lines(self) -> list[str]:
        """The whole report, as the command line prints it."""
        return [self.summary(), *self.refused_lines()]

    def counts(self) -> dict[str, int]:
        """The counts, for the audit log (never a line's content: it holds N° AVS)."""
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "refused": len(self.errors)}


class BadRegisterFile(ValueError):
    """The file cannot be read as a register (missing columns, not text)."""

    def refusal(self) -> str:
        """What the command line and the admin page say (nothing of the file was imported)."""
        return _("Fichier refusé : %(reason)s", reason=str(self))


def read_csv(text: str, required: tuple[str, ...] = REQUIRED_COLUMNS) -> csv.DictReader:
    first_line = text.splitlines()[0] if text else ""
    sample = text[:4096]
    binary = len(_BINARY.findall(sample))
    if _BINARY.search(first_line) or binary * 100 > len(sample):
        # an image, a spreadsheet or an archive that happened to decode (a stray control
        # character in a line is that line's error, below)
        raise BadRegisterFile(_("ce n'est pas un fichier CSV (du texte, une ligne par "
                                "personne)"))
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in required if name not in columns]
    if missing:
        raise BadRegisterFile(_("colonnes manquantes : %(columns)s",
                                columns=", ".join(missing)))
    reader.fieldnames = columns
    return reader


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel writes it."""
    not_text = BadRegisterFile(_("ce n'est pas un fichier texte (UTF-8 ou Windows-1252)"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise not_text from None


def add_or_update(report: ImportReport, row, model, values: dict) -> None:
    """Adds the row, updates what changed, or counts it unchanged (imports are idempotent)."""
    if row is None:
        db.session.add(model(**values))
        report.created += 1
    elif any(getattr(row, key) != value for key, value in values.items()):
        for key, value in values.items():
            setattr(row, key, value)
        report.updated += 1
    else:
        report.unchanged += 1


def import_register(raw: bytes) -> ImportReport:
    """Adds or updates each valid line; lists each bad line with its reason. Commits once."""
    text = decode_csv(raw)
    report = ImportReport()
    seen: set[str] = set()
    existing = {person.navs13: person for person in db.session.scalars(select(RegisteredPerson))}
    for line_number, row in enumerate(read_csv(text), start=2):
        try:
            navs = normalize_navs13(row.get("navs13") or "")
            nom = (row.get("nom") or "").strip()
            prenom = (row.get("prenom") or "").strip()
            born = parse_register_date((row.get("date_naissance") or "").strip())
        except InvalidIdentifier as exc:
            report.errors.append((line_number, str(exc)))
            continue
        if not nom or not prenom:
            report.errors.append((line_number, "nom ou prénom manquant"))
            continue
        if _CONTROL_CHARACTERS.search(nom + prenom):
            report.errors.append((line_number, "caractères de contrôle dans le nom ou le prénom"))
            continue
        if len(nom) > 100 or len(prenom) > 100:
            report.errors.append((line_number, "nom ou prénom trop long"))
            continue
        if navs in seen:
            report.errors.append((line_number, "N° AVS en double dans le fichier"))
            continue
        seen.add(navs)
        add_or_update(report, existing.get(navs), RegisteredPerson,
                {"navs13": navs, "nom": nom, "prenom": prenom, "date_naissance": born,
                 "nom_match": normalize_name_for_match(nom)})
    db.session.flush()
    return report
