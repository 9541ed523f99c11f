"""Forms of « Mon compte »."""
from __future__ import annotations

from flask_wtf import FlaskForm

from guichet.core.forms import (address_fields, civilite_field, current_password_field, email_field,
                                mobile_field, new_password_fields, validate_swiss_npa)
from guichet.core.i18n import lazy_gettext as _l


class ProfileForm(FlaskForm):
    """What the person may change themselves: civilité and address. The identity checked
    against the register at registration (N° AVS, nom, prénom, date de naissance) is not a
    field: only the office corrects it, so a posted value for it is never read."""

    civilite = civilite_field()
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
