"""Registration: only persons of the office register get an account, and every bad input is
explained in French next to its field and in the summary, keeps what was typed and writes
nothing."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from guichet.models import AuthSession, OutboxMessage, User
from guichet.models.auth_session import STAGE_PASSWORD
from guichet.models.base import db
from tests.support.accounts import PASSWORD, navs_with_check, registration_form
from tests.support.databases import count
from tests.support.page import feedback, input_value, summary_links
from tests.support.params import first_also_on_postgresql

EMAIL = "lea@example.ch"
MOBILE = "+41795551234"


# --- reading the page ------------------------------------------------------------------------

# --- who may register --------------------------------------------------------------------------

@pytest.mark.parametrize("register_nom, typed_nom", first_also_on_postgresql([
    ("Ćosić", "cosic"),
    ("Nguyễn", "NGUYEN"),
    ("Müller-Dupont", "muller dupont"),
    ("de Weck", "  De Weck "),
]))
def test_name_match_ignores_case_and_accents(client, factory, sms, register_nom, typed_nom):
    person = factory.person(nom=register_nom, born=date(1979, 11, 2))
    response = client.post("/inscription", data=registration_form(person, nom=typed_nom))
    assert response.headers["Location"] == "/connexion/code"
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert user is not None and user.navs13 == person.navs13
    assert sms.to(MOBILE), "the new account's mobile gets its code"


def test_registration_stores_every_field_in_canonical_form(client, factory, sms, mailbox):
    person = factory.person(nom="Rochat", born=date(1956, 9, 21))
    dotted = f"{person.navs13[:3]}.{person.navs13[3:7]}.{person.navs13[7:11]}.{person.navs13[11:]}"
    response = client.post("/inscription", data=registration_form(
        person, navs13=dotted, mobile="0041 79 555 12 34", email="  Lea@Example.CH ",
        civilite="monsieur", prenom="Jean-Pierre", date_naissance="1956-09-21",
        rue="Grand-Rue 1", npa="2034", localite="Peseux"))
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.navs13 == person.navs13))
    assert (user.email, user.phone, user.civilite, user.nom, user.prenom, user.date_naissance,
            user.rue, user.npa, user.localite, user.pays) == (
        "lea@example.ch", MOBILE, "monsieur", "Rochat", "Jean-Pierre", date(1956, 9, 21),
        "Grand-Rue 1", "2034", "Peseux", "CH")
    assert user.email_confirmed_at is None and user.phone_confirmed_at is None
    [mail] = mailbox.to("lea@example.ch")
    assert "https://guichet.example.ch/email/confirmer/" in mail.text


def test_abroad_any_postal_code_is_accepted(client, factory, sms):
    person = factory.person()
    response = client.post("/inscription", data=registration_form(
        person, pays="FR", npa="25300", localite="Pontarlier", rue="1 rue de la Gare"))
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert (user.pays, user.npa) == ("FR", "25300")


@pytest.mark.parametrize("overrides", [
    {"nom": "Meier"},
    {"date_naissance": "16.03.1985"},
    {"navs13": navs_with_check("999999999")},
], ids=["other-name", "other-birth-date", "unknown-avs"])
def test_persons_not_in_the_register_get_no_account(client, factory, sms, mailbox, overrides):
    person = factory.person(nom="Muster", born=date(1985, 3, 15))
    response = client.post("/inscription", data=registration_form(person, **overrides))
    # The same answer as a successful registration: the register is not revealed …
    assert response.status_code == 303
    assert response.headers["Location"] == "/connexion/code"
    # … but nothing was created and nothing sent.
    assert count(User) == 0
    assert sms.received == [] and mailbox.messages == []
    assert count(OutboxMessage) == 0
    assert db.session.scalar(select(func.count()).select_from(AuthSession).where(
        AuthSession.stage == STAGE_PASSWORD)) == 0


# --- bad input -----------------------------------------------------------------------------------

BAD_INPUT = [
    # (form overrides, field id, the message next to the field)
    ({"navs13": "756.1234.5678.98"}, "navs13",
     "Le N° AVS n'est pas valable : vérifiez les chiffres."),
    ({"navs13": "123.4567.8901.23"}, "navs13", "Le N° AVS commence toujours par 756."),
    ({"navs13": "756 abc"}, "navs13", "Le N° AVS compte 13 chiffres et commence par 756"),
    ({"mobile": "032 910 71 00"}, "mobile", "Ce numéro n'est pas un numéro de portable."),
    ({"mobile": "+33 6 12 34 56 78"}, "mobile",
     "Seuls les numéros de portable suisses (+41 7x) sont acceptés."),
    ({"mobile": "079 CALL ME"}, "mobile", "Ce numéro de téléphone n'est pas lisible."),
    ({"password": "court", "password_confirm": "court"}, "password",
     "Le mot de passe doit compter au moins 12 caractères."),
    ({"password_confirm": PASSWORD + "x"}, "password_confirm",
     "Les deux mots de passe ne sont pas identiques."),
    ({"email": "lea@"}, "email", "L'adresse e-mail n'est pas valable"),
    ({"email": "a" * 250 + "@example.ch"}, "email", "L'adresse e-mail est trop longue."),
    ({"date_naissance": "31.02.1985"}, "date_naissance", "Cette date n'existe pas"),
    ({"date_naissance": "hier"}, "date_naissance",
     "Écrivez la date sous la forme JJ.MM.AAAA, par exemple 15.03.1985."),
    ({"date_naissance": "15.03.2999"}, "date_naissance",
     "La date de naissance ne peut pas être dans le futur."),
    ({"nom": "M" * 101}, "nom", "Ce texte est trop long (100 caractères au plus)."),
    ({"rue": "R" * 5000}, "rue", "Ce texte est trop long (120 caractères au plus)."),
    ({"npa": "20"}, "npa", "Le NPA compte 4 chiffres"),
    ({"prenom": ""}, "prenom", "Ce champ est obligatoire."),
    ({"rue": "Rue du Seyon\x00 10"}, "rue", "caractères"),
    ({"civilite": "autre"}, "civilite", "choix"),
    ({"pays": "XX"}, "pays", "choix"),
]


@pytest.mark.parametrize("overrides, field_id, message", [
    # Validation happens before the database; only what would reach it runs on PostgreSQL too.
    pytest.param(*case, id=f"{case[1]}-{i}",
                 marks=() if "\x00" in str(case[0]) else pytest.mark.sqlite_only)
    for i, case in enumerate(BAD_INPUT)])
def test_bad_input_is_explained_kept_and_writes_nothing(client, factory, sms, mailbox,
                                                        overrides, field_id, message):
    person = factory.person()
    typed = registration_form(person, **{"prenom": "<b>Anna</b> & Cie", **overrides})
    response = client.post("/inscription", data=typed)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in feedback(page, field_id)
    anchor = f"#{field_id}-0" if field_id == "civilite" else f"#{field_id}"
    assert any(href == anchor and message in label for href, label in summary_links(page))
    # What the person typed is still there (escaped), except the passwords.
    for name in ("email", "mobile", "navs13", "nom", "prenom", "date_naissance", "rue", "npa",
                 "localite"):
        assert input_value(page, name) == typed[name].strip(), name
    assert "<b>Anna</b>" not in page
    assert input_value(page, "password") in (None, "")
    assert input_value(page, "password_confirm") in (None, "")
    assert PASSWORD not in page
    # Nothing written, nothing sent.
    assert count(User) == 0 and count(OutboxMessage) == 0
    assert sms.received == [] and mailbox.messages == []


def test_every_error_at_once_is_listed_in_page_order(client, factory, sms):
    person = factory.person()
    response = client.post("/inscription", data=registration_form(
        person, email="x", password="court", password_confirm="autre", mobile="032 910 71 00",
        navs13="756.1234.5678.98", civilite="", nom="", date_naissance="99.99.9999", npa="abc"))
    assert response.status_code == 422
    hrefs = [href for href, _ in summary_links(response.get_data(as_text=True))]
    assert hrefs == ["#email", "#password", "#password_confirm", "#mobile", "#navs13",
                     "#civilite-0", "#nom", "#date_naissance", "#npa"]
    assert count(User) == 0


@pytest.mark.config(MAX_CONTENT_LENGTH=1024 * 1024)
def test_a_request_above_the_size_limit_is_refused_in_french(client, factory, sms):
    person = factory.person()
    response = client.post("/inscription",
                           data=registration_form(person, rue="R" * (1024 * 1024 + 1)))
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)
    assert count(User) == 0


def test_the_form_shows_its_fields_with_switzerland_preselected(client):
    response = client.get("/inscription")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("email", "password", "password_confirm", "mobile", "navs13", "nom", "prenom",
                 "date_naissance", "rue", "npa", "localite"):
        assert input_value(page, name) in (None, ""), name
    assert re.search(r'<option[^>]*selected[^>]*value="CH"|<option[^>]*value="CH"[^>]*selected',
                     page)
    assert 'value="madame"' in page and 'value="monsieur"' in page
    assert "error-summary" not in page


@pytest.mark.parametrize("field_name, value, message", first_also_on_postgresql([
    ("mobile", "032 910 71 00", "Ce numéro n'est pas un numéro de portable."),
    ("navs13", "756.1234.5678.98", "Le N° AVS n'est pas valable"),
    ("npa", "20", "Le NPA compte 4 chiffres"),
    ("date_naissance", "32.01.1990", "Cette date n'existe pas"),
]))
def test_a_field_is_checked_as_the_person_leaves_it(hx_client, field_name, value, message):
    """htmx asks for one field's feedback; the answer replaces the area next to the field."""
    response = hx_client.post(f"/inscription/verifier/{field_name}", data={field_name: value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in feedback(page, field_name)
    # A good value clears the message; an empty one says nothing yet.
    good = {"mobile": "079 555 12 34", "navs13": navs_with_check("123456789"), "npa": "2000",
            "date_naissance": "15.03.1985"}[field_name]
    for value in (good, ""):
        page = hx_client.post(f"/inscription/verifier/{field_name}",
                              data={field_name: value}).get_data(as_text=True)
        assert feedback(page, field_name) == ""
    assert count(User) == 0


def test_checking_an_unknown_field_answers_nothing(hx_client):
    response = hx_client.post("/inscription/verifier/is_admin", data={"is_admin": "1"})
    assert response.status_code == 204 and response.get_data() == b""
