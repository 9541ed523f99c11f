"""The audit log as the administrators read it (``/gestion/journal``): newest first, filtered by
staff member, action, object and days, a page at a time, and as a CSV file.

The log grows large: a page is read with a keyset (« the entries before this one », on
``at, id``) through an index per filter (migration c6d7e8f9a0b1), never with an offset, and the
CSV is streamed row by row. Actions read in French (:data:`ACTION_LABELS`); an action this table
does not know yet is shown as its code.

The writer (:func:`guichet.core.audit.record`) is told never to put a full N° AVS or IBAN in an
entry; this reader masks them anyway (:func:`mask_text`) wherever they would show, in case one
slipped into a detail.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterator

from sqlalchemy import select, tuple_

from guichet.core.i18n import ZURICH
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.iban import mask_iban
from guichet.models import AuditEntry, User
from guichet.models.base import db

from .audit_reads import neutralise

PAGE_SIZE = 50
#: The staff filter's value for the entries no staff member wrote (visitors, the commands).
ACTOR_NONE = "aucun"

ACTION_LABELS = {
    "access_refused": _l("Accès refusé"),
    "batch_created": _l("Lot de transmission créé"),
    "batch_downloaded": _l("Lot de transmission téléchargé (PDF ou CSV)"),
    "batch_paid": _l("Lot marqué comme payé"),
    "batch_transmitted": _l("Lot marqué comme transmis"),
    "decisions_import_refused": _l("Import des décisions refusé"),
    "decisions_imported": _l("Décisions importées"),
    "invoice_paid": _l("Demande payée"),
    "nif_recorded": _l("NIF enregistré"),
    "payment_issue_resolved": _l("Écart de paiement tranché"),
    "payment_list_imported": _l("Liste de paiements importée"),
    "rate_changed": _l("Taux modifié"),
    "reduction_reason_added": _l("Motif de réduction ajouté"),
    "reduction_reason_deactivated": _l("Motif de réduction désactivé"),
    "reduction_reason_moved": _l("Motif de réduction déplacé"),
    "reduction_reason_reactivated": _l("Motif de réduction réactivé"),
    "reduction_reason_renamed": _l("Motif de réduction renommé"),
    "register_import_refused": _l("Import du registre refusé"),
    "register_imported": _l("Registre importé"),
    "staff_account_enrolled": _l("Compte du personnel activé"),
    "staff_authenticator_reset": _l("Application d'authentification du personnel réinitialisée"),
    "staff_disabled": _l("Compte du personnel désactivé"),
    "staff_enabled": _l("Compte du personnel réactivé"),
    "staff_enrollment_code_refused": _l("Code refusé à l'activation d'un compte du personnel"),
    "staff_invitation_password_chosen": _l("Mot de passe choisi sur une invitation"),
    "staff_invitation_resent": _l("Invitation renvoyée"),
    "staff_invitation_revoked": _l("Invitation retirée"),
    "staff_invited": _l("Membre du personnel invité"),
    "staff_role_changed": _l("Rôle modifié"),
    "attachment_added": _l("Pièce ajoutée"),
    "attachment_infected": _l("Pièce refusée (virus)"),
    "attachment_removed": _l("Pièce retirée"),
    "audit_log_exported": _l("Journal d'audit exporté (CSV)"),
    "beneficiary_added": _l("Bénéficiaire ajouté·e"),
    "beneficiary_removed": _l("Bénéficiaire retiré·e"),
    "complement_reminder_sent": _l("Rappel de complément envoyé"),
    "data_exported": _l("Données personnelles exportées"),
    "decision_forgotten": _l("N° de décision oublié"),
    "decision_saved": _l("N° de décision enregistré"),
    "email_change_requested": _l("Changement d'e-mail demandé"),
    "email_changed": _l("E-mail changé"),
    "email_confirmed": _l("E-mail confirmé"),
    "iban_added": _l("IBAN ajouté"),
    "iban_removed": _l("IBAN retiré"),
    "iban_requested": _l("IBAN demandé"),
    "identity_corrected": _l("Identité corrigée"),
    "invoice_complement_answered": _l("Complément envoyé par la personne"),
    "invoice_complement_requested": _l("Complément demandé"),
    "invoice_destroyed": _l("Demande détruite (durée de conservation échue)"),
    "invoice_draft_created": _l("Brouillon créé"),
    "invoice_draft_deleted": _l("Brouillon supprimé"),
    "invoice_note_added": _l("Note ajoutée"),
    "invoice_reassigned": _l("Demande réattribuée"),
    "invoice_refused": _l("Demande refusée"),
    "invoice_released": _l("Demande rendue"),
    "invoice_submitted": _l("Demande envoyée"),
    "invoice_taken": _l("Demande prise en charge"),
    "invoice_validated": _l("Demande validée"),
    "invoice_visa_confirmed": _l("Second visa donné"),
    "invoice_visa_sent_back": _l("Renvoyée par le second visa"),
    "login": _l("Connexion"),
    "login_failed": _l("Connexion échouée"),
    "login_password_ok": _l("Mot de passe accepté (second facteur attendu)"),
    "logout": _l("Déconnexion"),
    "password_changed": _l("Mot de passe changé"),
    "password_check_failed": _l("Mot de passe refusé"),
    "password_reset": _l("Mot de passe réinitialisé"),
    "password_reset_requested": _l("Réinitialisation du mot de passe demandée"),
    "password_reset_unknown": _l("Réinitialisation demandée pour une adresse inconnue"),
    "phone_change_requested": _l("Changement de portable demandé"),
    "phone_changed": _l("Portable changé"),
    "phone_confirmed": _l("Portable confirmé"),
    "profile_changed": _l("Profil modifié"),
    "queue_searched": _l("Recherche dans la file"),
    "recovery_code_refused": _l("Code de secours refusé"),
    "recovery_code_used": _l("Code de secours utilisé"),
    "recovery_codes_renewed": _l("Codes de secours renouvelés"),
    "refusal_reason_added": _l("Motif de refus ajouté"),
    "refusal_reason_deactivated": _l("Motif de refus désactivé"),
    "refusal_reason_moved": _l("Motif de refus déplacé"),
    "refusal_reason_reactivated": _l("Motif de refus réactivé"),
    "refusal_reason_renamed": _l("Motif de refus renommé"),
    "register": _l("Inscription"),
    "register_duplicate": _l("Inscription d'un compte existant"),
    "register_not_in_register": _l("Inscription hors registre"),
    "retention_purge": _l("Purge (durées de conservation)"),
    "sms_budget_spent": _l("Budget SMS du jour épuisé"),
    "sms_code_accepted": _l("Code SMS accepté"),
    "sms_code_refused": _l("Code SMS refusé"),
    "sms_refused_budget_spent": _l("SMS refusé (budget du jour)"),
    "sms_refused_cooldown": _l("SMS refusé (attente)"),
    "sms_refused_ip_limit": _l("SMS refusé (limite par adresse IP)"),
    "sms_refused_number_limit": _l("SMS refusé (limite par numéro)"),
    "sms_sent": _l("SMS envoyé"),
    "staff_viewed_invoice": _l("Demande consultée"),
    "staff_viewed_person": _l("Dossier consulté"),
    "staff_viewed_piece": _l("Pièce consultée"),
    "totp_added": _l("Application d'authentification ajoutée"),
    "totp_refused": _l("Code de l'application refusé"),
    "totp_removed": _l("Application d'authentification retirée"),
    "totp_setup_started": _l("Ajout de l'application d'authentification commencé"),
}

OBJECT_LABELS = {
    "attachment": _l("Pièce"),
    "audit_log": _l("Journal d'audit"),
    "auth_session": _l("Session"),
    "bank_account": _l("Compte bancaire"),
    "beneficiary": _l("Bénéficiaire"),
    "endpoint": _l("Page"),
    "invoice": _l("Demande"),
    "queue": _l("File"),
    "refusal_reason": _l("Motif de refus"),
    "user": _l("Compte"),
}

ROLE_LABELS = {"insured": _l("assuré·e"), "reviewer": _l("gestionnaire"),
               "transmission": _l("transmission"), "admin": _l("administrateur·trice")}


def action_label(action: str) -> str:
    """The action in French; an unknown code as it is."""
    return str(ACTION_LABELS.get(action, action))


def object_label(object_type: str | None) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type)) if object_type else ""


# --- masking ----------------------------------------------------------------------------------

_SEP = r"[ .\-\u00a0\u202f]?"
#: A N° AVS: 756 and ten more digits, written compact or with dots or spaces.
_NAVS = re.compile(rf"(?<![0-9])756{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}{_SEP}[0-9]{{2}}(?![0-9])")
#: A Swiss or Liechtenstein IBAN (21 characters), compact or in groups of four.
_IBAN = re.compile(r"(?<![A-Z0-9])(?:CH|LI)[0-9]{2}(?: ?[0-9A-Z]){17}(?![0-9A-Z])",
                   re.IGNORECASE)


def mask_text(text: str) -> str:
    """``text`` with every N° AVS and CH/LI IBAN in it shown by its last digits only."""
    if not text:
        return text
    text = _NAVS.sub(lambda m: "756.****.****." + re.sub(r"[^0-9]", "", m[0])[-2:], text)
    return _IBAN.sub(lambda m: mask_iban(re.sub(r"\s", "", m[0]).upper()), text)


def mask_value(value):
    """A detail value with every string in it masked (lists and mappings walked)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {mask_text(str(key)): mask_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(item) for item in value]
    return value


