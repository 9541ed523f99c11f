"""Pieces shared by every form: identifier validators, country choices, password checks."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from babel import Locale
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.fields.choices import Choice
from wtforms.validators import Email, InputRequired, Length, ValidationError
from wtforms.widgets import Select, html_params

from . import identifiers
from .i18n import lazy_gettext as _l
from .i18n import today_in_zurich
from .identifiers import InvalidIdentifier, normalize_npa
from .passwords import check_password

REQUIRED = _l("Ce champ est obligatoire.")


def required(message=REQUIRED):
    return InputRequired(message=message)


def normalized_by(parse):
    """A validator that runs ``parse`` and keeps its canonical result in ``field.normalized``."""
    def validator(form, field):
        if not field.data:
            return
        try:
            field.normalized = parse(field.data)
        except identifiers.InvalidIdentifier as exc:
            raise ValidationError(exc.message) from None
    return validator


def email_field(label=_l("Adresse e-mail"), **kwargs):
    return EmailField(label, validators=[
        required(), Length(max=254, message=_l("L'adresse e-mail est trop longue.")),
        Email(message=_l("L'adresse e-mail n'est pas valable, par exemple : nom@exemple.ch."),
              granular_message=False)], filters=[_clean_email], **kwargs)


def _clean_email(value):
    return value.strip().lower() if isinstance(value, str) else value


def strip_text(value):
    """A field filter: the text without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def no_control_characters(form, field):
    """Invisible control characters (NUL, line breaks…) have no place in a one-line text; the
    NUL byte would even make PostgreSQL refuse the whole row."""
    if isinstance(field.data, str) and _CONTROL_CHARACTERS.search(field.data):
        raise ValidationError(_l("Ce texte contient des caractères non admis (caractères de "
                                 "contrôle invisibles). Retapez-le."))


def text_field(label, max_length, optional=False, **kwargs):
    validators = [] if optional else [required()]
    validators.append(Length(max=max_length, message=_l(
        "Ce texte est trop long (%(max)d caractères au plus).", max=max_length)))
    validators.append(no_control_characters)
    return StringField(label, validators=validators, filters=[strip_text], **kwargs)


def navs_field():
    return StringField(_l("N° AVS"), validators=[
        required(), Length(max=40, message=_l("Le N° AVS compte 13 chiffres.")),
        normalized_by(identifiers.normalize_navs13)], filters=[strip_text],
        description=_l("13 chiffres, commence par 756, par exemple 756.1234.5678.97. "
                       "Il figure sur votre carte d'assurance-maladie."))


def mobile_field(label=_l("Téléphone portable")):
    return StringField(label, validators=[
        required(), Length(max=30, message=_l("Ce numéro est trop long.")),
        normalized_by(identifiers.normalize_swiss_mobile)], filters=[strip_text],
        description=_l("Un portable suisse, par exemple 079 123 45 67. "
                       "Nous y envoyons un code à chaque connexion."))


#: The date of birth that the field's hint and its error message both give as an example.
BIRTH_DATE_EXAMPLE = "15.03.1985"


def birth_date_field():
    return StringField(_l("Date de naissance"), validators=[
        required(), Length(max=20, message=_l(
            "Écrivez la date sous la forme JJ.MM.AAAA, par exemple %(example)s.",
            example=BIRTH_DATE_EXAMPLE)),
        normalized_by(parse_birth_date)], filters=[strip_text],
        description=_l("Sous la forme JJ.MM.AAAA, par exemple %(example)s (ou %(digits)s, "
                       "sans les points).", example=BIRTH_DATE_EXAMPLE,
                       digits=BIRTH_DATE_EXAMPLE.replace(".", "")))


def parse_birth_date(raw: str) -> date:
    """A date of birth as people type it (15.03.1985, 15/03/1985, 15031985, 1985-03-15), not
    in the future, not before 1900."""
    value = identifiers.parse_typed_date(raw, example=BIRTH_DATE_EXAMPLE)
    if value > today_in_zurich():
        raise identifiers.InvalidIdentifier(_l(
            "La date de naissance ne peut pas être dans le futur."))
    if value.year < 1900:
        raise identifiers.InvalidIdentifier(_l(
            "Cette date de naissance n'est pas possible : vérifiez l'année."))
    return value


def civilite_field():
    return RadioField(_l("Civilité"), choices=[SelectChoice("madame", _l("Madame")),
                                              SelectChoice("monsieur", _l("Monsieur"))],
                      validators=[required(_l("Choisissez Madame ou Monsieur."))])


# Babel's codes that are no place to live: groupings and test codes, and the territories
# without a permanent population (Antarctica, Bouvet, Clipperton, South Georgia, Heard and
# McDonald, the French Southern Lands, the US Minor Outlying Islands, and the British Indian
# Ocean Territory with Diego Garcia, a military base).
NOT_AN_ADDRESS = frozenset({"ZZ", "EU", "EZ", "UN", "XA", "XB", "QO",
                            "AQ", "BV", "CP", "GS", "HM", "TF", "UM", "IO", "DG"})


