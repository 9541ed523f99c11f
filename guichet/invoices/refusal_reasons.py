"""The reasons a gestionnaire may give: for a refusal, and for a line approved below the
amount claimed (a reduction). Two lists the administrators keep (add, rename, reorder,
deactivate and reactivate), one ``refusal_reasons`` table with a ``kind``. A reason is never
deleted: decisions refer to its code, and show its label even once it is deactivated. Every
change is audited."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.models import RefusalReason, User
from guichet.models.base import db
from guichet.models.invoices import REASON_KINDS, REASON_REDUCTION, REASON_REFUSAL

from .review import ReviewRefused

#: The office's usual refusal reasons, as the migration ``a8b9c0d1e2f3`` seeds them (tests and
#: a database made without the migrations call :func:`seed_defaults`).
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

#: The reduction reasons, as the migration ``b5c6d7e8f9a0`` seeds them: the codes the
#: decisions made before kept (they were a list in the code until then).
DEFAULT_REDUCTION_REASONS = [
    ("above_rate", "Au-delà du tarif ou du forfait applicable"),
    ("not_covered", "Frais non couverts par la décision"),
    ("cap_reached", "Plafond mensuel ou annuel atteint"),
    ("missing_piece", "Pièce justificative manquante ou illisible"),
    ("already_paid", "Déjà remboursé"),
    ("other", "Autre motif"),
]

DEFAULTS = {REASON_REFUSAL: DEFAULT_REASONS, REASON_REDUCTION: DEFAULT_REDUCTION_REASONS}
MAX_LABEL = 200
UP, DOWN = "up", "down"
#: The audit's object type per list (``refusal_reason_added``, ``reduction_reason_moved`` …).
OBJECT_TYPES = {REASON_REFUSAL: "refusal_reason", REASON_REDUCTION: "reduction_reason"}


def all_reasons(kind: str = REASON_REFUSAL) -> list[RefusalReason]:
    """Every reason of the list, active ones and the others, in the order the forms list
    them."""
    return list(db.session.scalars(select(RefusalReason).where(RefusalReason.kind == kind)
                                   .order_by(RefusalReason.position, RefusalReason.id)))


def seed_defaults(kind: str | None = None) -> None:
    """The default reasons of each list that is empty (both lists, or only ``kind``)."""
    for each in REASON_KINDS if kind is None else (kind,):
        if db.session.scalar(select(func.count()).select_from(RefusalReason)
                             .where(RefusalReason.kind == each)):
            continue
        for position, (code, label) in enumerate(DEFAULTS[each]):
            db.session.add(RefusalReason(kind=each, code=code, label=label, position=position,
                                         active=True))
    db.session.flush()


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ReviewRefused(_("Écrivez le motif."), field="label")
    if len(label) > MAX_LABEL:
        raise ReviewRefused(_("Ce motif est trop long (%(max)d caractères au plus).",
                              max=MAX_LABEL), field="label")
    return label


def _new_code(kind: str, label: str) -> str:
    """A stable code from the label (« Frais déjà payés » → ``frais_deja_payes``), unique in
    its list."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:24].rstrip("_") or "motif"
    taken = set(db.session.scalars(select(RefusalReason.code)
                                   .where(RefusalReason.kind == kind)))
    code, counter = base, 2
    while code in taken:
        code, counter = f"{base}_{counter}", counter + 1
    return code


def _record(action: str, admin: User, reason: RefusalReason, **detail) -> None:
    object_type = OBJECT_TYPES[reason.kind]
    record(f"{object_type}_{action}", actor=admin, object_type=object_type,
           object_id=reason.code, **detail)


def add_reason(admin: User, label: str, kind: str = REASON_REFUSAL) -> RefusalReason:
    """A new active reason at the end of its list."""
    if kind not in REASON_KINDS:
        raise ValueError(kind)
    label = _clean_label(label)
    last = db.session.scalar(select(func.max(RefusalReason.position))
                             .where(RefusalReason.kind == kind))
    reason = RefusalReason(kind=kind, code=_new_code(kind, label), label=label,
                           position=(last if last is not None else -1) + 1, active=True)
    db.session.add(reason)
    db.session.flush()
    _record("added", admin, reason)
    return reason


def rename_reason(admin: User, reason: RefusalReason, label: str) -> None:
    """A new wording (decisions keep the code; they show the current wording)."""
    label = _clean_label(label)
    if label != reason.label:
        reason.label = label
        _record("renamed", admin, reason)


def move_reason(admin: User, reason: RefusalReason, direction: str) -> None:
    """One place up or down in its list (the order of the decision form's select)."""
    reasons = all_reasons(reason.kind)
    index = reasons.index(reason)
    other = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN) or not 0 <= other < len(reasons):
        return
    reasons[index], reasons[other] = reasons[other], reasons[index]
    for position, item in enumerate(reasons):
        item.position = position
    _record("moved", admin, reason, direction=direction)


def set_active(admin: User, reason: RefusalReason, active: bool) -> None:
    """A deactivated reason is no longer offered; decisions that gave it keep it."""
    if reason.active != active:
        reason.active = active
        _record("reactivated" if active else "deactivated", admin, reason)
