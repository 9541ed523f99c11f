"""Transmission batches (« lots de transmission ») for the Centrale de compensation (CdC).

A gestionnaire with the transmission right gathers « Validée » invoices that are in no batch
yet (all of them, or a selection) into a batch that gets a number (NE-LOT-2026-0007) and is
frozen: its invoices, count and control sum never change after it was built. Two gestionnaires
building at the same time never put an invoice in two batches: the invoices are claimed with
one guarded ``UPDATE … WHERE batch_id IS NULL AND status = 'accepted'`` whose row count must
be the number asked for, else nothing is applied (:class:`BatchRefused`; the caller drops the
unit of work). Then the batch is marked transmitted (a date), and paid — by hand for the whole
batch (a date; each invoice « Payée » with its approved amount), or by the CdC's payment list
(:mod:`.payments`). Every action is audited; the insured person is told once per invoice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable, Iterator

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from guichet.core.audit import record
from guichet.core.i18n import ZURICH
from guichet.core.i18n import gettext as _
from guichet.core.i18n import today_in_zurich
from guichet.core.money import to_amount
from guichet.models import BatchCounter, Invoice, PaymentIssue, TransmissionBatch, User, utcnow
from guichet.models.base import db
from guichet.models.invoices import STATUS_ACCEPTED, STATUS_PAID

from .lifecycle import move
from .services import notify_change
from .transmission_pdf import transmission_copy

#: What the batch number says between the office's prefix and the year.
BATCH_WORD = "LOT"


class BatchRefused(RuntimeError):
    """Nothing was applied; the message says why, in French."""


# --- reading ------------------------------------------------------------------------------------

def transmittable_invoices() -> list[Invoice]:
    """The « Validée » invoices in no batch yet, in the order of their receipt numbers."""
    return list(db.session.scalars(select(Invoice).where(
        Invoice.status == STATUS_ACCEPTED, Invoice.batch_id.is_(None))
        .order_by(Invoice.receipt_number, Invoice.id)))


def batch_invoices(batch: TransmissionBatch) -> list[Invoice]:
    return list(iter_batch_invoices(batch))


def iter_batch_invoices(batch: TransmissionBatch, chunk: int = 50) -> Iterator[Invoice]:
    """The batch's invoices in the order of their receipt numbers, loaded a few at a time
    (a batch of 500 is rendered without holding them all)."""
    last = ""
    while True:
        rows = list(db.session.scalars(select(Invoice).where(
            Invoice.batch_id == batch.id, Invoice.receipt_number > last)
            .order_by(Invoice.receipt_number).limit(chunk)))
        if not rows:
            return
        yield from rows
        last = rows[-1].receipt_number


def all_batches() -> list[TransmissionBatch]:
    """Newest first."""
    return list(db.session.scalars(select(TransmissionBatch)
                                   .order_by(TransmissionBatch.id.desc())))


@dataclass(frozen=True)
class BatchState:
    """Where a batch stands: transmitted, how many of its invoices are paid, open issues."""

    transmitted: bool
    paid_count: int
    count: int
    open_issues: int

    @property
    def paid(self) -> bool:
        return self.count > 0 and self.paid_count == self.count

    @property
    def label(self) -> str:
        if self.paid:
            return _("Payé")
        if self.paid_count:
            return _("Payé en partie (%(paid)s sur %(count)s)", paid=self.paid_count,
                     count=self.count)
        if self.transmitted:
            return _("Transmis, en attente du paiement")
        return _("À transmettre")


def batch_state(batch: TransmissionBatch) -> BatchState:
    paid = db.session.scalar(select(func.count()).select_from(Invoice).where(
        Invoice.batch_id == batch.id, Invoice.status == STATUS_PAID)) or 0
    issues = db.session.scalar(select(func.count()).select_from(PaymentIssue).where(
        PaymentIssue.batch_id == batch.id, PaymentIssue.resolved_at.is_(None))) or 0
    return BatchState(batch.transmitted_on is not None, paid, batch.count, issues)


def batch_of(invoice: Invoice) -> TransmissionBatch | None:
    return db.session.get(TransmissionBatch, invoice.batch_id) if invoice.batch_id else None


def record_download(batch: TransmissionBatch, staff: User, kind: str) -> None:
    """A download of the batch's PDF or CSV (they hold full N° AVS and IBAN): audited."""
    record("batch_downloaded", actor=staff, object_type="batch", object_id=batch.id,
           number=batch.number, file=kind)


