"""The main account flow through the test client: register, confirm, log in, log out."""
from datetime import date

from sqlalchemy import select

from guichet.models import User
from guichet.models.base import db
from tests.support.accounts import PASSWORD, registration_form
from tests.support.page import page_text


def test_register_confirm_login_logout(client, factory, sms, mailbox):
    person = factory.person(nom="Müller", born=date(1990, 1, 8))
    response = client.post("/inscription", data=registration_form(person, nom="MULLER"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/connexion/code"
    user = db.session.scalar(select(User).where(User.email == "lea@example.ch"))
    assert user is not None and user.phone == "+41795551234"
    assert user.phone_confirmed_at is None and user.email_confirmed_at is None

    code = sms.last_code("+41795551234")
    response = client.post("/connexion/code", data={"code": code})
    assert response.status_code == 303
    assert response.headers["Location"] == "/demandes/"
    page = client.get("/demandes/")
    assert "Dernière étape : confirmez votre adresse e-mail" in page_text(page)

    [mail] = mailbox.to("lea@example.ch")
    link = next(word for word in mail.text.split() if "/email/confirmer/" in word)
    assert link.startswith("https://guichet.example.ch/email/confirmer/")
    path = link.removeprefix("https://guichet.example.ch")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 303
    db.session.refresh(user)
    assert user.is_confirmed
    assert "Aucune demande pour le moment" in page_text(client.get("/demandes/"))

    assert client.post("/deconnexion").status_code == 303
    assert client.get("/demandes/").status_code == 302



def test_a_second_login_within_the_cooldown_keeps_the_code_already_sent(client, factory, sms):
    user = factory.user()
    client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    page = page_text(client.get("/connexion/code"))
    assert "Saisissez le code à 6 chiffres envoyé par SMS" in page
    assert "Vous pourrez demander un nouveau code dans" in page
    assert "Aucun" not in page
    assert len(sms.to(user.phone)) == 1
    response = client.post("/connexion/code", data={"code": sms.last_code(user.phone)})
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"
