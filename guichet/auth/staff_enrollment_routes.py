"""The pages an office staff member opens from the link an administrator had e-mailed
(verification/staff_links.py): an invitation asks a password (twice), then the authenticator
app (its QR code as an inline SVG, the key as text, and a first code); after a reset of the
app, the page asks the password kept and the new app's first code. The account is usable only
once the app is confirmed; then the person logs in as usual. Works without JavaScript.

A dead link (used, revoked, replaced, expired, or garbage) answers the same page, 400. The
second step of an invitation belongs to the browser that chose the password (a mark in the
session): elsewhere it starts again at the password.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for

from guichet.core.access import public
from guichet.core.extensions import limiter
from guichet.core.forms import check_new_password
from guichet.core.i18n import gettext as _
from guichet.models.staff_invitation import KIND_AUTHENTICATOR
from guichet.verification import staff_links
from guichet.verification.credentials import password_matches
from guichet.verification.totp import grouped_secret, provisioning_uri_for, qr_svg

from .blueprint import bp
from .forms import StaffAppForm, StaffAppResetForm, StaffPasswordForm

_CHOSE_PASSWORD = "staff_enrollment"  # the invitation whose password this browser chose
_limit = limiter.limit(lambda: current_app.config["RATELIMIT_EMAIL_PER_IP"], methods=["POST"])


def _dead_link():
    return render_template("auth/staff_link_invalid.html"), 400


@bp.route("/personnel/activation/<token>", methods=["GET", "POST"])
@public
@_limit
def enroll_staff(token: str):
    """An invitation's first step, the password (303 to the app's step); a reset's link goes
    straight to the app's step."""
    invitation = staff_links.find_open_link(token)
    if invitation is None:
        return _dead_link()
    if invitation.kind == KIND_AUTHENTICATOR:
        return redirect(url_for("auth.enroll_staff_authenticator", token=token), 303)
    form = StaffPasswordForm()
    if form.validate_on_submit() and check_new_password(form, invitation.email, None):
        staff_links.choose_password(invitation, form.password.data)
        session[_CHOSE_PASSWORD] = invitation.id
        return redirect(url_for("auth.enroll_staff_authenticator", token=token), 303)
    status = 422 if form.errors else 200
    return render_template("auth/staff_password.html", form=form, invitation=invitation,
                           token=token, role=staff_links.role_label(invitation.role)), status


@bp.route("/personnel/activation/<token>/application", methods=["GET", "POST"])
@public
@_limit
def enroll_staff_authenticator(token: str):
    """The QR code and the key; the app's first code makes the account usable (303 to the
    login page)."""
    invitation = staff_links.find_open_link(token)
    if invitation is None:
        return _dead_link()
    reset = invitation.kind == KIND_AUTHENTICATOR
    if not reset and (invitation.pending_password_hash is None
                      or session.get(_CHOSE_PASSWORD) != invitation.id):
        return redirect(url_for("auth.enroll_staff", token=token), 303)
    form = StaffAppResetForm() if reset else StaffAppForm()
    if form.validate_on_submit():
        if reset and not password_matches(invitation.user, form.current_password.data):
            form.current_password.errors.append(_("Ce n'est pas le mot de passe de votre "
                                                  "compte."))
        elif staff_links.confirm_authenticator(invitation, form.code.data) is not None:
            session.pop(_CHOSE_PASSWORD, None)
            flash(_("Votre application d'authentification est configurée.") if reset
                  else _("Votre compte est prêt."), "success")
            flash(_("Connectez-vous avec votre adresse e-mail, votre mot de passe et le code "
                    "de l'application."), "info")
            return redirect(url_for("auth.login"), 303)
        else:
            form.code.errors.append(_("Ce code n'est pas valable. Saisissez le code que "
                                      "l'application affiche en ce moment."))
    status = 422 if form.errors else 200
    secret = invitation.pending_totp_secret
    qr = qr_svg(provisioning_uri_for(invitation.email, secret),
                _("Code QR à lire avec votre application d'authentification"))
    return render_template("auth/staff_authenticator.html", form=form, reset=reset,
                           invitation=invitation, token=token, secret=grouped_secret(secret),
                           qr=qr), status
