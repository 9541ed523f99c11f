"""What the administrators keep: the refusal reasons (add, rename, reorder, deactivate and
reactivate; never delete, decisions refer to their codes). Each change is audited and answers
303 back to the list; a wrong label shows the list again with the error (422)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from guichet.core.access import admin_required
from guichet.core.i18n import gettext as _
from guichet.invoices import refusal_reasons
from guichet.invoices.review import ReviewRefused
from guichet.models import RefusalReason
from guichet.models.base import db

from .blueprint import bp
from .forms import MoveReasonForm, ReasonForm


def _page(status: int = 200, add_form=None, rename_forms=None):
    reasons = refusal_reasons.all_reasons()
    forms = rename_forms or {}
    for reason in reasons:
        forms.setdefault(reason.id, ReasonForm(formdata=None, prefix=f"r{reason.id}",
                                               data={"label": reason.label}))
    return render_template("staff/refusal_reasons.html", reasons=reasons,
                           add_form=add_form or ReasonForm(formdata=None, prefix="new"),
                           rename_forms=forms), status


def _back(message: str):
    flash(message, "success")
    return redirect(url_for("staff.list_refusal_reasons"), 303)


def _reason_or_404(reason_id: int) -> RefusalReason:
    return db.get_or_404(RefusalReason, reason_id)


@bp.route("/administration")
@admin_required
def show_administration():
    """The administrators' index: what they keep, one link each."""
    return render_template("staff/administration.html")


@bp.route("/motifs-de-refus")
@admin_required
def list_refusal_reasons():
    """The list, in the order the refusal form offers them, with its forms."""
    return _page()


@bp.route("/motifs-de-refus", methods=["POST"])
@admin_required
def add_refusal_reason():
    form = ReasonForm(prefix="new")
    if not form.validate():
        return _page(422, add_form=form)
    try:
        refusal_reasons.add_reason(current_user, form.label.data)
    except ReviewRefused as refused:
        form.label.errors = [str(refused)]
        return _page(422, add_form=form)
    return _back(_("Motif ajouté."))


@bp.route("/motifs-de-refus/<int:reason_id>/renommer", methods=["POST"])
@admin_required
def rename_refusal_reason(reason_id: int):
    reason = _reason_or_404(reason_id)
    form = ReasonForm(prefix=f"r{reason.id}")
    if not form.validate():
        return _page(422, rename_forms={reason.id: form})
    try:
        refusal_reasons.rename_reason(current_user, reason, form.label.data)
    except ReviewRefused as refused:
        form.label.errors = [str(refused)]
        return _page(422, rename_forms={reason.id: form})
    return _back(_("Motif renommé."))


@bp.route("/motifs-de-refus/<int:reason_id>/deplacer", methods=["POST"])
@admin_required
def move_refusal_reason(reason_id: int):
    reason = _reason_or_404(reason_id)
    refusal_reasons.move_reason(current_user, reason, MoveReasonForm().direction.data or "")
    return _back(_("Ordre des motifs enregistré."))


@bp.route("/motifs-de-refus/<int:reason_id>/desactiver", methods=["POST"])
@admin_required
def deactivate_refusal_reason(reason_id: int):
    refusal_reasons.set_active(current_user, _reason_or_404(reason_id), False)
    return _back(_("Motif désactivé : il n'est plus proposé pour les nouveaux refus."))


@bp.route("/motifs-de-refus/<int:reason_id>/reactiver", methods=["POST"])
@admin_required
def reactivate_refusal_reason(reason_id: int):
    refusal_reasons.set_active(current_user, _reason_or_404(reason_id), True)
    return _back(_("Motif réactivé."))
