"""« Mon compte » › Bénéficiaires: the persons the account acts for, and their decisions."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from guichet.core.access import insured_required
from guichet.core.forms import EmptyForm
from guichet.core.i18n import gettext as _
from guichet.models.beneficiaries import beneficiaries_of
from guichet.register import saved_decisions

from . import services
from .forms import BeneficiaryForm, SavedDecisionForm

bp = Blueprint("beneficiaries", __name__, url_prefix="/compte/beneficiaires")


def _page(form=None, decision_form=None, decision_for=None, status=200):
    beneficiaries = beneficiaries_of(current_user)
    return render_template(
        "beneficiaries/list.html", beneficiaries=beneficiaries, form=form or BeneficiaryForm(),
        decision_form=decision_form, decision_for=decision_for,
        new_decision_form=SavedDecisionForm), status


def _owned_or_404(beneficiary_id: int):
    beneficiary = services.owned_beneficiary(current_user, beneficiary_id)
    if beneficiary is None:
        abort(404)
    return beneficiary


@bp.route("/", methods=["GET", "POST"])
@insured_required
def list_beneficiaries():
    """The list, with the form to add a beneficiary (checked against the register)."""
    form = BeneficiaryForm()
    if form.validate_on_submit():
        try:
            services.add_beneficiary(current_user, form.navs13.normalized, form.nom.data,
                                     form.prenom.data, form.date_naissance.normalized,
                                     form.relation.data)
        except services.NotInRegister:
            form.navs13.errors.append(_(
                "Ces données (N° AVS, nom, date de naissance) ne correspondent à aucun "
                "bénéficiaire de l'office. Vérifiez-les ou appelez l'office."))
        except services.AlreadyListed:
            form.navs13.errors.append(_("Cette personne figure déjà dans votre liste."))
        else:
            flash(_("La personne a été ajoutée à vos bénéficiaires."), "success")
            return redirect(url_for("beneficiaries.list_beneficiaries"), 303)
    return _page(form=form, status=422 if form.errors else 200)


@bp.route("/<int:beneficiary_id>/supprimer", methods=["POST"])
@insured_required
def remove_beneficiary(beneficiary_id: int):
    beneficiary = _owned_or_404(beneficiary_id)
    if EmptyForm().validate_on_submit() and services.remove_beneficiary(current_user,
                                                                         beneficiary):
        flash(_("La personne a été retirée de vos bénéficiaires."), "success")
    return redirect(url_for("beneficiaries.list_beneficiaries"), 303)


@bp.route("/<int:beneficiary_id>/decisions", methods=["POST"])
@insured_required
def save_decision(beneficiary_id: int):
    """Saves a decision number with a description for one beneficiary."""
    beneficiary = _owned_or_404(beneficiary_id)
    form = SavedDecisionForm(prefix=f"d{beneficiary.id}")
    if form.validate_on_submit():
        try:
            saved_decisions.save_decision(current_user, beneficiary, form.number.normalized,
                                          form.description.data)
        except saved_decisions.AlreadySaved:
            form.number.errors.append(_("Ce numéro est déjà enregistré."))
        else:
            flash(_("Le N° de décision a été enregistré."), "success")
            return redirect(url_for("beneficiaries.list_beneficiaries"), 303)
    return _page(decision_form=form, decision_for=beneficiary.id, status=422)


@bp.route("/<int:beneficiary_id>/decisions/<int:decision_id>/supprimer", methods=["POST"])
@insured_required
def forget_decision(beneficiary_id: int, decision_id: int):
    beneficiary = _owned_or_404(beneficiary_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not saved_decisions.forget_decision(current_user, beneficiary, decision_id):
        abort(404)
    flash(_("Le N° de décision a été retiré."), "success")
    return redirect(url_for("beneficiaries.list_beneficiaries"), 303)
