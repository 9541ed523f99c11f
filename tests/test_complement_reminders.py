"""Complements end to end: the person reads the office's message, the documents asked as a list
and the due date (and that it has passed); answers with a message and several pièces, without
JavaScript; the invoice goes back to « Envoyée » at the top of the staff queue (« complément
reçu »); earlier requests and answers stay readable. ``flask complements remind`` e-mails a
reminder a few days before the due date and one once it has passed, each once, saying nothing
of the request's content, and moves overdue complements up the queue."""
from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import func, select

from guichet.core.i18n import today_in_zurich
from guichet.invoices import review
from guichet.models import Attachment, ComplementRequest, Invoice, OutboxMessage, User
from guichet.models.base import db
from guichet.models.invoices import (RANK_COMPLEMENT_OVERDUE, RANK_COMPLEMENT_RECEIVED,
                                     RANK_COMPLEMENT_WAITING, RANK_SENT)
from tests.support.files import html_page, pdf_bytes
from tests.support.invoices import as_office, complete_standard, read_form, send
from tests.support.page import page_text

MESSAGE = "Il manque le détail des séances de novembre."
DOCUMENTS = ("Facture détaillée du physiothérapeute", "Prescription médicale")


def asked(app, client, factory, due: date | None = None, documents=DOCUMENTS) -> int:
    """A sent standard invoice for which the office asked a complement (due in 30 days)."""
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    staff = factory.user(email=f"gestion{invoice_id}@example.ch", role="reviewer",
                         nom="Dupuis", prenom="Claudine")

    def ask(invoice):
        review.take(invoice, staff, invoice.version)
        review.ask_complement(invoice, staff, invoice.version, MESSAGE, list(documents),
                              due or review.default_due_date())
    as_office(app, invoice_id, ask)
    return invoice_id


def open_request(invoice_id) -> ComplementRequest:
    return db.session.scalars(select(ComplementRequest).where(
        ComplementRequest.invoice_id == invoice_id).order_by(ComplementRequest.id.desc())).first()


def set_due(invoice_id, due: date) -> None:
    """Time passes: the request's due date is now ``due`` (the office cannot set one in the
    past)."""
    open_request(invoice_id).due_date = due
    db.session.commit()


