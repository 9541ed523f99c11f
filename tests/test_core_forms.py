"""Shared form fields of guichet.core.forms."""
from __future__ import annotations

import re

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField

from guichet.core.forms import country_choices, country_field, required
from guichet.core.i18n import lazy_gettext as _l
from guichet.models import User
from guichet.models.base import db
from tests.support.accounts import registration_form
from tests.support.page import page_text


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