# --- building -----------------------------------------------------------------------------------

def next_batch_number(now) -> str:
    """NE-LOT-2026-0007: the office's prefix, the year (Swiss time), a counter per year taken
    with the counter row locked."""
    prefix = current_app.config.get("RECEIPT_PREFIX", "NE")
    year = now.astimezone(ZURICH).year
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        # the year's row, made once even when two gestionnaires build the year's first batch
        # at the same moment (the second one then waits on the row's lock below)
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        db.session.execute(insert(BatchCounter).values(prefix=prefix, year=year, last=0)
                           .on_conflict_do_nothing(index_elements=["prefix", "year"]))
    counter = db.session.scalar(select(BatchCounter).where(
        BatchCounter.prefix == prefix, BatchCounter.year == year).with_for_update())
    if counter is None:
        counter = BatchCounter(prefix=prefix, year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return f"{prefix}-{BATCH_WORD}-{year}-{counter.last:04d}"


def build_batch(staff: User, invoice_ids: Iterable[int] | None = None) -> TransmissionBatch:
    """A new batch of the given « Validée » invoices (``None``: all those in no batch yet).
    Raises :class:`BatchRefused` — nothing written that the caller must keep — when none is
    given, when one is not « Validée » or already in a batch, or when another gestionnaire
    took one meanwhile."""
    if invoice_ids is None:
        ids = [invoice.id for invoice in transmittable_invoices()]
    else:
        ids = sorted({int(value) for value in invoice_ids})
    if not ids:
        raise BatchRefused(_("Aucune demande validée à transmettre : choisissez au moins une "
                             "demande."))
    rows = db.session.execute(select(Invoice.id, Invoice.receipt_number, Invoice.status,
                                     Invoice.batch_id).where(Invoice.id.in_(ids))).all()
    found = {row.id for row in rows}
    wrong = sorted((row.receipt_number or str(row.id)) for row in rows
                   if row.status != STATUS_ACCEPTED or row.batch_id is not None)
    wrong += sorted(str(value) for value in ids if value not in found)
    if wrong:
        raise BatchRefused(_("Ces demandes ne peuvent pas entrer dans un lot (elles ne sont pas "
                             "« Validée » ou sont déjà dans un lot) : %(list)s. Aucun lot n'a "
                             "été créé.", list=", ".join(wrong)))
    now = utcnow()
    batch = TransmissionBatch(number=next_batch_number(now), created_by=staff.id, created_at=now,
                              count=0, control_sum=Decimal("0.00"))
    db.session.add(batch)
    db.session.flush()
    claimed = db.session.execute(
        update(Invoice).where(Invoice.id.in_(ids), Invoice.batch_id.is_(None),
                              Invoice.status == STATUS_ACCEPTED)
        .values(batch_id=batch.id, version=Invoice.version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != len(ids):
        raise BatchRefused(_("Un·e autre gestionnaire vient de mettre certaines de ces demandes "
                             "dans un lot. Aucun lot n'a été créé : recommencez."))
    for invoice in db.session.identity_map.values():
        if isinstance(invoice, Invoice) and invoice.id in found:
            db.session.expire(invoice)
    total = db.session.scalar(select(func.coalesce(func.sum(Invoice.total_approved), 0))
                              .where(Invoice.batch_id == batch.id))
    batch.count = len(ids)
    batch.control_sum = to_amount(total or 0)
    # what its PDFs read from records that may change: kept, for the same PDFs at every
    # download (the claim above already moved each invoice's version once)
    members = list(iter_batch_invoices(batch))
    copies = [(invoice.id, transmission_copy(invoice)) for invoice in members]
    for invoice_id, copy in copies:
        db.session.execute(update(Invoice).where(Invoice.id == invoice_id)
                           .values(transmission_copy=copy)
                           .execution_options(synchronize_session=False))
    for invoice in members:
        db.session.expire(invoice)
    record("batch_created", actor=staff, object_type="batch", object_id=batch.id,
           number=batch.number, count=batch.count, control_sum=str(batch.control_sum))
    db.session.flush()
    return batch


# --- transmitted, paid --------------------------------------------------------------------------

def _check_day(day: date | None, field_label: str) -> date:
    if day is None:
        raise BatchRefused(_("Indiquez la date %(what)s.", what=field_label))
    if day > today_in_zurich():
        raise BatchRefused(_("La date %(what)s ne peut pas être dans le futur.",
                             what=field_label))
    return day


def mark_transmitted(batch: TransmissionBatch, staff: User, on: date | None) -> None:
    """The batch left the office for the CdC on ``on``."""
    if batch.transmitted_on is not None:
        raise BatchRefused(_("Ce lot est déjà marqué comme transmis (le %(date)s).",
                             date=f"{batch.transmitted_on:%d.%m.%Y}"))
    on = _check_day(on, _("de transmission"))
    if on < batch.created_on:
        raise BatchRefused(_("Le lot ne peut pas avoir été transmis avant d'être créé "
                             "(le %(date)s).", date=f"{batch.created_on:%d.%m.%Y}"))
    batch.transmitted_on, batch.transmitted_by = on, staff.id
    record("batch_transmitted", actor=staff, object_type="batch", object_id=batch.id,
           number=batch.number, transmitted_on=on.isoformat())


def pay_invoice(invoice: Invoice, actor: User, paid_on: date, amount: Decimal) -> bool:
    """« Payée » on ``paid_on`` with ``amount``: one line of history, one e-mail, one audit
    entry. ``False`` (nothing done) when the invoice is not « Validée » any more."""
    if invoice.status != STATUS_ACCEPTED:
        return False
    invoice.paid_on, invoice.paid_amount = paid_on, to_amount(amount)
    move(invoice, STATUS_PAID, actor=actor, by_office=True,
         message=_("La Centrale de compensation a versé le montant."))
    notify_change(invoice, db.session.get(User, invoice.user_id))
    record("invoice_paid", actor=actor, object_type="invoice", object_id=invoice.id,
           batch=invoice.batch_id, paid_on=paid_on.isoformat(), amount=str(invoice.paid_amount))
    return True


def mark_paid(batch: TransmissionBatch, staff: User, on: date | None) -> int:
    """Paid by hand on ``on``: each invoice of the batch still « Validée » becomes « Payée »
    with its approved amount. Returns how many changed."""
    if batch.transmitted_on is None:
        raise BatchRefused(_("Marquez d'abord le lot comme transmis."))
    if batch.paid_on is not None:
        raise BatchRefused(_("Ce lot est déjà marqué comme payé (le %(date)s).",
                             date=f"{batch.paid_on:%d.%m.%Y}"))
    on = _check_day(on, _("du paiement"))
    if on < batch.transmitted_on:
        raise BatchRefused(_("Le paiement ne peut pas précéder la transmission (le %(date)s).",
                             date=f"{batch.transmitted_on:%d.%m.%Y}"))
    changed = sum(pay_invoice(invoice, staff, on, invoice.total_approved)
                  for invoice in batch_invoices(batch))
    batch.paid_on, batch.paid_by = on, staff.id
    record("batch_paid", actor=staff, object_type="batch", object_id=batch.id,
           number=batch.number, paid_on=on.isoformat(), invoices=changed)
    db.session.flush()
    return changed
