"""The gestionnaires' decisions through the review screen's forms: take, release, reassign,
validate per line, refuse, ask a complement, the second visa; what each allows and refuses,
the e-mails and audit entries, and forged fields that never apply."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from guichet.core.i18n import today_in_zurich
from guichet.invoices import lifecycle, review
from guichet.models import AuditEntry, ComplementRequest, Invoice, ReviewDecision
from guichet.models.base import db
from guichet.models.invoices import (STATUS_ACCEPTED, STATUS_DRAFT, STATUS_IN_REVIEW,
                                     STATUS_NEEDS_INFO, STATUS_PAID, STATUS_REJECTED,
                                     STATUS_SUBMITTED, STATUS_VISA_PENDING)
from tests.support.decisions import (form_of, known_iban, press, review_html, review_url,
                                     seed_refusal_reasons, sent_invoice, take, validate)
from tests.support.invoices import complete_standard
from tests.support.page import page_text

pytestmark = pytest.mark.config(SECOND_VISA_SAMPLE=0)


def invoice(invoice_id: int) -> Invoice:
    return db.session.get(Invoice, invoice_id)


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def changed_mails(mailbox, user) -> list:
    return [mail for mail in mailbox.to(user.email) if "a changé" in mail.subject]


@pytest.fixture
def sent(ready):
    """An invoice the insured person sent (87.35 CHF, one line), their IBAN long known."""
    known_iban(ready.user)
    return sent_invoice(ready)


# --- taking ------------------------------------------------------------------------------------

def test_take_puts_it_in_review_assigned_with_one_email_and_an_audit_entry(
        sent, ready, staff_client, mailbox):
    before = len(changed_mails(mailbox, ready.user))
    response = take(staff_client, sent)
    assert response.headers["Location"] == review_url(sent)
    row = invoice(sent)
    assert (row.status, row.assignee_id) == (STATUS_IN_REVIEW, staff_client.user.id)
    assert len(changed_mails(mailbox, ready.user)) == before + 1
    [entry] = audit("invoice_taken")
    assert (entry.actor_id, entry.object_id) == (staff_client.user.id, str(sent))
    page = page_text(staff_client.get(review_url(sent)))
    assert "Vous traitez maintenant cette demande." in page
    assert "Vous traitez cette demande." in page
    assert row.events[-1].by_office


def test_release_clears_the_assignee_and_another_may_take_it(sent, staff_client,
                                                            second_staff_client):
    take(staff_client, sent)
    assert "take-form" not in review_html(second_staff_client, sent)  # taken by a colleague
    response = press(staff_client, sent, "release-form")
    assert response.status_code == 303
    row = invoice(sent)
    assert (row.status, row.assignee_id) == (STATUS_IN_REVIEW, None)
    take(second_staff_client, sent)
    assert invoice(sent).assignee_id == second_staff_client.user.id
    assert len(audit("invoice_released")) == 1


def test_a_colleague_cannot_take_or_release_an_invoice_someone_treats(sent, staff_client,
                                                                    second_staff_client):
    html = review_html(staff_client, sent)
    take(staff_client, sent)
    version = invoice(sent).version
    response = second_staff_client.post(f"{review_url(sent)}/prendre",
                                        data={"take-version": str(version)})
    assert response.status_code == 422
    assert "déjà traitée par un·e autre gestionnaire" in page_text(response)
    response = second_staff_client.post(f"{review_url(sent)}/liberer",
                                        data={"release-version": str(version)})
    assert response.status_code == 422
    assert invoice(sent).assignee_id == staff_client.user.id
    assert html  # the first page had the form


def test_an_admin_reassigns_and_releases(sent, staff_client, second_staff_client, admin_client):
    take(staff_client, sent)
    html = review_html(admin_client, sent)
    assert "reassign-form" in html and "release-form" in html
    response = press(admin_client, sent, "reassign-form",
                     {"reassign-to": str(second_staff_client.user.id)}, html=html)
    assert response.status_code == 303
    assert invoice(sent).assignee_id == second_staff_client.user.id
    assert "réattribuée à" in page_text(admin_client.get(review_url(sent)))
    [entry] = audit("invoice_reassigned")
    assert entry.detail["to_staff"] == second_staff_client.user.id
    assert press(admin_client, sent, "release-form").status_code == 303
    assert invoice(sent).assignee_id is None


def test_reassigning_is_for_admins_only(sent, staff_client, second_staff_client):
    assert "reassign-form" not in review_html(staff_client, sent)
    response = staff_client.post(f"{review_url(sent)}/reattribuer", data={
        "reassign-version": str(invoice(sent).version),
        "reassign-to": str(staff_client.user.id)})
    assert response.status_code == 403
    assert invoice(sent).assignee_id is None


# --- who may decide ----------------------------------------------------------------------------

def test_no_decision_without_taking_it(sent, staff_client):
    html = review_html(staff_client, sent)
    assert "validate-form" not in html and "refuse-form" not in html
    version = str(invoice(sent).version)
    for suffix, data in (("valider", {"validate-lines-0-approved": "87.35", "action": "validate"}),
                         ("refuser", {"refuse-reason_code": "other", "refuse-text": "x"}),
                         ("complement", {"complement-message": "x",
                                         "complement-due_date": "01.01.2099"})):
        prefix = {"valider": "validate", "refuser": "refuse", "complement": "complement"}[suffix]
        response = staff_client.post(f"{review_url(sent)}/{suffix}",
                                     data={f"{prefix}-version": version, **data})
        assert response.status_code == 422, suffix
        assert "Prenez d'abord cette demande en charge" in page_text(response)
    assert invoice(sent).status == STATUS_SUBMITTED
    assert db.session.scalar(select(ReviewDecision.id)) is None


def test_no_decision_by_someone_who_did_not_take_it(sent, staff_client, second_staff_client):
    take(staff_client, sent)
    response = second_staff_client.post(f"{review_url(sent)}/valider", data={
        "validate-version": str(invoice(sent).version), "action": "validate",
        "validate-lines-0-approved": "87.35"})
    assert response.status_code == 422
    assert invoice(sent).status == STATUS_IN_REVIEW


def test_no_decision_on_a_draft(ready, staff_client):
    draft = complete_standard(ready)
    for suffix in ("prendre", "valider", "refuser", "complement", "visa", "renvoyer", "liberer"):
        response = staff_client.post(f"{review_url(draft)}/{suffix}", data={})
        assert response.status_code == 404, suffix
    assert staff_client.get(review_url(draft)).status_code == 404
    assert invoice(draft).status == STATUS_DRAFT
    assert staff_client.post("/gestion/demandes/999999/prendre", data={}).status_code == 404


def test_no_paid_without_validated(app, sent):
    row = invoice(sent)
    for status in (STATUS_SUBMITTED, STATUS_IN_REVIEW, STATUS_VISA_PENDING, STATUS_REJECTED):
        assert not lifecycle.allowed(status, STATUS_PAID)
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.move(row, STATUS_PAID, actor=None, message="")
    assert lifecycle.allowed(STATUS_ACCEPTED, STATUS_PAID)


# --- validating --------------------------------------------------------------------------------

def test_validate_prefilled_with_the_claimed_amount(sent, ready, staff_client, mailbox):
    take(staff_client, sent)
    html = review_html(staff_client, sent)
    assert form_of(html, "validate-form")["validate-lines-0-approved"] == "87.35"
    before = len(changed_mails(mailbox, ready.user))
    response = validate(staff_client, sent, html=html)
    assert response.status_code == 303
    row = invoice(sent)
    assert (row.status, row.total_approved) == (STATUS_ACCEPTED, Decimal("87.35"))
    assert "Demande validée : 87.35 CHF approuvés." in page_text(staff_client.get(review_url(sent)))
    assert len(changed_mails(mailbox, ready.user)) == before + 1
    [entry] = audit("invoice_validated")
    assert entry.detail["total_approved"] == "87.35" and entry.detail["visa_reasons"] == []


def test_a_reduced_line_needs_a_reason(sent, staff_client):
    take(staff_client, sent)
    response = validate(staff_client, sent, {"validate-lines-0-approved": "60.00"})
    assert response.status_code == 422
    text = page_text(response)
    assert "Ligne 1 : choisissez le motif de la réduction." in text
    assert 'href="#validate-lines-0-reason_code"' in response.get_data(as_text=True)
    assert invoice(sent).status == STATUS_IN_REVIEW
    response = validate(staff_client, sent, {"validate-lines-0-approved": "60.00",
                                             "validate-lines-0-reason_code": "other"})
    assert "Ligne 1 : précisez le motif de la réduction." in page_text(response)
    response = validate(staff_client, sent, {"validate-lines-0-approved": "60.00",
                                             "validate-lines-0-reason_code": "above_rate",
                                             "validate-lines-0-reason": "Tarif cantonal"})
    assert response.status_code == 303
    decision = review.latest_decision(invoice(sent))
    assert decision.line_amounts == [{"claimed": "87.35", "approved": "60.00",
                                      "reason_code": "above_rate", "reason": "Tarif cantonal"}]
    assert invoice(sent).total_approved == Decimal("60.00")


@pytest.mark.parametrize("typed, message", [
    ("90.00", "ne peut pas dépasser le montant demandé"),
    ("abc", "Écrivez un nombre"),
    ("-5", "ne peut pas être négatif"),
    ("", "Indiquez le montant validé"),
])
def test_wrong_approved_amounts_are_refused(sent, staff_client, typed, message):
    take(staff_client, sent)
    response = validate(staff_client, sent, {"validate-lines-0-approved": typed})
    assert response.status_code == 422
    assert message in page_text(response)
    assert 'id="error-summary"' in response.get_data(as_text=True)
    assert invoice(sent).status == STATUS_IN_REVIEW
    assert db.session.scalar(select(ReviewDecision.id)) is None


def test_compute_the_total_before_validating_changes_nothing(sent, staff_client):
    take(staff_client, sent)
    response = press(staff_client, sent, "validate-form", {
        "action": "preview", "validate-lines-0-approved": "50.5",
        "validate-lines-0-reason_code": "cap_reached"})
    assert response.status_code == 200
    assert "Total validé : 50.50 CHF" in page_text(response)
    assert invoice(sent).status == STATUS_IN_REVIEW
    assert db.session.scalar(select(ReviewDecision.id)) is None


def test_forged_fields_never_apply(sent, staff_client):
    take(staff_client, sent)
    response = validate(staff_client, sent, {
        "validate-lines-1-approved": "500.00",  # a line that does not exist
        "status": STATUS_PAID, "total_approved": "9999", "validate-total_approved": "9999"})
    assert response.status_code == 422  # the number of lines does not match
    assert invoice(sent).status == STATUS_IN_REVIEW
    response = validate(staff_client, sent, {"status": STATUS_PAID, "total_approved": "9999",
                                             "validate-status": STATUS_PAID})
    assert response.status_code == 303
    row = invoice(sent)
    assert (row.status, row.total_approved) == (STATUS_ACCEPTED, Decimal("87.35"))


def test_an_insured_person_cannot_post_a_decision(sent, ready):
    for suffix in ("prendre", "valider", "refuser", "complement", "visa", "renvoyer",
                   "reattribuer"):
        response = ready.post(f"{review_url(sent)}/{suffix}", data={
            "validate-lines-0-approved": "9999", "status": STATUS_ACCEPTED})
        assert response.status_code == 404, suffix
    assert invoice(sent).status == STATUS_SUBMITTED


# --- refusing ----------------------------------------------------------------------------------

def test_refusal_needs_a_reason(app, sent, ready, staff_client, mailbox):
    seed_refusal_reasons(app)
    take(staff_client, sent)
    html = review_html(staff_client, sent)
    assert "Ces frais ont déjà été demandés ou remboursés." in html
    response = press(staff_client, sent, "refuse-form", {"refuse-reason_code": ""}, html=html)
    assert response.status_code == 422
    assert "Choisissez le motif du refus." in page_text(response)
    response = press(staff_client, sent, "refuse-form", {"refuse-reason_code": "other"})
    assert "Précisez le motif du refus." in page_text(response)
    assert invoice(sent).status == STATUS_IN_REVIEW
    before = len(changed_mails(mailbox, ready.user))
    response = press(staff_client, sent, "refuse-form", {
        "refuse-reason_code": "duplicate", "refuse-text": "Déjà remboursé en mars."})
    assert response.status_code == 303
    assert invoice(sent).status == STATUS_REJECTED
    decision = review.latest_decision(invoice(sent))
    assert (decision.reason_code, decision.reason_text) == ("duplicate", "Déjà remboursé en mars.")
    assert len(changed_mails(mailbox, ready.user)) == before + 1
    assert audit("invoice_refused")[0].detail == {"reason": "duplicate"}


def test_a_deactivated_reason_is_neither_offered_nor_accepted(app, sent, staff_client,
                                                             admin_client):
    seed_refusal_reasons(app)
    reason_id = db.session.scalar(select(review.RefusalReason.id).where(
        review.RefusalReason.code == "duplicate"))
    assert admin_client.post(f"/gestion/motifs-de-refus/{reason_id}/desactiver").status_code == 303
    take(staff_client, sent)
    assert "Ces frais ont déjà été demandés" not in review_html(staff_client, sent)
    response = press(staff_client, sent, "refuse-form", {"refuse-reason_code": "duplicate"})
    assert response.status_code == 422
    assert invoice(sent).status == STATUS_IN_REVIEW


# --- a complement ------------------------------------------------------------------------------

def test_complement_default_due_date_and_checklist(sent, ready, staff_client, mailbox):
    take(staff_client, sent)
    html = review_html(staff_client, sent)
    values = form_of(html, "complement-form")
    due = today_in_zurich() + timedelta(days=30)
    assert values["complement-due_date"] == f"{due:%d.%m.%Y}"
    assert 'name="complement-documents"' in html  # the type's pièces as checkboxes
    piece = read_first_document(html)
    before = len(changed_mails(mailbox, ready.user))
    response = press(staff_client, sent, "complement-form", {
        "complement-message": "Merci d'envoyer le détail des séances.",
        "complement-documents": piece,
        "complement-other_documents": "Ordonnance du médecin\n\n  Plan de traitement "},
        html=html)
    assert response.status_code == 303
    row = invoice(sent)
    assert row.status == STATUS_NEEDS_INFO
    complement = db.session.scalar(select(ComplementRequest))
    assert complement.due_date == due
    assert complement.documents.splitlines() == [piece, "Ordonnance du médecin",
                                                 "Plan de traitement"]
    assert len(changed_mails(mailbox, ready.user)) == before + 1
    assert audit("invoice_complement_requested")[0].detail == {"due_date": due.isoformat()}


def read_first_document(html: str) -> str:
    import re
    match = re.search(r'name="complement-documents"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="complement-documents"', html)
    assert match, "no document checkbox"
    import html as html_module
    return html_module.unescape(match[1])


@pytest.mark.parametrize("changes, message", [
    ({"complement-message": ""}, "Ce champ est obligatoire."),
    ({"complement-message": "x", "complement-due_date": "01.01.2020"},
     "La date limite doit être dans le futur."),
    ({"complement-message": "x", "complement-due_date": "demain"}, "Écrivez la date"),
])
def test_complement_refusals(sent, staff_client, changes, message):
    take(staff_client, sent)
    response = press(staff_client, sent, "complement-form", changes)
    assert response.status_code == 422
    assert message in page_text(response)
    assert invoice(sent).status == STATUS_IN_REVIEW


# --- the second visa ---------------------------------------------------------------------------

def _validated_for_visa(client, invoice_id):
    take(client, invoice_id)
    response = validate(client, invoice_id)
    assert response.status_code == 303
    return page_text(client.get(review_url(invoice_id)))


def test_a_new_iban_needs_a_second_visa(ready, staff_client, second_staff_client, mailbox):
    invoice_id = sent_invoice(ready)  # the IBAN was added just now and never paid to
    take(staff_client, invoice_id)
    before = len(changed_mails(mailbox, ready.user))
    assert validate(staff_client, invoice_id).status_code == 303
    page = page_text(staff_client.get(review_url(invoice_id)))
    assert "Un second visa est nécessaire : IBAN nouveau" in page
    assert "En attente du second visa d'un·e collègue." in page
    row = invoice(invoice_id)
    assert row.status == STATUS_VISA_PENDING and row.total_approved is None
    assert len(changed_mails(mailbox, ready.user)) == before  # internal: no e-mail
    assert review.latest_decision(row).visa_reasons == ["new_iban"]
    assert "visa-form" not in review_html(staff_client, invoice_id)  # never one's own visa
    response = staff_client.post(f"{review_url(invoice_id)}/visa",
                                 data={"visa-version": str(row.version)})
    assert response.status_code == 422
    assert "un·e autre gestionnaire que celui ou celle qui a validé" in page_text(response)
    assert invoice(invoice_id).status == STATUS_VISA_PENDING
    html = review_html(second_staff_client, invoice_id)
    assert "87.35 CHF" in page_text_of(html) and "IBAN nouveau" in page_text_of(html)
    response = press(second_staff_client, invoice_id, "visa-form", html=html)
    assert response.status_code == 303
    row = invoice(invoice_id)
    assert (row.status, row.total_approved) == (STATUS_ACCEPTED, Decimal("87.35"))
    decision = review.latest_decision(row)
    assert (decision.visa_by, decision.visa_outcome) == (second_staff_client.user.id, "confirmed")
    assert len(changed_mails(mailbox, ready.user)) == before + 1  # « Validée »: one
    assert len(audit("invoice_visa_confirmed")) == 1


def page_text_of(html: str) -> str:
    class Fake:
        def get_data(self, as_text=True):
            return html
    return page_text(Fake())


@pytest.mark.config(SECOND_VISA_SAMPLE=0, SECOND_VISA_ABOVE="50.00")
def test_above_the_amount_needs_a_second_visa(sent, staff_client):
    page = _validated_for_visa(staff_client, sent)
    assert "Montant validé supérieur au seuil du second visa" in page
    assert review.latest_decision(invoice(sent)).visa_reasons == ["above_amount"]


@pytest.mark.config(SECOND_VISA_SAMPLE=0, SECOND_VISA_ABOVE="50.00")
def test_a_reduction_below_the_amount_needs_no_visa(sent, staff_client):
    take(staff_client, sent)
    response = validate(staff_client, sent, {"validate-lines-0-approved": "50.00",
                                             "validate-lines-0-reason_code": "above_rate"})
    assert response.status_code == 303
    assert invoice(sent).status == STATUS_ACCEPTED


@pytest.mark.config(SECOND_VISA_SAMPLE=1)
def test_the_random_share_needs_a_second_visa(sent, staff_client):
    page = _validated_for_visa(staff_client, sent)
    assert "Contrôle par sondage" in page
    assert review.latest_decision(invoice(sent)).visa_reasons == ["sample"]


@pytest.mark.config(SECOND_VISA_SAMPLE=1)
def test_send_back_needs_a_note_and_returns_it_to_the_first(sent, ready, staff_client,
                                                          second_staff_client, mailbox):
    _validated_for_visa(staff_client, sent)
    before = len(changed_mails(mailbox, ready.user))
    response = press(second_staff_client, sent, "send-back-form", {"sendback-note": "  "})
    assert response.status_code == 422
    assert invoice(sent).status == STATUS_VISA_PENDING
    response = press(second_staff_client, sent, "send-back-form",
                     {"sendback-note": "La ligne 1 dépasse le tarif."})
    assert response.status_code == 303
    row = invoice(sent)
    assert (row.status, row.assignee_id) == (STATUS_IN_REVIEW, staff_client.user.id)
    assert len(changed_mails(mailbox, ready.user)) == before  # internal: no e-mail
    page = page_text(staff_client.get(review_url(sent)))
    assert "Validation renvoyée par le second visa" in page
    assert "La ligne 1 dépasse le tarif." in page
    assert len(audit("invoice_visa_sent_back")) == 1
    # the insured person's history has no line for the internal steps
    moves = [event.status_to for event in row.events]
    assert moves[-2:] == [STATUS_SUBMITTED, STATUS_IN_REVIEW]
    assert STATUS_VISA_PENDING not in moves


# --- the administrators' refusal reasons -------------------------------------------------------

def test_admin_keeps_the_refusal_reasons(app, admin_client):
    seed_refusal_reasons(app)
    page = admin_client.get("/gestion/motifs-de-refus")
    assert page.status_code == 200
    assert "Ces frais ont déjà été demandés ou remboursés." in page_text(page)
    response = admin_client.post("/gestion/motifs-de-refus", data={"new-label": "  "})
    assert response.status_code == 422 and "Écrivez le motif." in page_text(response)
    response = admin_client.post("/gestion/motifs-de-refus",
                                 data={"new-label": "Frais déjà payés par la caisse"})
    assert response.status_code == 303
    reasons = review.active_refusal_reasons()
    added = reasons[-1]
    assert (added.code, added.label) == ("frais_deja_payes_par_la",
                                   "Frais déjà payés par la caisse")
    assert admin_client.post(f"/gestion/motifs-de-refus/{added.id}/renommer",
                             data={f"r{added.id}-label": "Frais payés par la caisse"}
                             ).status_code == 303
    assert admin_client.post(f"/gestion/motifs-de-refus/{added.id}/deplacer",
                             data={"direction": "up"}).status_code == 303
    codes = [reason.code for reason in review.active_refusal_reasons()]
    assert codes[-2:] == [added.code, "other"]
    assert admin_client.post(f"/gestion/motifs-de-refus/{added.id}/desactiver").status_code == 303
    assert added.code not in [reason.code for reason in review.active_refusal_reasons()]
    assert admin_client.post(f"/gestion/motifs-de-refus/{added.id}/reactiver").status_code == 303
    assert added.code in [reason.code for reason in review.active_refusal_reasons()]
    actions = [entry.action for entry in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "refusal_reason").order_by(AuditEntry.id))]
    assert actions == ["refusal_reason_added", "refusal_reason_renamed", "refusal_reason_moved",
                       "refusal_reason_deactivated", "refusal_reason_reactivated"]
    assert admin_client.post("/gestion/motifs-de-refus/99999/renommer",
                             data={}).status_code == 404


def test_refusal_reasons_are_for_admins_only(app, staff_client, ready):
    seed_refusal_reasons(app)
    assert staff_client.get("/gestion/motifs-de-refus").status_code == 403
    assert staff_client.post("/gestion/motifs-de-refus",
                             data={"new-label": "Nouveau"}).status_code == 403
    assert staff_client.post("/gestion/motifs-de-refus/1/desactiver").status_code == 403
    assert ready.get("/gestion/motifs-de-refus").status_code == 404
    assert all(reason.active for reason in review.active_refusal_reasons())
    assert len(review.active_refusal_reasons()) == 7
