"""Each SMS code says what it authorises: a code that arrives for something the person did not
ask for (an IBAN added, another mobile) then stands out."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.support.accounts import PASSWORD, registration_form, start_login

VALIDITY = r"\. Valable 10 minutes\. Ne le communiquez à personne\."


def sms_text(sms, number: str) -> str:
    texts = sms.to(number)
    assert texts, f"no SMS to {number}"
    return texts[-1]


def test_the_registration_code_confirms_the_mobile(client, factory, sms):
    person = factory.person()
    response = client.post("/inscription", data=registration_form(person,
                                                                  mobile="079 555 12 34"))
    assert response.status_code == 303
    assert re.fullmatch(r"Code Guichet \d{6} pour confirmer votre numéro de portable" + VALIDITY,
                        sms_text(sms, "+41795551234"))


def test_the_login_code_is_for_logging_in(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    assert re.fullmatch(r"Code Guichet \d{6} pour vous connecter" + VALIDITY,
                        sms_text(sms, user.phone))


@pytest.mark.config(SMS_COOLDOWN_SECONDS=0, STEP_UP_FRESHNESS=timedelta(0))  # asks a code
def test_the_iban_code_names_the_iban(logged_in, sms):
    response = logged_in.post("/compte/iban/", data={
        "iban": "CH56 0483 5012 3456 7800 9", "holder": "Anna Muster",
        "current_password": PASSWORD})
    assert response.status_code == 303
    assert re.fullmatch(r"Code Guichet \d{6} pour confirmer l'ajout d'un IBAN" + VALIDITY,
                        sms_text(sms, logged_in.user.phone))


@pytest.mark.config(SMS_COOLDOWN_SECONDS=0)
def test_the_new_mobile_code_names_the_new_mobile(logged_in, sms):
    response = logged_in.post("/compte/portable", data={"mobile": "+41 78 123 45 67",
                                                        "current_password": PASSWORD})
    assert response.status_code == 303
    assert re.fullmatch(r"Code Guichet \d{6} pour confirmer votre nouveau numéro de portable"
                        + VALIDITY, sms_text(sms, "+41781234567"))