def detail_pairs(detail: dict | None) -> list[tuple[str, str]]:
    """The detail as (key, value) texts, masked."""
    pairs = []
    for key, value in (mask_value(detail) or {}).items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        pairs.append((key, shown))
    return pairs


# --- filters and pages ------------------------------------------------------------------------

@dataclass(frozen=True)
class LogFilter:
    """What the administrator asked; empty values filter nothing."""

    actor: str = ""          # a staff member's id, ACTOR_NONE, or ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    start: date | None = None
    end: date | None = None

    def args(self) -> dict[str, str]:
        """The query string that asks this filter again (for the pages and the CSV)."""
        values = {"membre": self.actor, "action": self.action, "objet": self.object_type,
                  "objet_id": self.object_id,
                  "du": self.start.strftime("%d.%m.%Y") if self.start else "",
                  "au": self.end.strftime("%d.%m.%Y") if self.end else ""}
        return {key: value for key, value in values.items() if value}

    def conditions(self) -> list:
        where = []
        if self.actor == ACTOR_NONE:
            where.append(AuditEntry.actor_id.is_(None))
        elif self.actor.isdigit():
            where.append(AuditEntry.actor_id == int(self.actor))
        if self.action:
            where.append(AuditEntry.action == self.action)
        if self.object_type:
            where.append(AuditEntry.object_type == self.object_type)
        if self.object_id:
            where.append(AuditEntry.object_id == self.object_id)
        if self.start:
            where.append(AuditEntry.at >= datetime.combine(self.start, time.min, tzinfo=ZURICH))
        if self.end:
            where.append(AuditEntry.at < datetime.combine(self.end + timedelta(days=1), time.min,
                                                          tzinfo=ZURICH))
        return where

    def describe(self) -> dict[str, str]:
        """The filter as the export's audit entry keeps it (masked: an N° AVS typed as an
        object's id stays out of the log)."""
        return {key: mask_text(value) for key, value in self.args().items()}


