"""« Mon compte » › Application d'authentification: adding the app (QR code, first code),
recovery codes, removing it. Each change asks the password, and a second factor unless one was
proved a few minutes ago."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from guichet.core.access import insured_required
from guichet.core.extensions import limiter
from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.sessions import current_auth_session
from guichet.models.codes import PURPOSE_STEP_UP
from guichet.verification.codes import issue_code
from guichet.verification.credentials import password_matches
from guichet.verification.forms import SecondFactorForm
from guichet.verification.prompt import answer_resend, code_prompt, refused_message
from guichet.verification.recovery import remaining_recovery_codes
from guichet.verification.second_factor import (SMS, begin_step_up, check_second_factor,
                                                freshness_minutes)
from guichet.verification.totp import grouped_secret, provisioning_uri, qr_svg

from . import authenticator
from .blueprint import bp
from .forms import AppSetupForm, PasswordCheckForm

ADD, REMOVE, RENEW = "ajouter", "retirer", "codes-de-secours"
_WAITING = "authenticator_change"  # the change waiting for its second factor (in the session)
_per_user = limiter.limit("30 per hour", methods=["POST"],
                          key_func=lambda: f"authenticator:{current_user.get_id()}")


def _overview(form=None, status=200):
    return render_template("second_factor/overview.html", user=current_user,
                           form=form or PasswordCheckForm(), fresh_minutes=freshness_minutes(),
                           codes_left=remaining_recovery_codes(current_user)), status


@bp.route("/compte/application", methods=["GET"])
@insured_required
def show_authenticator():
    """Whether the person has an authenticator app, and the buttons to add or remove it."""
    return _overview()


@bp.route("/compte/application/<action>", methods=["POST"])
@insured_required
@_per_user
def change_authenticator(action: str):
    """Adds, removes the app or renews the recovery codes: the password, then a second factor
    unless the session proved one a few minutes ago (then at once)."""
    if action not in (ADD, REMOVE, RENEW):
        abort(404)
    if (action == ADD) == current_user.has_authenticator:
        return redirect(url_for("auth.show_authenticator"), 303)
    form = PasswordCheckForm()
    if not form.validate_on_submit():
        return _overview(form, 422)
    if not password_matches(current_user, form.current_password.data):
        form.current_password.errors.append(_("Le mot de passe actuel n'est pas correct."))
        return _overview(form, 422)
    auth_session = current_auth_session()
    if begin_step_up(current_user, auth_session, PURPOSE_STEP_UP, _app_code_action()).fresh:
        return _carry_out(action)
    session[_WAITING] = action
    return redirect(url_for("auth.verify_authenticator_change"), 303)


@bp.route("/compte/application/verification", methods=["GET", "POST"])
@insured_required
@_per_user
def verify_authenticator_change():
    """The second factor for the change waiting; ``?moyen=`` chooses the method."""
    action = session.get(_WAITING)
    if action not in (ADD, REMOVE, RENEW):
        return redirect(url_for("auth.show_authenticator"), 303)
    form = SecondFactorForm()
    if form.validate_on_submit():
        if check_second_factor(current_user, current_auth_session(), PURPOSE_STEP_UP,
                               form.method.data, form.code.data):
            session.pop(_WAITING, None)
            return _carry_out(action)
        form.code.errors.append(refused_message(current_user, form.method.data))
    requested = form.method.data if request.method == "POST" else request.args.get("moyen")
    status = 422 if form.errors else 200
    return render_template("verification/code.html",
                           **_code_page(action, form, requested)), status


_TITLES = {ADD: _l("Confirmer l'ajout de l'application"),
           REMOVE: _l("Confirmer le retrait de l'application"),
           RENEW: _l("Confirmer les nouveaux codes de secours")}


def _code_page(action, form, requested=None, message=None) -> dict:
    prompt = code_prompt(
        current_user, current_auth_session(), PURPOSE_STEP_UP, requested,
        page_url=lambda method: url_for("auth.verify_authenticator_change", moyen=method),
        resend_url=url_for("auth.resend_step_up_code"), phone=current_user.phone,
        message=message)
    form.for_method(prompt)
    return {"form": form, "title": str(_TITLES[action]), "intro": [],
            "action": url_for("auth.verify_authenticator_change"), **prompt,
            "links": [(url_for("auth.show_authenticator"), _("Retour à l'application "
                                                             "d'authentification"))]}


@bp.route("/compte/application/verification/renvoi", methods=["GET", "POST"])
@insured_required
@_per_user
def resend_step_up_code():
    """GET: the resend box (htmx). POST: an SMS code for the change waiting."""
    action = session.get(_WAITING)
    if action not in (ADD, REMOVE, RENEW) or not current_user.phone:
        return redirect(url_for("auth.show_authenticator"), 303)
    return answer_resend(
        lambda: issue_code(current_auth_session(), current_user.phone, PURPOSE_STEP_UP,
                           _app_code_action()).sent,
        url_for("auth.verify_authenticator_change", moyen=SMS),
        lambda message: _code_page(action, SecondFactorForm(), SMS, message))


def _carry_out(action: str):
    if action == ADD:
        authenticator.start_setup(current_user)
        return redirect(url_for("auth.set_up_authenticator"), 303)
    if action == REMOVE:
        authenticator.remove_app(current_user)
        flash(_("L'application d'authentification a été retirée. Vous recevrez de nouveau un "
                "code par SMS à la connexion."), "success")
        return redirect(url_for("auth.show_authenticator"), 303)
    return _recovery_codes(authenticator.new_recovery_codes(current_user), added=False)


def _recovery_codes(codes: list[str], added: bool):
    """The codes, shown this once (the answer of the POST that made them)."""
    return render_template("second_factor/recovery_codes.html", codes=codes, added=added)


@bp.route("/compte/application/configurer", methods=["GET", "POST"])
@insured_required
@_per_user
def set_up_authenticator():
    """The QR code and the secret as text; the app's first code confirms it (then the recovery
    codes, shown once)."""
    secret = current_user.totp_pending_secret
    if current_user.has_authenticator or not secret:
        return redirect(url_for("auth.show_authenticator"), 303)
    form = AppSetupForm()
    if form.validate_on_submit():
        codes = authenticator.confirm_setup(current_user, form.code.data)
        if codes is not None:
            return _recovery_codes(codes, added=True)
        form.code.errors.append(_("Ce code n'est pas valable. Saisissez le code que "
                                  "l'application affiche en ce moment."))
    status = 422 if form.errors else 200
    uri = provisioning_uri(current_user, secret)
    return render_template("second_factor/setup.html", form=form, secret=grouped_secret(secret),
                           qr=qr_svg(uri, _("Code QR à lire avec votre application "
                                            "d'authentification"))), status


def _app_code_action() -> str:
    return _("pour confirmer un changement de votre application d'authentification")
