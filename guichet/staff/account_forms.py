"""The forms of « Personnel »: the invitation (address, names, role) and the role of an
account. The CSRF token of every POST is checked by ``CSRFProtect``."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField
from wtforms.validators import AnyOf

from guichet.core.forms import email_field, required, text_field
from guichet.core.i18n import lazy_gettext as _l
from guichet.models import ROLE_REVIEWER, STAFF_ROLES
from guichet.verification.staff_links import ROLE_LABELS


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, ROLE_LABELS[role]) for role in STAFF_ROLES]


def _role_field(label=_l("Rôle")):
    return SelectField(label, choices=role_choices, default=ROLE_REVIEWER,
                       validators=[required(_l("Choisissez un rôle.")),
                                   AnyOf(STAFF_ROLES, message=_l("Choisissez l'un des rôles "
                                                                 "proposés."))],
                       validate_choice=False)


class InviteStaffForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks the token of every POST

    prenom = text_field(_l("Prénom"), 100)
    nom = text_field(_l("Nom"), 100)
    email = email_field(description=_l("L'invitation y est envoyée, avec un lien qui ne sert "
                                       "qu'une fois."))
    role = _role_field()


class StaffRoleForm(FlaskForm):
    class Meta:
        csrf = False

    role = _role_field(_l("Nouveau rôle"))
