"""A second way in that is not SMS (issue 8, item 6): an insured person adds an authenticator
app (QR code and secret as text, confirmed by a first code), then uses it at login and at each
step-up instead of the SMS, with single-use recovery codes; removing it needs a step-up. The
method is chosen on the code page by links and buttons that work without JavaScript."""
from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import func, select

from guichet.models import AuditEntry, BankAccount, RecoveryCode, User
from guichet.models.base import db
from tests.support.accounts import (PASSWORD, add_authenticator, age_second_factor, app_code,
                                    start_login, time_passes)
from tests.support.page import page_text, text_of

UBS = "CH56 0483 5012 3456 7800 9"


def audited(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEntry.id))
                             .where(AuditEntry.action == action))


def log_out_and_start_again(client, user):
    client.post("/deconnexion")
    start_login(client, user)


def test_adding_the_app_shows_a_qr_code_and_the_secret_then_recovery_codes(logged_in, mailbox):
    user = logged_in.user
    page = page_text(logged_in.get("/compte/"))
    assert "Ajouter une application d'authentification" in page
    assert "Ajouter une application" in page_text(logged_in.get("/compte/application"))

    response = logged_in.post("/compte/application/ajouter", data={"current_password": PASSWORD})
    assert response.headers["Location"] == "/compte/application/configurer"
    page = logged_in.get("/compte/application/configurer").get_data(as_text=True)
    db.session.refresh(user)
    secret = user.totp_pending_secret
    assert re.search(r'<svg xmlns="http://www.w3.org/2000/svg"[^>]*class="qr-code"', page)
    assert "<title>Code QR" in page
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    assert grouped in text_of(page)
    assert not user.has_authenticator  # not before its first code

    wrong = logged_in.post("/compte/application/configurer", data={"code": "000000"})
    assert wrong.status_code == 422 and "Ce code n'est pas valable" in page_text(wrong)
    response = logged_in.post("/compte/application/configurer",
                              data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "ils ne seront plus affichés" in text_of(page)
    db.session.refresh(user)
    assert user.has_authenticator and user.totp_pending_secret is None
    stored = " ".join(row.code_hash for row in db.session.scalars(select(RecoveryCode)))
    assert not any(code.replace("-", "") in stored or code in stored for code in codes)
    assert any("application d'authentification a été ajoutée" in mail.text
               for mail in mailbox.to(user.email))
    assert audited("totp_added") == 1
    assert "Il vous reste 10 codes de secours" in page_text(logged_in.get("/compte/application"))
    assert "Ajoutée" in page_text(logged_in.get("/compte/"))


def test_login_with_the_app_sends_no_sms(logged_in, sms):
    user = logged_in.user
    secret, _codes = add_authenticator(logged_in, user)
    log_out_and_start_again(logged_in, user)
    assert len(sms.to(user.phone)) == 1  # only the first login's
    page = page_text(logged_in.get("/connexion/code"))
    assert "Code de l'application" in page
    assert "Recevoir plutôt un code par SMS" in page and "Utiliser un code de secours" in page
    wrong = logged_in.post("/connexion/code", data={"method": "app", "code": "123456"})
    assert wrong.status_code == 422
    assert "Saisissez le code que votre application affiche" in page_text(wrong)
    response = logged_in.post("/connexion/code", data={"method": "app",
                                                      "code": app_code(secret)})
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.detail == {"method": "app"}


def test_the_sms_stays_possible_without_javascript(logged_in, sms):
    user = logged_in.user
    add_authenticator(logged_in, user)
    log_out_and_start_again(logged_in, user)
    time_passes(1)
    page = page_text(logged_in.get("/connexion/code?moyen=sms"))
    assert "Code reçu par SMS" in page and "Envoyez-moi un code par SMS" in page
    assert "Utiliser mon application d'authentification" in page
    response = logged_in.post("/connexion/code/renvoi")
    assert response.headers["Location"] == "/connexion/code?moyen=sms"
    assert len(sms.to(user.phone)) == 2
    page = page_text(logged_in.get("/connexion/code?moyen=sms"))
    assert "Saisissez le code à 6 chiffres envoyé par SMS" in page
    assert "Vous pourrez demander un nouveau code dans" in page
    response = logged_in.post("/connexion/code", data={"method": "sms",
                                                      "code": sms.last_code(user.phone)})
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"


def test_the_sms_instead_of_the_app(app, factory, sms):
    user = factory.user()
    secret = pyotp.random_base32()
    user.totp_secret = secret
    db.session.commit()
    client = app.test_client()
    start_login(client, user)
    assert sms.to(user.phone) == []
    assert client.post("/connexion/code/renvoi").headers["Location"] == "/connexion/code?moyen=sms"
    code = sms.last_code(user.phone)
    response = client.post("/connexion/code", data={"method": "sms", "code": code})
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"


def test_a_recovery_code_logs_in_once_and_is_noticed(logged_in, mailbox):
    user = logged_in.user
    _secret, codes = add_authenticator(logged_in, user)
    log_out_and_start_again(logged_in, user)
    page = page_text(logged_in.get("/connexion/code?moyen=secours"))
    assert "Code de secours" in page
    response = logged_in.post("/connexion/code", data={"method": "secours",
                                                      "code": codes[3].upper()})
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"
    assert audited("recovery_code_used") == 1
    assert any("code de secours de votre compte Guichet vient d'être utilisé" in mail.text
               for mail in mailbox.to(user.email))
    log_out_and_start_again(logged_in, user)
    again = logged_in.post("/connexion/code", data={"method": "secours", "code": codes[3]})
    assert again.status_code == 422 and "déjà servi" in page_text(again)


def test_an_iban_step_up_asks_the_app_and_sends_no_sms(logged_in, sms):
    user = logged_in.user
    secret, _codes = add_authenticator(logged_in, user)
    age_second_factor()
    response = logged_in.post("/compte/iban/", data={"iban": UBS, "holder": "Anna Muster",
                                                     "current_password": PASSWORD})
    assert response.headers["Location"] == "/compte/iban/code"
    page = page_text(logged_in.get("/compte/iban/code"))
    assert "Code de l'application" in page and "Recevoir plutôt un code par SMS" in page
    assert len(sms.to(user.phone)) == 1
    response = logged_in.post("/compte/iban/code", data={"method": "app",
                                                        "code": app_code(secret)})
    assert response.headers["Location"] == "/compte/iban/"
    assert db.session.scalar(select(BankAccount)).confirmed_at is not None


def test_removing_the_app_needs_a_step_up(logged_in, sms, mailbox):
    user = logged_in.user
    secret, codes = add_authenticator(logged_in, user)
    age_second_factor()
    wrong_password = logged_in.post("/compte/application/retirer",
                                    data={"current_password": "pas le bon mot de passe"})
    assert wrong_password.status_code == 422
    response = logged_in.post("/compte/application/retirer", data={"current_password": PASSWORD})
    assert response.headers["Location"] == "/compte/application/verification"
    page = page_text(logged_in.get("/compte/application/verification"))
    assert "Confirmer le retrait de l'application" in page and "Code de l'application" in page
    assert logged_in.post("/compte/application/verification",
                          data={"method": "app", "code": "000000"}).status_code == 422
    db.session.refresh(user)
    assert user.has_authenticator
    response = logged_in.post("/compte/application/verification",
                              data={"method": "secours", "code": codes[0]})
    assert response.headers["Location"] == "/compte/application"
    db.session.refresh(user)
    assert not user.has_authenticator and user.totp_secret is None
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert any("application d'authentification de votre compte Guichet a été retirée"
               in mail.text for mail in mailbox.to(user.email))
    log_out_and_start_again(logged_in, user)
    assert "Code reçu par SMS" in page_text(logged_in.get("/connexion/code"))


def test_new_recovery_codes_replace_the_old_ones(logged_in):
    user = logged_in.user
    _secret, old = add_authenticator(logged_in, user)
    response = logged_in.post("/compte/application/codes-de-secours",
                              data={"current_password": PASSWORD})
    assert response.status_code == 200  # fresh: no code asked
    new = re.findall(r"<code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code>",
                     response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    log_out_and_start_again(logged_in, user)
    assert logged_in.post("/connexion/code", data={"method": "secours", "code": old[0]}
                          ).status_code == 422
    assert logged_in.post("/connexion/code", data={"method": "secours", "code": new[0]}
                          ).status_code == 303


def test_staff_cannot_use_the_insured_app_pages(staff_client):
    assert staff_client.get("/compte/application").status_code == 403
    assert db.session.scalar(select(User).where(User.role == "reviewer")).totp_secret


@pytest.mark.config(RATELIMIT_CODE_PER_ACCOUNT="3 per hour")
def test_app_codes_typed_for_one_account_are_limited_whatever_the_ip(app, factory):
    """The app's codes have no « 5 wrong tries » of their own: guesses are limited per account."""
    secret = pyotp.random_base32()
    user = factory.user(totp_secret=secret)
    for number in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number + 1}"
        start_login(client, user)
        assert client.post("/connexion/code", data={"method": "app", "code": "000000"}
                           ).status_code == 422
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    start_login(client, user)
    response = client.post("/connexion/code", data={"method": "app", "code": app_code(secret)})
    assert response.status_code == 429
