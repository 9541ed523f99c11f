"""What the review screen's decision forms need (``templates/staff/_actions.html``): what this
gestionnaire may do now with the invoice, as forms carrying its version.

``extra`` is what a decision view passes back to the screen: ``message`` (a conflict), one of
the forms below with its errors (``validate_form=`` …), ``refused`` (messages of a refused
decision that belong to no field), ``preview_total`` (« Calculer le total »).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from wtforms import SelectChoice

from guichet.core.i18n import gettext as _
from guichet.invoices import review
from guichet.invoices.lifecycle import OPEN_STATES
from guichet.invoices.second_visa import visa_reason_labels
from guichet.invoices.view import InvoiceView
from guichet.models import STAFF_ROLES, Invoice, User
from guichet.models.base import db
from guichet.models.invoices import (STATUS_IN_REVIEW, STATUS_NEEDS_INFO, STATUS_SUBMITTED,
                                     STATUS_VISA_PENDING)

from .forms import (ComplementRequestForm, ConfirmVisaForm, ReassignForm, ReleaseForm,
                    RefuseForm, SendBackForm, TakeForm, ValidateForm)

#: The form of each action and its prefix (names and ids stay distinct on one page).
FORMS = {"take_form": (TakeForm, "take"), "release_form": (ReleaseForm, "release"),
         "reassign_form": (ReassignForm, "reassign"), "validate_form": (ValidateForm, "validate"),
         "refuse_form": (RefuseForm, "refuse"),
         "complement_form": (ComplementRequestForm, "complement"),
         "visa_form": (ConfirmVisaForm, "visa"), "send_back_form": (SendBackForm, "sendback")}


@dataclass(frozen=True)
class LineRow:
    """One priced line of the « Valider » form: what was claimed and its inputs."""

    number: int
    label: str
    claimed: object
    fields: object  # the line's LineApprovalForm


@dataclass(frozen=True)
class VisaLine:
    """One line as the first gestionnaire validated it, for the second visa."""

    label: str
    claimed: str
    approved: str
    reduced: bool
    reason: str
    text: str


def new_form(key: str, invoice: Invoice, **data):
    """A form as the page offers it (nothing posted), with the invoice's version."""
    form_class, prefix = FORMS[key]
    return form_class(formdata=None, prefix=prefix, data={"version": invoice.version, **data})


def posted_form(key: str):
    """The form of ``key`` as it was posted."""
    form_class, prefix = FORMS[key]
    return form_class(prefix=prefix)


def actions_context(invoice, staff, **extra) -> dict:
    """What ``staff`` may do with ``invoice`` now, and the forms to do it."""
    status, assignee_id = invoice.status, invoice.assignee_id
    is_admin = staff.role == "admin"
    mine = assignee_id is not None and assignee_id == staff.id
    view = InvoiceView(invoice)
    context = {
        "invoice": invoice, "message": extra.get("message"),
        "assignee": db.session.get(User, assignee_id) if assignee_id else None, "mine": mine,
        "can_take": (status == STATUS_SUBMITTED and assignee_id in (None, staff.id)
                     or status == STATUS_IN_REVIEW and assignee_id is None),
        "can_release": (status in (STATUS_SUBMITTED, STATUS_IN_REVIEW, STATUS_NEEDS_INFO)
                        and assignee_id is not None and (mine or is_admin)),
        "can_reassign": is_admin and status in OPEN_STATES,
        "can_decide": status == STATUS_IN_REVIEW and mine,
        "is_open": status in OPEN_STATES, "waits_for_complement": status == STATUS_NEEDS_INFO,
        "preview_total": extra.get("preview_total"), "total_claimed": invoice.total_claimed,
        "is_admin": is_admin,
    }
    forms = {key: extra.get(key) for key in FORMS}
    for key in ("take_form", "release_form", "refuse_form", "visa_form", "send_back_form"):
        forms[key] = forms[key] or new_form(key, invoice)
    if context["can_reassign"]:
        forms["reassign_form"] = forms["reassign_form"] or new_form("reassign_form", invoice)
        forms["reassign_form"].to.choices = _staff_choices(exclude=assignee_id)
    if context["can_decide"]:
        context["lines"], forms["validate_form"] = _validate_rows(view, invoice,
                                                                  forms["validate_form"])
        forms["complement_form"] = _complement_form(view, invoice, forms["complement_form"])
        context["sent_back"] = _sent_back(invoice)
    if status == STATUS_VISA_PENDING:
        context.update(_visa(invoice, view, staff))
    context.update(forms)
    context["errors"] = _summary(forms, extra.get("refused") or [])
    return context


