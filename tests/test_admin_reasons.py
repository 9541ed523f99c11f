"""The reduction reasons, a list the administrators keep beside the refusal reasons: add,
rename, reorder, deactivate and reactivate, each audited; a deactivated reason is neither
offered nor accepted for a new validation, and the decisions that gave it still show its label
(to the gestionnaires and to the insured person). Only administrators reach the page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from guichet.invoices import review
from guichet.models import AuditEntry, RefusalReason
from guichet.models.base import db
from guichet.models.invoices import REASON_REDUCTION, REASON_REFUSAL, STATUS_ACCEPTED
from tests.support.decisions import (known_iban, review_html, review_url, seed_refusal_reasons,
                                     sent_invoice, take, validate)
from tests.support.page import page_text

pytestmark = pytest.mark.config(SECOND_VISA_SAMPLE=0)
PAGE = "/gestion/motifs-de-reduction"


def reason(code: str, kind: str = REASON_REDUCTION) -> RefusalReason:
    return db.session.scalar(select(RefusalReason).where(RefusalReason.kind == kind,
                                                         RefusalReason.code == code))


def offered_codes() -> list[str]:
    return [item.code for item in review.active_reduction_reasons()]


@pytest.fixture
def sent(ready):
    """An invoice the insured person sent (87.35 CHF, one line), their IBAN long known."""
    known_iban(ready.user)
    return sent_invoice(ready)


def test_the_administration_index_links_to_both_lists(admin_client):
    page = admin_client.get("/gestion/administration").get_data(as_text=True)
    assert f'href="{PAGE}"' in page and 'href="/gestion/motifs-de-refus"' in page


def test_admin_keeps_the_reduction_reasons(app, admin_client):
    page = admin_client.get(PAGE)
    assert page.status_code == 200
    text = page_text(page)
    assert "Motifs de réduction" in text and "Plafond mensuel ou annuel atteint" in text

    response = admin_client.post(PAGE, data={"new-label": "  "})
    assert response.status_code == 422 and "Écrivez le motif." in page_text(response)
    response = admin_client.post(PAGE, data={"new-label": "Tarif cantonal de référence"})
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    added = review.active_reduction_reasons()[-1]
    assert (added.kind, added.code, added.label) == (
        REASON_REDUCTION, "tarif_cantonal_de_refere", "Tarif cantonal de référence")
    assert added.code not in [item.code for item in review.active_refusal_reasons()]

    assert admin_client.post(f"{PAGE}/{added.id}/renommer",
                             data={f"r{added.id}-label": "x" * 201}).status_code == 422
    assert admin_client.post(f"{PAGE}/{added.id}/renommer",
                             data={f"r{added.id}-label": "Tarif cantonal"}).status_code == 303
    assert admin_client.post(f"{PAGE}/{added.id}/deplacer",
                             data={"direction": "up"}).status_code == 303
    assert offered_codes()[-2:] == [added.code, "other"]
    assert admin_client.post(f"{PAGE}/{added.id}/desactiver").status_code == 303
    assert added.code not in offered_codes()
    page = page_text(admin_client.get(PAGE))
    assert "Motif désactivé : il n'est plus proposé pour les nouvelles validations." in page
    assert admin_client.post(f"{PAGE}/{added.id}/reactiver").status_code == 303
    assert added.code in offered_codes()

    actions = [entry.action for entry in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "reduction_reason").order_by(AuditEntry.id))]
    assert actions == ["reduction_reason_added", "reduction_reason_renamed",
                       "reduction_reason_moved", "reduction_reason_deactivated",
                       "reduction_reason_reactivated"]
    assert all(entry.actor_id == admin_client.user.id for entry in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "reduction_reason")))


def test_each_list_s_addresses_reach_only_its_own_reasons(app, admin_client):
    """A refusal reason through the reduction list's address (or the reverse) is not found;
    moving in one list leaves the other's order alone."""
    seed_refusal_reasons(app)
    refusal, reduction = reason("other", REASON_REFUSAL), reason("other")
    assert refusal.id != reduction.id
    assert admin_client.post(f"{PAGE}/{refusal.id}/desactiver").status_code == 404
    assert admin_client.post(f"/gestion/motifs-de-refus/{reduction.id}/desactiver"
                             ).status_code == 404
    refusal_order = [item.code for item in review.active_refusal_reasons()]
    assert admin_client.post(f"{PAGE}/{reduction.id}/deplacer",
                             data={"direction": "up"}).status_code == 303
    assert offered_codes()[-2:] == ["other", "already_paid"]
    assert [item.code for item in review.active_refusal_reasons()] == refusal_order
    assert reason("other", REASON_REFUSAL).active and reason("other").active


