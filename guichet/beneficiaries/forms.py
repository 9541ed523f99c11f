"""Forms for the beneficiaries an account acts for and their saved decision numbers."""
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length

from guichet.core.forms import birth_date_field, navs_field, normalized_by, required, text_field
from guichet.core.i18n import lazy_gettext as _l
from guichet.models.beneficiaries import RELATION_CHILD, RELATION_OTHER, RELATION_WARD
from guichet.register.decision_numbers import parse_decision_number


class BeneficiaryForm(FlaskForm):
    navs13 = navs_field()
    nom = text_field(_l("Nom"), 100)
    prenom = text_field(_l("Prénom"), 100)
    date_naissance = birth_date_field()
    relation = SelectField(_l("Lien avec vous"), choices=[
        SelectChoice(RELATION_CHILD, _l("Mon enfant")),
        SelectChoice(RELATION_WARD, _l("Personne sous ma curatelle")),
        SelectChoice(RELATION_OTHER, _l("Autre représentation légale"))],
        validators=[required()])


class SavedDecisionForm(FlaskForm):
    number = StringField(_l("N° de décision"), validators=[
        required(), Length(max=40, message=_l("Le N° de décision compte 14 chiffres.")),
        normalized_by(parse_decision_number)],
        description=_l("14 chiffres, sur la décision de l'office, par exemple "
                       "324 2025 0001234."))
    description = text_field(_l("Description"), 120, optional=True,
                             description=_l("Pour vous y retrouver, par exemple « Transports "
                                            "thérapie »."))
