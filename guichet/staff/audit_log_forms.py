"""The audit log page's GET form: staff member, action, object and days, from the query
string."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from guichet.core.i18n import lazy_gettext as _l
from guichet.core.identifiers import NonexistentDate, UnreadableDate, parse_typed_date

from .audit_log import ACTOR_NONE, LogFilter

DAY_EXAMPLE = "31.01.2026"


class AuditLogForm(FlaskForm):
    """Read from ``request.args`` (no CSRF: it changes nothing). The choices come from the
    caller: the office's staff, the actions and the object types."""

    class Meta:
        csrf = False

    membre = SelectField(_l("Membre du personnel"), default="", validate_choice=False)
    action = SelectField(_l("Action"), default="", validate_choice=False)
    objet = SelectField(_l("Type d'objet"), default="", validate_choice=False)
    objet_id = StringField(_l("N° de l'objet"), validators=[Length(max=40, message=_l(
        "Tapez au plus 40 caractères."))], description=_l("Par exemple le numéro d'une demande "
                                                          "ou d'un compte."))
    du = StringField(_l("Du"), description=_l("JJ.MM.AAAA, inclus (heure de Suisse)."))
    au = StringField(_l("Au"), description=_l("JJ.MM.AAAA, inclus (heure de Suisse)."))

    def __init__(self, staff: dict[int, str], actions: list[tuple[str, str]],
                 object_types: list[tuple[str, str]], **kwargs):
        super().__init__(**kwargs)
        self.membre.choices = [("", _l("Tout le monde")),
                               (ACTOR_NONE, _l("Sans auteur (visiteur non connecté, commande)")),
                               *((str(staff_id), name) for staff_id, name in staff.items())]
        self.action.choices = [("", _l("Toutes les actions")), *actions]
        self.objet.choices = [("", _l("Tous les objets")), *object_types]
        self._start: date | None = None
        self._end: date | None = None

    def validate(self, extra_validators=None) -> bool:
        """Also: each select holds one of its choices, the days read and are in order (a bad
        value gets a French message and filters nothing)."""
        valid = super().validate(extra_validators)
        for select in (self.membre, self.action, self.objet):
            if select.data not in {value for value, _label in select.choices}:
                select.errors = [*select.errors, _l("Choisissez une valeur de la liste.")]
                select.data = ""
                valid = False
        self._start, ok_start = self._day(self.du)
        self._end, ok_end = self._day(self.au)
        valid = valid and ok_start and ok_end
        if self._start and self._end and self._end < self._start:
            self.au.errors = [*self.au.errors, _l("Ce jour précède le premier jour (« Du »).")]
            self._end = None
            valid = False
        return valid

    @staticmethod
    def _day(f) -> tuple[date | None, bool]:
        raw = (f.data or "").strip()
        if not raw:
            return None, True
        try:
            return parse_typed_date(raw, example=DAY_EXAMPLE), True
        except (UnreadableDate, NonexistentDate) as error:
            f.errors = [*f.errors, str(error)]
            return None, False

    def log_filter(self) -> LogFilter:
        """The filter asked (the values with an error left out); call after ``validate()``."""
        return LogFilter(actor=self.membre.data or "", action=self.action.data or "",
                         object_type=self.objet.data or "",
                         object_id="" if self.objet_id.errors else (self.objet_id.data or "")
                         .strip(),
                         start=self._start, end=self._end)