@dataclass
class LogRow:
    entry: AuditEntry
    actor: str
    action: str
    object_label: str
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class LogPage:
    rows: list[LogRow]
    next_cursor: int | None


NEWEST_FIRST = (AuditEntry.at.desc(), AuditEntry.id.desc())


def _before(entry) -> object:
    """The entries after ``entry`` newest first: older, or as old with a smaller id. A row
    comparison, which PostgreSQL reads straight from the indexes (an ``OR`` of the two took it
    hundreds of times longer on 300 000 entries)."""
    return tuple_(AuditEntry.at, AuditEntry.id) < tuple_(entry.at, entry.id)


def _query(flt: LogFilter):
    return select(AuditEntry).where(*flt.conditions()).order_by(*NEWEST_FIRST)


def log_page(flt: LogFilter, after: str | None = None, size: int = PAGE_SIZE) -> LogPage:
    """One page of the log, newest first; ``after`` is the id of the last entry of the page
    before (the keyset: entries older than it, or as old with a smaller id)."""
    query = _query(flt)
    if after and after.isdigit():
        cursor = db.session.get(AuditEntry, int(after))
        if cursor is not None:
            query = query.where(_before(cursor))
    entries = list(db.session.scalars(query.limit(size + 1)))
    more = len(entries) > size
    entries = entries[:size]
    names = actor_names({entry.actor_id for entry in entries if entry.actor_id is not None})
    rows = [_row(entry, names) for entry in entries]
    return LogPage(rows, entries[-1].id if more else None)


def actor_names(ids: set[int], connection=None) -> dict[int, str]:
    if not ids:
        return {}
    query = select(User.id, User.prenom, User.nom, User.email).where(User.id.in_(ids))
    rows = (connection or db.session).execute(query)
    return {row.id: (f"{row.prenom or ''} {row.nom or ''}".strip() or row.email) for row in rows}


