"""Which of the files sent with one form are taken, and why the others are refused.

:func:`accept` runs every check a pièce goes through before it is stored — the inspection of
its content (:mod:`.inspect`), the virus scan (:mod:`.scanner`) and the size limit of the
invoice as a whole — and returns the clean files with the refusals in French. It stores nothing:
the caller stores what it keeps, inside its unit of work.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from guichet.core.i18n import gettext as _

from .inspect import CleanFile, RejectedUpload, check_total, inspect_storage
from .scanner import INFECTED, scan


@dataclass(frozen=True)
class AcceptedFile:
    """A pièce that passed every check: under which requirement it was sent, its clean copy,
    and the scanner's verdict (``clean``, or ``pending`` while no scanner could answer)."""

    requirement: str
    file: CleanFile
    scan_status: str


@dataclass
class Accepted:
    """The files to store and, for the others, what to tell the person."""

    files: list[AcceptedFile] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)


def accept(uploads: Iterable[tuple[str, object]], already_stored: int,
           on_infected: Callable[[CleanFile], None] | None = None) -> Accepted:
    """Checks ``uploads`` — (requirement key, Werkzeug ``FileStorage``) pairs — for an invoice
    whose pièces already take ``already_stored`` bytes.

    Each file is inspected and scanned; a refused one adds its message, the others go on
    (``on_infected`` is called for each file the scanner found infected, e.g. to keep an audit
    entry). If the files left would take the invoice above its size limit, none of them is
    taken and the limit is explained.
    """
    result = Accepted()
    for requirement, storage in uploads:
        try:
            clean = inspect_storage(storage)
        except RejectedUpload as exc:
            result.refusals.append(exc.message)
            continue
        verdict = scan(clean.data)
        if verdict == INFECTED:
            result.refusals.append(_("%(name)s : ce fichier contient un virus ; il a été refusé.",
                                     name=clean.filename))
            if on_infected is not None:
                on_infected(clean)
            continue
        result.files.append(AcceptedFile(requirement, clean, verdict))
    if result.files:
        try:
            check_total(already_stored, [accepted.file.size for accepted in result.files])
        except RejectedUpload as exc:
            result.files = []
            result.refusals.append(exc.message)
    return result
