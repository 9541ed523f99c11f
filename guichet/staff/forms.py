"""The gestionnaires' decision forms, and the administrators' forms: the lists of reasons, the
register and decisions uploads, the rates.

Each decision form carries the invoice's ``version`` (hidden) as the page showed it, and a
prefix, so that the review screen's several forms keep distinct field names and ids. The CSRF
token is checked for every POST by ``CSRFProtect`` (the forms put it in with ``csrf_input``).
Only the fields declared here are read: a status, an amount or any other field posted besides
them is never looked at.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (FieldList, Form, FormField, HiddenField, SelectChoice, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from guichet.core.forms import no_control_characters, required, strip_text, text_field
from guichet.core.i18n import lazy_gettext as _l
from guichet.invoices import review
from guichet.invoices.parsing import Unreadable, parse_date, parse_money

CHOOSE = _l("— Choisir —")


def reduction_choices() -> list[SelectChoice]:
    return [SelectChoice("", CHOOSE)] + [SelectChoice(reason.code, reason.label)
                                         for reason in review.active_reduction_reasons()]


def refusal_choices() -> list[SelectChoice]:
    return [SelectChoice("", CHOOSE)] + [SelectChoice(reason.code, reason.label)
                                         for reason in review.active_refusal_reasons()]


def parsed_by(parse):
    """Keeps ``parse(field.data)`` in ``field.parsed``; its French message when unreadable."""
    def validator(form, field):
        field.parsed = None
        if field.data:
            try:
                field.parsed = parse(field.data)
            except Unreadable as exc:
                raise ValidationError(str(exc)) from None
    return validator


def _long_text(label, max_length, optional=True, **kwargs):
    validators = [] if optional else [required()]
    validators.append(Length(max=max_length, message=_l(
        "Ce texte est trop long (%(max)d caractères au plus).", max=max_length)))
    return TextAreaField(label, validators=validators, filters=[strip_text], **kwargs)


class DecisionForm(FlaskForm):
    """The invoice's version as the page showed it (a missing or forged one: a conflict)."""

    class Meta:
        csrf = False  # CSRFProtect checks the token of every POST

    version = HiddenField()

    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class TakeForm(DecisionForm):
    pass


class ReleaseForm(DecisionForm):
    pass


class ReassignForm(DecisionForm):
    to = SelectField(_l("Réattribuer à"), coerce=str, validate_choice=False)


class LineApprovalForm(Form):
    """One priced line: the approved amount and, when it is lower, why."""

    approved = StringField(_l("Montant validé (CHF)"), validators=[
        required(_l("Indiquez le montant validé.")), parsed_by(parse_money)], filters=[strip_text])
    reason_code = SelectField(_l("Motif de la réduction"), choices=reduction_choices,
                              validate_choice=False)
    reason = text_field(_l("Précision du motif"), 300, optional=True,
                        description=_l("Obligatoire pour « Autre motif »."))


class ValidateForm(DecisionForm):
    lines = FieldList(FormField(LineApprovalForm))


class RefuseForm(DecisionForm):
    reason_code = SelectField(_l("Motif du refus"), choices=refusal_choices,
                              validate_choice=False)
    text = _long_text(_l("Explication pour la personne"), 2000,
                      description=_l("Obligatoire pour « Autre motif »."))


class ComplementRequestForm(DecisionForm):
    message = _long_text(_l("Message à la personne"), 4000, optional=False)
    documents = SelectMultipleField(
        _l("Pièces demandées"), validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    other_documents = _long_text(_l("Autres documents demandés"), 2000,
                                 description=_l("Un document par ligne."))
    due_date = StringField(_l("Date limite"), validators=[
        required(_l("Indiquez la date limite.")), parsed_by(parse_date)], filters=[strip_text],
        description=_l("JJ.MM.AAAA, par exemple 14.10.2026."))

    def wanted_documents(self) -> list[str]:
        ticked = [item for item in (self.documents.data or []) if isinstance(item, str)]
        typed = (self.other_documents.data or "").splitlines()
        return [item.strip()[:300] for item in ticked + typed if item.strip()]


class ConfirmVisaForm(DecisionForm):
    note = _long_text(_l("Remarque pour le dossier (facultatif)"), 2000)


class SendBackForm(DecisionForm):
    note = _long_text(_l("Pourquoi renvoyer la validation"), 2000, optional=False,
                      description=_l("Le ou la gestionnaire lit cette note ; la personne "
                                     "assurée ne la voit pas."))


# --- the administrators' list ------------------------------------------------------------------

class ReasonForm(FlaskForm):
    class Meta:
        csrf = False

    label = StringField(_l("Motif"), validators=[
        required(_l("Écrivez le motif.")), Length(max=200, message=_l(
            "Ce motif est trop long (%(max)d caractères au plus).", max=200)),
        no_control_characters], filters=[strip_text])


class MoveReasonForm(FlaskForm):
    class Meta:
        csrf = False

    direction = HiddenField()


# --- the administrators' imports and rates ------------------------------------------------------

class ImportFileForm(FlaskForm):
    """One CSV file (the register, or the decisions); what it holds is checked by the import."""

    class Meta:
        csrf = False

    file = FileField(_l("Fichier CSV"), description=_l(
        "UTF-8 ou Windows-1252 (comme Excel l'enregistre), séparateur « , » ou « ; »."))

    def validate_file(self, field):
        if not getattr(field.data, "filename", ""):
            raise StopValidation(_l("Choisissez le fichier CSV."))


class RateForm(FlaskForm):
    """A new amount for a rate from a date, with its legal source (``rates set``)."""

    class Meta:
        csrf = False

    key = SelectField(_l("Taux"), coerce=str, validate_choice=False,
                      validators=[required(_l("Choisissez le taux."))])
    amount = StringField(_l("Nouveau montant (CHF)"), validators=[
        required(_l("Indiquez le montant.")), parsed_by(parse_money)], filters=[strip_text])
    valid_from = StringField(_l("En vigueur dès le"), validators=[
        required(_l("Indiquez la date d'entrée en vigueur.")), parsed_by(parse_date)],
        filters=[strip_text], description=_l("JJ.MM.AAAA ; le taux précédent s'arrête la veille."))
    source = text_field(_l("Base légale"), 120,
                        description=_l("Par exemple « RAI art. 90 » ou « Circulaire CMRM "
                                       "ch. 1021 »."))
