"""The queue's GET form: filters and the search box, read from the query string."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length

from guichet.core.i18n import lazy_gettext as _l
from guichet.invoices.queue import (ASSIGNEE_ANY, ASSIGNEE_MINE, ASSIGNEE_MINE_OR_NONE,
                                    ASSIGNEE_NONE, STATE_ALL, STATE_OPEN, TAB_STATES,
                                    QueueFilter)
from guichet.invoices.status import status_info
from guichet.invoices.types import INVOICE_TYPES
from guichet.models.invoices import STATUS_VISA_PENDING

AGES = (7, 14, 30, 60, 90)
TYPE_LABELS = {key: kind.label for key, kind in INVOICE_TYPES.items()}


def state_label(state: str):
    """A state's name in the queue: « Second visa » for the one the insured reads « En
    traitement »."""
    return _l("Second visa") if state == STATUS_VISA_PENDING else status_info(state).label


def state_labels() -> dict[str, str]:
    """Every state's name in the queue, as text (once per page, not once per row)."""
    return {state: str(state_label(state)) for state in TAB_STATES}


class QueueForm(FlaskForm):
    """Read from ``request.args`` (no CSRF: it changes nothing). The choices of
    « gestionnaire » are the office's staff, given at construction."""

    class Meta:
        csrf = False

    q = StringField(_l("Rechercher"), validators=[Length(max=100, message=_l(
        "Tapez au plus 100 caractères."))],
        description=_l("N° AVS (avec ou sans points), nom ou N° de reçu."))
    etat = SelectField(_l("État"), default=STATE_OPEN, validate_choice=False)
    type = SelectField(_l("Type de facture"), default="", validate_choice=False)
    age = SelectField(_l("Envoyée depuis"), default="", validate_choice=False)
    gestionnaire = SelectField(_l("Gestionnaire"), default=ASSIGNEE_MINE_OR_NONE,
                                validate_choice=False)
    signalees = BooleanField(_l("Signalées seulement"))

    def __init__(self, staff_names: dict[int, str], **kwargs):
        super().__init__(**kwargs)
        self.etat.choices = [(STATE_OPEN, _l("À traiter")), (STATE_ALL, _l("Toutes")),
                             *((state, state_label(state)) for state in TAB_STATES)]
        self.type.choices = [("", _l("Tous les types")),
                             *((key, kind.label) for key, kind in INVOICE_TYPES.items())]
        self.age.choices = [("", _l("Peu importe")),
                            *((str(days), _l("plus de %(n)s jours", n=days)) for days in AGES)]
        self.gestionnaire.choices = [
            (ASSIGNEE_MINE_OR_NONE, _l("Les miennes et sans gestionnaire")),
            (ASSIGNEE_MINE, _l("Les miennes")), (ASSIGNEE_NONE, _l("Sans gestionnaire")),
            (ASSIGNEE_ANY, _l("Tous les gestionnaires")),
            *((str(staff_id), name) for staff_id, name in staff_names.items())]

    def validate(self, extra_validators=None) -> bool:
        """Also: each select holds one of its choices (else a French message, and the
        default is used)."""
        valid = super().validate(extra_validators)
        for select in (self.etat, self.type, self.age, self.gestionnaire):
            if select.data not in {value for value, _label in select.choices}:
                select.errors = [*select.errors, _l("Choisissez une valeur de la liste.")]
                select.data = select.default
                valid = False
        return valid

    def queue_filter(self) -> QueueFilter:
        """The filter asked for; call after ``validate()`` succeeded."""
        return QueueFilter(state=self.etat.data or STATE_OPEN, invoice_type=self.type.data or "",
                           older_than_days=int(self.age.data) if self.age.data else None,
                           assignee=self.gestionnaire.data or ASSIGNEE_MINE_OR_NONE,
                           flagged=bool(self.signalees.data),
                           q="" if self.q.errors else (self.q.data or "").strip())
