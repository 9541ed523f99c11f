"""Every form survives random, oversized, duplicated and invalid-UTF-8 input (security.md 13):
a French answer, never a 500, and nothing written unless the input was acceptable."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from guichet.models import AuditEntry, AuthSession, OutboxMessage, SmsCode, User
from guichet.models.base import db
from tests.support.accounts import PASSWORD, login, registration_form

pytestmark = pytest.mark.config(RATELIMIT_ENABLED=False)

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
ACCEPTABLE = {200, 303, 400, 413, 422}
FRENCH_ERROR = ("Veuillez corriger ce qui suit", "Requête incorrecte", "trop volumineux",
                "Ce lien n'est plus valable", "Ce lien n&#39;est plus valable")

# Any text a browser could send: every code point but lone surrogates (not encodable).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
nasty_text = st.one_of(
    any_text,
    st.sampled_from(["", " ", "\x00", "a\x00b", "\r\n", "\u202e", "é" * 5, "0" * 300,
                     "<script>alert(1)</script>", "' OR 1=1 --", "%00", "\ufffd",
                     "7561234567897", "+41 79 555 12 34", "31.02.2000", "𝟕𝟓𝟔"]),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1000, max_size=3000),
)
field_value = st.one_of(nasty_text, st.lists(nasty_text, min_size=2, max_size=3))  # duplicated

REGISTER_FIELDS = ["email", "password", "password_confirm", "mobile", "navs13", "civilite",
                   "nom", "prenom", "date_naissance", "rue", "npa", "localite", "pays"]


def counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, AuthSession, OutboxMessage, SmsCode, AuditEntry)}


def check_answer(response):
    assert response.status_code in ACCEPTABLE, response.status_code
    if response.status_code in (400, 413, 422):
        body = response.get_data(as_text=True)
        assert any(text in body for text in FRENCH_ERROR), body[:500]


raw_bodies = st.one_of(
    st.binary(max_size=400),
    st.lists(st.tuples(st.sampled_from(REGISTER_FIELDS + ["code", "current_password", "x"]),
                       st.binary(max_size=40)), max_size=8).map(
        lambda pairs: b"&".join(k.encode() + b"=" + v for k, v in pairs)),
    st.just(b"email=%ff%fe%fd&password=%c3%28%a0%a1&nom=%e2%82&prenom=\xff\xfe"),
)


def post_raw(client, url, body: bytes):
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


# --- registration ------------------------------------------------------------------------

def test_registration_form_survives_anything(app, factory, sms):
    person = factory.person()

    @FUZZ
    @given(changes=st.dictionaries(st.sampled_from(REGISTER_FIELDS + ["extra"]), field_value,
                                   min_size=1, max_size=4))
    @example(changes={"prenom": "An\x00na"})  # PostgreSQL refuses NUL in text
    @example(changes={"rue": "Rue\x00 du Seyon", "localite": "Neu\x00châtel"})
    @example(changes={"pays": "FR", "npa": "75\x00001"})
    @example(changes={"nom": ["Muster", "Autre"], "email": ["a@example.ch", "b@example.ch"]})
    def run(changes):
        before = counts()
        data = {**registration_form(person), **changes}
        response = app.test_client().post("/inscription", data=data)
        check_answer(response)
        if response.status_code != 303:
            assert counts() == before
        else:
            assert counts()["User"] <= 1

    run()


def test_registration_survives_raw_bytes(app, factory):
    factory.person()

    @FUZZ
    @given(body=raw_bodies)
    def run(body):
        before = counts()
        response = post_raw(app.test_client(), "/inscription", body)
        check_answer(response)
        assert counts() == before

    run()


def test_field_check_survives_anything(app):
    @FUZZ
    @given(name=st.sampled_from(REGISTER_FIELDS + ["x", "csrf_token", "__class__"]),
           value=field_value)
    def run(name, value):
        before = counts()
        response = app.test_client().post(f"/inscription/verifier/{quote(name)}",
                                          data={name: value})
        assert response.status_code in (200, 204, 404, 413), response.status_code
        assert counts() == before

    run()


# --- login, code, forgot, reset ----------------------------------------------------------

def test_login_survives_anything(app, factory):
    user = factory.user()

    @FUZZ
    @given(email=st.one_of(nasty_text, st.just(user.email)), password=field_value,
           extra=st.dictionaries(st.sampled_from(["next", "email", "x"]), field_value,
                                 max_size=2))
    def run(email, password, extra):
        before = counts()
        response = app.test_client().post("/connexion",
                                          data={"email": email, "password": password, **extra})
        check_answer(response)
        assert response.status_code != 303
        after = counts()
        assert after["AuthSession"] == before["AuthSession"]
        assert after["SmsCode"] == before["SmsCode"] and after["User"] == before["User"]

    run()


def test_login_survives_raw_bytes(app, factory):
    factory.user()

    @FUZZ
    @given(body=raw_bodies)
    def run(body):
        before = counts()
        check_answer(post_raw(app.test_client(), "/connexion", body))
        assert counts()["AuthSession"] == before["AuthSession"]

    run()


def test_code_step_survives_anything(app, factory, sms):
    user = factory.user()
    client = app.test_client()
    client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    code = sms.last_code(user.phone)

    @FUZZ
    @given(value=field_value, raw=st.one_of(st.none(), raw_bodies))
    def run(value, raw):
        if raw is not None:
            response = post_raw(client, "/connexion/code", raw)
        else:
            response = client.post("/connexion/code", data={"code": value})
        check_answer(response)
        assert client.get("/demandes/").status_code == 302

    run()
    assert code  # a real code was sent; random input never matched it


def test_forgot_password_survives_anything(app, factory, mailbox):
    factory.user(email="anna@example.ch")

    @FUZZ
    @given(email=field_value, raw=st.one_of(st.none(), raw_bodies))
    def run(email, raw):
        before = counts()
        client = app.test_client()
        response = (post_raw(client, "/mot-de-passe-oublie", raw) if raw is not None
                    else client.post("/mot-de-passe-oublie", data={"email": email}))
        check_answer(response)
        assert counts()["OutboxMessage"] == before["OutboxMessage"]

    run()


def test_reset_survives_anything(app, factory):
    user = factory.user()

    @FUZZ
    @given(token=any_text.filter(bool), password=field_value, confirm=field_value)
    def run(token, password, confirm):
        before = user.password_hash
        response = app.test_client().post(f"/mot-de-passe/nouveau/{quote(token, safe='')}",
                                          data={"password": password,
                                                "password_confirm": confirm})
        assert response.status_code in (400, 404), response.status_code
        db.session.refresh(user)
        assert user.password_hash == before

    run()


# --- « Mon compte » ----------------------------------------------------------------------

PROFILE_FIELDS = ["civilite", "nom", "prenom", "date_naissance", "navs13", "rue", "npa",
                  "localite", "pays"]


def test_profile_forms_survive_anything(app, factory, sms):
    user = factory.user()
    client = app.test_client()
    assert login(client, user, sms).status_code == 303
    valid = {"civilite": "madame", "nom": user.nom, "prenom": user.prenom,
             "date_naissance": user.date_naissance.strftime("%d.%m.%Y"), "navs13": user.navs13,
             "rue": user.rue, "npa": user.npa, "localite": user.localite, "pays": user.pays}
    urls = ["/compte/", "/compte/email", "/compte/portable", "/compte/mot-de-passe"]
    identity = ("navs13", "email", "phone", "password_hash", "date_naissance")

    @FUZZ
    @example(url="/compte/", changes={"rue": "Rue\x00 1"}, raw=None)
    @given(url=st.sampled_from(urls),
           changes=st.dictionaries(st.sampled_from(PROFILE_FIELDS + [
               "email", "mobile", "current_password", "password", "password_confirm"]),
               field_value, min_size=1, max_size=4),
           raw=st.one_of(st.none(), raw_bodies))
    def run(url, changes, raw):
        db.session.refresh(user)
        before = {name: getattr(user, name) for name in identity}
        response = (post_raw(client, url, raw) if raw is not None
                    else client.post(url, data={**valid, **changes}))
        check_answer(response)
        db.session.refresh(user)
        assert {name: getattr(user, name) for name in identity} == before
        assert client.get("/compte/").status_code == 200  # still logged in, page still renders

    run()