def test_reduction_reasons_are_for_admins_only(app, staff_client, ready):
    assert staff_client.get(PAGE).status_code == 403
    assert staff_client.post(PAGE, data={"new-label": "Nouveau"}).status_code == 403
    assert staff_client.post(f"{PAGE}/{reason('cap_reached').id}/desactiver").status_code == 403
    assert ready.get(PAGE).status_code == 404
    assert len(offered_codes()) == 6 and reason("cap_reached").active


def test_a_deactivated_reason_is_not_offered_but_old_decisions_keep_its_label(
        app, sent, ready, staff_client, admin_client):
    take(staff_client, sent)
    assert validate(staff_client, sent, {"validate-lines-0-approved": "60.00",
                                         "validate-lines-0-reason_code": "cap_reached",
                                         "validate-lines-0-reason": "Plafond 2026"}
                    ).status_code == 303
    assert db.session.get(review.Invoice, sent).status == STATUS_ACCEPTED
    cap = reason("cap_reached")
    assert admin_client.post(f"{PAGE}/{cap.id}/desactiver").status_code == 303

    # the decision made with it: its label still shows, to the office and to the person
    staff_page = page_text(staff_client.get(review_url(sent)))
    assert "Plafond mensuel ou annuel atteint — Plafond 2026" in staff_page
    person_page = page_text(ready.get(f"/demandes/{sent}"))
    assert "Plafond mensuel ou annuel atteint — Plafond 2026" in person_page
    # renamed: decisions show the current wording
    assert admin_client.post(f"{PAGE}/{cap.id}/renommer",
                             data={f"r{cap.id}-label": "Plafond annuel atteint"}
                             ).status_code == 303
    assert "Plafond annuel atteint — Plafond 2026" in page_text(ready.get(f"/demandes/{sent}"))


def test_a_new_validation_neither_offers_nor_accepts_a_deactivated_reason(
        app, sent, staff_client, admin_client):
    cap = reason("cap_reached")
    assert admin_client.post(f"{PAGE}/{cap.id}/desactiver").status_code == 303
    take(staff_client, sent)
    html = review_html(staff_client, sent)
    assert 'value="cap_reached"' not in html and 'value="above_rate"' in html
    response = validate(staff_client, sent, {"validate-lines-0-approved": "60.00",
                                             "validate-lines-0-reason_code": "cap_reached"})
    assert response.status_code == 422
    assert "Ligne 1 : choisissez le motif de la réduction." in page_text(response)
    # a reason added by the administrators is offered, and accepted
    assert admin_client.post(PAGE, data={"new-label": "Tarif cantonal"}).status_code == 303
    assert 'value="tarif_cantonal"' in review_html(staff_client, sent)
    assert validate(staff_client, sent, {"validate-lines-0-approved": "60.00",
                                         "validate-lines-0-reason_code": "tarif_cantonal"}
                    ).status_code == 303
    decision = review.latest_decision(db.session.get(review.Invoice, sent))
    assert decision.line_amounts[0]["reason_code"] == "tarif_cantonal"
    assert review.reduction_reason_label("tarif_cantonal") == "Tarif cantonal"
    assert review.reduction_reason_label("unknown") == ""


def test_the_validation_form_links_administrators_to_the_list(app, sent, admin_client,
                                                              staff_client):
    take(admin_client, sent)
    assert f'href="{PAGE}"' in review_html(admin_client, sent)
    assert f'href="{PAGE}"' not in review_html(staff_client, sent)
