"""Invoice forms, built from the invoice types, so page, fragments and checks share one shape."""
from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, RadioField,
                     SelectChoice, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length

from guichet.core.formatting import describe_account, format_decision_number
from guichet.core.i18n import lazy_gettext as _l
from guichet.invoices.drafts import Submitted
from guichet.invoices.pricing import decision_number_of
from guichet.invoices.types import invoice_type
from guichet.invoices.types.base import SELECT, TEXTAREA, YESNO, FieldSpec, InvoiceType

YES_NO = (SelectChoice("yes", _l("Oui")), SelectChoice("no", _l("Non")))


def _field(spec: FieldSpec):
    kwargs = {"description": spec.hint, "render_kw": {}}
    if spec.kind == SELECT:
        choices = [SelectChoice("", _l("— Choisir —"))] + [
            SelectChoice(value, label) for value, label in spec.choices]
        return SelectField(spec.label, choices=choices, validate_choice=False, **kwargs)
    if spec.kind == YESNO:
        return RadioField(spec.label, choices=list(YES_NO), validate_choice=False, **kwargs)
    if spec.kind == TEXTAREA:
        return TextAreaField(spec.label, **kwargs)
    return StringField(spec.label, validators=[Length(max=spec.max_length)], **kwargs)


@lru_cache(maxsize=None)
def line_form_class(type_key: str) -> type[Form]:
    spec = invoice_type(type_key)
    attrs = {field.name: _field(field) for field in spec.line_fields}
    return type(f"{type_key.title()}LineForm", (Form,), attrs)


@lru_cache(maxsize=None)
def invoice_form_class(type_key: str) -> type[FlaskForm]:
    """The whole invoice form of one type: common header, own fields, lines, remark."""
    spec: InvoiceType = invoice_type(type_key)
    attrs = {
        "beneficiary_id": SelectField(_l("Bénéficiaire"), choices=[], validate_choice=False,
                                      description=_l("La personne qui a eu ces frais.")),
        "bank_account_id": SelectField(_l("IBAN pour le remboursement"), choices=[],
                                       validate_choice=False),
        "decision_number": StringField(
            _l("N° de décision"), validators=[Length(max=40)],
            description=_l("14 chiffres, sur la décision de l'office, par exemple "
                           "324 2025 0001234.")),
        "save_decision": BooleanField(_l("Enregistrer ce numéro pour mes prochaines factures")),
    }
    for field in spec.fields:
        attrs[field.name] = _field(field)
    if spec.has_lines:
        attrs["lines"] = FieldList(FormField(line_form_class(type_key)), min_entries=0,
                                   max_entries=60)
    attrs["remark"] = TextAreaField(_l("Remarque pour l'office"), validators=[Length(max=2000)],
                                    description=_l("Ce que l'office doit encore savoir sur "
                                                   "cette demande."))
    return type(f"{type_key.title()}InvoiceForm", (FlaskForm,), attrs)


def build_form(invoice, beneficiaries, accounts, formdata=True):
    """The form for ``invoice``: from the request when posted, else from the saved draft."""
    form_class = invoice_form_class(invoice.invoice_type)
    if formdata:
        form = form_class()
    else:
        # a draft saved in an earlier shape of its type's form reads in today's shape
        data, lines = invoice_type(invoice.invoice_type).stored_answers(
            invoice.fields, [line.data for line in invoice.lines])
        data["beneficiary_id"] = str(invoice.beneficiary_id or "")
        data["bank_account_id"] = str(invoice.bank_account_id or "")
        data["decision_number"] = format_decision_number(decision_number_of(invoice))
        data["save_decision"] = data.get("save_decision") == "y"
        data["remark"] = invoice.remark or ""
        data["lines"] = lines
        form = form_class(formdata=None, data=data)
    form.beneficiary_id.choices = [SelectChoice("", _l("— Choisir —"))] + [
        SelectChoice(str(person.id), person.display_name) for person in beneficiaries]
    form.bank_account_id.choices = [SelectChoice("", _l("— Choisir —"))] + [
        SelectChoice(str(account.id), describe_account(account)) for account in accounts]
    return form


def submitted_values(form, spec: InvoiceType) -> Submitted:
    """What the form sent, as typed, ready for :func:`guichet.invoices.drafts.apply`."""
    lines = []
    if spec.has_lines:
        for entry in form.lines:
            lines.append({f.name: _text(entry.form[f.name].data) for f in spec.line_fields})
    return Submitted(
        header={f.name: _text(form[f.name].data) for f in spec.fields}, lines=lines,
        beneficiary=_text(form.beneficiary_id.data), bank_account=_text(form.bank_account_id.data),
        decision_number=_text(form.decision_number.data),
        save_decision=bool(form.save_decision.data), remark=_text(form.remark.data))


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class SendForm(FlaskForm):
    """« Envoyer la demande » on the review page: the person confirms that what they declare
    is accurate; the token makes a repeated click land on the same receipt."""
    submit_token = HiddenField()
    confirm = BooleanField(_l("Je confirme que ces informations sont exactes"), validators=[
        DataRequired(message=_l("Cochez cette case pour pouvoir envoyer la demande."))])


class ComplementForm(FlaskForm):
    message = TextAreaField(_l("Votre réponse à l'office"), validators=[
        InputRequired(message=_l("Écrivez votre réponse.")),
        Length(max=4000, message=_l("La réponse est trop longue (4000 caractères au plus)."))])
