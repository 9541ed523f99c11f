"""The gestionnaires' verbs on an invoice: take, release, reassign, complement, validate, refuse,
second visa. POST only; each parses its form, calls one ``review`` verb and answers:

- done: 303 back to the review screen, with a flash saying what happened (a whole page, with
  JavaScript or without);
- refused or wrong input: the review screen again with the errors and their summary (422);
- the invoice changed since the page was shown (``review.Conflict``): 409 with the fresh
  screen and « Cette demande a changé entre-temps … », nothing of the request applied.
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from guichet.core.access import admin_required, staff_required
from guichet.core.i18n import gettext as _
from guichet.core.money import format_chf
from guichet.core.unit_of_work import discard
from guichet.invoices import review
from guichet.invoices.lifecycle import TransitionRefused
from guichet.invoices.second_visa import visa_reason_labels
from guichet.models import User
from guichet.models.base import db

from .blueprint import bp
from .decision_context import posted_form
from .review_page import render_review, staff_invoice_or_404


def conflict_message() -> str:
    return _("Cette demande a changé entre-temps (un·e autre gestionnaire a agi, ou la personne "
             "a répondu). Rien de ce que vous venez d'envoyer n'a été appliqué : vérifiez son "
             "état ci-dessous.")


def _decide(invoice_id: int, key: str, act):
    """Runs ``act(invoice, form)`` (which returns the flash message) with the posted form of
    ``key``, and answers as the module says."""
    invoice = staff_invoice_or_404(invoice_id)
    form = posted_form(key)
    if not form.validate():
        return render_review(invoice, status=422, **{key: form})
    try:
        done = act(invoice, form)
    except review.Conflict:
        discard()
        return render_review(staff_invoice_or_404(invoice_id), status=409,
                             message=conflict_message())
    except (review.ReviewRefused, TransitionRefused) as refused:
        discard()
        return _refused(staff_invoice_or_404(invoice_id), key, form, refused)
    flash(done, "success")
    return redirect(url_for("staff.show_invoice", invoice_id=invoice_id), 303)


def _refused(invoice, key: str, form, refused: Exception):
    """The screen again, the reason next to the field it is about (or in the summary)."""
    message = (str(refused) if isinstance(refused, review.ReviewRefused)
               else _("Cette action n'est pas possible dans l'état de la demande."))
    field = _field(form, getattr(refused, "field", None))
    if field is not None:
        field.errors = [*field.errors, message]
        return render_review(invoice, status=422, **{key: form})
    return render_review(invoice, status=422, refused=[message], **{key: form})


def _field(form, path: str | None):
    """``lines-0-approved`` → that field of the form, or None."""
    if not path:
        return None
    name, _sep, rest = path.partition("-")
    if name == "lines" and rest and hasattr(form, "lines"):
        index, _sep, sub = rest.partition("-")
        entries = form.lines.entries
        if index.isdigit() and int(index) < len(entries):
            return getattr(entries[int(index)].form, sub, None)
        return None
    return getattr(form, path, None) if path in form._fields else None


# --- taking ------------------------------------------------------------------------------------

@bp.route("/demandes/<int:invoice_id>/prendre", methods=["POST"])
@staff_required
def take_invoice(invoice_id: int):
    """« Prendre en charge »: En traitement, assigned to the current gestionnaire."""
    def act(invoice, form):
        review.take(invoice, current_user, form.version_number())
        return _("Vous traitez maintenant cette demande.")
    return _decide(invoice_id, "take_form", act)


@bp.route("/demandes/<int:invoice_id>/liberer", methods=["POST"])
@staff_required
def release_invoice(invoice_id: int):
    """« Libérer »: no gestionnaire any more; another one may take it."""
    def act(invoice, form):
        review.release(invoice, current_user, form.version_number())
        return _("Demande libérée : un·e autre gestionnaire peut la prendre en charge.")
    return _decide(invoice_id, "release_form", act)


@bp.route("/demandes/<int:invoice_id>/reattribuer", methods=["POST"])
@admin_required
def reassign_invoice(invoice_id: int):
    """An administrator gives the invoice to another gestionnaire (404 for an unknown one)."""
    def act(invoice, form):
        to = db.session.get(User, int(form.to.data)) if (form.to.data or "").isdigit() else None
        if to is None or not to.is_staff:
            raise review.ReviewRefused(_("Choisissez un·e gestionnaire."), field="to")
        review.reassign(invoice, current_user, to, form.version_number())
        return _("Demande réattribuée à %(name)s.", name=to.display_name)
    return _decide(invoice_id, "reassign_form", act)


# --- a complement ------------------------------------------------------------------------------

@bp.route("/demandes/<int:invoice_id>/complement", methods=["POST"])
@staff_required
def request_complement(invoice_id: int):
    """« Demander un complément »: À compléter, with the documents wanted and a due date."""
    def act(invoice, form):
        complement = review.ask_complement(invoice, current_user, form.version_number(),
                                           form.message.data, form.wanted_documents(),
                                           form.due_date.parsed)
        return _("Complément demandé ; la personne a jusqu'au %(date)s pour répondre.",
                 date=f"{complement.due_date:%d.%m.%Y}")
    return _decide(invoice_id, "complement_form", act)


# --- deciding ----------------------------------------------------------------------------------

def _approvals(form) -> list[review.LineApproval]:
    return [review.LineApproval(approved=entry.form.approved.parsed,
                                reason_code=entry.form.reason_code.data or None,
                                reason=entry.form.reason.data or "")
            for entry in form.lines.entries]


@bp.route("/demandes/<int:invoice_id>/valider", methods=["POST"])
@staff_required
def validate_invoice(invoice_id: int):
    """« Valider » with an approved amount per line; « Calculer le total » (``action=preview``)
    shows the total of the amounts typed and changes nothing."""
    invoice = staff_invoice_or_404(invoice_id)
    form = posted_form("validate_form")
    if form.validate() and _pressed("preview"):
        try:
            total = review.approved_amounts(invoice, _approvals(form))[1]
        except review.ReviewRefused as refused:
            return _refused(invoice, "validate_form", form, refused)
        return render_review(invoice, validate_form=form, preview_total=total)

    def act(invoice, form):
        decision = review.validate(invoice, current_user, form.version_number(),
                                   _approvals(form))
        if decision.visa_reasons:
            return _("Validation enregistrée (%(total)s). Un second visa est nécessaire : "
                     "%(reasons)s. Un·e collègue doit la confirmer avant qu'elle compte.",
                     total=format_chf(decision.total_approved),
                     reasons=" ; ".join(visa_reason_labels(decision.visa_reasons)))
        return _("Demande validée : %(total)s approuvés.",
                 total=format_chf(decision.total_approved))
    return _decide(invoice_id, "validate_form", act)


def _pressed(action: str) -> bool:
    return request.form.get("action") == action


@bp.route("/demandes/<int:invoice_id>/refuser", methods=["POST"])
@staff_required
def refuse_invoice(invoice_id: int):
    """« Refuser », with one of the office's reasons (mandatory) and a text."""
    def act(invoice, form):
        review.refuse(invoice, current_user, form.version_number(), form.reason_code.data,
                      form.text.data)
        return _("Demande refusée ; la personne en est informée.")
    return _decide(invoice_id, "refuse_form", act)


# --- the second visa ---------------------------------------------------------------------------

@bp.route("/demandes/<int:invoice_id>/visa", methods=["POST"])
@staff_required
def confirm_visa(invoice_id: int):
    """The second gestionnaire confirms the first one's amounts: Validée."""
    def act(invoice, form):
        review.confirm_visa(invoice, current_user, form.version_number(), form.note.data)
        return _("Second visa donné : la demande est validée.")
    return _decide(invoice_id, "visa_form", act)


@bp.route("/demandes/<int:invoice_id>/renvoyer", methods=["POST"])
@staff_required
def send_back_invoice(invoice_id: int):
    """The second gestionnaire sends the validation back to the first one, with a note."""
    def act(invoice, form):
        review.send_back(invoice, current_user, form.version_number(), form.note.data)
        return _("Validation renvoyée au ou à la gestionnaire, avec votre note.")
    return _decide(invoice_id, "send_back_form", act)
