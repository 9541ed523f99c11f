"""The first day of a new insured person (issue 8, item 5): signing up, adding an IBAN, then
logging in on the phone and on the computer within the hour works without a lock-out; a step-up
shortly after a login needs no new code; when no new code can be sent the last valid one keeps
working, and the page says only that, with the time a code can be asked again; the hourly
limits count per number and per IP."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from guichet.models import AuditEntry, AuthSession, BankAccount, SmsCode, utcnow
from guichet.models.base import db
from guichet.models.codes import PURPOSE_LOGIN
from guichet.verification.codes import clock_time
from tests.support.accounts import (PASSWORD, age_second_factor, registration_form, retry_words,
                                    start_login, time_passes)
from tests.support.page import page_text

UBS = "CH56 0483 5012 3456 7800 9"
MOBILE = "+41795551234"
CONTRADICTION = ("Nous avons envoyé un code", "Aucun nouveau code n'a pu être envoyé")


def add_iban(client):
    return client.post("/compte/iban/", data={"iban": UBS, "holder": "Léa Muster",
                                              "current_password": PASSWORD})


def log_in(client, email):
    """Password, then the SMS code the page asks for; True when the person got in."""
    client.post("/connexion", data={"email": email, "password": PASSWORD})
    page = page_text(client.get("/connexion/code"))
    assert not all(text in page for text in CONTRADICTION), page
    codes = db.session.scalars(select(SmsCode).where(SmsCode.phone == MOBILE)
                               .order_by(SmsCode.id)).all()
    return page, codes


def test_sign_up_add_an_iban_then_phone_and_computer_within_the_hour(app, factory, sms):
    person = factory.person()
    computer = app.test_client()
    computer.post("/inscription", data=registration_form(person))
    response = computer.post("/connexion/code", data={"code": sms.last_code(MOBILE)})
    assert response.headers["Location"] == "/demandes/"

    # right after: the IBAN is added with the password alone, no code, no « patientez »
    time_passes(2)
    response = add_iban(computer)
    assert response.status_code == 303 and response.headers["Location"] == "/compte/iban/"
    listing = page_text(computer.get("/compte/iban/"))
    assert "L'IBAN a été ajouté" in listing and "CH56 **** **** **** *800 9" in listing
    assert "patientez" not in listing.lower()
    assert db.session.scalar(select(BankAccount)).confirmed_at is not None
    assert len(sms.to(MOBILE)) == 1

    # then the phone, then the computer again, then the phone once more: every login gets in
    for minutes in (10, 12, 15):
        time_passes(minutes)
        client = app.test_client()
        client.post("/connexion", data={"email": "lea@example.ch", "password": PASSWORD})
        page = page_text(client.get("/connexion/code"))
        assert "Saisissez le code à 6 chiffres envoyé par SMS au 079 *** ** 34" in page
        assert not any(text in page for text in CONTRADICTION)
        response = client.post("/connexion/code", data={"code": sms.last_code(MOBILE)})
        assert response.status_code == 303 and response.headers["Location"] == "/demandes/"
    assert len(sms.to(MOBILE)) == 4  # within 39 minutes, under the 5 an hour


@pytest.mark.config(SMS_COOLDOWN_SECONDS=0)
def test_when_no_code_can_be_sent_the_last_valid_code_still_works(app, factory, sms):
    user = factory.user(phone=MOBILE)
    phone = app.test_client()
    start_login(phone, user)
    for _ in range(4):  # five codes in the hour: the limit of the number
        phone.post("/connexion/code/renvoi")
    last = sms.last_code(MOBILE)
    first_sent = db.session.scalar(select(func.min(SmsCode.created_at)))
    live = db.session.scalars(select(SmsCode).order_by(SmsCode.id.desc())).first()

    computer = app.test_client()
    start_login(computer, user)
    assert len(sms.to(MOBILE)) == 5  # none more
    page = page_text(computer.get("/connexion/code"))
    assert (f"Saisissez le code à 6 chiffres envoyé par SMS au 079 *** ** 34 à "
            f"{clock_time(live.created_at)}. Il est valable jusqu'à "
            f"{clock_time(live.expires_at)}.") in page
    assert ("Vous pourrez demander un nouveau code "
            f"{retry_words(first_sent + timedelta(hours=1))}") in page
    assert not any(text in page for text in CONTRADICTION)
    response = computer.post("/connexion/code", data={"code": last})
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"


@pytest.mark.config(SMS_COOLDOWN_SECONDS=0)
def test_a_session_with_a_code_of_its_own_does_not_borrow_another(app, factory, sms):
    """Borrowing is only for a login that could get no code: one that got its own keeps to it."""
    user = factory.user(phone=MOBILE)
    first, second = app.test_client(), app.test_client()
    start_login(first, user)
    first_code = sms.last_code(MOBILE)
    start_login(second, user)
    assert second.post("/connexion/code", data={"code": first_code}).status_code == 422


def test_the_hourly_limit_counts_per_ip_across_numbers(app, factory, sms):
    users = [factory.user() for _ in range(16)]
    for user in users[:15]:
        start_login(app.test_client(), user)
    assert len(sms.received) == 15
    client = app.test_client()
    start_login(client, users[15])
    assert sms.to(users[15].phone) == []
    page = page_text(client.get("/connexion/code"))
    assert "Trop de codes ont été demandés depuis cette connexion" in page
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "sms_refused_ip_limit")) == 1
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    start_login(elsewhere, users[15])
    assert len(sms.to(users[15].phone)) == 1


def test_adding_an_iban_during_a_cooldown_goes_to_the_code_page_not_an_iban_error(logged_in, sms,
                                                                                 app):
    """The wait between two codes is about codes: the IBAN form takes the IBAN, and the code page
    says when a code can be asked."""
    user = logged_in.user
    age_second_factor()
    start_login(app.test_client(), user)  # a login on another device a moment ago
    response = add_iban(logged_in)
    assert response.status_code == 303 and response.headers["Location"] == "/compte/iban/code"
    page = page_text(logged_in.get("/compte/iban/code"))
    assert "Aucun code valable n'a été envoyé par SMS au 079" in page
    assert "Vous pourrez demander un nouveau code dans" in page
    assert len(sms.to(user.phone)) == 1  # the login's; none for the IBAN yet
    time_passes(1)
    response = logged_in.post("/compte/iban/code/renvoi")
    assert response.headers["Location"] == "/compte/iban/code?moyen=sms"
    page = page_text(logged_in.get("/compte/iban/code"))
    assert "Un nouveau code vous a été envoyé par SMS" in page
    assert logged_in.post("/compte/iban/code", data={"code": sms.last_code(user.phone)}
                          ).headers["Location"] == "/compte/iban/"
    assert db.session.scalar(select(BankAccount)).confirmed_at is not None


@pytest.mark.config(STEP_UP_FRESHNESS=0, SMS_COOLDOWN_SECONDS=0)
def test_the_freshness_is_configurable(logged_in, sms):
    response = add_iban(logged_in)
    assert response.headers["Location"] == "/compte/iban/code"
    assert len(sms.to(logged_in.user.phone)) == 2


@pytest.mark.config(SMS_COOLDOWN_SECONDS=0, SMS_PER_DAY=2)
def test_a_wait_until_another_day_gives_the_date(client, factory, sms):
    user = factory.user(phone=MOBILE)
    start_login(client, user)
    pending = db.session.scalar(select(AuthSession))
    earlier = utcnow() - timedelta(hours=2)  # a code two hours ago: the day's limit reached
    db.session.add(SmsCode(auth_session_id=pending.id, purpose=PURPOSE_LOGIN, phone=MOBILE,
                           code_hash="0" * 64, created_at=earlier,
                           expires_at=earlier + timedelta(minutes=10), dead=True))
    db.session.commit()
    page = page_text(client.post("/connexion/code/renvoi", follow_redirects=True))
    retry = earlier + timedelta(days=1)
    assert "Trop de codes ont été demandés pour ce numéro" in page
    assert retry_words(retry) in page  # tomorrow: with its date


@pytest.mark.config(SMS_BACKEND="console")
def test_the_console_backend_has_no_per_ip_limit(app, factory):
    """The demo prints codes in the console: nobody pays for them, so many persons trying
    Guichet from one address all get their code (the limits per number still hold)."""
    for user in [factory.user() for _ in range(16)]:
        start_login(app.test_client(), user)
    assert db.session.scalar(select(func.count(SmsCode.id))) == 16
