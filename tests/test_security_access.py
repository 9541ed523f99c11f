"""Access control, CSRF and security headers (security.md 11, 15; conventions: CSRF everywhere).

Deny by default: every endpoint of ``app.url_map`` is either on the public list below or guarded
by a role, and a guarded one never answers 2xx to a stranger or to the wrong role.
"""
from __future__ import annotations

import html
import re
import uuid

import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from guichet.core.access import PUBLIC, access_level, public
from guichet.models import AuditEntry, AuthSession, OutboxMessage, User
from guichet.models.base import db
from tests.support.accounts import PASSWORD
from tests.support.page import page_text

# Routing, headers and CSRF do not depend on the database: SQLite is enough.
pytestmark = pytest.mark.sqlite_only

PUBLIC_ENDPOINTS = {
    "static", "main.index", "main.accessibility", "main.favicon",
    "auth.register", "auth.check_register_field", "auth.login", "auth.second_factor",
    "auth.resend_code", "auth.forgot_password", "auth.reset_password", "auth.confirm_email",
    "account.confirm_email_change",
    # the e-mailed link of a staff invitation or authenticator reset: the token (256 random
    # bits, stored hashed, single use, 72 hours) is the only way in (staff_enrollment_routes)
    "auth.enroll_staff", "auth.enroll_staff_authenticator",
}
"""Reachable without logging in. Adding to this list is a security decision: say why in review."""

SKIPPED_METHODS = {"HEAD", "OPTIONS"}



def sample_value(converter) -> object:
    name = type(converter).__name__
    if isinstance(converter, IntegerConverter):  # the routes' ``int``: core.web.DatabaseId
        return 1
    if name == "UUIDConverter":
        return uuid.UUID(int=1)
    return "x"


