"""Shared form fields of guichet.core.forms."""
from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from wtforms import SelectField

from guichet.core.forms import country_choices, country_field, required
from guichet.core.i18n import lazy_gettext as _l


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