def answer(client, invoice_id, message="Voici le détail et la prescription.", files=()):
    data = {"message": message}
    if files:
        data["files-complement"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(f"/demandes/{invoice_id}/complement", data=data,
                       content_type="multipart/form-data")


# --- what the person reads and answers ---------------------------------------------------------

def test_the_person_reads_the_request_as_a_list_with_its_due_date(app, ready, factory):
    client = ready
    due = today_in_zurich() + timedelta(days=30)
    invoice_id = asked(app, client, factory, due=due)
    response = client.get(f"/demandes/{invoice_id}")
    page = page_text(response)
    assert "À compléter" in page and "L'office vous demande un complément" in page
    assert MESSAGE in page
    body = response.get_data(as_text=True)
    assert "<li>Facture détaillée du physiothérapeute</li>" in body
    assert "<li>Prescription médicale</li>" in body
    assert f"À envoyer d'ici au {due:%d.%m.%Y}." in page
    assert "échu" not in page
    assert "Dupuis" not in page and "Claudine" not in page  # « l'Office AI » only
    # a plain form: it works without JavaScript
    form = read_form(body, "complement-form")
    assert "message" in form.values
    assert (f'<form id="complement-form" method="post" action="/demandes/{invoice_id}/complement"'
            ' enctype="multipart/form-data"') in body
    assert 'name="files-complement" multiple' in body

    set_due(invoice_id, today_in_zurich() - timedelta(days=2))
    page = page_text(client.get(f"/demandes/{invoice_id}"))
    past = today_in_zurich() - timedelta(days=2)
    assert f"Délai échu depuis le {past:%d.%m.%Y} : répondez dès que possible." in page
    assert "Envoyer ma réponse" in page  # still possible


def test_the_answer_with_several_pieces_goes_back_to_the_top_of_the_queue(app, ready, factory):
    client = ready
    invoice_id = asked(app, client, factory)
    assert db.session.get(Invoice, invoice_id).queue_rank == RANK_COMPLEMENT_WAITING

    response = answer(client, invoice_id, files=[(pdf_bytes(text="Detail"), "détail.pdf"),
                                                 (pdf_bytes(text="Ordonnance"), "ordonnance.pdf")])
    assert response.status_code == 303
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == "submitted"
    assert invoice.queue_rank == RANK_COMPLEMENT_RECEIVED and invoice.queue_since is not None
    other = complete_standard(client)
    send(client, other)
    assert db.session.get(Invoice, other).queue_rank == RANK_SENT  # below « complément reçu »
    request = open_request(invoice_id)
    assert request.answer == "Voici le détail et la prescription." and request.answered_at
    names = set(db.session.scalars(select(Attachment.filename).where(
        Attachment.complement_request_id == request.id)))
    assert names == {"détail.pdf", "ordonnance.pdf"}

    page = page_text(client.get(f"/demandes/{invoice_id}"))
    assert "Envoyée" in page and "L'office vous demande un complément" not in page
    # the request and its answer stay readable
    assert "Compléments demandés et vos réponses" in page
    assert MESSAGE in page and "Facture détaillée du physiothérapeute" in page
    assert "Votre réponse du" in page and "Voici le détail et la prescription." in page
    assert "détail.pdf" in page and "ordonnance.pdf" in page

    # a second request: the new one to answer, the first one still readable below
    staff = db.session.scalar(select(User).where(User.email == f"gestion{invoice_id}@example.ch"))
    as_office(app, invoice_id, lambda invoice: (
        review.take(invoice, staff, invoice.version),
        review.ask_complement(invoice, staff, invoice.version, "Et la page 2, s'il vous plaît.",
                              [], review.default_due_date())))
    page = page_text(client.get(f"/demandes/{invoice_id}"))
    assert "L'office vous demande un complément Et la page 2, s'il vous plaît." in page
    assert "Compléments demandés et vos réponses" in page and MESSAGE in page


def test_a_wrong_answer_keeps_the_request_open_and_says_why(app, ready, factory):
    client = ready
    invoice_id = asked(app, client, factory)
    empty = answer(client, invoice_id, message="")
    assert empty.status_code == 422 and "Écrivez votre réponse." in page_text(empty)
    refused = answer(client, invoice_id, files=[(pdf_bytes(), "bon.pdf"),
                                                (html_page(), "page.pdf")])
    assert refused.status_code == 422
    page = page_text(refused)
    assert "page.pdf : ce fichier est une page web (HTML)" in page
    assert MESSAGE in page and "Prescription médicale" in page  # the request still shows
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == "needs_info" and invoice.queue_rank == RANK_COMPLEMENT_WAITING
    assert open_request(invoice_id).answered_at is None
    assert db.session.scalar(select(func.count(Attachment.id)).where(
        Attachment.complement_request_id.is_not(None))) == 0


# --- the reminders -----------------------------------------------------------------------------

def remind(runner, today: date):
    result = runner.invoke(args=["complements", "remind", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def reminders_to(mailbox, email, receipt):
    return [m for m in mailbox.to(email) if "attend votre réponse" in m.subject
            and receipt in m.subject]


def test_a_reminder_goes_once_a_few_days_before_the_due_date(app, ready, factory, runner,
                                                             mailbox):
    client = ready
    due = today_in_zurich() + timedelta(days=30)
    invoice_id = asked(app, client, factory, due=due)
    receipt = db.session.get(Invoice, invoice_id).receipt_number

    assert "0 rappel(s) envoyé(s)" in remind(runner, due - timedelta(days=6))
    assert reminders_to(mailbox, client.user.email, receipt) == []

    output = remind(runner, due - timedelta(days=5))  # COMPLEMENT_REMINDER_DAYS
    assert f"Rappel avant l'échéance : {receipt} (échéance {due:%d.%m.%Y})" in output
    assert "1 rappel(s) envoyé(s), 0 demande(s) échue(s) signalée(s)" in output
    [mail] = reminders_to(mailbox, client.user.email, receipt)
    assert f"d'ici au {due:%d.%m.%Y}" in mail.text and f"d'ici au {due:%d.%m.%Y}" in mail.html
    assert f"https://guichet.example.ch/demandes/{invoice_id}" in mail.text
    content = mail.subject + mail.text + mail.html
    for secret in ("Il manque", "novembre", "Facture détaillée", "Prescription", "physio",
                   "Physio", "CHF", "87.35", "Dupuis", "756"):
        assert secret not in content, secret
    assert open_request(invoice_id).reminded_before_at is not None

    # twice the same day, or the next days: nothing new
    assert "0 rappel(s) envoyé(s)" in remind(runner, due - timedelta(days=5))
    assert "0 rappel(s) envoyé(s)" in remind(runner, due)
    assert len(reminders_to(mailbox, client.user.email, receipt)) == 1
    assert db.session.get(Invoice, invoice_id).queue_rank == RANK_COMPLEMENT_WAITING


def test_once_the_due_date_passed_one_reminder_and_the_queue_marks_it(app, ready, factory,
                                                                      runner, mailbox):
    client = ready
    due = today_in_zurich() + timedelta(days=30)
    invoice_id = asked(app, client, factory, due=due)
    receipt = db.session.get(Invoice, invoice_id).receipt_number
    remind(runner, due - timedelta(days=3))  # the one before
    assert db.session.get(Invoice, invoice_id).queue_rank == RANK_COMPLEMENT_WAITING

    output = remind(runner, due + timedelta(days=1))
    assert f"Rappel après l'échéance : {receipt} (échu depuis le {due:%d.%m.%Y})" in output
    assert "1 rappel(s) envoyé(s), 1 demande(s) échue(s) signalée(s)" in output
    mails = reminders_to(mailbox, client.user.email, receipt)
    assert len(mails) == 2
    overdue = mails[-1]
    assert "L'office attend toujours votre réponse" in overdue.text
    assert f"Le délai était fixé au {due:%d.%m.%Y}" in overdue.text
    assert MESSAGE not in overdue.text + overdue.html
    assert db.session.get(Invoice, invoice_id).queue_rank == RANK_COMPLEMENT_OVERDUE
    assert open_request(invoice_id).reminded_overdue_at is not None

    output = remind(runner, due + timedelta(days=2))
    assert "0 rappel(s) envoyé(s), 0 demande(s) échue(s) signalée(s)" in output
    assert len(reminders_to(mailbox, client.user.email, receipt)) == 2


def test_a_request_found_overdue_first_gets_only_the_reminder_after(app, ready, factory, runner,
                                                                    mailbox):
    client = ready
    due = today_in_zurich() + timedelta(days=30)
    invoice_id = asked(app, client, factory, due=due)
    receipt = db.session.get(Invoice, invoice_id).receipt_number
    output = remind(runner, due + timedelta(days=4))
    assert "Rappel avant" not in output and "Rappel après l'échéance" in output
    assert len(reminders_to(mailbox, client.user.email, receipt)) == 1
    assert open_request(invoice_id).reminded_before_at is None


def test_an_answered_request_is_not_reminded(app, ready, factory, runner, mailbox):
    client = ready
    due = today_in_zurich() + timedelta(days=30)
    invoice_id = asked(app, client, factory, due=due)
    receipt = db.session.get(Invoice, invoice_id).receipt_number
    assert answer(client, invoice_id).status_code == 303
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    output = remind(runner, due + timedelta(days=1))
    assert "0 rappel(s) envoyé(s), 0 demande(s) échue(s) signalée(s)" in output
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before
    assert reminders_to(mailbox, client.user.email, receipt) == []
    assert db.session.get(Invoice, invoice_id).queue_rank == RANK_COMPLEMENT_RECEIVED


def test_a_date_the_command_cannot_read_changes_nothing(app, ready, factory, runner):
    invoice_id = asked(app, ready, factory)
    result = runner.invoke(args=["complements", "remind", "--today", "demain"])
    assert result.exit_code != 0 and "Date illisible (AAAA-MM-JJ)." in result.output
    db.session.expire_all()
    assert open_request(invoice_id).reminded_before_at is None


def test_without_a_date_the_command_uses_today(app, ready, factory, runner, mailbox):
    client = ready
    invoice_id = asked(app, client, factory, due=today_in_zurich() + timedelta(days=3))
    result = runner.invoke(args=["complements", "remind"])
    assert result.exit_code == 0, result.output
    assert "1 rappel(s) envoyé(s)" in result.output
    receipt = db.session.get(Invoice, invoice_id).receipt_number
    assert len(reminders_to(mailbox, client.user.email, receipt)) == 1
