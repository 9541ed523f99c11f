"""SMS one-time codes (security.md 4, 5): random 6 digits, stored hashed, 10 minutes, single use,
bound to the session and purpose, 5 wrong tries, sending limits and the daily budget; and the SMS
step cannot be skipped."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from guichet.messaging.outbox import SENT_SMS_PLACEHOLDER
from guichet.models import AuditEntry, AuthSession, OutboxMessage, SmsCode, utcnow
from guichet.models.auth_session import STAGE_PASSWORD
from guichet.models.base import db
from guichet.models.codes import PURPOSE_LOGIN, PURPOSE_PHONE_CHANGE
from guichet.verification.codes import check_code, issue_code
from tests.support.accounts import PASSWORD, a_wrong_code, retry_words, start_login
from tests.support.page import page_text

REFUSED = "Ce code n'est pas valable"


def submit(client, code):
    return client.post("/connexion/code", data={"code": code})


def assert_refused(response):
    assert response.status_code == 422
    assert REFUSED in page_text(response)


def assert_logged_in(client, response):
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"
    assert client.get("/demandes/").status_code == 200


def test_code_is_six_digits_stored_hashed_and_erased_from_the_outbox(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    [text] = sms.to(user.phone)
    code = sms.last_code(user.phone)
    assert re.fullmatch(r"\d{6}", code)
    assert re.findall(r"\d+", text) == [code, "10"]  # the code and « valable 10 minutes »
    [row] = db.session.scalars(select(SmsCode)).all()
    stored = " ".join(str(value) for value in vars(row).values())
    assert code not in stored
    assert len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.status == "sent" and message.body_text == SENT_SMS_PLACEHOLDER
    assert_logged_in(client, submit(client, code))


@pytest.mark.sqlite_only
def test_codes_differ_from_one_login_to_the_next(app, factory, sms):
    codes = set()
    for _ in range(4):
        user = factory.user()
        start_login(app.test_client(), user)
        codes.add(sms.last_code(user.phone))
    assert len(codes) == 4


@pytest.mark.sqlite_only
def test_code_typed_with_spaces_is_accepted(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    code = sms.last_code(user.phone)
    assert_logged_in(client, submit(client, f" {code[:3]} {code[3:]} "))


def test_expired_code_is_refused(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    code = sms.last_code(user.phone)
    past = utcnow() - timedelta(minutes=10, seconds=1)
    db.session.execute(update(SmsCode).values(created_at=past - timedelta(minutes=10),
                                              expires_at=past))
    db.session.commit()
    assert_refused(submit(client, code))


def test_code_just_before_expiry_still_works(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    code = sms.last_code(user.phone)
    db.session.execute(update(SmsCode).values(
        created_at=utcnow() - timedelta(minutes=9, seconds=50),
        expires_at=utcnow() + timedelta(seconds=10)))
    db.session.commit()
    assert_logged_in(client, submit(client, code))


def test_code_works_once(app, factory, sms):
    """A copy of the pending cookie cannot use the code a second time."""
    user = factory.user()
    first = app.test_client()
    start_login(first, user)
    code = sms.last_code(user.phone)
    twin = app.test_client()
    twin.set_cookie("guichet_session", first.get_cookie("guichet_session").value)
    assert_logged_in(first, submit(first, code))
    response = submit(twin, code)
    assert response.status_code == 303 and response.headers["Location"] == "/connexion"
    assert twin.get("/demandes/").status_code == 302
    [row] = db.session.scalars(select(SmsCode)).all()
    assert row.used_at is not None


def test_code_used_up_cannot_be_checked_again(app, factory):
    user = factory.user()
    with app.test_request_context("/"):
        pending = AuthSession(token_hash="t" * 64, user=user, stage=STAGE_PASSWORD)
        db.session.add(pending)
        db.session.flush()
        issue_code(pending, user.phone, PURPOSE_LOGIN)
        [outbox] = [m for m in db.session.new if isinstance(m, OutboxMessage)]
        code = re.search(r"\d{6}", outbox.body_text).group()
        assert check_code(pending, PURPOSE_PHONE_CHANGE, code) is None  # other purpose
        assert check_code(pending, PURPOSE_LOGIN, code) is not None
        assert check_code(pending, PURPOSE_LOGIN, code) is None
        db.session.rollback()


@pytest.mark.config(SMS_COOLDOWN_SECONDS=0)
def test_code_is_bound_to_the_session_that_asked_for_it(app, factory, sms):
    user = factory.user()
    mine, other = app.test_client(), app.test_client()
    start_login(mine, user)
    my_code = sms.last_code(user.phone)
    start_login(other, user)
    other_code = sms.last_code(user.phone)
    assert other_code != my_code
    assert_refused(submit(other, my_code))
    assert_logged_in(mine, submit(mine, my_code))
    assert_logged_in(other, submit(other, other_code))


@pytest.mark.sqlite_only
def test_a_phone_change_code_does_not_log_in(app, factory, sms, logged_in):
    """A code sent to confirm a new number is worth nothing at the login step."""
    user = factory.user()
    stranger = app.test_client()
    start_login(stranger, user)
    response = logged_in.post("/compte/portable", data={"mobile": "079 777 88 99",
                                                        "current_password": PASSWORD})
    assert response.status_code == 303
    phone_code = sms.last_code("+41797778899")
    assert_refused(submit(stranger, phone_code))


def test_five_wrong_tries_kill_the_code(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    code = sms.last_code(user.phone)
    for _ in range(5):
        assert_refused(submit(client, a_wrong_code(code)))
    assert_refused(submit(client, code))
    assert client.get("/demandes/").status_code == 302
    [row] = db.session.scalars(select(SmsCode)).all()
    assert row.dead and row.used_at is None


def test_four_wrong_tries_leave_the_code_alive(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    code = sms.last_code(user.phone)
    for _ in range(4):
        assert_refused(submit(client, a_wrong_code(code)))
    assert_logged_in(client, submit(client, code))


def test_a_new_code_replaces_the_old_one(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    old = sms.last_code(user.phone)
    db.session.execute(update(SmsCode).values(created_at=utcnow() - timedelta(seconds=31)))
    db.session.commit()
    assert client.post("/connexion/code/renvoi").status_code == 303
    new = sms.last_code(user.phone)
    assert new != old
    assert_refused(submit(client, old))
    assert_logged_in(client, submit(client, new))


# --- Sending limits ------------------------------------------------------------------------

def resend(client):
    return page_text(client.post("/connexion/code/renvoi", follow_redirects=True))


def test_cooldown_of_30_seconds(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    assert "Vous pourrez demander un nouveau code dans" in resend(client)
    assert len(sms.to(user.phone)) == 1
    db.session.execute(update(SmsCode).values(created_at=utcnow() - timedelta(seconds=25)))
    db.session.commit()
    assert "Vous pourrez demander un nouveau code dans 5 secondes" in resend(client)
    db.session.execute(update(SmsCode).values(created_at=utcnow() - timedelta(seconds=31)))
    db.session.commit()
    assert "Un nouveau code vous a été envoyé" in resend(client)
    assert len(sms.to(user.phone)) == 2


@pytest.mark.config(SMS_COOLDOWN_SECONDS=0)
def test_at_most_five_codes_per_hour_per_number(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    for _ in range(4):
        resend(client)
    first = db.session.scalar(select(func.min(SmsCode.created_at)))
    page = resend(client)
    assert "Trop de codes ont été demandés pour ce numéro" in page
    # the time from which a code can be asked again: an hour after the first of the five
    assert retry_words(first + timedelta(hours=1)) in page
    assert len(sms.to(user.phone)) == 5
    db.session.execute(update(SmsCode).values(created_at=utcnow() - timedelta(minutes=61)))
    db.session.commit()
    assert "Un nouveau code vous a été envoyé" in resend(client)
    assert len(sms.to(user.phone)) == 6


@pytest.mark.config(SMS_COOLDOWN_SECONDS=0)
def test_at_most_ten_codes_per_day_per_number(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    # nine earlier codes spread over the last day, none in the last hour
    pending = db.session.scalar(select(AuthSession))
    for hours in range(2, 11):
        at = utcnow() - timedelta(hours=hours)
        db.session.add(SmsCode(auth_session_id=pending.id, purpose=PURPOSE_LOGIN,
                               phone=user.phone, code_hash="0" * 64, created_at=at,
                               expires_at=at + timedelta(minutes=10), dead=True))
    db.session.commit()
    assert "Trop de codes ont été demandés pour ce numéro" in resend(client)
    assert len(sms.to(user.phone)) == 1
    db.session.execute(update(SmsCode).where(SmsCode.code_hash == "0" * 64)
                       .values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    assert "Un nouveau code vous a été envoyé" in resend(client)


@pytest.mark.config(SMS_DAILY_BUDGET=2)
def test_daily_budget_stops_sending_and_alerts(app, factory, sms, caplog):
    users = [factory.user() for _ in range(3)]
    for user in users[:2]:
        start_login(app.test_client(), user)
    caplog.clear()
    client = app.test_client()
    start_login(client, users[2])
    assert sms.to(users[2].phone) == []
    alerts = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert alerts and "ALERT" in alerts[0].getMessage()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "sms_budget_spent")) == 1
    db.session.execute(update(SmsCode).values(created_at=utcnow() - timedelta(seconds=31)))
    db.session.commit()
    assert "L'envoi de SMS est momentanément indisponible" in resend(client)
    assert sms.to(users[2].phone) == []


# --- 5. The SMS step cannot be skipped -----------------------------------------------------

PAST_LOGIN = ["/demandes/", "/compte/", "/compte/email", "/compte/portable",
              "/compte/mot-de-passe", "/gestion/"]


def test_nothing_past_login_with_only_the_password(client, factory, sms):
    user = factory.user()
    before = user.password_hash
    start_login(client, user)
    for path in PAST_LOGIN:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/connexion?next="), path
    response = client.post("/compte/mot-de-passe", data={
        "current_password": PASSWORD, "password": "un tout autre mot de passe",
        "password_confirm": "un tout autre mot de passe"})
    assert response.status_code == 401
    db.session.refresh(user)
    assert user.password_hash == before
    # the code page is still there, and the code still completes the login
    assert client.get("/connexion/code").status_code == 200
    assert_logged_in(client, submit(client, sms.last_code(user.phone)))


@pytest.mark.sqlite_only
def test_staff_password_alone_does_not_open_the_staff_area(client, factory, sms):
    staff = factory.user(role="reviewer", totp_secret="JBSWY3DPEHPK3PXP")
    start_login(client, staff)
    assert client.get("/gestion/").status_code == 302
    assert sms.received == []
