"""What Guichet stops keeping (nFADP art. 6: no longer than needed), run daily by
``flask --app guichet purge``:

- **accounts never confirmed**: insured accounts whose e-mail or mobile was never confirmed,
  created more than :data:`UNCONFIRMED_DAYS` days ago, that never sent an invoice (with what
  hangs on them: sessions, codes, beneficiaries, drafts and their pièces);
- **ended sessions** (revoked, idle or past the absolute limit) and **expired SMS codes**, once
  they are a day old: the SMS limits count the codes of the last 24 hours per number and per
  address, so they stay that long;
- **used e-mail tokens** once every link they could belong to has expired anyway (the longest
  ``*_MAX_AGE`` setting): the row only stops a link from working twice;
- **staff invitations** (and authenticator-reset links) used, withdrawn or expired more than
  :data:`CLOSED_INVITATION_DAYS` days ago (the staff page lists them that long);
- **SMS messages** sent or given up, a day after they were queued (the text of a sent SMS is
  already blanked at sending; the row still holds the mobile number). **E-mails** sent or given
  up are kept ``SENT_EMAIL_RETENTION_DAYS`` days (90 by default):
  long enough to answer « did you write to me? », then they go too;
- **invoices** paid or refused more than ``RETENTION_YEARS`` years ago (10 by default), counted
  from the day paid (``invoices.paid_on``) or the day of the refusal (the standing refusal
  decision), with everything that hangs on them and their pièces' files; one audit entry per
  invoice says it was destroyed (receipt number, type, days; nothing about the person).
  Drafts are the person's own, never sent to the office: they stay while the account stays
  (the person deletes them). Invoices still open or validated but not paid stay.

Audit entries are append-only and stay. Rows are deleted in the command's unit of work; the
files only after its commit (``storage.delete_after_commit``): a crash in between leaves
orphan files, which ``flask storage check`` lists, rather than rows whose file is gone, which
would be pièces lost while the invoice is still there. ``dry_run`` reads what would go and
changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import Table, delete, func, or_, select, update

from guichet.core.audit import record
from guichet.core.i18n import ZURICH, ngettext_fr
from guichet.models import (Attachment, AuditEntry, AuthSession, Invoice, InvoiceEvent,
                            OutboxMessage, ReviewDecision, SmsCode, UsedToken, User, utcnow)
from guichet.models.base import db
from guichet.models.invoices import STATUS_DRAFT, STATUS_PAID, STATUS_REJECTED
from guichet.models.staff_invitation import StaffInvitation
from guichet.models.outbox import CHANNEL_EMAIL, CHANNEL_SMS, STATUS_FAILED, STATUS_SENT
from guichet.models.user import ROLE_INSURED
from guichet.uploads.storage import delete_after_commit

UNCONFIRMED_DAYS = 7
CLOSED_INVITATION_DAYS = 30
#: Codes and ended sessions stay this long: the SMS limits count a day back.
SHORT_KEEP = timedelta(days=1)
_CHUNK = 500


@dataclass(frozen=True)
class DestroyedInvoice:
    id: int
    receipt_number: str | None
    invoice_type: str
    user_id: int
    reason: str            # "paid" or "refused"
    ended_on: date         # the day paid or refused
    submitted_on: date | None


@dataclass
class PurgePlan:
    """What goes, found at ``now``; :func:`carry_out` deletes it."""

    now: datetime
    retention_years: int
    accounts: list[int] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    invitations: list[int] = field(default_factory=list)
    sms: list[int] = field(default_factory=list)
    emails: list[int] = field(default_factory=list)
    invoices: list[DestroyedInvoice] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    dry_run: bool = True

    @property
    def today(self) -> date:
        return self.now.astimezone(ZURICH).date()

    def counts(self) -> dict[str, int]:
        return {"accounts": len(self.accounts), "sessions": len(self.sessions),
                "codes": len(self.codes), "tokens": len(self.tokens),
                "invitations": len(self.invitations), "sms": len(self.sms),
                "emails": len(self.emails), "invoices": len(self.invoices),
                "files": len(self.files)}

    def lines(self) -> list[str]:
        """The report, in French, one line per kind."""
        n = self.counts()
        verb = "à supprimer" if self.dry_run else "supprimé(s)"
        head = (f"Purge du {self.today:%d.%m.%Y}" + (" (essai : rien n'est supprimé)"
                                                      if self.dry_run else "") + " :")
        return [
            head,
            f"  comptes jamais confirmés (plus de {UNCONFIRMED_DAYS} jours) : "
            f"{n['accounts']} {verb}",
            f"  sessions terminées : {n['sessions']} {verb}",
            f"  codes SMS échus : {n['codes']} {verb}",
            f"  jetons d'e-mail utilisés et échus : {n['tokens']} {verb}",
            f"  invitations du personnel closes depuis plus de {CLOSED_INVITATION_DAYS} jours : "
            f"{n['invitations']} {verb}",
            f"  SMS envoyés : {n['sms']} {verb}",
            f"  e-mails envoyés depuis plus de "
            f"{current_app.config['SENT_EMAIL_RETENTION_DAYS']} jours : {n['emails']} {verb}",
            f"  demandes payées ou refusées il y a plus de {self.retention_years} "
            f"{ngettext_fr('an', 'ans', self.retention_years)} : {n['invoices']} "
            + ("à détruire" if self.dry_run else "détruite(s)"),
            f"  fichiers de pièces : {n['files']} {verb}",
        ]


def purge_moment(today: date | None = None) -> datetime:
    """The moment the purge counts from: now, or noon in Neuchâtel on ``today``."""
    if today is None:
        return utcnow()
    return datetime.combine(today, time(12), tzinfo=ZURICH)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def plan_purge(now: datetime | None = None) -> PurgePlan:
    """What the purge would delete at ``now`` (default: now); reads only."""
    now = now or utcnow()
    config = current_app.config
    years = int(config["RETENTION_YEARS"])
    plan = PurgePlan(now=now, retention_years=years)
    plan.accounts = _unconfirmed_accounts(now)
    plan.sessions = _ended_sessions(now, config)
    # a code of a session that goes is that old too (a session goes a day after it ended)
    plan.codes = list(db.session.scalars(select(SmsCode.id).where(
        SmsCode.created_at < now - max(SHORT_KEEP, config["SMS_CODE_VALIDITY"]))
        .order_by(SmsCode.id)))
    plan.tokens = list(db.session.scalars(select(UsedToken.jti).where(
        UsedToken.used_at < now - _longest_link_age(config))))
    plan.invitations = _closed_invitations(now)
    done = OutboxMessage.status.in_((STATUS_SENT, STATUS_FAILED))
    plan.sms = list(db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.channel == CHANNEL_SMS, done,
        OutboxMessage.created_at < now - SHORT_KEEP)))
    plan.emails = list(db.session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.channel == CHANNEL_EMAIL, done, OutboxMessage.created_at < now - timedelta(
            days=int(config["SENT_EMAIL_RETENTION_DAYS"])))))
    plan.invoices = _expired_invoices(years_before(plan.today, years))
    invoice_ids = [invoice.id for invoice in plan.invoices]
    drafts = _chunked_scalars(select(Invoice.id), plan.accounts, Invoice.user_id)
    plan.files = sorted(_stored_names(invoice_ids + drafts))
    return plan


def _unconfirmed_accounts(now: datetime) -> list[int]:
    sent = select(Invoice.id).where(Invoice.user_id == User.id,
                                    Invoice.status != STATUS_DRAFT).exists()
    return list(db.session.scalars(select(User.id).where(
        User.role == ROLE_INSURED,
        or_(User.email_confirmed_at.is_(None), User.phone_confirmed_at.is_(None)),
        User.created_at < now - timedelta(days=UNCONFIRMED_DAYS), ~sent).order_by(User.id)))


def _closed_invitations(now: datetime) -> list[int]:
    cutoff = now - timedelta(days=CLOSED_INVITATION_DAYS)
    return list(db.session.scalars(select(StaffInvitation.id).where(or_(
        StaffInvitation.used_at < cutoff, StaffInvitation.revoked_at < cutoff,
        StaffInvitation.expires_at < cutoff)).order_by(StaffInvitation.id)))


def _ended_sessions(now: datetime, config) -> list[int]:
    """Sessions that ended (revoked, idle or too old) more than a day before ``now``."""
    cutoff = now - SHORT_KEEP
    idle = max(config["SESSION_IDLE_TIMEOUT"], config["STAFF_SESSION_IDLE_TIMEOUT"])
    return list(db.session.scalars(select(AuthSession.id).where(or_(
        AuthSession.revoked_at < cutoff, AuthSession.last_seen_at < cutoff - idle,
        AuthSession.created_at < cutoff - config["SESSION_ABSOLUTE_TIMEOUT"]))
        .order_by(AuthSession.id)))


def _longest_link_age(config) -> timedelta:
    """The longest life of an e-mail link (every ``*_MAX_AGE`` setting): a used token older
    than that belongs to a link that no longer works anyway."""
    ages = [value for key, value in config.items()
            if key.endswith("_MAX_AGE") and isinstance(value, timedelta)]
    return max([timedelta(days=1), *ages])


def _expired_invoices(cutoff: date) -> list[DestroyedInvoice]:
    """Paid before ``cutoff`` (by ``paid_on``, else the day of the move to « Payée »), or
    refused before it (by the standing refusal decision, else the move to « Refusée »)."""
    until = datetime.combine(cutoff, time.min, tzinfo=ZURICH)
    found: list[DestroyedInvoice] = []
    columns = (Invoice.id, Invoice.receipt_number, Invoice.invoice_type, Invoice.user_id,
               Invoice.submitted_at)
    for row in db.session.execute(select(*columns, Invoice.paid_on).where(
            Invoice.status == STATUS_PAID, Invoice.paid_on < cutoff)):
        found.append(_destroyed(row, "paid", row.paid_on))
    moved_on = _moved_on(STATUS_PAID, until)
    for chunk in _chunks(list(moved_on)):
        for row in db.session.execute(select(*columns).where(
                Invoice.status == STATUS_PAID, Invoice.paid_on.is_(None), Invoice.id.in_(chunk))):
            found.append(_destroyed(row, "paid", moved_on[row.id]))
    refused = dict(db.session.execute(
        select(ReviewDecision.invoice_id, func.max(ReviewDecision.decided_at))
        .join(Invoice, Invoice.id == ReviewDecision.invoice_id)
        .where(Invoice.status == STATUS_REJECTED, ReviewDecision.outcome == STATUS_REJECTED)
        .group_by(ReviewDecision.invoice_id)).all())
    by_event = _moved_on(STATUS_REJECTED, until)
    ended = {invoice_id: decided.astimezone(ZURICH).date()
             for invoice_id, decided in refused.items()}
    for invoice_id, day in by_event.items():
        ended.setdefault(invoice_id, day)
    old = [invoice_id for invoice_id, day in ended.items() if day < cutoff]
    for chunk in _chunks(old):
        for row in db.session.execute(select(*columns).where(
                Invoice.status == STATUS_REJECTED, Invoice.id.in_(chunk))):
            found.append(_destroyed(row, "refused", ended[row.id]))
    return sorted(found, key=lambda invoice: invoice.id)


def _moved_on(status: str, until: datetime) -> dict[int, date]:
    """Invoices whose last move to ``status`` in their history was before ``until``."""
    rows = db.session.execute(
        select(InvoiceEvent.invoice_id, func.max(InvoiceEvent.at))
        .join(Invoice, Invoice.id == InvoiceEvent.invoice_id)
        .where(Invoice.status == status, InvoiceEvent.status_to == status)
        .group_by(InvoiceEvent.invoice_id)).all()
    return {invoice_id: at.astimezone(ZURICH).date() for invoice_id, at in rows
            if at is not None and at < until}


def _destroyed(row, reason: str, ended_on: date) -> DestroyedInvoice:
    submitted = row.submitted_at.astimezone(ZURICH).date() if row.submitted_at else None
    return DestroyedInvoice(row.id, row.receipt_number, row.invoice_type, row.user_id, reason,
                            ended_on, submitted)


def _chunks(ids: list) -> list[list]:
    return [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def _chunked_scalars(query, ids: list, column) -> list:
    found = []
    for chunk in _chunks(ids):
        found += db.session.scalars(query.where(column.in_(chunk)))
    return found


def _stored_names(invoice_ids: list[int]) -> set[str]:
    names: set[str] = set()
    for chunk in _chunks(invoice_ids):
        names.update(db.session.scalars(select(Attachment.stored_name).where(
            Attachment.invoice_id.in_(chunk))))
    return names


# --- carrying it out --------------------------------------------------------------------------

def purge(now: datetime | None = None, *, dry_run: bool = False) -> PurgePlan:
    """Finds what goes at ``now`` and, unless ``dry_run``, deletes it in the current unit of
    work (the files once it has committed)."""
    plan = plan_purge(now)
    plan.dry_run = dry_run
    if not dry_run:
        carry_out(plan)
    return plan


def carry_out(plan: PurgePlan) -> None:
    tables = db.metadata.tables
    for invoice in plan.invoices:
        record("invoice_destroyed", object_type="invoice", object_id=invoice.id,
               receipt_number=invoice.receipt_number, invoice_type=invoice.invoice_type,
               reason=invoice.reason, ended_on=invoice.ended_on.isoformat(),
               submitted_on=invoice.submitted_on.isoformat() if invoice.submitted_on else None,
               retention_years=plan.retention_years)
    owners = sorted({invoice.user_id for invoice in plan.invoices} - set(plan.accounts))
    delete_with_dependents(tables["invoices"], [invoice.id for invoice in plan.invoices])
    if owners:  # their home page's list changed (models/list_version.py)
        for chunk in _chunks(owners):
            db.session.execute(update(User).where(User.id.in_(chunk))
                               .values(list_version=User.list_version + 1))
    delete_with_dependents(tables["sms_codes"], plan.codes)
    delete_with_dependents(tables["users"], plan.accounts)
    delete_with_dependents(tables["auth_sessions"], _still_there(AuthSession, plan.sessions))
    for chunk in _chunks(plan.tokens):
        db.session.execute(delete(UsedToken).where(UsedToken.jti.in_(chunk)))
    delete_with_dependents(tables["staff_invitations"],
                           _still_there(StaffInvitation, plan.invitations))
    delete_with_dependents(tables["outbox_messages"], plan.sms + plan.emails)
    counts = {key: value for key, value in plan.counts().items() if value}
    if counts:
        record("retention_purge", object_type=None, **counts)
    db.session.expire_all()
    delete_after_commit(plan.files)


def _still_there(model, ids: list[int]) -> list[int]:
    """Those of ``ids`` not already deleted with an account."""
    return _chunked_scalars(select(model.id), ids, model.id) if ids else []


def delete_with_dependents(table: Table, ids: list) -> None:
    """Deletes the rows of ``table`` with these primary keys and, first, every row that hangs
    on them through a foreign key declared ``ON DELETE CASCADE`` (recursively): the same on
    SQLite, which does not enforce those, as on PostgreSQL. Dependents are taken in the
    reverse order of the tables' dependencies, so that a row is never deleted while a row of
    another dependent table still refers to it (a pièce to its complement request)."""
    if not ids:
        return
    key = next(iter(table.primary_key.columns))
    for child in reversed(db.metadata.sorted_tables):
        for fk in child.foreign_keys:
            if fk.column is key and (fk.ondelete or "").upper() == "CASCADE":
                if child.name == AuditEntry.__tablename__:
                    continue  # append-only, and it has no such key anyway
                child_key = next(iter(child.primary_key.columns))
                child_ids = []
                for chunk in _chunks(ids):
                    child_ids += db.session.scalars(select(child_key).where(
                        fk.parent.in_(chunk)))
                delete_with_dependents(child, child_ids)
    for chunk in _chunks(ids):
        db.session.execute(delete(table).where(key.in_(chunk)))
