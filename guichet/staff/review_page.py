"""Rendering the review screen, for its own view and for the decision views that answer with
the fresh state (a conflict, a refused decision). Every rendering is a read of the person's
data with full N° AVS and IBAN, so each one is audited (``staff_viewed_invoice``)."""
from __future__ import annotations

import re

from flask import abort, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from guichet.core.i18n import lazy_gettext as _l
from guichet.invoices.flags import flags_context
from guichet.invoices.staff_view import StaffInvoiceView, open_for_review
from guichet.models import Invoice
from guichet.models.base import db
from guichet.models.invoices import STATUS_DRAFT

from .decision_context import actions_context

NOTE_MAX = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(form, field):
    if isinstance(field.data, str) and _CONTROL.search(field.data):
        raise ValidationError(_l("Ce texte contient des caractères non admis (caractères de "
                                 "contrôle invisibles). Retapez-le."))


class NoteForm(FlaskForm):
    """A staff note (several lines allowed)."""

    note = TextAreaField(_l("Nouvelle note"), description=_l(
        "Visible par l'office seulement, jamais par la personne."), validators=[
        InputRequired(message=_l("Écrivez la note.")),
        Length(max=NOTE_MAX, message=_l("La note est trop longue (%(max)d caractères au plus).",
                                        max=NOTE_MAX)),
        _no_control_characters])


def staff_invoice_or_404(invoice_id: int) -> Invoice:
    """A sent invoice (staff never see drafts): 404 otherwise."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.status == STATUS_DRAFT:
        abort(404)
    return invoice


def render_review(invoice: Invoice, status: int = 200, **extra):
    """The review screen of ``invoice`` (``extra``: a message, a form with its errors …;
    ``note_form``: the notes' form with its errors)."""
    note_form = extra.pop("note_form", None) or NoteForm(formdata=None)
    review = open_for_review(invoice, current_user)
    return render_template("staff/review.html", invoice=invoice, review=review,
                           view=review.view, note_form=note_form, **flags_context(invoice),
                           actions=actions_context(invoice, current_user, **extra),
                           **extra), status, {"Cache-Control": "no-store"}


def render_notes(invoice: Invoice, note_form: NoteForm, status: int = 200, message: str = ""):
    """The notes' fragment (list and form), as the page includes it."""
    return render_template("staff/_notes.html", invoice=invoice,
                           review=StaffInvoiceView(invoice), note_form=note_form,
                           notes_message=message), status, {"Vary": "HX-Request",
                                                            "Cache-Control": "no-store"}
