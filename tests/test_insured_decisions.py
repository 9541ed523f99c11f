"""What the insured person sees of each decision of the office: the state in plain words, the
approved amount of each line beside the claimed one and the reason of each reduction, the total
approved, or the refusal's reason and how to contest it — on the invoice's page, in the list,
in the PDF and the HTML receipt; nothing while the second visa is awaited or after a validation
was sent back; « l'Office AI » in the history, never a gestionnaire's name nor a staff note;
one e-mail per change that says only that something changed (domain.md « Lifecycle »)."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest

from guichet.invoices import review
from guichet.models import Invoice
from guichet.models.base import db
from tests.support.invoices import (a_recent_day, as_office, complete_standard, post_form,
                                    send, take_and_refuse, take_and_validate)
from tests.support.page import page_text

REASON_TEXT = "Tarif conventionnel : 60 CHF la séance."
STAFF_NAMES = ("Dupuis", "Claudine", "Visa-Martin", "Bernard")
STAFF_NOTE = "Note interne : appeler le physiothérapeute"
CONTEST = "Vous pouvez demander une décision formelle à l'office si vous n'êtes pas d'accord"


def two_line_invoice(client) -> int:
    """A standard invoice of two séances (87.35 and 40.00 CHF), sent."""
    invoice_id = complete_standard(client)
    post_form(client, invoice_id, action="add_line")
    day = a_recent_day()
    response = post_form(client, invoice_id, {
        "lines-1-date": day, "lines-1-label": "Bilan de suivi", "lines-1-quantity": "1",
        "lines-1-unit_price": "40.00"}, action="save")
    assert response.status_code == 303
    send(client, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.total_claimed == Decimal("127.35")
    return invoice_id


@pytest.fixture
def gestionnaires(factory):
    first = factory.user(email="claudine.dupuis@example.ch", role="reviewer", nom="Dupuis",
                         prenom="Claudine")
    second = factory.user(email="bernard.visa@example.ch", role="reviewer", nom="Visa-Martin",
                          prenom="Bernard")
    return first, second


def reduced_first_line():
    return [review.LineApproval(Decimal("60.00"), "above_rate", REASON_TEXT),
            review.LineApproval(Decimal("40.00"))]


def pdf_text(client, invoice_id) -> str:
    from pypdf import PdfReader
    response = client.get(f"/demandes/{invoice_id}/pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return " ".join(text.split())


def everything_shown(client, invoice_id) -> dict[str, str]:
    return {"page": page_text(client.get(f"/demandes/{invoice_id}")),
            "receipt": page_text(client.get(f"/demandes/{invoice_id}/recu")),
            "pdf": pdf_text(client, invoice_id)}


def add_note(invoice, staff):
    review.add_note(invoice, staff, STAFF_NOTE)


def test_a_validation_with_a_reduced_line_shows_each_amount_and_its_reason(app, ready,
                                                                           gestionnaires):
    client = ready
    first, second = gestionnaires
    invoice_id = two_line_invoice(client)
    as_office(app, invoice_id, take_and_validate, first, reduced_first_line())
    as_office(app, invoice_id, add_note, first)
    assert db.session.get(Invoice, invoice_id).status == "visa_pending"  # a new IBAN

    # While the second visa is awaited, the person reads « En traitement » and no amount.
    for where, text in everything_shown(client, invoice_id).items():
        assert "En traitement" in text, where
        for hidden in ("Décision de l'office", "60.00 CHF", "100.00 CHF", "Validée",
                       REASON_TEXT, "Montant validé", "montant validé"):
            assert hidden not in text, (where, hidden)
    listing = page_text(client.get("/demandes/"))
    assert "En traitement" in listing and "validé" not in listing

    as_office(app, invoice_id, lambda invoice: review.confirm_visa(invoice, second,
                                                                   invoice.version))
    shown = everything_shown(client, invoice_id)
    for where, text in shown.items():
        assert "Validée — transmise pour paiement" in text, where
        assert "Décision de l'office" in text, where
        assert "Montant validé : 100.00 CHF (montant demandé : 127.35 CHF)" in text, where
        assert "Au-delà du tarif ou du forfait applicable — " + REASON_TEXT in text, where
        assert "montant demandé accepté" in text, where  # the second line, not reduced
        assert CONTEST in text and "032 910 71 00" in text, where
        for secret in (*STAFF_NAMES, STAFF_NOTE, "claudine.dupuis"):
            assert secret not in text, (where, secret)
    page = shown["page"]
    # the line as claimed, then as approved, then why
    assert ("Séance de physiothérapie respiratoire demandé 87.35 CHF validé 60.00 CHF "
            "Au-delà du tarif") in page
    assert "Bilan de suivi demandé 40.00 CHF validé 40.00 CHF montant demandé accepté" in page
    assert "Total demandé 127.35 CHF validé 100.00 CHF" in page
    assert "l'Office AI : L'office a validé votre demande ; elle est transmise pour paiement. " \
        "(Validée — transmise pour paiement)" in page
    assert "Validée le " in shown["pdf"] and "60.00 CHF" in shown["pdf"]

    listing = page_text(client.get("/demandes/"))
    assert "Validée — transmise pour paiement" in listing
    assert "demandé 127.35 CHF validé 100.00 CHF" in listing


def test_a_validation_without_reduction_has_nothing_to_contest(app, ready, gestionnaires,
                                                               monkeypatch, mailbox):
    monkeypatch.setattr(review, "visa_reasons", lambda invoice, total: [])
    client = ready
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    as_office(app, invoice_id, take_and_validate, gestionnaires[0])
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == "accepted"  # no second visa needed
    mails = [m for m in mailbox.to(client.user.email) if invoice.receipt_number in m.subject]
    assert len(mails) == 3  # received, taken, validated
    assert "87.35" not in mails[-1].text + mails[-1].html and "CHF" not in mails[-1].text
    for where, text in everything_shown(client, invoice_id).items():
        assert "Montant validé : 87.35 CHF (montant demandé : 87.35 CHF)" in text, where
        assert CONTEST not in text and "Au-delà du tarif" not in text, where


def test_a_validation_sent_back_by_the_second_visa_is_not_shown(app, ready, gestionnaires):
    client = ready
    first, second = gestionnaires
    invoice_id = two_line_invoice(client)
    as_office(app, invoice_id, take_and_validate, first, reduced_first_line())
    as_office(app, invoice_id, lambda invoice: review.send_back(
        invoice, second, invoice.version, "Le tarif de 60 CHF ne s'applique pas ici."))
    assert db.session.get(Invoice, invoice_id).status == "in_review"
    for where, text in everything_shown(client, invoice_id).items():
        assert "En traitement" in text, where
        for hidden in ("Décision de l'office", "60.00 CHF", "Montant validé", REASON_TEXT,
                       "ne s'applique pas", CONTEST):
            assert hidden not in text, (where, hidden)

    # decided again, confirmed: only the new amounts count
    as_office(app, invoice_id, lambda invoice: review.validate(
        invoice, first, invoice.version,
        [review.LineApproval(Decimal("80.00"), "other", "Une séance plus courte."),
         review.LineApproval(Decimal("40.00"))]))
    as_office(app, invoice_id, lambda invoice: review.confirm_visa(invoice, second,
                                                                   invoice.version))
    page = page_text(client.get(f"/demandes/{invoice_id}"))
    assert "Montant validé : 120.00 CHF (montant demandé : 127.35 CHF)" in page
    assert "Autre motif — Une séance plus courte." in page
    assert "60.00 CHF" not in page and REASON_TEXT not in page
    # the office's internal moves leave no line in the person's history
    assert page.count("l'Office AI :") == 2  # taken, validated


def test_a_refusal_shows_its_reason_the_office_text_and_how_to_contest(app, ready,
                                                                       gestionnaires):
    client = ready
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    as_office(app, invoice_id, take_and_refuse, gestionnaires[0], "missing_pieces",
              "La facture détaillée du physiothérapeute manque.")
    for where, text in everything_shown(client, invoice_id).items():
        assert "Refusée" in text, where
        assert "Motif du refus Les pièces justificatives nécessaires n'ont pas été reçues." \
            in text, where
        assert "Explication de l'office La facture détaillée du physiothérapeute manque." \
            in text, where
        assert CONTEST in text and "guichet@ai-ne.example" in text, where
        assert "Montant validé" not in text, where
        for secret in STAFF_NAMES:
            assert secret not in text, (where, secret)
    page = page_text(client.get(f"/demandes/{invoice_id}"))
    assert "l'Office AI : L'office a refusé votre demande. (Refusée)" in page
    listing = page_text(client.get("/demandes/"))
    assert "Refusée" in listing and "validé" not in listing


def test_nothing_of_a_decision_shows_while_the_office_examines(app, ready, gestionnaires):
    client = ready
    invoice_id = complete_standard(client)
    send(client, invoice_id)
    as_office(app, invoice_id, lambda invoice: review.take(invoice, gestionnaires[0],
                                                           invoice.version))
    for where, text in everything_shown(client, invoice_id).items():
        assert "En traitement" in text and "Décision de l'office" not in text, where


def test_each_decision_sends_one_e_mail_that_says_only_that_it_changed(app, ready, gestionnaires,
                                                                       mailbox):
    client = ready
    first, second = gestionnaires
    email = client.user.email

    def mails_of(invoice_id):
        receipt = db.session.get(Invoice, invoice_id).receipt_number
        return [m for m in mailbox.to(email) if receipt in m.subject]

    validated = two_line_invoice(client)
    assert len(mails_of(validated)) == 1  # received
    as_office(app, validated, take_and_validate, first, reduced_first_line())
    assert len(mails_of(validated)) == 2  # taken; the validation awaits the visa: no e-mail
    as_office(app, validated, lambda invoice: review.confirm_visa(invoice, second,
                                                                  invoice.version))
    assert len(mails_of(validated)) == 3  # the visa confirmed: « Validée »

    refused = complete_standard(client)
    send(client, refused)
    as_office(app, refused, take_and_refuse, first, "missing_pieces",
              "La facture détaillée manque.")
    assert len(mails_of(refused)) == 3  # received, taken, refused

    asked = complete_standard(client)
    send(client, asked)
    as_office(app, asked, lambda invoice: (
        review.take(invoice, first, invoice.version),
        review.ask_complement(invoice, first, invoice.version, "Il manque le détail.",
                              ["Facture détaillée"], review.default_due_date())))
    assert len(mails_of(asked)) == 3  # received, taken, complement asked

    for invoice_id in (validated, refused, asked):
        decided = mails_of(invoice_id)[-1]
        content = decided.subject + decided.text + decided.html
        assert "a changé" in decided.subject
        assert f"https://guichet.example.ch/demandes/{invoice_id}" in decided.text
        for secret in ("CHF", "60.00", "87.35", "100.00", "127.35", REASON_TEXT, "Au-delà",
                       "facture détaillée", "Facture détaillée", "Il manque", "physio",
                       "Physio", "séance", "Validée", "Refusée", "motif", *STAFF_NAMES):
            assert secret not in content, (invoice_id, secret)
