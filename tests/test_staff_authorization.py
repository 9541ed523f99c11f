"""Who reaches the office's pages (security.md 8, 10–12): anonymous, insured, reviewer,
transmission and admin × every ``staff.*`` endpoint of ``app.url_map`` (walked, so that each view added later is
covered), GET and POST, page and htmx fragment; staff never treated as insured on the insured
pages; the staff's idle timeout of 15 minutes; no staff account in a fresh database."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select, update

from guichet import create_app
from guichet.core.access import ADMIN, INSURED, STAFF, TRANSMISSION, access_level
from guichet.models import (AuditEntry, AuthSession, Invoice, OutboxMessage, ReviewDecision,
                            StaffNote, User, utcnow)
from guichet.models.auth_session import STAGE_FULL
from guichet.models.base import db
from tests.support.files import pdf_bytes
from tests.support.invoices import ask_for_complement
from tests.support.batches import a_batch
from tests.support.people import sent_invoice
from tests.support.staff_accounts import pending_invitation

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
HTMX = {"HX-Request": "true"}


@pytest.fixture
def sample(app, ready, factory):
    """A sent invoice with a pièce, of an insured person: what fills the routes' arguments."""
    invoice = sent_invoice(ready)
    return {"invoice": invoice, "person": ready.user, "attachment": invoice.attachments[0],
            "staff": factory.user(email="sample.staff@office.example.ch", role="reviewer",
                                  totp_secret="JBSWY3DPEHPK3PXP"),
            "invitation": pending_invitation("sample.invited@office.example.ch"),
            "batch": a_batch(factory)}


def argument_value(name: str, sample: dict) -> tuple[object, bool]:
    """(value, real) for a route argument by its name: the sample's ids where the name says
    which object it is, else 1 (``real`` False: the view may then answer 404)."""
    if name in ("invoice_id", "demande_id"):
        return sample["invoice"].id, True
    if name in ("user_id", "person_id"):
        return sample["person"].id, True
    if name in ("attachment_id", "piece_id"):
        return sample["attachment"].id, True
    if name == "staff_id":
        return sample["staff"].id, True
    if name == "invitation_id":
        return sample["invitation"].id, True
    if name == "batch_id":
        return sample["batch"].id, True
    if name == "batch_invoice_id":  # an invoice of the sample's batch
        return db.session.scalar(select(Invoice.id).where(
            Invoice.batch_id == sample["batch"].id)), True
    if name in ("page", "page_number", "number"):
        return 1, True
    return 1, False


