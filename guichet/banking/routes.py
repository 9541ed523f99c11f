"""« Mon compte » › IBAN: the accounts reimbursements are paid to."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from guichet.core.access import insured_required
from guichet.core.extensions import limiter
from guichet.core.formatting import describe_account
from guichet.core.forms import CodeForm, EmptyForm
from guichet.core.i18n import gettext as _
from guichet.core.identifiers import format_phone_national
from guichet.core.sessions import current_auth_session
from guichet.models.banking import active_accounts
from guichet.verification.codes import send_refusal_message
from guichet.verification.credentials import password_matches

from . import services
from .forms import IbanForm

bp = Blueprint("banking", __name__, url_prefix="/compte/iban")
_per_user = limiter.limit("30 per hour", methods=["POST"],
                          key_func=lambda: f"iban:{current_user.get_id()}")


@bp.route("/", methods=["GET", "POST"])
@insured_required
@_per_user
def list_ibans():
    """The account's IBANs and the form to add one (then the SMS code page, 303)."""
    form = IbanForm()
    if form.validate_on_submit():
        if not password_matches(current_user, form.current_password.data):
            form.current_password.errors.append(_("Le mot de passe actuel n'est pas correct."))
        else:
            try:
                result = services.request_new_iban(current_user, current_auth_session(),
                                                   form.iban.normalized, form.holder.data)
            except services.AlreadyListed:
                form.iban.errors.append(_("Cet IBAN figure déjà dans votre liste."))
            else:
                if result.sent:
                    return redirect(url_for("banking.confirm_iban"), 303)
                form.iban.errors.append(send_refusal_message(result))
    status = 422 if form.errors else 200
    return render_template("banking/list.html", form=form,
                           accounts=active_accounts(current_user)), status


@bp.route("/code", methods=["GET", "POST"])
@insured_required
@_per_user
def confirm_iban():
    pending = services.pending_account(current_user)
    if pending is None:
        return redirect(url_for("banking.list_ibans"), 303)
    form = CodeForm()
    if form.validate_on_submit():
        account = services.confirm_new_iban(current_user, current_auth_session(), form.code.data)
        if account is not None:
            flash(_("L'IBAN a été ajouté."), "success")
            return redirect(url_for("banking.list_ibans"), 303)
        form.code.errors.append(_("Ce code n'est pas valable. Vérifiez-le, ou recommencez pour "
                                  "recevoir un nouveau code."))
    status = 422 if form.errors else 200
    sent = _("Nous avons envoyé un code à 6 chiffres au %(phone)s.",
             phone=format_phone_national(current_user.phone))
    return render_template(
        "verification/code.html", form=form, title=_("Confirmer le nouvel IBAN"),
        intro=[describe_account(pending), sent], action=url_for("banking.confirm_iban"),
        links=[(url_for("banking.list_ibans"), _("Retour à mes IBAN"))]), status


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
