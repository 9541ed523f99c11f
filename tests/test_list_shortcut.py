"""The home page and its polling, answered before Flask while nothing changed
(guichet/invoices/shortcut.py): never a stale list, name or message, never for a session that
ended, the same headers as Flask's own answer, and Flask again whenever in doubt."""
from __future__ import annotations

import functools
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from guichet.extensions import db
from guichet.invoices.shortcut import LiveSessionQuery, PageCache
from guichet.invoices import services
from guichet.models import AuthSession, Beneficiary, Invoice, User, utcnow
from tests.conftest import page_text
from tests.test_invoice_lifecycle import ask_for_complement, complete_standard
from tests.test_invoice_types import (  # noqa: F401  (ready is a fixture)
    new_invoice, ready, send)

LIST_VIEWS = ("invoices.list_invoices", "invoices.poll_invoices")


@pytest.fixture
def rendered(app):
    """The list views Flask ran, in order (the shortcut answers without them)."""
    calls: list[str] = []
    for endpoint in LIST_VIEWS:
        view = app.view_functions[endpoint]

        @functools.wraps(view)  # keeps the access marks
        def counted(*args, _view=view, _endpoint=endpoint, **kwargs):
            calls.append(_endpoint)
            return _view(*args, **kwargs)
        app.view_functions[endpoint] = counted
    return calls


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


def warm_home_page(client) -> str:
    """Home page requests until one comes from the cache (the first may set the CSRF cookie)."""
    for _ in range(3):
        client.get("/demandes/")
    return client.get("/demandes/").get_data(as_text=True)


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


# --- the poll ---------------------------------------------------------------------------------

def test_an_unchanged_poll_gets_flasks_own_204_without_running_the_view(app, polling, rendered,
                                                                       monkeypatch):
    fast = poll(polling)
    assert fast.status_code == 204 and fast.data == b""
    assert rendered == []
    monkeypatch.setattr(app.wsgi_app, "_live_session", lambda environ: None)
    slow = poll(polling)
    assert rendered == ["invoices.poll_invoices"]
    assert slow.status_code == 204
    assert sorted(fast.headers.items()) == sorted(slow.headers.items())
    assert fast.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert fast.headers["Cache-Control"] == "no-store"


def test_a_poll_after_the_office_acts_gets_the_new_list(app, polling, factory, rendered):
    invoice_id = int(re.search(r"/demandes/(\d+)/pdf", polling.get("/demandes/").get_data(
        as_text=True))[1])
    ask_for_complement(app, invoice_id, factory)
    changed = poll(polling)
    assert changed.status_code == 200 and "À compléter" in page_text(changed)
    assert rendered[-1] == "invoices.poll_invoices"


def test_a_poll_with_an_old_or_strange_stamp_gets_the_list(polling):
    for url in ("/demandes/liste?stamp=1-1-2020", "/demandes/liste", "/demandes/liste?stamp="):
        response = polling.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200 and 'class="invoice-list"' in response.get_data(
            as_text=True)


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
    assert rendered == []  # refused before the view


def test_a_poll_from_office_staff_is_refused(polling):
    user = db.session.get(User, polling.user.id)
    user.role = "reviewer"
    db.session.commit()
    assert poll(polling).status_code == 403


def test_polling_does_not_keep_an_idle_session_alive(app, polling, factory):
    almost_idle = utcnow() - timedelta(minutes=29)
    change_session(polling.user, last_seen_at=almost_idle)
    assert poll(polling).status_code == 204                      # unchanged
    invoice_id = int(re.search(r"/demandes/(\d+)/pdf", polling.get("/demandes/").get_data(
        as_text=True))[1])
    assert the_session(polling.user).last_seen_at > almost_idle   # the page itself counts
    change_session(polling.user, last_seen_at=almost_idle)
    ask_for_complement(app, invoice_id, factory)
    assert poll(polling).status_code == 200                      # changed: Flask renders it
    assert the_session(polling.user).last_seen_at == almost_idle
    change_session(polling.user, last_seen_at=utcnow() - timedelta(minutes=31))
    assert goes_to_login(poll(polling))


# --- the home page ----------------------------------------------------------------------------

def test_the_home_page_is_rendered_once_while_nothing_changes(polling, rendered):
    first = warm_home_page(polling)
    rendered.clear()
    again = [polling.get("/demandes/") for _ in range(3)]
    assert rendered == []
    assert all(response.status_code == 200 and response.get_data(as_text=True) == first
               for response in again)
    assert again[0].headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in again[0].headers
    assert polling.get("/demandes/?page=2").status_code == 200
    assert rendered == ["invoices.list_invoices"]  # another page is another entry


CHANGES = {"a new draft": "Brouillon — continuer",
           "the office asks for more": "À compléter",
           "the holder's name": "Bonjour Annabelle Muster.",
           "the e-mail address waits for its confirmation":
               "Dernière étape : confirmez votre adresse e-mail"}