@lru_cache(maxsize=1)
def country_choices() -> list[SelectChoice]:
    """Switzerland first, then every country or territory people live in, by its French name."""
    names = Locale.parse("fr_CH").territories
    countries = sorted(((code, name) for code, name in names.items()
                        if len(code) == 2 and code.isalpha() and code != "CH"
                        and code not in NOT_AN_ADDRESS),
                       key=lambda item: _sort_key(item[1]))
    return [SelectChoice(code, name) for code, name in [("CH", names["CH"])] + countries]


def _sort_key(name: str) -> str:
    return identifiers.normalize_name_for_match(name)


class CountrySelect(Select):
    """WTForms' select, but the 250 country options (the same for everyone) are rendered once
    for each country that can be chosen, instead of on every page that shows an address: they
    were more than half the time of « Mon compte »."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        for name in self.validation_attrs:
            if name not in kwargs and getattr(field.flags, name, False):
                kwargs[name] = True
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>"
                      f"{_country_options(str(field.data or ''))}</select>")


@lru_cache(maxsize=32)
def _country_options(chosen: str) -> str:
    return "".join(Select.render_option(Choice(value=choice.value, label=choice.label,
                                               selected=choice.value == chosen,
                                               render_kw=choice.render_kw))
                   for choice in country_choices())


def country_field():
    return SelectField(_l("Pays"), choices=country_choices(), default="CH",
                       validators=[required()], widget=CountrySelect())


def new_password_fields(form_class=None, *, label=_l("Mot de passe"),
                        confirm_label=_l("Confirmez le mot de passe")):
    """Adds ``password`` and ``password_confirm`` with the policy check to a form class.

    Used bare (``@new_password_fields``) or with labels (``@new_password_fields(label=…)``).
    """
    if form_class is None:
        return lambda cls: new_password_fields(cls, label=label, confirm_label=confirm_label)
    form_class.password = PasswordField(
        label, validators=[required()],
        description=_l("Au moins 12 caractères. Une phrase de plusieurs mots est facile à retenir "
                       "et difficile à deviner."))
    form_class.password_confirm = PasswordField(confirm_label, validators=[required()])
    return form_class


def check_new_password(form, email: str | None, navs13: str | None) -> bool:
    """Policy and confirmation check of ``form.password``; adds errors, returns True when fine."""
    ok = True
    if form.password.data:
        for message in check_password(form.password.data, email=email, navs13=navs13):
            form.password.errors.append(message)
            ok = False
    if form.password.data and form.password_confirm.data != form.password.data:
        form.password_confirm.errors.append(_l("Les deux mots de passe ne sont pas identiques."))
        ok = False
    return ok


def address_fields():
    """Rue, NPA, localité, pays — declared in each form's body so they keep the page's order."""
    return (text_field(_l("Rue et n°"), 120),
            text_field(_l("NPA"), 12, description=_l("4 chiffres en Suisse, par exemple %(example)s.",
                                                     example=identifiers.NPA_EXAMPLE)),
            text_field(_l("Localité"), 100),
            country_field())


def validate_swiss_npa(form, field):
    """In Switzerland the NPA has 4 digits; abroad any postal code is accepted."""
    if form.pays.data == "CH" and field.data:
        try:
            field.data = normalize_npa(field.data)
        except InvalidIdentifier as exc:
            raise ValidationError(exc.message) from None


class CodeForm(FlaskForm):
    code = StringField(_l("Code reçu"), validators=[
        required(_l("Saisissez le code à 6 chiffres.")),
        Length(max=20, message=_l("Le code compte 6 chiffres."))],
        description=_l("6 chiffres."))


class EmptyForm(FlaskForm):
    """Only the CSRF token: for buttons that POST (logout, resend, confirm)."""


def current_password_field():
    return PasswordField(_l("Mot de passe actuel"), validators=[
        required(), Length(max=1024, message=_l("Ce mot de passe est trop long."))],
        description=_l("Pour vérifier que c'est bien vous."))


def field_attributes(f, *, autocomplete=None, type=None, check_url=None, optional=False,
                     inputmode=None, spellcheck=None, width=None, extra=None) -> dict:
    """The attributes the field macro (templates/macros/forms.html) gives a form control: what
    describes it, whether it is invalid or required, its input hints, and the htmx check of a
    registration field. Built here rather than in Jinja: a form of 30 fields asked for it 30
    times, and it was most of the draft form's rendering."""
    attributes = {"aria-describedby": f"{f.id}-feedback" + (f" {f.id}-hint" if f.description
                                                           else "")}
    if f.errors:
        attributes["aria-invalid"] = "true"
    for name, value in (("autocomplete", autocomplete), ("type", type),
                        ("inputmode", inputmode)):
        if value:
            attributes[name] = value
    if spellcheck is not None:
        attributes["spellcheck"] = spellcheck
    if width:
        attributes["class"] = "input--" + width
    if check_url:
        attributes.update({"data-hx-post": check_url, "data-hx-trigger": "change",
                           "data-hx-target": f"#{f.id}-feedback", "data-hx-swap": "outerHTML",
                           "data-hx-include": "closest form"})
    if not optional or f.type == "PasswordField":
        attributes["required"] = True
    if f.type == "SelectField":
        # a select whose first option is a real value (no empty placeholder) always sends a
        # value; HTML forbids "required" on it (WTForms would add it from InputRequired)
        first = next(iter(f.iter_choices()), None)
        if first is not None and first.value not in ("", None):
            attributes["required"] = False
    attributes.update(extra or {})
    return attributes
