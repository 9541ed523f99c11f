"""« Mon compte » › IBAN: the accounts reimbursements are paid to."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from guichet.core.access import insured_required
from guichet.core.extensions import limiter
from guichet.core.formatting import describe_account
from guichet.core.forms import EmptyForm
from guichet.core.i18n import gettext as _
from guichet.core.sessions import current_auth_session
from guichet.models.banking import active_accounts
from guichet.models.codes import PURPOSE_IBAN
from guichet.verification.credentials import password_matches
from guichet.verification.forms import SecondFactorForm
from guichet.verification.prompt import answer_resend, code_prompt, refused_message
from guichet.verification.second_factor import SMS, freshness_minutes

from . import services
from .forms import IbanForm

bp = Blueprint("banking", __name__, url_prefix="/compte/iban")
_per_user = limiter.limit("30 per hour", methods=["POST"],
                          key_func=lambda: f"iban:{current_user.get_id()}")


@bp.route("/", methods=["GET", "POST"])
@insured_required
@_per_user
def list_ibans():
    """The account's IBANs and the form to add one: added at once when the login code was
    typed a few minutes ago, else the code page (303)."""
    form = IbanForm()
    if form.validate_on_submit():
        if not password_matches(current_user, form.current_password.data):
            form.current_password.errors.append(_("Le mot de passe actuel n'est pas correct."))
        else:
            try:
                step = services.request_new_iban(current_user, current_auth_session(),
                                                 form.iban.normalized, form.holder.data)
            except services.AlreadyListed:
                form.iban.errors.append(_("Cet IBAN figure déjà dans votre liste."))
            else:
                if step.fresh:
                    flash(_("L'IBAN a été ajouté."), "success")
                    return redirect(url_for("banking.list_ibans"), 303)
                return redirect(url_for("banking.confirm_iban"), 303)
    status = 422 if form.errors else 200
    return render_template("banking/list.html", form=form,
                           accounts=active_accounts(current_user),
                           fresh_minutes=freshness_minutes()), status


@bp.route("/code", methods=["GET", "POST"])
@insured_required
@_per_user
def confirm_iban():
    """The second factor for the IBAN waiting; ``?moyen=`` chooses the method."""
    pending = services.pending_account(current_user)
    if pending is None:
        return redirect(url_for("banking.list_ibans"), 303)
    form = SecondFactorForm()
    if form.validate_on_submit():
        account = services.confirm_new_iban(current_user, current_auth_session(),
                                            form.method.data, form.code.data)
        if account is not None:
            flash(_("L'IBAN a été ajouté."), "success")
            return redirect(url_for("banking.list_ibans"), 303)
        form.code.errors.append(refused_message(current_user, form.method.data))
    requested = form.method.data if request.method == "POST" else request.args.get("moyen")
    status = 422 if form.errors else 200
    return render_template("verification/code.html",
                           **_code_page(pending, form, requested)), status


def _code_page(pending, form, requested=None, message=None) -> dict:
    prompt = code_prompt(current_user, current_auth_session(), PURPOSE_IBAN, requested,
                         page_url=lambda method: url_for("banking.confirm_iban", moyen=method),
                         resend_url=url_for("banking.resend_iban_code"),
                         phone=current_user.phone, message=message)
    form.for_method(prompt)
    return {"form": form, "title": _("Confirmer le nouvel IBAN"),
            "intro": [describe_account(pending)], "action": url_for("banking.confirm_iban"),
            **prompt, "links": [(url_for("banking.list_ibans"), _("Retour à mes IBAN"))]}


@bp.route("/code/renvoi", methods=["GET", "POST"])
@insured_required
@_per_user
def resend_iban_code():
    """GET: the resend box (htmx). POST: a new SMS code, then back to the code page."""
    pending = services.pending_account(current_user)
    if pending is None:
        return redirect(url_for("banking.list_ibans"), 303)
    return answer_resend(
        lambda: services.resend_iban_code(current_user, current_auth_session()).sent,
        url_for("banking.confirm_iban", moyen=SMS),
        lambda message: _code_page(pending, SecondFactorForm(), SMS, message))


@bp.route("/<int:account_id>/supprimer", methods=["POST"])
@insured_required
def remove_iban(account_id: int):
    """Removes one of the person's IBANs; 404 for anyone else's."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.remove_iban(current_user, account_id) is None:
        abort(404)
    flash(_("L'IBAN a été retiré de votre liste."), "success")
    return redirect(url_for("banking.list_ibans"), 303)
