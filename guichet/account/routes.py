"""« Mon compte »: profile, e-mail, mobile and password."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from guichet.core.access import insured_required, login_required, public
from guichet.core.extensions import limiter
from guichet.core.forms import CodeForm, EmptyForm, check_new_password
from guichet.core.i18n import gettext as _
from guichet.core.identifiers import format_navs13, format_phone_national
from guichet.core.sessions import current_auth_session
from guichet.models.codes import PURPOSE_PHONE_CHANGE
from guichet.verification.codes import live_code, send_refusal_message
from guichet.verification.credentials import password_matches
from guichet.verification.prompt import sms_status

from . import services
from .forms import EmailChangeForm, PasswordChangeForm, PhoneChangeForm, ProfileForm

bp = Blueprint("account", __name__, url_prefix="/compte")
_per_user = limiter.limit("30 per hour", methods=["POST"],
                          key_func=lambda: f"account:{current_user.get_id()}")
WRONG_PASSWORD = "Le mot de passe actuel n'est pas correct."


@bp.route("/", methods=["GET", "POST"])
@insured_required
def profile():
    """The identity, read-only, and the form for civilité and address, pre-filled; 303 back
    after a successful save. Posted identity fields are not read (the form has none)."""
    user = current_user
    form = ProfileForm(obj=None if request.method == "POST" else _ProfileData(user))
    if form.validate_on_submit():
        services.update_profile(user, services.Profile(
            civilite=form.civilite.data, rue=form.rue.data, npa=form.npa.data,
            localite=form.localite.data, pays=form.pays.data))
        flash(_("Vos données ont été enregistrées."), "success")
        return redirect(url_for("account.profile"), 303)
    status = 422 if form.errors else 200
    return render_template("account/profile.html", form=form, user=user,
                           navs13=format_navs13(user.navs13) if user.navs13 else "",
                           phone=format_phone_national(user.phone) if user.phone else ""), status


class _ProfileData:
    def __init__(self, user):
        for name in ("civilite", "rue", "npa", "localite", "pays"):
            setattr(self, name, getattr(user, name))


@bp.route("/email", methods=["GET", "POST"])
@insured_required
@_per_user
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        if not password_matches(current_user, form.current_password.data):
            form.current_password.errors.append(_(WRONG_PASSWORD))
        else:
            services.request_email_change(current_user, form.email.data)
            flash(_("Nous avons envoyé un lien à %(email)s. Votre adresse actuelle reste "
                    "valable jusqu'à ce que vous cliquiez sur ce lien.", email=form.email.data),
                  "success")
            return redirect(url_for("account.profile"), 303)
    status = 422 if form.errors else 200
    return render_template("account/change_email.html", form=form), status


@bp.route("/email/confirmer/<token>", methods=["GET", "POST"])
@public
def confirm_email_change(token: str):
    """GET shows a button; POST replaces the address."""
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        user = services.confirm_email_change(token)
        if user is not None:
            flash(_("Votre nouvelle adresse e-mail est confirmée."), "success")
            return redirect(url_for("account.profile") if current_user.is_authenticated
                            else url_for("auth.login"), 303)
        return render_template("auth/link_invalid.html"), 400
    if services.tokens.read_token(token, services.tokens.CHANGE_EMAIL) is None:
        return render_template("auth/link_invalid.html"), 400
    return render_template("auth/confirm_email.html", form=form, token=token,
                           action=url_for("account.confirm_email_change", token=token))


@bp.route("/portable", methods=["GET", "POST"])
@insured_required
@_per_user
def change_phone():
    form = PhoneChangeForm()
    if form.validate_on_submit():
        if not password_matches(current_user, form.current_password.data):
            form.current_password.errors.append(_(WRONG_PASSWORD))
        else:
            result = services.request_phone_change(current_user, current_auth_session(),
                                                   form.mobile.normalized)
            if result.sent:
                return redirect(url_for("account.confirm_phone"), 303)
            form.mobile.errors.append(send_refusal_message(result))
    status = 422 if form.errors else 200
    return render_template("account/change_phone.html", form=form), status


@bp.route("/portable/code", methods=["GET", "POST"])
@insured_required
@_per_user
def confirm_phone():
    if not current_user.pending_phone:
        return redirect(url_for("account.change_phone"), 303)
    form = CodeForm()
    if form.validate_on_submit():
        ok = services.confirm_phone_change(current_user, current_auth_session(), form.code.data)
        if ok:
            flash(_("Votre nouveau numéro de portable est confirmé."), "success")
            return redirect(url_for("account.profile"), 303)
        form.code.errors.append(_("Ce code n'est pas valable. Vérifiez-le, ou recommencez pour "
                                  "recevoir un nouveau code."))
    status = 422 if form.errors else 200
    live = live_code(current_auth_session(), PURPOSE_PHONE_CHANGE)
    sent = sms_status(live.created_at if live else None, live.expires_at if live else None,
                      current_user.pending_phone,
                      shown_phone=format_phone_national(current_user.pending_phone))
    return render_template(
        "verification/code.html", form=form, title=_("Confirmer le nouveau numéro"),
        intro=[sent], action=url_for("account.confirm_phone"),
        links=[(url_for("account.change_phone"), _("Recevoir un nouveau code")),
               (url_for("account.profile"), _("Retour à mon compte"))]), status


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
@_per_user
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit() and check_new_password(form, current_user.email,
                                                        current_user.navs13):
        if not password_matches(current_user, form.current_password.data):
            form.current_password.errors.append(_(WRONG_PASSWORD))
        else:
            services.change_password(current_user, current_auth_session(), form.password.data)
            flash(_("Votre mot de passe a été changé. Vos autres sessions ont été fermées."),
                  "success")
            return redirect(url_for("account.profile") if not current_user.is_staff
                            else url_for("staff.show_queue"), 303)
    status = 422 if form.errors else 200
    return render_template("account/change_password.html", form=form), status
