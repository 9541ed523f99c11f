"""« Whose data did this staff member read between these dates? » (nFADP art. 24: the question a
breach notification asks), answered from the audit log (``flask --app guichet audit reads``).

Every staff screen that shows a person's data records its reading with ``person_id`` in the
entry's detail (the review screen, a pièce, the person's file); this gathers those entries of
one staff member, per person read, with the objects read. Dates are days in Swiss time, both
included. Nothing here shows a full N° AVS.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from guichet.core.i18n import ZURICH, local_datetime
from guichet.core.identifiers import mask_navs13
from guichet.models import AuditEntry, Invoice, User
from guichet.models.base import db

#: How an audited object reads in the answer.
OBJECT_NAMES = {"invoice": "demande", "attachment": "pièce", "user": "dossier"}
#: A spreadsheet runs a cell that starts with one of these as a formula (security item 14).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class AuditQueryRefused(ValueError):
    """The question cannot be answered as asked; the message (French) says why."""


@dataclass
class PersonReads:
    """What one staff member read of one person's data."""

    person_id: int
    name: str = ""
    navs13_masked: str = ""
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    objects: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReadsReport:
    staff: User
    start: date
    end: date
    persons: list[PersonReads]


def parse_day(raw: str, option: str) -> date:
    """A day written AAAA-MM-JJ (``option`` names the option in the message)."""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw or ""):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise AuditQueryRefused(
            f"{option} : date illisible « {raw} » ; écrivez-la AAAA-MM-JJ, par exemple "
            "2026-03-31.") from None


def reads_by(staff_email: str, start: date, end: date) -> ReadsReport:
    """The persons whose data the staff member of that e-mail read from ``start`` to ``end``
    (days in Swiss time, both included), in the order of their first reading."""
    if end < start:
        raise AuditQueryRefused("La date de fin (--to) précède la date de début (--from).")
    email = (staff_email or "").strip().lower()
    staff = db.session.scalar(select(User).where(User.email == email))
    if staff is None or not staff.is_staff:
        raise AuditQueryRefused(f"Aucun compte du personnel n'a l'adresse « {email} ».")
    since = datetime.combine(start, time.min, tzinfo=ZURICH)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=ZURICH)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.actor_id == staff.id, AuditEntry.at >= since,
                                 AuditEntry.at < until)
        .order_by(AuditEntry.at, AuditEntry.id))
    persons: dict[int, PersonReads] = {}
    seen_objects: dict[int, set] = {}
    for entry in entries:
        person_id = _person_id(entry)
        if person_id is None:
            continue
        reads = persons.setdefault(person_id, PersonReads(person_id))
        reads.count += 1
        reads.first = reads.first or entry.at
        reads.last = entry.at
        key = (entry.object_type, entry.object_id)
        if entry.object_type and key not in seen_objects.setdefault(person_id, set()):
            seen_objects[person_id].add(key)
            reads.objects.append(key)
    _describe(persons)
    return ReadsReport(staff, start, end, list(persons.values()))


def _person_id(entry: AuditEntry) -> int | None:
    value = (entry.detail or {}).get("person_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _describe(persons: dict[int, PersonReads]) -> None:
    """Names, masked N° AVS, and the objects as they read (an invoice by its receipt)."""
    if not persons:
        return
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(list(persons))))}
    invoice_ids = {int(object_id) for reads in persons.values()
                   for object_type, object_id in reads.objects
                   if object_type == "invoice" and str(object_id).isdigit()}
    receipts = dict(db.session.execute(select(Invoice.id, Invoice.receipt_number).where(
        Invoice.id.in_(invoice_ids))).all()) if invoice_ids else {}
    for person_id, reads in persons.items():
        user = users.get(person_id)
        reads.name = user.display_name if user is not None else f"compte supprimé n° {person_id}"
        reads.navs13_masked = mask_navs13(user.navs13) if user is not None and user.navs13 \
            else "—"
        reads.objects = [_object_name(object_type, object_id, receipts)
                         for object_type, object_id in reads.objects]


def _object_name(object_type: str, object_id: str | None, receipts: dict) -> str:
    name = OBJECT_NAMES.get(object_type, object_type)
    if object_type == "invoice" and object_id and str(object_id).isdigit():
        receipt = receipts.get(int(object_id))
        if receipt:
            return f"{name} {receipt}"
    return f"{name} n° {object_id}" if object_id else name


def as_text(report: ReadsReport) -> list[str]:
    """The answer as lines for the operator's terminal."""
    lines = [f"Données lues par {report.staff.email} du {report.start:%d.%m.%Y} au "
             f"{report.end:%d.%m.%Y} (heure de Zurich) : {len(report.persons)} personne(s)."]
    for reads in report.persons:
        lines.append(f"{reads.name} ({reads.navs13_masked}) : {reads.count} lecture(s), "
                     f"première le {local_datetime(reads.first)}, "
                     f"dernière le {local_datetime(reads.last)}")
        lines.append("    " + ", ".join(reads.objects))
    return lines


def neutralise(cell: object) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula gets a leading
    apostrophe (OWASP's advice for CSV injection)."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def as_csv(report: ReadsReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["personne", "n_avs_masque", "lectures", "premiere_lecture",
                     "derniere_lecture", "objets_lus"])
    for reads in report.persons:
        writer.writerow([neutralise(cell) for cell in (
            reads.name, reads.navs13_masked, reads.count, local_datetime(reads.first),
            local_datetime(reads.last), ", ".join(reads.objects))])
    return out.getvalue()
