"""Shared form fields of guichet.core.forms."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField

from guichet.core.forms import country_choices, country_field, required
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.i18n import today_in_zurich
from guichet.models import User
from guichet.models.base import db
from tests.support.accounts import registration_form
from tests.support.databases import count
from tests.support.page import feedback, page_text, text_of


@pytest.mark.parametrize("chosen", [None, "CH", "FR", "LI", "", "<script>"])
def test_the_country_list_reads_exactly_as_wtforms_writes_it(app, chosen):
    """The kept options must not change a byte of the page (selected option, escaping,
    attributes passed by the field macro)."""
    class Kept(FlaskForm):
        pays = country_field()

    class Plain(FlaskForm):
        pays = SelectField(_l("Pays"), choices=country_choices(), default="CH",
                           validators=[required()])

    with app.test_request_context("/"):
        data = None if chosen is None else {"pays": chosen}
        kept, plain = Kept(data=data), Plain(data=data)
        attributes = {"class_": "wide", "aria-describedby": "pays-feedback"}
        assert str(kept.pays(**attributes)) == str(plain.pays(**attributes))
        assert ('<option selected value="FR">' in str(kept.pays())) == (chosen == "FR")


def test_the_country_list_offers_places_people_live_in_only(client, factory, sms):
    page = client.get("/inscription").get_data(as_text=True)
    options = dict((code, name) for code, name in
                   re.findall(r'<option(?: selected)? value="([A-Z]{2})">([^<]+)</option>', page))
    assert list(options)[0] == "CH" and options["CH"] == "Suisse"
    for code in ("FR", "DE", "IT", "LI", "XK", "PN", "PT"):
        assert code in options, code
    for name in ("Antarctique", "Île Bouvet", "Îles Heard-et-MacDonald",
                 "Terres australes françaises", "Îles mineures éloignées des États-Unis",
                 "Géorgie du Sud-et-les Îles Sandwich du Sud", "Île Clipperton", "Diego Garcia"):
        assert name not in page, name
    # posted anyway, it is refused in French and nothing is created
    person = factory.person()
    response = client.post("/inscription", data=registration_form(person, pays="AQ"))
    assert response.status_code == 422
    assert "Pays : " in page_text(response)
    assert db.session.scalar(select(User).where(User.navs13 == person.navs13)) is None


# --- dates of birth and NPA as people type them ------------------------------------------------

@pytest.mark.parametrize("typed", ["02111979", "02/11/1979", "2.11.1979", "2/11/1979",
                                   "02.11.1979", "2-11-1979"])
def test_registration_takes_a_date_of_birth_typed_without_dots(client, factory, sms, typed):
    """An iPhone's numeric keypad has no « . »: 02111979 and 02/11/1979 are read too."""
    person = factory.person(born=date(1979, 11, 2))
    response = client.post("/inscription", data=registration_form(person,
                                                                  date_naissance=typed))
    assert response.status_code == 303 and response.headers["Location"] == "/connexion/code"
    user = db.session.scalar(select(User).where(User.email == "lea@example.ch"))
    assert user.date_naissance == date(1979, 11, 2)


@pytest.mark.parametrize("field_name, typed, message", [
    ("date_naissance", "31.02.1979", "Cette date n'existe pas : vérifiez le jour et le mois."),
    ("date_naissance", "le 2 novembre",
     "Écrivez la date sous la forme JJ.MM.AAAA, par exemple 15.03.1985."),
    ("npa", "20", "Le NPA compte 4 chiffres, par exemple 2000."),
])
def test_a_refused_date_of_birth_or_npa_gives_the_hints_example(client, factory, sms,
                                                                 field_name, typed, message):
    person = factory.person(born=date(1979, 11, 2))
    response = client.post("/inscription", data=registration_form(person,
                                                                  **{field_name: typed}))
    html = response.get_data(as_text=True)
    assert feedback(html, field_name) == f"Erreur : {message}"
    hint = text_of(re.search(rf'<p class="hint" id="{field_name}-hint">(.*?)</p>', html)[1])
    example = re.search(r"par exemple (\S+?)\.?$", message)
    if example:  # the hint gives the same example as the message
        assert f"par exemple {example[1]}" in hint
    assert count(User) == 0


def test_a_future_date_of_birth_says_so(client, factory, sms):
    person = factory.person(born=date(1979, 11, 2))
    next_year = today_in_zurich() + timedelta(days=366)
    response = client.post("/inscription", data=registration_form(
        person, date_naissance=f"{next_year:%d%m%Y}"))
    assert feedback(response.get_data(as_text=True), "date_naissance") == \
        "Erreur : La date de naissance ne peut pas être dans le futur."
    assert count(User) == 0
