"""``flask --app guichet purge`` with a frozen day (``--today``): what goes (accounts never
confirmed after 7 days, ended sessions, expired codes, used tokens, sent SMS, old e-mails, and
invoices paid or refused more than ``RETENTION_YEARS`` ago with their pièces' files and page
pictures) and what stays (confirmed accounts, recent and open invoices, drafts, the audit log,
with one entry per destroyed invoice); ``--dry-run`` deletes nothing."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from guichet.core.i18n import ZURICH
from guichet.invoices import retention
from guichet.models import (Attachment, AuditEntry, AuthSession, Beneficiary, Invoice, InvoiceEvent,
                            InvoiceLine, OutboxMessage, ReviewDecision, SmsCode, UsedToken, User)
from guichet.models.base import db
from guichet.models.staff_invitation import KIND_ACCOUNT, StaffInvitation
from tests.support.invoices import as_office, take_and_refuse, take_and_validate
from tests.support.people import sent_invoice

TODAY = date(2036, 3, 10)
NOW = datetime.combine(TODAY, time(12), tzinfo=ZURICH)


def purge(runner, *extra, today=TODAY):
    result = runner.invoke(args=["purge", "--today", today.isoformat(), *extra])
    assert result.exit_code == 0, (result.output, result.exception)
    db.session.expire_all()
    return result.output


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def exists(model, key) -> bool:
    db.session.expire_all()
    return db.session.get(model, key) is not None


def folder_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def with_preview(app, stored_name: str) -> None:
    """Page pictures of the pièce in the cache, as the review screen leaves them."""
    cache = Path(app.config["UPLOAD_FOLDER"]) / ".previews"
    cache.mkdir(exist_ok=True)
    stem = stored_name.removesuffix(".pdf")
    (cache / f"{stem}.pages").write_text("1")
    (cache / f"{stem}-w1240-p1.png").write_bytes(b"\x89PNG")


def refused_on(app, invoice, staff, day: date) -> None:
    as_office(app, invoice.id, take_and_refuse, staff)
    moment = datetime.combine(day, time(15), tzinfo=ZURICH)
    db.session.execute(update(ReviewDecision).where(ReviewDecision.invoice_id == invoice.id)
                       .values(decided_at=moment))
    db.session.execute(update(InvoiceEvent).where(InvoiceEvent.invoice_id == invoice.id)
                       .values(at=moment))
    db.session.commit()


def paid_on(app, invoice, staff, day: date | None, event_day: date | None = None) -> None:
    as_office(app, invoice.id, take_and_validate, staff)
    db.session.execute(update(Invoice).where(Invoice.id == invoice.id).values(
        status="paid", paid_on=day, paid_amount=invoice.total_claimed))
    if event_day:
        db.session.add(InvoiceEvent(invoice_id=invoice.id, status_from="accepted",
                                    status_to="paid", by_office=True, at=datetime.combine(
                                        event_day, time(9), tzinfo=ZURICH)))
    db.session.commit()


@pytest.fixture
def old_and_new(app, ready, staff_client):
    """Invoices of one person: refused 11 years before TODAY, paid 11 years before, paid 9
    years before, paid exactly 10 years before (stays that day), refused last year, validated
    and never paid long ago, and a draft."""
    staff = staff_client.user
    invoices = {}
    for name in ("old_refused", "old_paid", "recent_paid", "boundary_paid", "recent_refused",
                 "validated", "legacy_paid"):
        invoices[name] = sent_invoice(ready)
    refused_on(app, invoices["old_refused"], staff, date(2025, 3, 9))
    paid_on(app, invoices["old_paid"], staff, date(2026, 3, 9))
    paid_on(app, invoices["recent_paid"], staff, date(2027, 1, 1))
    paid_on(app, invoices["boundary_paid"], staff, date(2026, 3, 10))
    refused_on(app, invoices["recent_refused"], staff, date(2035, 6, 1))
    as_office(app, invoices["validated"].id, take_and_validate, staff)
    paid_on(app, invoices["legacy_paid"], staff, None, event_day=date(2024, 1, 1))
    ready.post("/demandes/nouvelle", data={"type": "standard"})
    invoices["draft"] = db.session.scalars(select(Invoice).where(
        Invoice.status == "draft")).one()
    db.session.execute(update(Invoice).where(Invoice.id == invoices["draft"].id).values(
        updated_at=datetime(2020, 1, 1, tzinfo=timezone.utc)))
    db.session.commit()
    return invoices


def test_old_paid_and_refused_invoices_go_with_their_pieces_and_the_rest_stays(
        app, runner, ready, old_and_new):
    gone = [old_and_new[name] for name in ("old_refused", "old_paid", "legacy_paid")]
    stays = [old_and_new[name] for name in ("recent_paid", "boundary_paid", "recent_refused",
                                            "validated", "draft")]
    gone_files = [a.stored_name for invoice in gone for a in invoice.attachments]
    kept_files = [a.stored_name for invoice in stays for a in invoice.attachments]
    gone_ids, stays_ids = [invoice.id for invoice in gone], [invoice.id for invoice in stays]
    old_refused = old_and_new["old_refused"]
    old_refused_id, old_receipt = old_refused.id, old_refused.receipt_number
    sent_day = old_refused.submitted_at.astimezone(ZURICH).date().isoformat()
    legacy_id = old_and_new["legacy_paid"].id
    person_navs13, person_nom = ready.user.navs13, ready.user.nom
    assert gone_files and kept_files
    for name in gone_files + kept_files:
        with_preview(app, name)
    version = db.session.get(User, ready.user.id).list_version
    audit_before = count(AuditEntry)

    output = purge(runner)

    assert "demandes payées ou refusées il y a plus de 10 ans : 3 détruite(s)" in output
    assert f"fichiers de pièces : {len(gone_files)} supprimé(s)" in output
    for invoice_id in gone_ids:
        assert not exists(Invoice, invoice_id)
    for invoice_id in stays_ids:
        assert exists(Invoice, invoice_id)
    for model in (Attachment, InvoiceLine, InvoiceEvent, ReviewDecision):
        assert db.session.scalar(select(func.count()).select_from(model).where(
            model.invoice_id.in_(gone_ids))) == 0
    files = folder_files(app)
    for name in gone_files:
        stem = name.removesuffix(".pdf")
        assert name not in files
        assert f".previews/{stem}.pages" not in files
        assert f".previews/{stem}-w1240-p1.png" not in files
    for name in kept_files:
        assert name in files and f".previews/{name.removesuffix('.pdf')}.pages" in files
    assert db.session.get(User, ready.user.id).list_version > version  # the list changed

    # the audit log keeps everything it had, and one entry per destroyed invoice
    assert count(AuditEntry) >= audit_before + 3 + 1
    destroyed = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "invoice_destroyed").order_by(AuditEntry.object_id)).all()
    assert sorted(int(entry.object_id) for entry in destroyed) == sorted(gone_ids)
    by_id = {int(entry.object_id): entry.detail for entry in destroyed}
    assert by_id[old_refused_id] == {
        "receipt_number": old_receipt, "invoice_type": "standard",
        "reason": "refused", "ended_on": "2025-03-09", "submitted_on": sent_day,
        "retention_years": 10}
    assert by_id[legacy_id]["ended_on"] == "2024-01-01"
    text = json.dumps([entry.detail for entry in destroyed], ensure_ascii=False)
    assert person_navs13 not in text and person_nom not in text
    assert all(entry.actor_id is None for entry in destroyed)
    summary = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "retention_purge")).one()
    assert summary.detail["invoices"] == 3 and summary.detail["files"] == len(gone_files)
    # the invoices' earlier entries stay
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "invoice_submitted",
        AuditEntry.object_id.in_([str(i) for i in gone_ids]))) == 3

    # a second run finds nothing more
    again = purge(runner)
    assert "3 détruite(s)" not in again and " : 0 détruite(s)" in again


@pytest.mark.config(RETENTION_YEARS=12)
def test_the_retention_period_is_a_setting(app, runner, ready, old_and_new):
    kept, gone = old_and_new["old_refused"].id, old_and_new["legacy_paid"].id
    output = purge(runner)
    assert "il y a plus de 12 ans : 1 détruite(s)" in output  # only the one paid in 2024
    assert exists(Invoice, kept) and not exists(Invoice, gone)


def test_a_dry_run_says_what_would_go_and_deletes_nothing(app, runner, ready, old_and_new,
                                                          factory):
    unconfirmed_id = factory.user(email="jamais@example.ch", confirmed=False,
                                  created_at=NOW - timedelta(days=8)).id
    files = folder_files(app)
    counts = {model: count(model) for model in (Invoice, Attachment, User, AuditEntry,
                                                AuthSession, OutboxMessage)}
    output = purge(runner, "--dry-run")
    assert "essai : rien n'est supprimé" in output
    assert "demandes payées ou refusées il y a plus de 10 ans : 3 à détruire" in output
    assert "comptes jamais confirmés (plus de 7 jours) : 1 à supprimer" in output
    assert folder_files(app) == files
    assert {model: count(model) for model in counts} == counts
    assert exists(User, unconfirmed_id)


def test_accounts_never_confirmed_go_after_seven_days_with_what_hangs_on_them(
        app, runner, factory):
    def made(email, days, **fields):
        return factory.user(email=email, created_at=NOW - timedelta(days=days), **fields)

    no_email = made("a@example.ch", 8, confirmed=False)
    no_phone = made("b@example.ch", 8)
    db.session.execute(update(User).where(User.id == no_phone.id).values(
        phone_confirmed_at=None))
    young = made("c@example.ch", 6, confirmed=False)
    confirmed = made("d@example.ch", 400)
    staff = made("e@example.ch", 400, role="reviewer", confirmed=False)
    with_sent = made("f@example.ch", 30, confirmed=False)
    db.session.add(Invoice(user_id=with_sent.id, invoice_type="standard", status="submitted"))
    db.session.add(Beneficiary(user_id=no_email.id, navs13=no_email.navs13, nom="X",
                               prenom="Y", date_naissance=date(1980, 1, 1), relation="self"))
    session = AuthSession(token_hash="a" * 64, user_id=no_email.id, stage="password",
                          created_at=NOW - timedelta(days=8), last_seen_at=NOW - timedelta(
                              minutes=5))
    db.session.add(session)
    db.session.flush()
    db.session.add(SmsCode(auth_session_id=session.id, purpose="login", phone="+41791234567",
                           code_hash="x", created_at=NOW - timedelta(hours=2),
                           expires_at=NOW - timedelta(hours=2) + timedelta(minutes=10)))
    draft = Invoice(user_id=no_email.id, invoice_type="standard", status="draft")
    db.session.add(draft)
    db.session.commit()
    ids = {name: user.id for name, user in (("no_email", no_email), ("no_phone", no_phone),
           ("young", young), ("confirmed", confirmed), ("staff", staff),
           ("with_sent", with_sent))}
    session_id, draft_id = session.id, draft.id

    output = purge(runner)
    assert "comptes jamais confirmés (plus de 7 jours) : 2 supprimé(s)" in output
    for name in ("no_email", "no_phone"):
        assert not exists(User, ids[name]), name
    for name in ("young", "confirmed", "staff", "with_sent"):
        assert exists(User, ids[name]), name
    assert not exists(AuthSession, session_id) and not exists(Invoice, draft_id)
    assert db.session.scalar(select(func.count()).select_from(Beneficiary).where(
        Beneficiary.user_id == ids["no_email"])) == 0


def test_sessions_codes_tokens_and_messages(app, runner, factory):
    user = factory.user(email="p@example.ch", created_at=NOW - timedelta(days=100))

    def session(name, created, seen, revoked=None):
        row = AuthSession(token_hash=name * 64, user_id=user.id, stage="full",
                          created_at=NOW - created, last_seen_at=NOW - seen,
                          revoked_at=NOW - revoked if revoked else None)
        db.session.add(row)
        db.session.flush()
        return row

    idle_long_ago = session("a", timedelta(days=3), timedelta(days=3))
    revoked_long_ago = session("b", timedelta(days=2), timedelta(days=2), timedelta(days=2))
    revoked_today = session("c", timedelta(hours=3), timedelta(hours=3), timedelta(hours=2))
    live = session("d", timedelta(hours=1), timedelta(minutes=2))

    def code(on, age):
        row = SmsCode(auth_session_id=on.id, purpose="login", phone="+41791234567",
                      code_hash="x", created_at=NOW - age,
                      expires_at=NOW - age + timedelta(minutes=10))
        db.session.add(row)
        db.session.flush()
        return row

    old_code = code(live, timedelta(days=2))      # expired, and out of the SMS limits' day
    recent_code = code(live, timedelta(hours=5))  # expired, still counted by the SMS limits
    db.session.add_all([UsedToken(jti="old", used_at=NOW - timedelta(days=4)),
                        UsedToken(jti="new", used_at=NOW - timedelta(hours=2))])

    def message(channel, status, age):
        row = OutboxMessage(channel=channel, recipient="x", body_text="t", status=status,
                            created_at=NOW - age)
        db.session.add(row)
        db.session.flush()
        return row

    sms_sent = message("sms", "sent", timedelta(days=2))
    sms_failed = message("sms", "failed", timedelta(days=2))
    sms_pending = message("sms", "pending", timedelta(days=2))
    sms_today = message("sms", "sent", timedelta(hours=3))
    mail_old = message("email", "sent", timedelta(days=91))
    mail_recent = message("email", "sent", timedelta(days=30))
    mail_pending = message("email", "pending", timedelta(days=200))

    def invitation(name, sent, **closed):
        row = StaffInvitation(kind=KIND_ACCOUNT, email=f"{name}@office.example.ch",
                              role="reviewer", token_hash=name * 64, created_at=NOW - sent,
                              sent_at=NOW - sent, expires_at=NOW - sent + timedelta(hours=72),
                              **{key: NOW - age for key, age in closed.items()})
        db.session.add(row)
        db.session.flush()
        return row

    used_long_ago = invitation("e", timedelta(days=40), used_at=timedelta(days=39))
    expired_long_ago = invitation("f", timedelta(days=40))
    withdrawn_lately = invitation("g", timedelta(days=10), revoked_at=timedelta(days=9))
    open_invitation = invitation("h", timedelta(hours=5))
    db.session.commit()
    gone = [(AuthSession, idle_long_ago.id), (AuthSession, revoked_long_ago.id),
            (SmsCode, old_code.id), (UsedToken, "old"), (OutboxMessage, sms_sent.id),
            (OutboxMessage, sms_failed.id), (OutboxMessage, mail_old.id),
            (StaffInvitation, used_long_ago.id), (StaffInvitation, expired_long_ago.id)]
    kept = [(AuthSession, revoked_today.id), (AuthSession, live.id),
            (SmsCode, recent_code.id), (UsedToken, "new"), (OutboxMessage, sms_pending.id),
            (OutboxMessage, sms_today.id), (OutboxMessage, mail_recent.id),
            (OutboxMessage, mail_pending.id), (User, user.id),
            (StaffInvitation, withdrawn_lately.id), (StaffInvitation, open_invitation.id)]

    output = purge(runner)
    assert "sessions terminées : 2 supprimé(s)" in output
    assert "codes SMS échus : 1 supprimé(s)" in output
    assert "SMS envoyés : 2 supprimé(s)" in output
    assert "e-mails envoyés depuis plus de 90 jours : 1 supprimé(s)" in output
    assert "invitations du personnel closes depuis plus de 30 jours : 2 supprimé(s)" in output
    for row in gone:
        assert not exists(*row), row
    for row in kept:
        assert exists(*row), row


def test_files_are_removed_only_once_the_deletion_is_committed(app, ready, staff_client,
                                                               monkeypatch):
    invoice = sent_invoice(ready)
    refused_on(app, invoice, staff_client.user, date(2020, 1, 1))
    name, invoice_id = invoice.attachments[0].stored_name, invoice.id
    from guichet.core.unit_of_work import unit_of_work

    class Crash(Exception):
        pass

    with pytest.raises(Crash), app.test_request_context(), unit_of_work():
        retention.purge(NOW)
        raise Crash  # before the commit: rows and files all stay
    assert exists(Invoice, invoice_id) and name in folder_files(app)
    with app.test_request_context(), unit_of_work():
        plan = retention.purge(NOW)
        assert name in folder_files(app)  # not yet: the unit has not committed
    assert [i.id for i in plan.invoices] == [invoice_id]
    assert not exists(Invoice, invoice_id) and name not in folder_files(app)


def test_an_unreadable_day_changes_nothing(app, runner):
    result = runner.invoke(args=["purge", "--today", "10.03.2036"])
    assert result.exit_code != 0 and "AAAA-MM-JJ" in result.output


def test_the_29th_of_february(app):
    assert retention.years_before(date(2036, 2, 29), 10) == date(2026, 2, 28)


def test_without_a_day_it_counts_from_now(app, runner, factory):
    fresh_id = factory.user(email="neuf@example.ch", confirmed=False).id
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "comptes jamais confirmés (plus de 7 jours) : 0 supprimé(s)" in result.output
    assert exists(User, fresh_id)
