"""« Mon compte »: the profile form, e-mail, mobile and password changes."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from guichet.core.identifiers import format_navs13
from guichet.core.passwords import verify_password
from guichet.models import Beneficiary, OutboxMessage, User
from guichet.models.base import db
from tests.support.accounts import PASSWORD, a_wrong_code, login
from tests.support.mail import link_in
from tests.support.page import (checked_radio, feedback, input_value, page_text, selected_option,
                                summary_links)
from tests.support.params import first_also_on_postgresql

NEW_PASSWORD = "un autre velo bleu au soleil"


# --- reading the page ------------------------------------------------------------------------

def assert_field_error(response, field_id: str, message: str):
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in feedback(page, field_id)
    anchor = f"#{field_id}-0" if field_id == "civilite" else f"#{field_id}"
    assert any(href == anchor and message in label for href, label in summary_links(page)), \
        summary_links(page)


def fresh(user: User) -> User:
    db.session.refresh(user)
    return user


# --- the profile -------------------------------------------------------------------------------

def profile_form(user: User, **overrides) -> dict:
    """What the browser posts from « Vos données » (civilité and address)."""
    data = {"civilite": user.civilite, "rue": user.rue, "npa": user.npa,
            "localite": user.localite, "pays": user.pays}
    data.update(overrides)
    return data


IDENTITY = ("navs13", "nom", "prenom", "date_naissance")


def test_profile_shows_the_identity_read_only_and_the_address_prefilled(logged_in):
    user = logged_in.user
    response = logged_in.get("/compte/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in IDENTITY:  # no field to change them
        assert f'name="{name}"' not in page, name
    text = page_text(response)
    assert (f"N° AVS {format_navs13(user.navs13)} Nom Muster Prénom Anna "
            "Date de naissance 15.03.1985") in text
    assert "pour la corriger, contactez l'office (032 910 71 00 ou guichet@ai-ne.example)" in text
    assert checked_radio(page, "civilite") == "madame"
    assert input_value(page, "rue") == "Rue du Seyon 10"
    assert input_value(page, "npa") == "2000"
    assert input_value(page, "localite") == "Neuchâtel"
    assert selected_option(page, "pays") == "CH"
    assert user.email in text
    national = f"0{user.phone[3:5]} {user.phone[5:8]} {user.phone[8:10]} {user.phone[10:]}"
    assert national in text


def test_address_and_civilite_changes_are_saved(logged_in):
    user = logged_in.user
    response = logged_in.post("/compte/", data=profile_form(
        user, civilite="monsieur", rue="Place Pury 3", npa="2001", localite="Neuchâtel 1"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/compte/"
    user = fresh(user)
    assert (user.civilite, user.rue, user.npa, user.localite) == (
        "monsieur", "Place Pury 3", "2001", "Neuchâtel 1")
    page = logged_in.get("/compte/")
    assert "Vos données ont été enregistrées." in page_text(page)
    assert input_value(page.get_data(as_text=True), "rue") == "Place Pury 3"


def test_moving_abroad_accepts_a_foreign_postal_code(logged_in):
    response = logged_in.post("/compte/", data=profile_form(
        logged_in.user, pays="DE", npa="79539", localite="Lörrach", rue="Hauptstraße 1"))
    assert response.status_code == 303
    user = fresh(logged_in.user)
    assert (user.pays, user.npa, user.localite) == ("DE", "79539", "Lörrach")


def test_a_forged_form_cannot_take_the_identity_of_another_person_of_the_register(
        logged_in, factory):
    """Another person of the register, without an account: their N° AVS, name and birth date
    posted with the address form change neither the account nor the holder's beneficiary
    entry (security.md 7: the identity checked at registration is not the person's to change)."""
    user = logged_in.user
    holder = db.session.scalars(select(Beneficiary).where(
        Beneficiary.user_id == user.id, Beneficiary.relation == "self")).one()
    holder_before = (holder.navs13, holder.nom, holder.prenom, holder.date_naissance)
    before = {name: getattr(user, name) for name in IDENTITY}
    victim = factory.person(nom="Keller", prenom="Nora", born=date(1990, 6, 1))
    response = logged_in.post("/compte/", data=profile_form(
        user, navs13=format_navs13(victim.navs13), nom="Keller", prenom="Nora",
        date_naissance="01.06.1990", rue="Place Pury 3"))
    assert response.status_code == 303
    user = fresh(user)
    assert {name: getattr(user, name) for name in IDENTITY} == before
    assert user.rue == "Place Pury 3"  # what the person may change is saved as usual
    db.session.refresh(holder)
    assert (holder.navs13, holder.nom, holder.prenom, holder.date_naissance) == holder_before
    text = page_text(logged_in.get("/compte/"))
    assert format_navs13(victim.navs13) not in text and "Keller" not in text
    assert format_navs13(before["navs13"]) in text


PROFILE_BAD_INPUT = [
    ({"rue": "Rue\x00 du Seyon"}, "rue", "caractères non admis"),
    ({"rue": ""}, "rue", "Ce champ est obligatoire."),
    ({"npa": "CH-2000"}, "npa", "Le NPA compte 4 chiffres"),
    ({"localite": "L" * 101}, "localite", "Ce texte est trop long (100 caractères au plus)."),
    ({"civilite": "madame'; DROP TABLE users; --"}, "civilite", "choix"),
    ({"pays": "Suisse"}, "pays", "choix"),
]


@pytest.mark.parametrize("overrides, field_id, message", [
    # Validation happens before the database; only what would reach it runs on PostgreSQL too.
    pytest.param(*case, id=f"{case[1]}-{i}",
                 marks=() if "\x00" in str(case[0]) else pytest.mark.sqlite_only)
    for i, case in enumerate(PROFILE_BAD_INPUT)])
def test_profile_bad_input_is_explained_kept_and_writes_nothing(logged_in, overrides, field_id,
                                                                message):
    user = logged_in.user
    before = {name: getattr(user, name) for name in (
        "civilite", "nom", "prenom", "date_naissance", "navs13", "rue", "npa", "localite", "pays")}
    typed = profile_form(user, **{"localite": "<i>La Chaux-de-Fonds</i>", **overrides})
    response = logged_in.post("/compte/", data=typed)
    assert_field_error(response, field_id, message)
    page = response.get_data(as_text=True)
    for name in ("rue", "npa", "localite"):
        assert input_value(page, name) == typed[name], name
    assert "<i>La Chaux" not in page
    user = fresh(user)
    assert {name: getattr(user, name) for name in before} == before


# --- e-mail ------------------------------------------------------------------------------------

def test_new_email_is_used_only_once_confirmed_by_its_link(logged_in, mailbox):
    user = logged_in.user
    old = user.email
    response = logged_in.post("/compte/email", data={"email": "Nouvelle@Example.ch",
                                                     "current_password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/compte/"
    user = fresh(user)
    assert (user.email, user.pending_email) == (old, "nouvelle@example.ch")
    assert "En attente de confirmation : nouvelle@example.ch" in page_text(
        logged_in.get("/compte/"))

    [notice] = mailbox.to(old)
    assert notice.subject == "Modification de votre compte Guichet"
    assert "Un changement d'adresse e-mail a été demandé" in notice.text
    [confirmation] = mailbox.to("nouvelle@example.ch")
    path = link_in(confirmation, "/compte/email/confirmer/")

    assert logged_in.get(path).status_code == 200
    assert fresh(user).email == old, "opening the link alone changes nothing"
    response = logged_in.post(path)
    assert response.status_code == 303
    user = fresh(user)
    assert (user.email, user.pending_email) == ("nouvelle@example.ch", None)
    assert user.email_confirmed_at is not None
    notices = mailbox.to(old)
    assert len(notices) == 2 and "vient d'être remplacée" in notices[-1].text
    assert "Votre nouvelle adresse e-mail est confirmée." in page_text(logged_in.get("/compte/"))

    # The link works once; the new address is now the login.
    used = logged_in.post(path)
    assert used.status_code == 400 and "Ce lien n'est plus valable" in page_text(used)
    assert logged_in.post("/deconnexion").status_code == 303
    response = logged_in.post("/connexion", data={"email": "nouvelle@example.ch",
                                                  "password": PASSWORD})
    assert response.status_code == 303


def test_email_already_used_by_another_account_is_not_taken_over(logged_in, factory, mailbox):
    """The answer is the one a free address gets (it does not reveal the account); the owner
    of the address is told, with nothing to click."""
    other = factory.user(email="pris@example.ch")
    answers = []
    for address in ("pris@example.ch", "libre@example.ch"):
        response = logged_in.post("/compte/email", data={"email": address,
                                                         "current_password": PASSWORD})
        following = logged_in.get(response.headers["Location"])
        answers.append((response.status_code, response.headers["Location"],
                        page_text(following).replace(address, "@")))
    assert answers[0] == answers[1] and answers[0][0] == 303
    [mail] = mailbox.to("pris@example.ch")
    assert "appartient déjà à un compte" in mail.text
    assert "/confirmer/" not in mail.text
    link_in(mailbox.to("libre@example.ch")[0], "/compte/email/confirmer/")
    assert fresh(logged_in.user).email != "pris@example.ch"
    assert fresh(other).email == "pris@example.ch"


@pytest.mark.parametrize("data, field_id, message", first_also_on_postgresql([
    ({"email": "nouvelle@example.ch", "current_password": "pas le bon mot de passe"},
     "current_password", "Le mot de passe actuel n'est pas correct."),
    ({"email": "nouvelle@", "current_password": PASSWORD}, "email",
     "L'adresse e-mail n'est pas valable"),
    ({"email": "nouvelle@example.ch", "current_password": ""}, "current_password",
     "Ce champ est obligatoire."),
], ids=["wrong-password", "bad-address", "no-password"]))
def test_email_change_refusals(logged_in, mailbox, data, field_id, message):
    response = logged_in.post("/compte/email", data=data)
    assert_field_error(response, field_id, message)
    page = response.get_data(as_text=True)
    assert input_value(page, "email") == data["email"]
    assert input_value(page, "current_password") in (None, "")
    user = fresh(logged_in.user)
    assert user.pending_email is None
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.channel == "email")) == 0


# --- mobile ------------------------------------------------------------------------------------

@pytest.mark.config(SMS_COOLDOWN_SECONDS=0)
def test_new_mobile_is_used_only_once_confirmed_by_its_code(logged_in, sms, mailbox):
    user = logged_in.user
    old_phone = user.phone
    response = logged_in.post("/compte/portable", data={"mobile": "+41 78 123 45 67",
                                                        "current_password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/compte/portable/code"
    assert fresh(user).phone == old_phone
    shown = page_text(logged_in.get("/compte/portable/code"))
    assert re.search(r"Saisissez le code à 6 chiffres envoyé par SMS au 078 123 45 67 à "
                     r"\d\d:\d\d\. Il est valable jusqu'à \d\d:\d\d\.", shown), shown

    code = sms.last_code("+41781234567")
    response = logged_in.post("/compte/portable/code", data={"code": a_wrong_code(code)})
    assert_field_error(response, "code", "Ce code n'est pas valable.")
    assert fresh(user).phone == old_phone
    assert mailbox.to(user.email) == []  # nothing changed, nothing to notice

    response = logged_in.post("/compte/portable/code", data={"code": code})
    assert response.status_code == 303
    assert response.headers["Location"] == "/compte/"
    user = fresh(user)
    assert (user.phone, user.pending_phone) == ("+41781234567", None)
    [notice] = mailbox.to(user.email)
    assert "numéro de portable de votre compte Guichet vient d'être changé" in notice.text

    # The next login sends its code to the new number.
    logged_in.post("/deconnexion")
    before = len(sms.to(old_phone))
    assert login(logged_in, user, sms).status_code == 303
    assert len(sms.to(old_phone)) == before


@pytest.mark.parametrize("data, field_id, message", first_also_on_postgresql([
    ({"mobile": "032 910 71 00", "current_password": PASSWORD}, "mobile",
     "Ce numéro n'est pas un numéro de portable."),
    ({"mobile": "+33 6 12 34 56 78", "current_password": PASSWORD}, "mobile",
     "Seuls les numéros de portable suisses (+41 7x) sont acceptés."),
    ({"mobile": "079 123 45 6" + "7" * 40, "current_password": PASSWORD}, "mobile",
     "Ce numéro est trop long."),
    ({"mobile": "078 123 45 67", "current_password": "faux mot de passe"}, "current_password",
     "Le mot de passe actuel n'est pas correct."),
], ids=["fixed-line", "foreign", "oversized", "wrong-password"]))
def test_mobile_change_refusals(logged_in, sms, data, field_id, message):
    sent_before = len(sms.received)
    response = logged_in.post("/compte/portable", data=data)
    assert_field_error(response, field_id, message)
    assert input_value(response.get_data(as_text=True), "mobile") == data["mobile"]
    assert len(sms.received) == sent_before
    user = fresh(logged_in.user)
    assert user.pending_phone is None


# --- password ----------------------------------------------------------------------------------

@pytest.mark.config(SMS_COOLDOWN_SECONDS=0)
def test_password_change_needs_the_current_one_and_ends_other_sessions(app, logged_in, sms,
                                                                       mailbox):
    user = logged_in.user
    other_device = app.test_client()
    assert login(other_device, user, sms).status_code == 303
    assert other_device.get("/compte/").status_code == 200

    response = logged_in.post("/compte/mot-de-passe", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/compte/"
    assert verify_password(fresh(user).password_hash, NEW_PASSWORD)
    [notice] = mailbox.to(user.email)
    assert notice.subject == "Votre mot de passe a été changé"

    assert logged_in.get("/compte/").status_code == 200
    assert other_device.get("/compte/").status_code == 302
    logged_in.post("/deconnexion")
    assert logged_in.post("/connexion", data={"email": user.email,
                                              "password": PASSWORD}).status_code == 422


@pytest.mark.parametrize("data, field_id, message", first_also_on_postgresql([
    ({"current_password": "pas le bon mot de passe", "password": NEW_PASSWORD,
      "password_confirm": NEW_PASSWORD}, "current_password",
     "Le mot de passe actuel n'est pas correct."),
    ({"current_password": PASSWORD, "password": "trop court", "password_confirm": "trop court"},
     "password", "Le mot de passe doit compter au moins 12 caractères."),
    ({"current_password": PASSWORD, "password": NEW_PASSWORD,
      "password_confirm": NEW_PASSWORD + "!"}, "password_confirm",
     "Les deux mots de passe ne sont pas identiques."),
    ({"current_password": PASSWORD, "password": "", "password_confirm": ""}, "password",
     "Ce champ est obligatoire."),
], ids=["wrong-current", "short", "mismatch", "empty"]))
def test_password_change_refusals(logged_in, mailbox, data, field_id, message):
    user = logged_in.user
    old_hash = user.password_hash
    response = logged_in.post("/compte/mot-de-passe", data=data)
    assert_field_error(response, field_id, message)
    page = response.get_data(as_text=True)
    for name in ("current_password", "password", "password_confirm"):
        assert input_value(page, name) in (None, "")
    assert NEW_PASSWORD not in page
    assert fresh(user).password_hash == old_hash
    assert mailbox.messages == []


def test_a_superseded_email_change_link_no_longer_works(logged_in, mailbox):
    """A typo first, then the right address: the link sent to the typo must die."""
    user = logged_in.user
    for address in ("anna@exmaple.ch", "anna@example.ch"):
        assert logged_in.post("/compte/email", data={
            "email": address, "current_password": PASSWORD}).status_code == 303
    [typo_mail] = mailbox.to("anna@exmaple.ch")
    response = logged_in.post(link_in(typo_mail, "/compte/email/confirmer/"))
    assert response.status_code == 400
    user = fresh(user)
    assert user.email != "anna@exmaple.ch" and user.pending_email == "anna@example.ch"
    [right_mail] = mailbox.to("anna@example.ch")
    assert logged_in.post(link_in(right_mail, "/compte/email/confirmer/")).status_code == 303
    assert fresh(user).email == "anna@example.ch"
