"""People for the tests: register entries and accounts made on demand, what a person types on
« S'inscrire », and the login steps (password, then the SMS or authenticator code)."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pyotp
from sqlalchemy import select, update
from stdnum import ean

from guichet.core.identifiers import normalize_name_for_match
from guichet.core.passwords import hash_password
from guichet.models import AuthSession, RegisteredPerson, SmsCode, User, utcnow
from guichet.models.base import db

PASSWORD = "velo rouge sous la pluie 7"


def navs_with_check(nine_digits: str) -> str:
    """A valid N° AVS: 756, the nine digits given, and the check digit."""
    body = "756" + nine_digits
    return body + ean.calc_check_digit(body)


class Factory:
    """Builds register entries and accounts on demand."""

    def __init__(self):
        self.counter = 0

    def person(self, nom="Muster", prenom="Anna", born=date(1985, 3, 15), navs13=None):
        self.counter += 1
        navs13 = navs13 or navs_with_check(f"{200000000 + self.counter:09d}")
        person = RegisteredPerson(navs13=navs13, nom=nom, prenom=prenom, date_naissance=born,
                                  nom_match=normalize_name_for_match(nom))
        db.session.add(person)
        db.session.commit()
        return person

    def user(self, email=None, password=PASSWORD, phone=None, confirmed=True, role="insured",
             **fields):
        self.counter += 1
        email = email or f"person{self.counter}@example.ch"
        if role == "insured":
            person = self.person(nom=fields.pop("nom", "Muster"),
                                 born=fields.pop("date_naissance", date(1985, 3, 15)))
            fields = {"navs13": person.navs13, "nom": person.nom, "prenom": person.prenom,
                      "date_naissance": person.date_naissance, "civilite": "madame",
                      "rue": "Rue du Seyon 10", "npa": "2000", "localite": "Neuchâtel",
                      "pays": "CH", **fields}
            phone = phone or f"+417912{self.counter:05d}"
        user = User(email=email, password_hash=hash_password(password), role=role, phone=phone,
                    email_confirmed_at=utcnow() if confirmed else None,
                    phone_confirmed_at=utcnow() if confirmed and phone else None, **fields)
        db.session.add(user)
        db.session.commit()
        return user


def registration_form(person, **overrides):
    """What a person types on « S'inscrire », for a register entry ``person``."""
    data = {"email": "lea@example.ch", "password": PASSWORD, "password_confirm": PASSWORD,
            "mobile": "079 555 12 34", "navs13": person.navs13, "civilite": "madame",
            "nom": person.nom, "prenom": person.prenom,
            "date_naissance": person.date_naissance.strftime("%d.%m.%Y"),
            "rue": "Rue du Seyon 10", "npa": "2000", "localite": "Neuchâtel", "pays": "CH"}
    data.update(overrides)
    return data


def a_wrong_code(code: str) -> str:
    """Six digits one off the real ``code``: as close as a wrong code can be."""
    return f"{(int(code) + 1) % 10**6:06d}"


def start_login(client, user, password=PASSWORD):
    """The password step; the person is then sent to the code page."""
    response = client.post("/connexion", data={"email": user.email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"] == "/connexion/code"
    return response


def login(client, user, sms_gateway, password=PASSWORD):
    """Password then SMS code; returns the response of the code step."""
    start_login(client, user, password)
    code = sms_gateway.last_code(user.phone)
    return client.post("/connexion/code", data={"code": code})


def age_second_factor(minutes: int = 6) -> None:
    """Every session last proved its second factor ``minutes`` ago (past the 5 minutes of
    freshness: the next step-up asks for a code again)."""
    db.session.execute(update(AuthSession).values(
        second_factor_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def time_passes(minutes: float) -> None:
    """As if ``minutes`` had passed: every code and session moved that far into the past."""
    delta = timedelta(minutes=minutes)
    for code in db.session.scalars(select(SmsCode)):
        code.created_at, code.expires_at = code.created_at - delta, code.expires_at - delta
    for auth_session in db.session.scalars(select(AuthSession)):
        auth_session.created_at -= delta
        auth_session.last_seen_at -= delta
        if auth_session.second_factor_at is not None:
            auth_session.second_factor_at -= delta
    db.session.commit()


def app_code(secret: str, steps_ahead: int = 1) -> str:
    """The authenticator's code ``steps_ahead`` time steps from now (each step works once: the
    next one is what the app shows a moment later)."""
    totp = pyotp.TOTP(secret)
    return totp.at(utcnow().timestamp() + steps_ahead * totp.interval)


def add_authenticator(client, user) -> tuple[str, list[str]]:
    """« Ajouter une application » with a fresh login: the secret and the recovery codes shown."""
    response = client.post("/compte/application/ajouter", data={"current_password": PASSWORD})
    assert response.headers["Location"] == "/compte/application/configurer", response.status
    db.session.refresh(user)
    secret = user.totp_pending_secret
    response = client.post("/compte/application/configurer", data={"code": app_code(secret, 0)})
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code>",
                       response.get_data(as_text=True))
    return secret, codes


def login_staff(client, staff, totp_secret: str, password=PASSWORD):
    """Password then the authenticator's code; staff land on « Gestion »."""
    start_login(client, staff, password)
    response = client.post("/connexion/code", data={"code": pyotp.TOTP(totp_secret).now()})
    assert response.status_code == 303 and response.headers["Location"] == "/gestion/"
    return response


def retry_words(moment) -> str:
    """How the code page says when a code can be asked again: « à partir de 14:05 » today,
    « à partir du 02.12.2026 à 00:27 » once that moment is past midnight in Switzerland."""
    from guichet.core.i18n import ZURICH, local_datetime, today_in_zurich
    from guichet.verification.codes import clock_time
    if moment.astimezone(ZURICH).date() != today_in_zurich():
        return f"à partir du {local_datetime(moment)}"
    return f"à partir de {clock_time(moment)}"
