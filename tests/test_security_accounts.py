"""Accounts (security.md 1–3): the password policy wherever a password is chosen, Argon2id storage
and rehashing, answers that do not reveal who has an account, and throttling."""
from __future__ import annotations

import re

import argon2
import pytest
from sqlalchemy import select

from guichet.models import AuthSession, OutboxMessage, User
from guichet.models.base import db
from tests.support.accounts import PASSWORD, registration_form
from tests.support.databases import count
from tests.support.mail import reset_link
from tests.support.page import page_text

SHORT = "Velo rouge1"  # 11 characters
COMMON = "ILoveYou1000"  # in the shipped list (compared case-insensitively)
LONGEST = ("vélo rouge sous la pluie, neige au col " * 7)[:256]  # 256 characters, é is one



def bad_passwords(email: str, navs13: str) -> list[tuple[str, str]]:
    """(password, the French reason shown) for each way a new password is refused."""
    return [
        (SHORT, "au moins 12 caractères"),
        (COMMON, "trop courant"),
        (f"ma boite {email} a moi", "votre adresse e-mail"),
        (f"mon numero {navs13[:3]}.{navs13[3:7]}.{navs13[7:11]}.{navs13[11:]} !", "N° AVS"),
        (LONGEST + "y", "ne doit pas dépasser 256 caractères"),
    ]


# --- 1. Password policy --------------------------------------------------------------------

@pytest.mark.sqlite_only
def test_registration_refuses_weak_passwords_and_creates_nothing(client, factory, sms):
    person = factory.person()
    for password, reason in bad_passwords("lea@example.ch", person.navs13):
        response = client.post("/inscription", data=registration_form(
            person, password=password, password_confirm=password))
        assert response.status_code == 422, password
        assert reason in page_text(response), password
    assert count(User) == 0
    assert sms.received == []


@pytest.mark.sqlite_only
def test_registration_accepts_a_256_character_password(client, factory, sms):
    person = factory.person()
    response = client.post("/inscription", data=registration_form(
        person, password=LONGEST, password_confirm=LONGEST))
    assert response.status_code == 303
    user = db.session.scalar(select(User))
    assert user.password_hash.startswith("$argon2id$")
    assert LONGEST not in user.password_hash
    assert argon2.PasswordHasher().verify(user.password_hash, LONGEST)


@pytest.mark.sqlite_only
def test_reset_applies_the_policy(client, factory, mailbox):
    user = factory.user(email="anna@example.ch")
    before = user.password_hash
    path = reset_link(client, mailbox, user.email)
    for password, reason in bad_passwords(user.email, user.navs13):
        response = client.post(path, data={"password": password, "password_confirm": password})
        assert response.status_code == 422, password
        assert reason in page_text(response), password
    db.session.refresh(user)
    assert user.password_hash == before
    response = client.post(path, data={"password": LONGEST, "password_confirm": LONGEST})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.password_hash != before and user.password_hash.startswith("$argon2id$")


@pytest.mark.sqlite_only
def test_change_applies_the_policy(logged_in, mailbox):
    user = logged_in.user
    before = user.password_hash
    for password, reason in bad_passwords(user.email, user.navs13):
        response = logged_in.post("/compte/mot-de-passe", data={
            "current_password": PASSWORD, "password": password, "password_confirm": password})
        assert response.status_code == 422, password
        assert reason in page_text(response), password
    db.session.refresh(user)
    assert user.password_hash == before
    response = logged_in.post("/compte/mot-de-passe", data={
        "current_password": PASSWORD, "password": LONGEST, "password_confirm": LONGEST})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.password_hash != before


def _old_cost_hash(password: str) -> str:
    return argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1,
                                 type=argon2.Type.ID).hash(password)


@pytest.mark.config(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=2048)
def test_login_rehashes_when_the_parameters_changed(client, factory, sms):
    user = factory.user()
    user.password_hash = _old_cost_hash(PASSWORD)
    db.session.commit()
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$v=19$m=2048,t=2,p=1$")
    assert argon2.PasswordHasher().verify(user.password_hash, PASSWORD)


@pytest.mark.sqlite_only
def test_login_keeps_a_hash_with_current_parameters(client, factory, sms):
    user = factory.user()
    user.password_hash = _old_cost_hash(PASSWORD)  # the test app's own parameters
    db.session.commit()
    before = user.password_hash
    assert client.post("/connexion", data={"email": user.email,
                                           "password": PASSWORD}).status_code == 303
    db.session.refresh(user)
    assert user.password_hash == before


