"""Forms for adding an IBAN."""
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from guichet.core.forms import current_password_field, normalized_by, required, text_field
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.iban import parse_payout_iban


class IbanForm(FlaskForm):
    iban = StringField(_l("IBAN"), validators=[
        required(), Length(max=60, message=_l("Un IBAN suisse compte 21 caractères.")),
        normalized_by(parse_payout_iban)],
        description=_l("Compte en Suisse ou au Liechtenstein, par exemple "
                       "CH93 0076 2011 6238 5295 7. Pas de QR-IBAN."))
    holder = text_field(_l("Titulaire du compte"), 140,
                        description=_l("Le nom tel qu'il figure auprès de la banque."))
    current_password = current_password_field()
