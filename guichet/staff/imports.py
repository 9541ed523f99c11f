"""The administrators' uploads of the register and of the decisions: the same import, rules
and report as ``flask register import`` and ``register import-decisions``
(:mod:`guichet.register.imports`, :mod:`guichet.invoices.decision_import`), and an audit entry
with the counts. A refused file (too large, not text, wrong header) changes nothing; its
refusal is audited too. Never a line's content in the audit log: lines hold N° AVS."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app

from guichet.core.audit import record
from guichet.core.formatting import format_size
from guichet.core.i18n import gettext as _
from guichet.core.unit_of_work import discard
from guichet.invoices.decision_import import import_decisions
from guichet.models import User
from guichet.register.imports import BadRegisterFile, ImportReport, import_register

REGISTER, DECISIONS = "register", "decisions"


@dataclass(frozen=True)
class ImportKind:
    run: Callable[[bytes], ImportReport]
    action: str  # of the audit entry; ``<action>_refused`` for a refused file


KINDS = {REGISTER: ImportKind(import_register, "register_imported"),
         DECISIONS: ImportKind(import_decisions, "decisions_imported")}


def max_bytes() -> int:
    return current_app.config["REGISTER_IMPORT_MAX_BYTES"]


def read_upload(stream) -> bytes:
    """The uploaded file's bytes; :class:`BadRegisterFile` when it is empty or larger than
    ``REGISTER_IMPORT_MAX_BYTES`` (read no further than that)."""
    limit = max_bytes()
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise BadRegisterFile(_("le fichier dépasse %(size)s", size=format_size(limit)))
    if not raw.strip():
        raise BadRegisterFile(_("le fichier est vide"))
    return raw


def import_upload(admin: User, kind: str, stream) -> ImportReport:
    """Imports the uploaded file as the command does; raises :class:`BadRegisterFile` (after
    dropping anything written and auditing the refusal) when the file cannot be read."""
    what = KINDS[kind]
    try:
        report = what.run(read_upload(stream))
    except BadRegisterFile as refused:
        discard()
        record(f"{what.action.removesuffix('_imported')}_import_refused", actor=admin,
               object_type=kind, reason=str(refused))
        raise
    record(what.action, actor=admin, object_type=kind, **report.counts())
    return report