@pytest.mark.sqlite_only
@pytest.mark.config(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=2048)
def test_wrong_password_does_not_rehash(client, factory):
    user = factory.user()
    user.password_hash = _old_cost_hash(PASSWORD)
    db.session.commit()
    response = client.post("/connexion", data={"email": user.email,
                                               "password": "pas le bon du tout"})
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")


# --- 2. No enumeration ---------------------------------------------------------------------

@pytest.fixture
def hash_calls(monkeypatch):
    """Counts Argon2 work: {'hash': n, 'verify': n}, reset with .clear()."""
    calls = {"hash": 0, "verify": 0}
    real_hash, real_verify = argon2.PasswordHasher.hash, argon2.PasswordHasher.verify

    def counting_hash(self, *args, **kwargs):
        calls["hash"] += 1
        return real_hash(self, *args, **kwargs)

    def counting_verify(self, *args, **kwargs):
        calls["verify"] += 1
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(argon2.PasswordHasher, "hash", counting_hash)
    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting_verify)
    return calls


def _registration_outcome(app, data):
    """Status, Location and the text of the page it leads to, for a fresh browser."""
    client = app.test_client()
    response = client.post("/inscription", data=data)
    following = client.get(response.headers.get("Location", "/inscription"))
    return response.status_code, response.headers.get("Location"), page_text(following)


def test_registration_answers_the_same_whoever_registers(app, factory, sms, mailbox, hash_calls):
    owner = factory.user(email="lea@example.ch")
    users_before = count(User)
    unknown = factory.person()  # will be removed from the register below
    unknown_data = registration_form(unknown, email="new1@example.ch", mobile="079 111 12 34")
    db.session.delete(unknown)
    db.session.commit()
    newcomer = factory.person(nom="Rossi")
    # Same masked number everywhere (079 *** ** 34): only the middle digits differ.
    cases = {
        "not in register": unknown_data,
        "e-mail taken": registration_form(factory.person(nom="Weber"), email=owner.email,
                                          mobile="079 222 12 34"),
        "valid newcomer": registration_form(newcomer, email="new3@example.ch",
                                            mobile="079 333 12 34"),
    }
    outcomes = {}
    for name, data in cases.items():
        hash_calls.update(hash=0, verify=0)
        outcomes[name] = _registration_outcome(app, data)
        assert hash_calls["hash"] == 1, name
    first = outcomes["valid newcomer"]
    assert first[0] == 303 and first[1] == "/connexion/code"
    assert "Code de confirmation" in first[2]
    for name, outcome in outcomes.items():
        assert outcome == first, name
    assert count(User) == users_before + 1
    assert db.session.scalar(select(User).where(User.email == "new3@example.ch")) is not None
    assert db.session.scalar(select(User).where(User.email == "new1@example.ch")) is None
    [notice] = mailbox.to(owner.email)
    assert notice.subject.startswith("Tentative d'inscription")
    assert sms.to("+41793331234") and not sms.to("+41791111234") and not sms.to("+41792221234")


