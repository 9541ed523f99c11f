"""Sessions (security.md 10): cookie flags, a new session id at each login step, idle and absolute
timeouts, logout that kills the session on the server, password changes that end other sessions."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from guichet.models import AuthSession, utcnow
from guichet.models.auth_session import STAGE_FULL
from guichet.models.base import db
from tests.support.accounts import PASSWORD, login
from tests.support.mail import reset_link
from tests.support.page import page_text

COOKIE = "guichet_session"
NEW_PASSWORD = "un autre chemin dans la forêt"


def session_cookie_header(response) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]
    return header


def sid(client) -> str | None:
    """The server-session token inside the signed cookie."""
    cookie = client.get_cookie(COOKIE)
    if cookie is None:
        return None
    app = client.application
    return app.session_interface.get_signing_serializer(app).loads(cookie.value).get("sid")


def attributes(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


# --- Cookie flags ------------------------------------------------------------------------

@pytest.mark.sqlite_only
def test_cookie_is_httponly_and_samesite_lax(client, factory, sms):
    user = factory.user()
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    header = session_cookie_header(response)
    assert "httponly" in attributes(header)
    assert re.search(r";\s*SameSite=Lax", header)
    assert "secure" not in attributes(header)  # local development (tests) runs on http


@pytest.mark.sqlite_only
@pytest.mark.config(LOCAL_DEV=False)
def test_cookie_is_secure_outside_local_development(client, factory, sms):
    user = factory.user()
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD},
                           base_url="https://localhost")
    header = session_cookie_header(response)
    assert {"secure", "httponly"} <= attributes(header)
    assert re.search(r";\s*SameSite=Lax", header)


# --- Session renewal ---------------------------------------------------------------------

def test_session_id_is_renewed_at_each_login_step(app, factory, sms):
    user = factory.user()
    client = app.test_client()
    with client.session_transaction() as planted:  # an id an attacker managed to plant
        planted["sid"] = "planted-by-an-attacker"
        planted["next"] = "/compte/"
    client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    after_password = sid(client)
    assert after_password not in (None, "planted-by-an-attacker")
    response = client.post("/connexion/code", data={"code": sms.last_code(user.phone)})
    assert response.headers["Location"] == "/demandes/"  # the planted « next » is gone
    after_code = sid(client)
    assert after_code not in (None, after_password)
    # the cookie of the password step is worth nothing now
    old = app.test_client()
    with old.session_transaction() as state:
        state["sid"] = after_password
    assert old.get("/demandes/").status_code == 302
    assert old.get("/connexion/code").status_code == 303


# --- Timeouts ----------------------------------------------------------------------------

def age_full_session(idle: timedelta, age: timedelta | None = None):
    now = utcnow()
    values = {"last_seen_at": now - idle}
    if age is not None:
        values["created_at"] = now - age
    db.session.execute(update(AuthSession).where(AuthSession.stage == STAGE_FULL).values(**values))
    db.session.commit()


@pytest.mark.parametrize("idle, alive", [(timedelta(minutes=29), True),
                                         (timedelta(minutes=31), False)])
def test_insured_idle_timeout_is_30_minutes(logged_in, idle, alive):
    age_full_session(idle)
    response = logged_in.get("/demandes/")
    assert response.status_code == (200 if alive else 302)
    if not alive:
        assert response.headers["Location"].startswith("/connexion")


@pytest.mark.parametrize("idle, alive", [(timedelta(minutes=14), True),
                                         (timedelta(minutes=16), False)])
def test_staff_idle_timeout_is_15_minutes(staff_client, idle, alive):
    age_full_session(idle)
    assert staff_client.get("/gestion/").status_code == (200 if alive else 302)


@pytest.mark.parametrize("age, alive", [(timedelta(hours=11, minutes=59), True),
                                        (timedelta(hours=12, minutes=1), False)])
def test_absolute_timeout_is_12_hours_even_when_active(logged_in, age, alive):
    age_full_session(timedelta(seconds=5), age=age)
    assert logged_in.get("/demandes/").status_code == (200 if alive else 302)


def test_activity_keeps_the_session_alive(logged_in):
    age_full_session(timedelta(minutes=20))
    assert logged_in.get("/demandes/").status_code == 200
    session = db.session.scalar(select(AuthSession).where(AuthSession.stage == STAGE_FULL))
    assert utcnow() - session.last_seen_at < timedelta(minutes=1)


# --- Logout ------------------------------------------------------------------------------

def test_logout_is_a_post_and_a_replayed_cookie_no_longer_works(app, logged_in):
    assert logged_in.get("/deconnexion").status_code == 405
    assert logged_in.get("/demandes/").status_code == 200
    stolen = logged_in.get_cookie(COOKIE).value
    response = logged_in.post("/deconnexion")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert logged_in.get("/demandes/").status_code == 302
    replay = app.test_client()
    replay.set_cookie(COOKIE, stolen)
    assert replay.get("/demandes/").status_code == 302
    assert replay.get("/compte/").status_code == 302
    session = db.session.scalar(select(AuthSession).where(AuthSession.stage == STAGE_FULL))
    assert session.revoked_at is not None


# --- Password changes end the other sessions ---------------------------------------------
# A change from « Mon compte »: tests/test_account.py,
# test_password_change_needs_the_current_one_and_ends_other_sessions.

def test_password_reset_ends_every_session(app, factory, sms, mailbox):
    user = factory.user()
    logged = app.test_client()
    assert login(logged, user, sms).status_code == 303
    stranger = app.test_client()
    path = reset_link(stranger, mailbox, user.email)
    assert stranger.post(path, data={"password": NEW_PASSWORD,
                                     "password_confirm": NEW_PASSWORD}).status_code == 303
    assert logged.get("/demandes/").status_code == 302


@pytest.mark.sqlite_only
def test_a_form_sent_after_the_session_expired_says_so_in_french(logged_in):
    age_full_session(timedelta(minutes=31))
    response = logged_in.post("/compte/", data={"nom": "Autre"})
    assert response.status_code == 401
    text = page_text(response)
    assert "Votre session a expiré" in text and "Connectez-vous" in text
