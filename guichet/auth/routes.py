"""Registration, login with a second factor, logout, e-mail confirmation, password reset."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from guichet.core.access import login_required, public
from guichet.core.extensions import limiter
from guichet.core.forms import EmptyForm, check_new_password
from guichet.core.i18n import gettext as _
from guichet.core.identifiers import InvalidIdentifier, normalize_swiss_mobile
from guichet.core.sessions import current_auth_session
from guichet.models.auth_session import STAGE_PASSWORD, STAGE_PHANTOM
from guichet.models.codes import PURPOSE_LOGIN
from guichet.verification.forms import SecondFactorForm
from guichet.verification.prompt import answer_resend, code_prompt, refused_message
from guichet.verification.second_factor import SMS, methods_for

from . import services
from .blueprint import bp
from .forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm


def _limit(config_key: str, key_func=None):
    return limiter.limit(lambda: current_app.config[config_key], methods=["POST"],
                         key_func=key_func)


def _form_value_key(prefix: str, name: str):
    def key():
        value = request.form.get(name, "")
        return f"{prefix}:" + "".join(value.split()).lower()[:300]
    return key


def _mobile_key():
    """One bucket per mobile number however it is written (079 …, +41 79 …, 0041 79 …)."""
    value = request.form.get("mobile", "")
    try:
        value = normalize_swiss_mobile(value)
    except InvalidIdentifier:
        value = "".join(value.split()).lower()[:300]
    return f"register-mobile:{value}"


def safe_next(target: str | None) -> str | None:
    """Only a path of this site: no scheme, no host, no backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _home_for(user) -> str:
    return url_for("staff.show_queue") if user.is_staff else url_for("invoices.list_invoices")


