"""Forms of the login side: registration, login, codes, password reset."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import Length

from guichet.core.forms import (address_fields, birth_date_field, check_new_password,
                                civilite_field, current_password_field, email_field, mobile_field,
                                navs_field, new_password_fields, required, text_field,
                                validate_swiss_npa)
from guichet.core.i18n import lazy_gettext as _l


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


class ForgotPasswordForm(FlaskForm):
    email = email_field()


@new_password_fields(label=_l("Nouveau mot de passe"),
                     confirm_label=_l("Confirmez le nouveau mot de passe"))
class ResetPasswordForm(FlaskForm):
    pass



class PasswordCheckForm(FlaskForm):
    """The current password, before a change of the authenticator app or its codes."""
    current_password = current_password_field()


class AppSetupForm(FlaskForm):
    code = StringField(_l("Code affiché par l'application"), validators=[
        required(_l("Saisissez le code à 6 chiffres que l'application affiche.")),
        Length(max=20, message=_l("Le code compte 6 chiffres."))],
        description=_l("6 chiffres, renouvelés toutes les 30 secondes."))


@new_password_fields(label=_l("Mot de passe"), confirm_label=_l("Confirmez le mot de passe"))
class StaffPasswordForm(FlaskForm):
    """An invited staff member's first step: the password, twice."""
    FIELD_ORDER = ("password", "password_confirm")


class StaffAppForm(AppSetupForm):
    """An invited staff member's second step: the first code of the new app."""


class StaffAppResetForm(AppSetupForm):
    """After a reset: the password kept proves it is the person (the e-mailed link alone does
    not), and the first code of the new app."""
    current_password = PasswordField(_l("Votre mot de passe"), validators=[
        required(), Length(max=1024, message=_l("Ce mot de passe est trop long."))],
        description=_l("Celui que vous utilisez déjà : il ne change pas."))
    FIELD_ORDER = ("current_password", "code")
