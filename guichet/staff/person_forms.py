"""The form of an identity correction on the person's file (``staff.correct_identity``)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from guichet.core.forms import birth_date_field, navs_field, text_field
from guichet.core.i18n import lazy_gettext as _l


class IdentityCorrectionForm(FlaskForm):
    """The four fields the person cannot change, pre-filled with the file's values, and the
    reason (mandatory). The corrected identity must be in the register."""

    navs13 = navs_field()
    nom = text_field(_l("Nom"), 100)
    prenom = text_field(_l("Prénom"), 100)
    date_naissance = birth_date_field()
    reason = TextAreaField(
        _l("Motif de la correction"),
        validators=[DataRequired(_l("Indiquez le motif de la correction.")),
                    Length(max=500, message=_l("Le motif est trop long (500 caractères au "
                                               "plus)."))],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description=_l("Par exemple : « erreur de saisie à l'inscription, vérifié sur la carte "
                       "AVS ». Il est gardé dans le journal d'audit."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.navs13.description = _l("13 chiffres, commence par 756 (avec ou sans points).")