@bp.route("/inscription", methods=["GET", "POST"])
@public
@_limit("RATELIMIT_REGISTER_PER_IP")
@_limit("RATELIMIT_REGISTER_PER_IP", _mobile_key)
def register():
    """The registration form; on success the SMS code page (303)."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        services.register(services.Registration(
            email=form.email.data, password=form.password.data, phone=form.mobile.normalized,
            navs13=form.navs13.normalized, civilite=form.civilite.data, nom=form.nom.data,
            prenom=form.prenom.data, date_naissance=form.date_naissance.normalized,
            rue=form.rue.data, npa=form.npa.data, localite=form.localite.data,
            pays=form.pays.data))
        return redirect(url_for("auth.second_factor"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/inscription/verifier/<field_name>", methods=["POST"])
@public
def check_register_field(field_name: str):
    """htmx: the error (or nothing) for one registration field, as the person leaves it."""
    form = RegisterForm()
    if field_name not in RegisterForm.FIELD_ORDER:
        return "", 204
    form.validate()
    field = form[field_name]
    errors = field.errors if field.data else []
    return render_template("macros/_feedback.html", field=field, errors=errors)


@bp.route("/connexion", methods=["GET", "POST"])
@public
@_limit("RATELIMIT_LOGIN_PER_IP")
@_limit("RATELIMIT_LOGIN_PER_ACCOUNT", _form_value_key("login", "email"))
def login():
    """E-mail and password; on success the second-factor page (303), which says itself whether
    a code was sent."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        started = services.start_login(form.email.data, form.password.data)
        if started is not None:
            session["next"] = safe_next(form.next.data)
            return redirect(url_for("auth.second_factor"), 303)
        form.password.errors.append(_("E-mail ou mot de passe incorrect."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


def _pending_login():
    pending = current_auth_session()
    if pending is None or pending.stage not in (STAGE_PASSWORD, STAGE_PHANTOM):
        return None
    return pending


def _pending_account_key():
    pending = current_auth_session()
    return f"code-account:{pending.user_id if pending is not None else '-'}"


@bp.route("/connexion/code", methods=["GET", "POST"])
@public
@_limit("RATELIMIT_CODE_PER_IP")
@_limit("RATELIMIT_CODE_PER_ACCOUNT", _pending_account_key)
def second_factor():
    """The code that completes a login: from the authenticator app (staff, and insured persons
    who added one), by SMS, or a recovery code; ``?moyen=`` chooses among them."""
    pending = _pending_login()
    if pending is None:
        if current_user.is_authenticated:
            return redirect(_home_for(current_user))
        flash(_("Votre session a expiré. Connectez-vous à nouveau."), "info")
        return redirect(url_for("auth.login"), 303)
    form = SecondFactorForm()
    if form.validate_on_submit():
        next_url = session.get("next")
        user = services.complete_second_factor(pending, form.method.data, form.code.data)
        if user is not None:
            if next_url:
                session["next"] = None
            return redirect(next_url or _home_for(user), 303)
        form.code.errors.append(refused_message(pending.user, form.method.data))
    requested = form.method.data if request.method == "POST" else request.args.get("moyen")
    status = 422 if form.errors else 200
    return render_template("verification/code.html",
                           **_code_page(pending, form, requested)), status


def _code_page(pending, form, requested=None, message=None) -> dict:
    """What the code page of a login shows, for the method chosen."""
    def page_url(method):
        return url_for("auth.second_factor", moyen=method)
    resend_url = url_for("auth.resend_code")
    if pending.user is None:
        prompt = services.phantom_prompt(pending, page_url(SMS), resend_url, message)
    else:
        prompt = code_prompt(pending.user, pending, PURPOSE_LOGIN, requested, page_url=page_url,
                             resend_url=resend_url, phone=pending.phone_hint, message=message)
    form.for_method(prompt)
    return {"form": form, "title": _("Code de confirmation"), "intro": [],
            "action": url_for("auth.second_factor"), **prompt,
            "links": [(url_for("auth.login"), _("Recommencer la connexion"))]}


@bp.route("/connexion/code/renvoi", methods=["GET", "POST"])
@public
@_limit("RATELIMIT_CODE_PER_IP")
def resend_code():
    """GET: the resend box (htmx). POST: send a new SMS code, then back to the code page."""
    pending = _pending_login()
    if pending is None or pending.user is not None and SMS not in methods_for(pending.user):
        return redirect(url_for("auth.login"), 303)
    def send() -> bool:
        result = services.resend_login_code(pending)
        return result is None or result.sent  # None: a phantom login, answered the same

    return answer_resend(send, url_for("auth.second_factor", moyen=SMS),
                         lambda message: _code_page(pending, SecondFactorForm(), SMS, message))


@bp.route("/deconnexion", methods=["POST"])
@login_required
def logout():
    """Ends the session on the server (303 to the home page)."""
    if EmptyForm().validate_on_submit():
        services.logout(current_auth_session())
        session.clear()
        flash(_("Vous êtes déconnecté·e."), "info")
    return redirect(url_for("main.index"), 303)


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@public
@_limit("RATELIMIT_EMAIL_PER_IP")
@_limit("RATELIMIT_EMAIL_PER_IP", _form_value_key("forgot", "email"))
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("auth/forgot_sent.html", email=form.email.data)
    status = 422 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/mot-de-passe/nouveau/<token>", methods=["GET", "POST"])
@public
@_limit("RATELIMIT_EMAIL_PER_IP")
def reset_password(token: str):
    """The new-password form reached from the e-mailed link; 410-like page when it is dead."""
    user = services.user_for_reset(token)
    if user is None:
        return render_template("auth/link_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit() and check_new_password(form, user.email, user.navs13):
        services.reset_password(token, form.password.data)
        session.clear()
        flash(_("Votre mot de passe a été changé. Connectez-vous avec le nouveau mot de passe."),
              "success")
        return redirect(url_for("auth.login"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/reset_password.html", form=form, token=token), status


@bp.route("/email/confirmer/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    """GET shows a button (mail scanners must not use the link up); POST confirms."""
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        user = services.confirm_email(token)
        if user is not None:
            flash(_("Votre adresse e-mail est confirmée. Merci !"), "success")
            return redirect(url_for("invoices.list_invoices") if current_user.is_authenticated
                            else url_for("auth.login"), 303)
        return render_template("auth/link_invalid.html"), 400
    if services.tokens.read_token(token, services.tokens.CONFIRM_EMAIL) is None:
        return render_template("auth/link_invalid.html"), 400
    return render_template("auth/confirm_email.html", form=form, token=token)


@bp.route("/email/renvoyer", methods=["POST"])
@login_required
@limiter.limit("5 per hour", key_func=lambda: f"resend-mail:{current_user.get_id()}")
def resend_confirmation():
    """« Renvoyez-moi un nouvel e-mail » (303 back, or the widget for htmx)."""
    if EmptyForm().validate_on_submit() and current_user.email_confirmed_at is None:
        services.send_email_confirmation(current_user)
        message = _("Nous vous avons envoyé un nouvel e-mail de confirmation.")
        if request.headers.get("HX-Request"):
            return render_template("invoices/_email_pending.html", message=message)
        flash(message, "success")
    return redirect(url_for("invoices.list_invoices"), 303)


from . import authenticator_routes  # noqa: E402,F401  (its views join the blueprint)
from . import staff_enrollment_routes  # noqa: E402,F401  (the staff's e-mailed links)