def _actor(entry: AuditEntry, names: dict[int, str]) -> str:
    if entry.actor_id is None:
        return "—"
    name = names.get(entry.actor_id) or str(_l("compte supprimé n° %(id)s", id=entry.actor_id))
    role = str(ROLE_LABELS.get(entry.actor_role or "", entry.actor_role or ""))
    return mask_text(f"{name} ({role})" if role else name)


def _object(entry: AuditEntry) -> str:
    if not entry.object_type:
        return "—"
    label = object_label(entry.object_type)
    return mask_text(str(_l("%(object)s n° %(id)s", object=label, id=entry.object_id))
                     if entry.object_id else label)


def _row(entry: AuditEntry, names: dict[int, str]) -> LogRow:
    return LogRow(entry, _actor(entry, names), action_label(entry.action), _object(entry),
                  detail_pairs(entry.detail))


def _alphabetical(text: str) -> str:
    """A sort key that puts « Bénéficiaire » before « Budget », as a reader expects (accents
    and case ignored)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def known_actions() -> list[tuple[str, str]]:
    """(code, label) of every action the table knows or the log holds, by label."""
    present = set(db.session.scalars(select(AuditEntry.action).distinct()))
    codes = set(ACTION_LABELS) | present
    return sorted(((code, action_label(code)) for code in codes),
                  key=lambda item: (_alphabetical(item[1]), item[0]))


def known_object_types() -> list[tuple[str, str]]:
    present = {value for value in db.session.scalars(select(AuditEntry.object_type).distinct())
               if value}
    codes = set(OBJECT_LABELS) | present
    return sorted(((code, object_label(code)) for code in codes),
                  key=lambda item: (_alphabetical(item[1]), item[0]))


# --- the CSV ------------------------------------------------------------------------------------

CSV_HEADER = ["date", "heure", "auteur", "role", "action", "action_code", "objet", "objet_id",
              "ip", "detail"]


def csv_rows(flt: LogFilter, engine, batch: int = 1000) -> Iterator[str]:
    """The filtered log as CSV text (UTF-8 with BOM for spreadsheets, ``;``), a batch of rows
    at a time: the header, then the entries newest first. Every cell is masked and neutralised
    (a cell that starts with ``= + - @`` gets a leading apostrophe).

    It reads through a connection of its own from ``engine`` (``db.engine``), opened when the
    first batch is asked: the response streams it after the request's unit of work has ended,
    without the request's context or session. The words are looked up now, in that context."""
    words = _CsvWords({code: action_label(code) for code in ACTION_LABELS},
                      {code: object_label(code) for code in OBJECT_LABELS},
                      str(_l("compte supprimé n° %(id)s", id="{id}")))
    return _csv_stream(flt, engine, batch, words)


@dataclass(frozen=True)
class _CsvWords:
    actions: dict[str, str]
    objects: dict[str, str]
    deleted_account: str


def _csv_stream(flt: LogFilter, engine, batch: int, words: _CsvWords) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield "\ufeff" + flush()
    columns = (AuditEntry.id, AuditEntry.at, AuditEntry.actor_id, AuditEntry.actor_role,
               AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id, AuditEntry.ip,
               AuditEntry.detail)
    last = None
    with engine.connect() as connection:
        while True:
            # plain rows, not entities: a long export keeps only one batch in memory
            query = select(*columns).where(*flt.conditions()).order_by(*NEWEST_FIRST)
            if last is not None:
                query = query.where(_before(last))
            entries = connection.execute(query.limit(batch)).all()
            if not entries:
                return
            names = actor_names({entry.actor_id for entry in entries
                                 if entry.actor_id is not None}, connection)
            for entry in entries:
                writer.writerow([neutralise(mask_text(str(cell)))
                                 for cell in _csv_cells(entry, names, words)])
            yield flush()
            last = entries[-1]
            if len(entries) < batch:
                return


def _csv_cells(entry, names: dict[int, str], words: _CsvWords) -> tuple:
    local = entry.at.astimezone(ZURICH)
    actor = ("" if entry.actor_id is None else names.get(entry.actor_id)
             or words.deleted_account.format(id=entry.actor_id))
    detail = json.dumps(mask_value(entry.detail), ensure_ascii=False) if entry.detail else ""
    return (local.strftime("%d.%m.%Y"), local.strftime("%H:%M:%S"), actor,
            entry.actor_role or "", words.actions.get(entry.action, entry.action), entry.action,
            words.objects.get(entry.object_type or "", entry.object_type or ""),
            entry.object_id or "", entry.ip or "", detail)
