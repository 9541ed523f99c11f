"""« Mes IBAN »: validated, QR-IBAN refused, password and SMS code needed, masked, owner only."""
import pytest
from sqlalchemy import select

from guichet.core.iban import mask_iban, parse_payout_iban
from guichet.core.identifiers import InvalidIdentifier
from guichet.models import BankAccount
from guichet.models.base import db
from tests.support.accounts import PASSWORD, age_second_factor, login
from tests.support.page import page_text

UBS = "CH56 0483 5012 3456 7800 9"


@pytest.mark.parametrize("raw, message", [
    ("CH93 0076 2011 6238 5295 8", "n'est pas valable"),
    ("CH44 3199 9123 0008 8901 2", "QR-IBAN"),
    ("DE89 3704 0044 0532 0130 00", "Suisse ou au Liechtenstein"),
    ("CH93 0076 2011", "21 caractères"),
    ("", "Indiquez l'IBAN"),
])
def test_bad_iban_is_explained(raw, message):
    with pytest.raises(InvalidIdentifier) as error:
        parse_payout_iban(raw)
    assert message in str(error.value)


def test_iban_is_normalised_with_bank_name_and_masked():
    iban = parse_payout_iban("ch56-0483-5012-3456-7800-9")
    assert iban.compact == "CH5604835012345678009"
    assert "UBS" in iban.bank_name
    assert mask_iban(iban.compact) == "CH56 **** **** **** *800 9"


def add_iban(client, sms, password=PASSWORD, iban=UBS):
    return client.post("/compte/iban/", data={"iban": iban, "holder": "Anna Muster",
                                              "current_password": password})


@pytest.mark.config(SMS_COOLDOWN_SECONDS=0)
def test_adding_an_iban_needs_password_then_sms_code(logged_in, sms, mailbox):
    user = logged_in.user
    response = add_iban(logged_in, sms, password="pas le bon mot de passe")
    assert response.status_code == 422
    assert "Le mot de passe actuel n'est pas correct" in page_text(response)
    assert db.session.scalars(select(BankAccount)).all() == []

    age_second_factor()  # the login code was typed more than 5 minutes ago
    response = add_iban(logged_in, sms)
    assert response.status_code == 303 and response.headers["Location"] == "/compte/iban/code"
    assert "UBS" not in page_text(logged_in.get("/compte/iban/")).split("Ajouter un IBAN")[0]

    wrong = logged_in.post("/compte/iban/code", data={"code": "000000"})
    assert wrong.status_code == 422
    code = sms.last_code(user.phone)
    assert logged_in.post("/compte/iban/code", data={"code": code}).status_code == 303
    listing = page_text(logged_in.get("/compte/iban/"))
    assert "CH56 **** **** **** *800 9" in listing and "UBS" in listing
    assert "CH5604835012345678009" not in logged_in.get("/compte/iban/").get_data(as_text=True)
    [account] = db.session.scalars(select(BankAccount)).all()
    assert account.confirmed_at is not None
    assert any("IBAN" in mail.text for mail in mailbox.to(user.email))


def test_qr_iban_refused_and_nothing_stored(logged_in, sms):
    response = add_iban(logged_in, sms, iban="CH44 3199 9123 0008 8901 2")
    assert response.status_code == 422
    assert "QR-IBAN" in page_text(response)
    assert db.session.scalars(select(BankAccount)).all() == []
    assert sms.to(logged_in.user.phone)[-1:] != [] and len(sms.received) == 1  # login code only


def test_another_person_cannot_remove_my_iban(client, factory, sms, app):
    owner, other = factory.user(), factory.user()
    account = BankAccount(user_id=owner.id, iban="CH5604835012345678009", holder="A",
                          confirmed_at=owner.created_at)
    db.session.add(account)
    db.session.commit()
    login(client, other, sms)
    assert client.post(f"/compte/iban/{account.id}/supprimer").status_code == 404
    db.session.refresh(account)
    assert account.removed_at is None
