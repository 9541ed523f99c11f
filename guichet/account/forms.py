"""Forms of « Mon compte »."""
from __future__ import annotations

from flask_wtf import FlaskForm

from guichet.core.forms import (address_fields, birth_date_field, civilite_field,
                                current_password_field, email_field, mobile_field, navs_field,
                                new_password_fields, text_field, validate_swiss_npa)
from guichet.core.i18n import lazy_gettext as _l


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
