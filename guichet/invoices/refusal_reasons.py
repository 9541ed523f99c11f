"""The reasons a gestionnaire may give for a refusal: a list the administrators keep (add,
rename, reorder, deactivate and reactivate). A reason is never deleted: decisions refer to its
code. Every change is audited."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.models import RefusalReason, User
from guichet.models.base import db

from .review import ReviewRefused

#: The office's usual reasons, as the migration ``a8b9c0d1e2f3`` seeds them (tests and a
#: database made without the migrations call :func:`seed_defaults`).
DEFAULT_REASONS = [
    ("no_decision", "Aucune décision de l'office ne couvre ces frais."),
    ("outside_decision", "Les frais sont hors de la période ou du genre de prestations couverts "
                         "par la décision."),
    ("not_covered", "Ces frais ne sont pas à la charge de l'assurance-invalidité."),
    ("duplicate", "Ces frais ont déjà été demandés ou remboursés."),
    ("missing_pieces", "Les pièces justificatives nécessaires n'ont pas été reçues."),
    ("complement_not_received", "Le complément demandé n'a pas été reçu dans le délai."),
    ("other", "Autre motif (précisé ci-dessous)."),
]

MAX_LABEL = 200
UP, DOWN = "up", "down"


def all_reasons() -> list[RefusalReason]:
    """Every reason, active ones and the others, in the order the refusal form lists them."""
    return list(db.session.scalars(select(RefusalReason)
                                   .order_by(RefusalReason.position, RefusalReason.id)))


def seed_defaults() -> None:
    """The default reasons, when the list is empty."""
    if db.session.scalar(select(func.count()).select_from(RefusalReason)):
        return
    for position, (code, label) in enumerate(DEFAULT_REASONS):
        db.session.add(RefusalReason(code=code, label=label, position=position, active=True))
    db.session.flush()


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ReviewRefused(_("Écrivez le motif."), field="label")
    if len(label) > MAX_LABEL:
        raise ReviewRefused(_("Ce motif est trop long (%(max)d caractères au plus).",
                              max=MAX_LABEL), field="label")
    return label


def _new_code(label: str) -> str:
    """A stable code from the label (« Frais déjà payés » → ``frais_deja_payes``), unique."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:24].rstrip("_") or "motif"
    taken = set(db.session.scalars(select(RefusalReason.code)))
    code, counter = base, 2
    while code in taken:
        code, counter = f"{base}_{counter}", counter + 1
    return code


def add_reason(admin: User, label: str) -> RefusalReason:
    """A new active reason at the end of the list."""
    label = _clean_label(label)
    last = db.session.scalar(select(func.max(RefusalReason.position)))
    reason = RefusalReason(code=_new_code(label), label=label,
                           position=(last if last is not None else -1) + 1, active=True)
    db.session.add(reason)
    db.session.flush()
    record("refusal_reason_added", actor=admin, object_type="refusal_reason",
           object_id=reason.code)
    return reason


def rename_reason(admin: User, reason: RefusalReason, label: str) -> None:
    """A new wording (decisions keep the code; they show the current wording)."""
    label = _clean_label(label)
    if label != reason.label:
        reason.label = label
        record("refusal_reason_renamed", actor=admin, object_type="refusal_reason",
               object_id=reason.code)


def move_reason(admin: User, reason: RefusalReason, direction: str) -> None:
    """One place up or down in the list (the order of the refusal form's select)."""
    reasons = all_reasons()
    index = reasons.index(reason)
    other = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN) or not 0 <= other < len(reasons):
        return
    reasons[index], reasons[other] = reasons[other], reasons[index]
    for position, item in enumerate(reasons):
        item.position = position
    record("refusal_reason_moved", actor=admin, object_type="refusal_reason",
           object_id=reason.code, direction=direction)


def set_active(admin: User, reason: RefusalReason, active: bool) -> None:
    """A deactivated reason is no longer offered; decisions that gave it keep it."""
    if reason.active != active:
        reason.active = active
        record("refusal_reason_reactivated" if active else "refusal_reason_deactivated",
               actor=admin, object_type="refusal_reason", object_id=reason.code)
