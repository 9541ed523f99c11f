"""Forms of « Mon compte »."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import Length

from ..auth.forms import address_fields, validate_swiss_npa
from ..forms import (birth_date_field, civilite_field, email_field, mobile_field, navs_field,
                     new_password_fields, required, text_field)


def current_password_field():
    return PasswordField(_l("Mot de passe actuel"), validators=[
        required(), Length(max=1024, message=_l("Ce mot de passe est trop long."))],
        description=_l("Pour vérifier que c'est bien vous."))


class ProfileForm(FlaskForm):
    civilite = civilite_field()
    nom = text_field(_l("Nom"), 100)
    prenom = text_field(_l("Prénom"), 100)
    date_naissance = birth_date_field()
    navs13 = navs_field()
    rue, npa, localite, pays = address_fields()
    validate_npa = validate_swiss_npa


class EmailChangeForm(FlaskForm):
    email = email_field(_l("Nouvelle adresse e-mail"))
    current_password = current_password_field()


class PhoneChangeForm(FlaskForm):
    mobile = mobile_field(_l("Nouveau téléphone portable"))
    current_password = current_password_field()


@new_password_fields(label=_l("Nouveau mot de passe"),
                     confirm_label=_l("Confirmez le nouveau mot de passe"))
class PasswordChangeForm(FlaskForm):
    current_password = current_password_field()
