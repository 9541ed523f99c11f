"""An invoice's pièces justificatives: taking uploaded files for it, storing them, removing one.

The checks themselves are :func:`guichet.uploads.accept`'s; here they are applied to one invoice
(its size limit counts the pièces it already has, an infected file leaves an audit entry) and the
accepted files become its :class:`~guichet.models.Attachment` rows.
"""
from __future__ import annotations

from collections.abc import Iterable

from guichet.core.audit import record
from guichet.models import Attachment, Invoice, User
from guichet.models.base import db
from guichet.uploads.accept import Accepted, AcceptedFile, accept
from guichet.uploads.storage import delete_after_commit, store

from . import supplier_bills


class NothingStored(RuntimeError):
    """A pièce could not be written (a full disk): the caller drops the whole request
    (``discard()``), which also removes the files already written, and says so."""


def stored_bytes(invoice: Invoice) -> int:
    return sum(attachment.size for attachment in invoice.attachments)


def receive(invoice: Invoice, user: User, uploads: Iterable[tuple[str, object]]) -> Accepted:
    """Which of ``uploads`` ((requirement key, ``FileStorage``) pairs) this invoice can take."""
    def infected(_clean) -> None:
        record("attachment_infected", actor=user, object_type="invoice", object_id=invoice.id)
    return accept(uploads, stored_bytes(invoice), on_infected=infected)


def attach(invoice: Invoice, user: User, files: list[AcceptedFile],
           complement_id: int | None = None) -> list[Attachment]:
    """Stores accepted files and files them under the invoice (and the complement request they
    answer), each looked at for a QR-bill when the invoice's type rests on a supplier's
    invoice; raises :class:`NothingStored` when the disk refuses one."""
    added = []
    reads_bills = supplier_bills.reads_bills(invoice)
    try:
        for accepted in files:
            clean = accepted.file
            attachment = Attachment(
                requirement=accepted.requirement[:40], filename=clean.filename,
                stored_name=store(clean), content_type=clean.content_type, size=clean.size,
                sha256=clean.sha256, scan_status=accepted.scan_status,
                complement_request_id=complement_id)
            if reads_bills:
                supplier_bills.read_piece(attachment)
            invoice.attachments.append(attachment)
            added.append(attachment)
            record("attachment_added", actor=user, object_type="invoice", object_id=invoice.id,
                   sha256=clean.sha256[:12])
        db.session.flush()
    except OSError:
        raise NothingStored() from None
    return added


def remove(invoice: Invoice, user: User, attachment_id: int) -> Attachment | None:
    """Removes one of the invoice's own pièces (another id removes nothing) and returns it; its
    file goes once the change is committed."""
    for attachment in list(invoice.attachments):
        if attachment.id == attachment_id:
            invoice.attachments.remove(attachment)
            record("attachment_removed", actor=user, object_type="invoice",
                   object_id=invoice.id)
            delete_after_commit([attachment.stored_name])
            return attachment
    return None


def reassign(invoice: Invoice, attachment_id: int, requirement: str,
             asked: Iterable[str]) -> Attachment | None:
    """Files one of the invoice's own pièces under ``requirement`` (the person says which
    document it is), when that is one of the pièces ``asked`` for now; returns it, or ``None``
    when nothing was moved (another invoice's id, a key not asked, a pièce of a complement
    request, which the office already has)."""
    if requirement not in set(asked):
        return None
    for attachment in invoice.attachments:
        if attachment.id == attachment_id and attachment.complement_request_id is None:
            attachment.requirement = requirement[:40]
            return attachment
    return None
