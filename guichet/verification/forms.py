"""The form of every code page: the code, and the method it was given by (hidden)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from guichet.core.forms import required
from guichet.core.i18n import lazy_gettext as _l


class SecondFactorForm(FlaskForm):
    code = StringField(_l("Code reçu"), validators=[
        required(_l("Saisissez le code.")),
        Length(max=40, message=_l("Ce code est trop long."))])
    method = HiddenField()

    def for_method(self, prompt: dict) -> "SecondFactorForm":
        """Labels the field for the method ``prompt`` (from ``code_prompt``) shows."""
        self.code.label.text = prompt["code_label"]
        self.code.description = prompt["code_hint"]
        self.method.data = prompt["method"]
        return self