def guarded_requests(app) -> list[tuple[str, str, str, str]]:
    """(endpoint, access level, method, url) for every guarded route."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            level = access_level(app, rule.endpoint)
            if level == PUBLIC:
                continue
            values = {name: sample_value(conv) for name, conv in rule._converters.items()}
            url = url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - SKIPPED_METHODS):
                found.append((rule.endpoint, level, method, url))
    return found


def rows_written() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, AuthSession, OutboxMessage)}


def test_every_endpoint_is_public_by_decision_or_guarded(app):
    unmarked, unexpected_public = [], []
    for rule in app.url_map.iter_rules():
        level = access_level(app, rule.endpoint)
        if level is None:
            unmarked.append(rule.endpoint)
        elif level == PUBLIC and rule.endpoint not in PUBLIC_ENDPOINTS:
            unexpected_public.append(rule.endpoint)
    assert unmarked == [], "endpoints without an access mark"
    assert unexpected_public == [], "public endpoints not on the reviewed list"
    assert len(guarded_requests(app)) >= 8


def test_an_unmarked_endpoint_is_refused(app, logged_in):
    """The safety net: a view somebody forgot to mark answers 404, even to a logged-in user."""
    app.view_functions["main.accessibility"].__dict__.pop("access_level")
    try:
        assert logged_in.get("/accessibilite").status_code == 404
    finally:
        public(app.view_functions["main.accessibility"])


def test_strangers_get_nothing_from_guarded_endpoints(app, client):
    before = rows_written()
    for endpoint, _level, method, url in guarded_requests(app):
        response = client.open(url, method=method, data={"email": "x@example.ch"})
        assert not 200 <= response.status_code < 300, (endpoint, method, response.status_code)
        if method == "GET":
            assert response.status_code == 302, endpoint
            assert response.headers["Location"].startswith("/connexion?next="), endpoint
        else:
            assert response.status_code in (401, 405), (endpoint, method)
    assert rows_written() == before


def test_staff_endpoints_refuse_insured_persons(app, logged_in):
    staff_only = [(e, m, u) for e, level, m, u in guarded_requests(app) if level == "staff"]
    assert staff_only
    for endpoint, method, url in staff_only:
        response = logged_in.open(url, method=method, data={})
        assert response.status_code == 404, (endpoint, method)
    refusals = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "access_refused")).all()
    assert len(refusals) == len(staff_only)
    assert {r.actor_id for r in refusals} == {logged_in.user.id}
    assert {r.actor_role for r in refusals} == {"insured"}
    assert all(r.ip == "127.0.0.1" for r in refusals)


def test_insured_endpoints_refuse_staff(app, staff_client):
    client = staff_client
    insured_only = [(e, m, u) for e, level, m, u in guarded_requests(app) if level == "insured"]
    assert insured_only
    for endpoint, method, url in insured_only:
        response = client.open(url, method=method, data={})
        assert response.status_code in (403, 404), (endpoint, method)
    assert client.get("/gestion/").status_code == 200


# --- CSRF --------------------------------------------------------------------------------

def csrf_token_in(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_post_without_csrf_token_is_refused_and_writes_nothing(client, factory, sms):
    user = factory.user()
    client.get("/connexion")
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Le formulaire a expiré ou n'a pas pu être vérifié" in page_text(response)
    assert rows_written()["AuthSession"] == 0
    assert sms.received == []
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_post_with_the_page_token_works(client, factory, sms):
    user = factory.user()
    token = csrf_token_in(client.get("/connexion"))
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD,
                                               "csrf_token": token})
    assert response.status_code == 303
    token = csrf_token_in(client.get("/connexion/code"))
    response = client.post("/connexion/code", data={"code": sms.last_code(user.phone)})
    assert response.status_code == 400  # the code form needs its token too
    response = client.post("/connexion/code", data={"code": sms.last_code(user.phone),
                                                    "csrf_token": token})
    assert response.headers["Location"] == "/demandes/"
    # logging out needs the token: a forged logout does nothing
    assert client.post("/deconnexion").status_code == 400
    assert client.get("/demandes/").status_code == 200


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_htmx_sends_the_token_in_a_header(client, factory):
    page = client.get("/inscription").get_data(as_text=True)
    headers = html.unescape(re.search(r'hx-headers="([^"]+)"', page).group(1))
    token = re.search(r'"X-CSRFToken":\s*"([^"]+)"', headers).group(1)
    hx = {"HX-Request": "true"}
    refused = client.post("/inscription/verifier/email", data={"email": "x"}, headers=hx)
    assert refused.status_code == 400
    accepted = client.post("/inscription/verifier/email", data={"email": "x"},
                           headers={**hx, "X-CSRFToken": token})
    assert accepted.status_code == 200
    assert "adresse e-mail n'est pas valable" in html.unescape(accepted.get_data(as_text=True))


# --- Security headers --------------------------------------------------------------------

SPEC_CSP = {"default-src": "'self'", "object-src": "'none'", "base-uri": "'none'",
            "frame-ancestors": "'none'", "form-action": "'self'"}


def assert_security_headers(response, hsts: bool, name: str = ""):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";")
                      if part.strip())
    for directive, value in SPEC_CSP.items():
        assert directives.get(directive) == value, (name, csp)
    for value in directives.values():
        assert "unsafe" not in value and "*" not in value and "http" not in value, (name, csp)
    # scripts and styles fall back to default-src 'self': no inline code
    assert "script-src" not in directives and "style-src" not in directives, (name, csp)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", name
    assert response.headers.get("Referrer-Policy") in (
        "same-origin", "no-referrer", "strict-origin-when-cross-origin"), name
    if hsts:
        assert response.headers.get("Strict-Transport-Security", "").startswith(
            "max-age=31536000"), name
    else:
        assert "Strict-Transport-Security" not in response.headers, name


def _read_and_close(response):
    response.get_data()
    response.close()
    return response


def sample_responses(app, hx_client) -> dict:
    def boom():
        raise RuntimeError("simulated failure")
    app.add_url_rule("/test-boom", "test_boom", public(boom))
    client = app.test_client()
    responses = {
        "page": client.get("/"),
        "form": client.get("/connexion"),
        "redirect": client.get("/demandes/"),
        "static": _read_and_close(client.get("/static/css/guichet.css")),
        "404": client.get("/nulle-part"),
        "405": client.get("/deconnexion"),
        "500": client.get("/test-boom"),
        "fragment": hx_client.post("/inscription/verifier/email", data={"email": "x"}),
        "fragment 404": hx_client.get("/nulle-part"),
    }
    client.post("/connexion", data={"email": "a@example.ch", "password": "x" * 12})
    responses["429"] = client.post("/connexion", data={"email": "b@example.ch",
                                                       "password": "x" * 12})
    return responses


@pytest.mark.config(RATELIMIT_LOGIN_PER_IP="1 per hour")
def test_security_headers_on_every_kind_of_response(app, hx_client):
    responses = sample_responses(app, hx_client)
    expected = {"page": 200, "form": 200, "redirect": 302, "static": 200, "404": 404,
                "405": 405, "500": 500, "fragment": 200, "fragment 404": 404, "429": 429}
    assert {name: r.status_code for name, r in responses.items()} == expected
    for name, response in responses.items():
        assert_security_headers(response, hsts=False, name=name)
    assert "Rien n'a été enregistré" in page_text(responses["500"])
    assert "<html" not in responses["fragment"].get_data(as_text=True)
    assert "<html" not in responses["fragment 404"].get_data(as_text=True)
    assert "Réessayez plus tard" in page_text(responses["429"])


@pytest.mark.config(RATELIMIT_LOGIN_PER_IP="1 per hour", LOCAL_DEV=False)
def test_hsts_outside_local_development(app, hx_client):
    for name, response in sample_responses(app, hx_client).items():
        assert_security_headers(response, hsts=True, name=name)


def test_no_inline_script_or_style_in_pages(client, logged_in):
    for path in ("/", "/connexion", "/inscription", "/mot-de-passe-oublie"):
        body = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), path
        assert " style=" not in body and "<style" not in body, path
        assert not re.search(r"\son[a-z]+=", body), path
    for path in ("/demandes/", "/compte/"):
        body = logged_in.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), path
        assert " style=" not in body, path