def _staff_choices(exclude: int | None) -> list[SelectChoice]:
    people = db.session.scalars(select(User).where(User.role.in_(STAFF_ROLES))
                                .order_by(User.nom, User.prenom, User.email))
    return [SelectChoice(str(person.id), person.display_name) for person in people
            if person.id != exclude]


def _validate_rows(view: InvoiceView, invoice: Invoice, form):
    lines = view.lines
    if form is None or len(form.lines.entries) != len(lines):
        form = new_form("validate_form", invoice, lines=[
            {"approved": f"{line.amount:.2f}", "reason_code": "", "reason": ""}
            for line in lines])
    rows = [LineRow(number, line.label, line.amount, entry.form)
            for number, (line, entry) in enumerate(zip(lines, form.lines.entries), start=1)]
    return rows, form


def _complement_form(view: InvoiceView, invoice: Invoice, form):
    form = form or new_form("complement_form", invoice,
                            due_date=f"{review.default_due_date():%d.%m.%Y}")
    labels = [str(requirement.label) for requirement in view.evaluation.requirements]
    form.documents.choices = [SelectChoice(label, label) for label in dict.fromkeys(labels)]
    return form


def _sent_back(invoice: Invoice):
    """The second visa's note when it sent the latest validation back."""
    decision = review.latest_decision(invoice)
    if decision is None or decision.visa_outcome != review.VISA_SENT_BACK:
        return None
    return {"note": decision.visa_note, "by": db.session.get(User, decision.visa_by)}


def _visa(invoice: Invoice, view: InvoiceView, staff) -> dict:
    decision = review.latest_decision(invoice)
    if decision is None:
        return {}
    labels = [line.label for line in view.lines]
    reasons = review.reduction_reason_labels()
    lines = []
    for index, item in enumerate(decision.line_amounts or []):
        code = item.get("reason_code")
        lines.append(VisaLine(
            label=labels[index] if index < len(labels) else _("Ligne %(n)s", n=index + 1),
            claimed=item.get("claimed", ""), approved=item.get("approved", ""),
            reduced=bool(code), reason=reasons.get(code, "") if code else "",
            text=item.get("reason") or ""))
    return {"visa": {"decision": decision, "lines": lines,
                     "first": db.session.get(User, decision.decided_by),
                     "reasons": visa_reason_labels(decision.visa_reasons or []),
                     "is_first": decision.decided_by == staff.id}}


def _summary(forms: dict, refused: list[str]) -> list[tuple[str | None, str]]:
    """The error summary: (link to the field or None, text), the posted form's errors first."""
    entries: list[tuple[str | None, str]] = [(None, str(message)) for message in refused]
    for form in forms.values():
        if form is None:  # (a FieldList keeps the errors of its own validation only)
            continue
        for field in form:
            if field.type == "FieldList":
                for number, entry in enumerate(field.entries, start=1):
                    for sub in entry.form:
                        entries += [(f"#{sub.id}", _("Ligne %(n)s — %(label)s : %(error)s",
                                                     n=number, label=sub.label.text,
                                                     error=error)) for error in sub.errors]
            elif field.type != "HiddenField":
                entries += [(f"#{field.id}", f"{field.label.text} : {error}")
                            for error in field.errors]
    return entries