def change_the_account(app, client, what: str) -> None:
    """Changes something the home page shows (``CHANGES[what]`` then appears)."""
    user = db.session.get(User, client.user.id)
    if what == "a new draft":
        new_invoice(client, "deplacement")
        return
    if what == "the office asks for more":
        invoice_id = int(re.search(r"/demandes/(\d+)/pdf", client.get("/demandes/").get_data(
            as_text=True))[1])
        from tests.conftest import Factory
        ask_for_complement(app, invoice_id, Factory())
        return
    if what == "the holder's name":
        holder = db.session.scalars(select(Beneficiary).where(
            Beneficiary.user_id == user.id)).one()
        user.prenom = holder.prenom = "Annabelle"
        db.session.commit()
        return
    if what == "the e-mail address waits for its confirmation":
        user.email_confirmed_at = None
        db.session.commit()
        return
    raise AssertionError(what)


@pytest.mark.parametrize("what", list(CHANGES))
def test_the_home_page_shows_each_change_at_once(app, polling, what):
    warm_home_page(polling)
    assert CHANGES[what] not in page_text(polling.get("/demandes/"))
    change_the_account(app, polling, what)
    assert CHANGES[what] in page_text(polling.get("/demandes/"))


def test_a_flashed_message_shows_once_even_over_a_kept_page(polling):
    warm_home_page(polling)
    with polling.session_transaction() as session:
        session["_flashes"] = [("info", "Message de l'office pour test")]
    assert "Message de l'office pour test" in page_text(polling.get("/demandes/"))
    assert "Message de l'office pour test" not in page_text(polling.get("/demandes/"))


def test_after_logging_out_the_old_cookie_gets_no_page(polling):
    warm_home_page(polling)
    old_cookie = polling.get_cookie("guichet_session").value
    assert polling.post("/deconnexion").status_code == 303
    polling.set_cookie("guichet_session", old_cookie)
    replayed = polling.get("/demandes/")
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/connexion")
    assert goes_to_login(poll(polling))


def test_two_people_never_see_each_others_page(app, polling, factory, sms):
    from tests.conftest import login
    other = factory.user(email="berta@example.ch", prenom="Berta")
    second = app.test_client()
    login(second, other, sms)
    warm_home_page(polling)
    assert "Bonjour Berta" in page_text(second.get("/demandes/"))
    assert "Bonjour Anna" in page_text(polling.get("/demandes/"))
    assert "Bonjour Berta" in page_text(second.get("/demandes/"))


def test_a_kept_home_page_still_moves_the_idle_timer(polling, rendered):
    warm_home_page(polling)
    five_minutes_ago = utcnow() - timedelta(minutes=5)
    change_session(polling.user, last_seen_at=five_minutes_ago)
    rendered.clear()
    assert polling.get("/demandes/").status_code == 200
    assert the_session(polling.user).last_seen_at > five_minutes_ago + timedelta(minutes=4)
    assert rendered == ["invoices.list_invoices"]


@pytest.mark.config(HOME_PAGE_CACHE_SIZE=0)
def test_with_the_page_cache_off_every_home_page_is_rendered(polling, rendered):
    warm_home_page(polling)
    assert rendered == ["invoices.list_invoices"] * 4
    assert poll(polling).status_code == 204  # the poll's shortcut keeps working


def test_a_database_failure_in_the_shortcut_lets_flask_answer(polling, rendered, monkeypatch,
                                                              caplog):
    def broken(self, token, limits):
        raise RuntimeError("database went away")
    monkeypatch.setattr(LiveSessionQuery, "run", broken)
    assert polling.get("/demandes/").status_code == 200
    assert poll(polling).status_code == 204
    assert rendered == ["invoices.list_invoices", "invoices.poll_invoices"]
    assert "List shortcut failed" in caplog.text


def test_the_page_cache_forgets_the_least_recently_used_page():
    cache = PageCache(size=2)
    for name in ("a", "b"):
        cache.put((name, ""), (1,), "200 OK", [], name.encode())
    assert cache.get(("a", ""), (1,)) == ("200 OK", [], b"a")  # "a" used last: "b" goes
    cache.put(("c", ""), (1,), "200 OK", [], b"c")
    assert cache.get(("b", ""), (1,)) is None and len(cache) == 2
    assert cache.get(("a", ""), (2,)) is None  # another fingerprint: not this page
    cache.forget("a")
    assert cache.get(("a", ""), (1,)) is None and len(cache) == 1


def test_a_cookie_past_its_lifetime_is_refused_even_if_accepted_a_moment_ago(app, polling):
    assert poll(polling).status_code == 204
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=-1)  # any age is too old
    assert goes_to_login(poll(polling))


# --- the list's version -----------------------------------------------------------------------

def test_every_change_to_invoices_or_beneficiaries_moves_only_the_owners_list_version(app,
                                                                                       factory):
    anna, berta = factory.user(), factory.user()
    seen = [(services.list_stamp(anna), services.list_stamp(berta))]

    def moved() -> tuple[bool, bool]:
        seen.append((services.list_stamp(anna), services.list_stamp(berta)))
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
