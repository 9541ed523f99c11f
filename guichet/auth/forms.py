"""Forms of the login side: registration, login, codes, password reset."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import Length, ValidationError

from ..forms import (birth_date_field, check_new_password, civilite_field, country_field,
                     email_field, mobile_field, navs_field, new_password_fields, required,
                     text_field)
from ..identifiers import InvalidIdentifier, normalize_npa


def address_fields():
    """Rue, NPA, localité, pays — declared in each form's body so they keep the page's order."""
    return (text_field(_l("Rue et n°"), 120),
            text_field(_l("NPA"), 12, description=_l("4 chiffres en Suisse, par exemple 2000.")),
            text_field(_l("Localité"), 100),
            country_field())


def validate_swiss_npa(form, field):
    """In Switzerland the NPA has 4 digits; abroad any postal code is accepted."""
    if form.pays.data == "CH" and field.data:
        try:
            field.data = normalize_npa(field.data)
        except InvalidIdentifier as exc:
            raise ValidationError(exc.message) from None


@new_password_fields
class RegisterForm(FlaskForm):
    email = email_field()
    mobile = mobile_field()
    navs13 = navs_field()
    civilite = civilite_field()
    nom = text_field(_l("Nom"), 100, description=_l("Tel qu'il figure sur votre carte AVS."))
    prenom = text_field(_l("Prénom"), 100)
    date_naissance = birth_date_field()
    rue, npa, localite, pays = address_fields()
    validate_npa = validate_swiss_npa
    FIELD_ORDER = ("email", "password", "password_confirm", "mobile", "navs13", "civilite",
                   "nom", "prenom", "date_naissance", "rue", "npa", "localite", "pays")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        navs = getattr(self.navs13, "normalized", None)
        return check_new_password(self, self.email.data, navs) and ok and not any(
            field.errors for field in self)


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Mot de passe"), validators=[
        required(), Length(max=1024, message=_l("Ce mot de passe est trop long."))])
    next = HiddenField()


class CodeForm(FlaskForm):
    code = StringField(_l("Code reçu"), validators=[
        required(_l("Saisissez le code à 6 chiffres.")),
        Length(max=20, message=_l("Le code compte 6 chiffres."))],
        description=_l("6 chiffres."))


class ForgotPasswordForm(FlaskForm):
    email = email_field()


@new_password_fields(label=_l("Nouveau mot de passe"),
                     confirm_label=_l("Confirmez le nouveau mot de passe"))
class ResetPasswordForm(FlaskForm):
    pass


class EmptyForm(FlaskForm):
    """Only the CSRF token: for buttons that POST (logout, resend, confirm)."""