def test_registration_with_a_taken_avs_number_mails_the_owner(client, factory, mailbox, sms):
    owner = factory.user(email="anna@example.ch")
    data = registration_form(owner, email="other@example.ch")
    response = client.post("/inscription", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/connexion/code"
    assert db.session.scalar(select(User).where(User.email == "other@example.ch")) is None
    [notice] = mailbox.to("anna@example.ch")
    assert "Tentative d'inscription" in notice.subject
    assert "https://guichet.example.ch/connexion" in notice.text
    assert mailbox.to("other@example.ch") == []


def test_resend_answers_the_same_for_a_phantom_registration(app, factory, sms):
    """« J'ai besoin d'un nouveau code » says the same for a real and an unknown registration."""
    real = app.test_client()
    real.post("/inscription", data=registration_form(factory.person(), mobile="079 444 12 34"))
    unknown_person = factory.person()
    data = registration_form(unknown_person, email="x@example.ch", mobile="079 555 12 34")
    db.session.delete(unknown_person)
    db.session.commit()
    phantom = app.test_client()
    phantom.post("/inscription", data=data)
    answers = [page_text(c.post("/connexion/code/renvoi", follow_redirects=True))
               for c in (real, phantom)]
    # the two codes were sent a moment apart: their waits may read one second apart
    waits = [int(re.search(r"nouveau code dans (\d+) secondes", answer).group(1))
             for answer in answers]
    assert abs(waits[0] - waits[1]) <= 1
    same = [re.sub(r"dans \d+ secondes", "dans … secondes", answer) for answer in answers]
    assert same[0] == same[1]
    assert "Vous pourrez demander un nouveau code dans" in answers[0]


def test_login_unknown_email_and_wrong_password_look_the_same(app, factory, hash_calls):
    user = factory.user(email="anna@example.ch")
    hash_calls.update(hash=0, verify=0)
    wrong = app.test_client().post("/connexion", data={"email": user.email,
                                                       "password": "pas le bon mot de passe"})
    work_for_wrong = dict(hash_calls)
    app.test_client().post("/connexion", data={"email": "warmup@example.ch",
                                               "password": "x" * 12})  # makes the dummy hash
    hash_calls.update(hash=0, verify=0)
    unknown = app.test_client().post("/connexion", data={"email": "nobody@example.ch",
                                                         "password": "pas le bon mot de passe"})
    assert hash_calls == work_for_wrong == {"hash": 0, "verify": 1}
    assert wrong.status_code == unknown.status_code == 422
    strip = lambda r: page_text(r).replace("anna@example.ch", "@").replace("nobody@example.ch", "@")
    assert strip(wrong) == strip(unknown)
    assert "E-mail ou mot de passe incorrect" in page_text(wrong)
    assert count(AuthSession) == 0


def test_forgot_password_answers_the_same_for_known_and_unknown(app, factory, mailbox):
    factory.user(email="anna@example.ch")
    known = app.test_client().post("/mot-de-passe-oublie", data={"email": "anna@example.ch"})
    unknown = app.test_client().post("/mot-de-passe-oublie", data={"email": "zoe@example.ch"})
    assert known.status_code == unknown.status_code == 200
    assert (page_text(known).replace("anna@example.ch", "@")
            == page_text(unknown).replace("zoe@example.ch", "@"))
    assert len(mailbox.to("anna@example.ch")) == 1
    assert mailbox.to("zoe@example.ch") == []
    assert count(OutboxMessage) == 1


# --- 3. Throttling -------------------------------------------------------------------------

def assert_throttled(response):
    assert response.status_code == 429
    text = page_text(response)
    assert "Trop de tentatives" in text and "Réessayez plus tard" in text


@pytest.mark.config(RATELIMIT_LOGIN_PER_ACCOUNT="3 per hour")
def test_login_per_account_limit_stops_even_the_right_password(app, factory, sms):
    user = factory.user(email="anna@example.ch")
    other = factory.user(email="bob@example.ch")
    for n, spelling in enumerate(["anna@example.ch", "Anna@Example.ch", " anna@example.ch"]):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        assert client.post("/connexion", data={"email": spelling,
                                               "password": "faux mot de passe"}
                           ).status_code == 422
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert_throttled(client.post("/connexion", data={"email": user.email, "password": PASSWORD}))
    assert sms.to(user.phone) == []
    assert count(AuthSession) == 0
    # another account from the same address is not affected
    assert client.post("/connexion", data={"email": other.email,
                                           "password": PASSWORD}).status_code == 303


@pytest.mark.sqlite_only
@pytest.mark.config(RATELIMIT_LOGIN_PER_IP="3 per hour")
def test_login_per_ip_limit(app, factory, sms):
    user = factory.user()
    client = app.test_client()
    for n in range(3):
        assert client.post("/connexion", data={"email": f"x{n}@example.ch",
                                               "password": "faux mot de passe"}
                           ).status_code == 422
    assert_throttled(client.post("/connexion", data={"email": user.email, "password": PASSWORD}))
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert elsewhere.post("/connexion", data={"email": user.email,
                                              "password": PASSWORD}).status_code == 303


@pytest.mark.sqlite_only
@pytest.mark.config(RATELIMIT_REGISTER_PER_IP="2 per hour")
def test_registration_per_mobile_limit(app, factory, sms):
    """The same number written three ways from three addresses is one number."""
    spellings = ["079 555 12 34", "+41 79 555 12 34", "0041795551234"]
    statuses = []
    for n, mobile in enumerate(spellings):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{30 + n}"
        response = client.post("/inscription", data=registration_form(
            factory.person(), email=f"p{n}@example.ch", mobile=mobile))
        statuses.append(response.status_code)
        last = response
    assert statuses[:2] == [303, 303]
    assert_throttled(last)
    assert db.session.scalar(select(User).where(User.email == "p2@example.ch")) is None
