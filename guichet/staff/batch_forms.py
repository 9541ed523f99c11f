"""The forms of the transmission pages: the invoices of a new batch, the day a batch was
transmitted or paid, the CdC's payment list, the decision on a listed line, and the account's
NIF (on the person's file)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectMultipleField, StringField
from wtforms.validators import ValidationError

from guichet.core.forms import required, strip_text
from guichet.core.web import MAX_ID
from guichet.core.i18n import lazy_gettext as _l
from guichet.invoices.parsing import Unreadable, parse_date
from guichet.invoices.payments import normalize_nif

from .forms import parsed_by

DATE_HINT = _l("JJ.MM.AAAA, par exemple 14.10.2026.")


class _Form(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks the token of every POST


class BuildBatchForm(_Form):
    invoice_ids = SelectMultipleField(_l("Demandes du lot"), validate_choice=False)

    def chosen_ids(self) -> list[int] | None:
        """The ids ticked; ``None`` when one of them is not an id (ASCII digits, a number
        the database's ids can hold)."""
        values = [item for item in (self.invoice_ids.data or []) if isinstance(item, str)]
        if not all(item.isascii() and item.isdigit() and len(item) <= 10
                   and int(item) <= MAX_ID for item in values):
            return None
        return [int(item) for item in values]


class TransmittedForm(_Form):
    transmitted_on = StringField(_l("Date de transmission"), validators=[
        required(_l("Indiquez la date de transmission.")), parsed_by(parse_date)],
        filters=[strip_text], description=DATE_HINT)


class PaidForm(_Form):
    paid_on = StringField(_l("Date du paiement"), validators=[
        required(_l("Indiquez la date du paiement.")), parsed_by(parse_date)],
        filters=[strip_text], description=DATE_HINT)


class PaymentListForm(_Form):
    payment_list = FileField(
        _l("Liste des paiements de la Centrale de compensation (CSV)"),
        description=_l("Un fichier CSV (séparé par « ; » ou « , ») avec une ligne d'en-tête : "
                       "N° de reçu ; Date de paiement ; Montant payé ; NIF (facultatif)."))

    def validate_payment_list(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choisissez le fichier de la liste des paiements."))


class NifForm(_Form):
    nif = StringField(_l("NIF (numéro de créancier de la Centrale de compensation)"),
                      validators=[required(_l("Indiquez le NIF."))], filters=[strip_text],
                      description=_l("Des chiffres seulement, tel que la Centrale de "
                                     "compensation l'a communiqué."))

    def validate_nif(self, field):
        field.normalized = None
        try:
            field.normalized = normalize_nif(field.data)
        except Unreadable as exc:
            raise ValidationError(str(exc)) from None
