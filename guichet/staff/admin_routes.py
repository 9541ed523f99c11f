"""What the administrators keep: the refusal reasons and the reduction reasons (add, rename,
reorder, deactivate and reactivate; never delete, decisions refer to their codes). Each change
is audited and answers 303 back to its list; a wrong label shows the list again with the error
(422). Both lists share one template and the helpers below; a reason asked for through the
other list's address is not found (404)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from guichet.core.access import admin_required
from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.invoices import refusal_reasons
from guichet.invoices.review import ReviewRefused
from guichet.models import RefusalReason
from guichet.models.base import db
from guichet.models.invoices import REASON_REDUCTION, REASON_REFUSAL

from .blueprint import bp
from .forms import MoveReasonForm, ReasonForm

#: Per list: its page's wording and the endpoints of its forms.
LISTS = {
    REASON_REFUSAL: {
        "title": _l("Motifs de refus"),
        "intro": _l("Les gestionnaires choisissent l'un des motifs actifs pour chaque refus, "
                    "dans cet ordre. Un motif n'est jamais supprimé : les décisions déjà prises "
                    "le gardent ; désactivez-le pour ne plus le proposer."),
        "offered": _l("il n'est plus proposé pour les nouveaux refus."),
        "endpoint": "refusal_reason", "list": "staff.list_refusal_reasons",
        "add": "staff.add_refusal_reason"},
    REASON_REDUCTION: {
        "title": _l("Motifs de réduction"),
        "intro": _l("Quand le montant validé d'une ligne est inférieur au montant demandé, les "
                    "gestionnaires choisissent l'un des motifs actifs, dans cet ordre. Un motif "
                    "n'est jamais supprimé : les décisions déjà prises le gardent et l'affichent "
                    "toujours ; désactivez-le pour ne plus le proposer."),
        "offered": _l("il n'est plus proposé pour les nouvelles validations."),
        "endpoint": "reduction_reason", "list": "staff.list_reduction_reasons",
        "add": "staff.add_reduction_reason"},
}


def _page(kind: str, status: int = 200, add_form=None, rename_forms=None):
    reasons = refusal_reasons.all_reasons(kind)
    forms = rename_forms or {}
    for reason in reasons:
        forms.setdefault(reason.id, ReasonForm(formdata=None, prefix=f"r{reason.id}",
                                               data={"label": reason.label}))
    return render_template("staff/reasons.html", reasons=reasons, reason_list=LISTS[kind],
                           add_form=add_form or ReasonForm(formdata=None, prefix="new"),
                           rename_forms=forms), status


def _back(kind: str, message: str):
    flash(message, "success")
    return redirect(url_for(LISTS[kind]["list"]), 303)


def _reason_or_404(kind: str, reason_id: int) -> RefusalReason:
    reason = db.get_or_404(RefusalReason, reason_id)
    if reason.kind != kind:
        abort(404)
    return reason


def _add(kind: str):
    form = ReasonForm(prefix="new")
    if not form.validate():
        return _page(kind, 422, add_form=form)
    try:
        refusal_reasons.add_reason(current_user, form.label.data, kind)
    except ReviewRefused as refused:
        form.label.errors = [str(refused)]
        return _page(kind, 422, add_form=form)
    return _back(kind, _("Motif ajouté."))


def _rename(kind: str, reason_id: int):
    reason = _reason_or_404(kind, reason_id)
    form = ReasonForm(prefix=f"r{reason.id}")
    if not form.validate():
        return _page(kind, 422, rename_forms={reason.id: form})
    try:
        refusal_reasons.rename_reason(current_user, reason, form.label.data)
    except ReviewRefused as refused:
        form.label.errors = [str(refused)]
        return _page(kind, 422, rename_forms={reason.id: form})
    return _back(kind, _("Motif renommé."))


def _move(kind: str, reason_id: int):
    reason = _reason_or_404(kind, reason_id)
    refusal_reasons.move_reason(current_user, reason, MoveReasonForm().direction.data or "")
    return _back(kind, _("Ordre des motifs enregistré."))


def _set_active(kind: str, reason_id: int, active: bool):
    refusal_reasons.set_active(current_user, _reason_or_404(kind, reason_id), active)
    if active:
        return _back(kind, _("Motif réactivé."))
    return _back(kind, _("Motif désactivé : %(rest)s", rest=LISTS[kind]["offered"]))


@bp.route("/administration")
@admin_required
def show_administration():
    """The administrators' index: what they keep, one link each."""
    return render_template("staff/administration.html")


# --- the refusal reasons ------------------------------------------------------------------------

@bp.route("/motifs-de-refus")
@admin_required
def list_refusal_reasons():
    """The list, in the order the refusal form offers them, with its forms."""
    return _page(REASON_REFUSAL)


@bp.route("/motifs-de-refus", methods=["POST"])
@admin_required
def add_refusal_reason():
    return _add(REASON_REFUSAL)


@bp.route("/motifs-de-refus/<int:reason_id>/renommer", methods=["POST"])
@admin_required
def rename_refusal_reason(reason_id: int):
    return _rename(REASON_REFUSAL, reason_id)


@bp.route("/motifs-de-refus/<int:reason_id>/deplacer", methods=["POST"])
@admin_required
def move_refusal_reason(reason_id: int):
    return _move(REASON_REFUSAL, reason_id)


@bp.route("/motifs-de-refus/<int:reason_id>/desactiver", methods=["POST"])
@admin_required
def deactivate_refusal_reason(reason_id: int):
    return _set_active(REASON_REFUSAL, reason_id, False)


@bp.route("/motifs-de-refus/<int:reason_id>/reactiver", methods=["POST"])
@admin_required
def reactivate_refusal_reason(reason_id: int):
    return _set_active(REASON_REFUSAL, reason_id, True)


# --- the reduction reasons ----------------------------------------------------------------------

@bp.route("/motifs-de-reduction")
@admin_required
def list_reduction_reasons():
    """The list, in the order a validation's lines offer them, with its forms."""
    return _page(REASON_REDUCTION)


@bp.route("/motifs-de-reduction", methods=["POST"])
@admin_required
def add_reduction_reason():
    return _add(REASON_REDUCTION)


@bp.route("/motifs-de-reduction/<int:reason_id>/renommer", methods=["POST"])
@admin_required
def rename_reduction_reason(reason_id: int):
    return _rename(REASON_REDUCTION, reason_id)


@bp.route("/motifs-de-reduction/<int:reason_id>/deplacer", methods=["POST"])
@admin_required
def move_reduction_reason(reason_id: int):
    return _move(REASON_REDUCTION, reason_id)


@bp.route("/motifs-de-reduction/<int:reason_id>/desactiver", methods=["POST"])
@admin_required
def deactivate_reduction_reason(reason_id: int):
    return _set_active(REASON_REDUCTION, reason_id, False)


@bp.route("/motifs-de-reduction/<int:reason_id>/reactiver", methods=["POST"])
@admin_required
def reactivate_reduction_reason(reason_id: int):
    return _set_active(REASON_REDUCTION, reason_id, True)