def staff_requests(app, sample) -> list[tuple[str, str, str, str, bool]]:
    """(endpoint, level, method, url, every argument real) for every ``staff.*`` route, GETs
    first (the POSTs of the allowed roles may change the sample)."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("staff."):
                continue
            values, real = {}, True
            for name in rule.arguments:
                values[name], known = argument_value(name, sample)
                real = real and known
            url = url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - SKIPPED_METHODS):
                found.append((rule.endpoint, access_level(app, rule.endpoint), method, url, real))
    return sorted(found, key=lambda item: item[2] != "GET")


def insured_requests(app) -> list[tuple[str, str, str]]:
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if access_level(app, rule.endpoint) != INSURED:
                continue
            values = {name: 1 for name in rule.arguments}
            url = url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - SKIPPED_METHODS):
                found.append((rule.endpoint, method, url))
    return found


def office_state(sample) -> tuple:
    """What a refused request must leave as it was."""
    db.session.expire_all()
    invoice = db.session.get(Invoice, sample["invoice"].id)
    person = db.session.get(User, sample["person"].id)
    return (invoice.status, invoice.version, invoice.assignee_id, person.navs13, person.nom,
            db.session.scalar(select(func.count()).select_from(ReviewDecision)),
            db.session.scalar(select(func.count()).select_from(StaffNote)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)))


def test_the_walk_covers_the_staff_pages(app, sample):
    endpoints = {endpoint for endpoint, *_rest in staff_requests(app, sample)}
    assert {"staff.show_queue", "staff.show_invoice", "staff.show_person",
            "staff.correct_identity"} <= endpoints
    levels = {level for _e, level, *_rest in staff_requests(app, sample)}
    assert levels <= {STAFF, TRANSMISSION, ADMIN}, "a staff.* view without a staff mark"


def test_anonymous_visitors_are_sent_to_the_login(app, sample):
    client = app.test_client()
    before = office_state(sample)
    for endpoint, _level, method, url, _real in staff_requests(app, sample):
        page = client.open(url, method=method, data={})
        if method == "GET":
            assert page.status_code == 302, (endpoint, page.status_code)
            assert page.headers["Location"].startswith("/connexion?next=/gestion/"), endpoint
        else:
            assert page.status_code == 401, (endpoint, method, page.status_code)
        fragment = client.open(url, method=method, data={}, headers=HTMX)
        assert fragment.status_code == 204, (endpoint, method, fragment.status_code)
        assert fragment.headers["HX-Redirect"] == "/connexion", endpoint
        assert fragment.get_data() == b""
    assert office_state(sample) == before


def test_insured_persons_do_not_even_see_that_staff_pages_exist(app, sample, ready):
    before = office_state(sample)
    requests = staff_requests(app, sample)
    for endpoint, _level, method, url, _real in requests:
        for headers in ({}, HTMX):
            response = ready.open(url, method=method, data={}, headers=headers)
            assert response.status_code == 404, (endpoint, method, headers, response.status_code)
            body = response.get_data(as_text=True)
            assert sample["person"].navs13 not in body
    assert office_state(sample) == before
    refusals = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "access_refused", AuditEntry.actor_id == ready.user.id)).all()
    assert len(refusals) == 2 * len(requests)


#: The levels each staff role reaches.
REACHES = {"reviewer": {STAFF}, "transmission": {STAFF, TRANSMISSION},
           "admin": {STAFF, TRANSMISSION, ADMIN}}


def check_allowed(client, requests, sample, role: str):
    for endpoint, level, method, url, real in requests:
        for headers in ({}, HTMX):
            response = client.open(url, method=method, data={}, headers=headers)
            status = response.status_code
            where = (endpoint, method, headers, status)
            if level not in REACHES[role]:
                assert status == 403, where
                continue
            assert status < 500 and status not in (401, 403), where
            assert not response.headers.get("Location", "").startswith("/connexion"), where
            assert "HX-Redirect" not in response.headers, where
            if real:
                assert status != 404, where
            if method == "GET" and real:
                assert status in (200, 303), where


@pytest.mark.parametrize("role", ["reviewer", "transmission"])
def test_each_role_reaches_its_staff_pages_and_no_other(app, sample, staff_login, role):
    client = staff_login(role, f"{role}@office.example.ch")
    requests = staff_requests(app, sample)
    out_of_reach = [item for item in requests if item[1] not in REACHES[role]]
    assert out_of_reach
    before = office_state(sample)
    check_allowed(client, out_of_reach, sample, role)
    assert office_state(sample) == before  # refused: nothing applied
    check_allowed(client, requests, sample, role)


def test_administrators_reach_every_staff_page(app, sample, admin_client):
    check_allowed(admin_client, staff_requests(app, sample), sample, "admin")


@pytest.mark.parametrize("role", ["reviewer", "transmission", "admin"])
def test_staff_are_never_treated_as_insured_on_the_insured_pages(app, sample, staff_login,
                                                                 role):
    client = staff_login(role, f"{role}@office.example.ch")
    requests = insured_requests(app)
    assert any(endpoint.startswith("invoices.") for endpoint, *_rest in requests)
    assert any(endpoint.startswith("account.") for endpoint, *_rest in requests)
    before = office_state(sample)
    for endpoint, method, url in requests:
        for headers in ({}, HTMX):
            response = client.open(url, method=method, data={}, headers=headers)
            assert response.status_code == 403, (endpoint, method, headers, response.status_code)
    # not even the person's own invoice through the insured pages
    invoice_id = sample["invoice"].id
    assert client.get(f"/demandes/{invoice_id}").status_code == 403
    assert client.get(f"/demandes/{invoice_id}/pdf").status_code in (403, 404)
    assert office_state(sample) == before


def test_a_complement_answer_is_not_the_office_s_to_send(app, sample, staff_client, factory):
    """A staff member cannot answer a complement as if they were the person."""
    invoice = sample["invoice"]
    ask_for_complement(app, invoice.id, factory)
    response = staff_client.post(f"/demandes/{invoice.id}/complement", data={
        "message": "Réponse du bureau", "files-complement": (io.BytesIO(pdf_bytes()), "x.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 403
    assert db.session.get(Invoice, invoice.id).status == "needs_info"


# --- the staff's session ------------------------------------------------------------------------

def idle_for(minutes: int) -> None:
    db.session.execute(update(AuthSession).where(AuthSession.stage == STAGE_FULL).values(
        last_seen_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def test_fifteen_idle_minutes_end_a_staff_session(app, sample, staff_client):
    person_page = f"/gestion/personnes/{sample['person'].id}"
    idle_for(14)
    assert staff_client.get(person_page).status_code == 200
    idle_for(16)
    response = staff_client.get(person_page)
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    fragment = staff_client.get(person_page, headers=HTMX)
    assert fragment.status_code == 204 and fragment.headers["HX-Redirect"] == "/connexion"
    # ended: coming back does not bring it back, and nothing was read meanwhile
    assert staff_client.get("/gestion/").status_code == 302
    views = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "staff_viewed_person")).all()
    assert len(views) == 1


@pytest.mark.sqlite_only
def test_a_fresh_database_holds_no_staff_account(tmp_path):
    """``flask db upgrade`` alone makes no account (security.md 8; the same through the
    operator's command line: tests/test_migrations.py)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.engine.dispose()
