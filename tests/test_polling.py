"""The home list's polling, through Flask like every request: an unchanged poll answers 204
without rendering, a change made by the office shows at the next poll, a session that ended
leads to the login page, and polling never keeps an idle session alive."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from guichet.invoices import services
from guichet.models import AuthSession, Beneficiary, Invoice, User, utcnow
from guichet.models.base import db
from tests.support.invoices import ask_for_complement, complete_standard, send
from tests.support.page import page_text


@pytest.fixture
def rendered(app, monkeypatch):
    """The templates rendered, in order."""
    from flask import template_rendered
    names: list[str] = []

    def remember(sender, template, context, **extra):
        names.append(template.name)
    template_rendered.connect(remember, app)
    yield names
    template_rendered.disconnect(remember, app)


@pytest.fixture
def polling(ready):
    """``ready`` with one sent invoice (the list then polls); ``ready.poll_url``."""
    send(ready, complete_standard(ready))
    page = ready.get("/demandes/").get_data(as_text=True)
    ready.poll_url = html.unescape(
        re.search(r'data-hx-get="(/demandes/liste\?stamp=[^"]+)"', page)[1])
    return ready


def poll(client):
    return client.get(client.poll_url, headers={"HX-Request": "true"})


def the_session(user) -> AuthSession:
    db.session.expire_all()
    return db.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)
                              .order_by(AuthSession.id.desc())).first()


def change_session(user, **values) -> None:
    auth_session = the_session(user)
    for name, value in values.items():
        setattr(auth_session, name, value)
    db.session.commit()


def goes_to_login(response) -> bool:
    return response.status_code == 204 and response.headers.get("HX-Redirect") == "/connexion"


def first_invoice_id(client) -> int:
    return int(re.search(r"/demandes/(\d+)/pdf", client.get("/demandes/").get_data(
        as_text=True))[1])


def test_an_unchanged_poll_answers_204_without_rendering_anything(polling, rendered):
    response = poll(polling)
    assert response.status_code == 204 and response.data == b""
    assert rendered == []
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "Set-Cookie" not in response.headers


def test_an_unchanged_poll_asks_the_database_only_for_the_login_session(app, polling):
    from sqlalchemy import event
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert poll(polling).status_code == 204
    finally:
        event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "auth_sessions" in selects[0], statements
    assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_a_poll_after_the_office_acts_gets_the_new_list(app, polling, factory, rendered):
    ask_for_complement(app, first_invoice_id(polling), factory)
    rendered.clear()
    changed = poll(polling)
    assert changed.status_code == 200 and "À compléter" in page_text(changed)
    assert rendered == ["invoices/_list.html"]
    assert poll(polling).status_code == 200  # the page's old stamp is still the old one


def test_a_poll_with_an_old_or_strange_stamp_gets_the_list(polling):
    for url in ("/demandes/liste?stamp=1-1-2020", "/demandes/liste", "/demandes/liste?stamp="):
        response = polling.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200 and 'class="invoice-list"' in response.get_data(
            as_text=True)


def test_a_poll_without_htmx_goes_to_the_home_page(polling):
    response = polling.get(polling.poll_url)
    assert response.status_code == 302 and response.headers["Location"] == "/demandes/"


@pytest.mark.parametrize("ending", ["logged out", "idle 31 min", "12 h passed",
                                    "second factor pending", "cookie altered"])
def test_a_poll_from_a_session_that_ended_leads_to_the_login_page(polling, ending, rendered):
    assert poll(polling).status_code == 204
    user, now = polling.user, utcnow()
    if ending == "logged out":
        change_session(user, revoked_at=now)
    elif ending == "idle 31 min":
        change_session(user, last_seen_at=now - timedelta(minutes=31))
    elif ending == "12 h passed":
        change_session(user, created_at=now - timedelta(hours=12, minutes=1))
    elif ending == "second factor pending":
        change_session(user, stage="password")
    else:
        value = polling.get_cookie("guichet_session").value
        polling.set_cookie("guichet_session",
                           value[:10] + ("B" if value[10] == "A" else "A") + value[11:])
    assert goes_to_login(poll(polling))
    assert rendered == []


def test_a_poll_from_office_staff_is_refused(polling):
    user = db.session.get(User, polling.user.id)
    user.role = "reviewer"
    db.session.commit()
    assert poll(polling).status_code == 403


def test_polling_does_not_keep_an_idle_session_alive(app, polling, factory):
    almost_idle = utcnow() - timedelta(minutes=29)
    change_session(polling.user, last_seen_at=almost_idle)
    assert poll(polling).status_code == 204                       # unchanged
    assert the_session(polling.user).last_seen_at == almost_idle
    invoice_id = first_invoice_id(polling)
    assert the_session(polling.user).last_seen_at > almost_idle   # the page itself counts
    change_session(polling.user, last_seen_at=almost_idle)
    ask_for_complement(app, invoice_id, factory)
    assert poll(polling).status_code == 200                       # changed: rendered
    assert the_session(polling.user).last_seen_at == almost_idle
    change_session(polling.user, last_seen_at=utcnow() - timedelta(minutes=31))
    assert goes_to_login(poll(polling))


@pytest.fixture
def default_limit_for_this_test():
    """Flask-Limiter keeps default limits on its (global) extension object: taken away after
    the test, so that no other test inherits them."""
    from guichet.core.extensions import limiter
    yield
    limiter.limit_manager.set_default_limits([])


@pytest.mark.config(RATELIMIT_DEFAULT="8 per minute")
def test_polling_is_exempt_from_rate_limits(default_limit_for_this_test, polling):
    assert [poll(polling).status_code for _ in range(12)] == [204] * 12
    pages = [polling.get("/demandes/").status_code for _ in range(12)]
    assert 429 in pages  # the same limit applies to the page


def test_every_change_to_invoices_or_beneficiaries_moves_only_the_owners_list_version(app,
                                                                                       factory):
    anna, berta = factory.user(), factory.user()

    def stamps():
        db.session.expire_all()
        return services.list_stamp(anna), services.list_stamp(berta)
    seen = [stamps()]

    def moved() -> tuple[bool, bool]:
        seen.append(stamps())
        return seen[-1][0] != seen[-2][0], seen[-1][1] != seen[-2][1]

    invoice = Invoice(user_id=anna.id, invoice_type="standard", fields={}, remark="")
    db.session.add(invoice)
    db.session.commit()
    assert moved() == (True, False)
    invoice.status = "submitted"
    db.session.commit()
    assert moved() == (True, False)
    invoice.remark = "Une remarque"
    db.session.rollback()
    assert moved() == (False, False)  # nothing written
    child = Beneficiary(user_id=berta.id, navs13="7561234567897", nom="Muster", prenom="Lina",
                        date_naissance=utcnow().date(), relation="child")
    db.session.add(child)
    db.session.commit()
    assert moved() == (False, True)
    child.removed_at = utcnow()
    db.session.commit()
    assert moved() == (False, True)
    db.session.delete(db.session.get(Invoice, invoice.id))
    db.session.commit()
    assert moved() == (True, False)


# --- the home page's list, kept while nothing it shows changes ---------------------------------

def test_the_list_is_rendered_once_while_nothing_changes(polling, rendered):
    first = polling.get("/demandes/").get_data(as_text=True)
    rendered.clear()
    again = polling.get("/demandes/").get_data(as_text=True)
    assert rendered == ["invoices/list.html"]  # the page around it, not the list
    assert re.sub(r'value="[^"]*"|X-CSRFToken[^}]*', "", again) == re.sub(
        r'value="[^"]*"|X-CSRFToken[^}]*', "", first)
    polling.get("/demandes/?page=2")
    assert "invoices/_list.html" in rendered  # another page is another list


CHANGES = {"a new draft": "Brouillon — continuer",
           "the office asks for more": "À compléter",
           "the holder's name": "Annabelle Muster,"}


@pytest.mark.parametrize("what", list(CHANGES))
def test_the_home_page_shows_each_change_at_once(app, polling, factory, what):
    assert CHANGES[what] not in page_text(polling.get("/demandes/"))
    if what == "a new draft":
        assert polling.post("/demandes/nouvelle", data={"type": "standard"}).status_code == 303
    elif what == "the office asks for more":
        ask_for_complement(app, first_invoice_id(polling), factory)
    else:
        holder = db.session.scalars(select(Beneficiary).where(
            Beneficiary.user_id == polling.user.id)).one()
        holder.prenom = "Annabelle"
        db.session.commit()
    assert CHANGES[what] in page_text(polling.get("/demandes/"))


def test_two_people_never_see_each_others_list(app, polling, factory, sms):
    from tests.support.accounts import login
    other = factory.user(email="berta@example.ch", prenom="Berta")
    second = app.test_client()
    login(second, other, sms)
    mine = page_text(polling.get("/demandes/"))
    theirs = page_text(second.get("/demandes/"))
    assert "Aucune demande pour le moment" in theirs and "Aucune demande" not in mine
    assert "Aucune demande" not in page_text(polling.get("/demandes/"))
