"""What a code page says: the field for the chosen method, the other methods offered, and for
the SMS the truth about the last code and when a new one may be asked."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from flask import flash, redirect, request
from sqlalchemy import select

from guichet.core.forms import EmptyForm
from guichet.core.htmx import render
from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.identifiers import mask_phone
from guichet.models import AuthSession, SmsCode, User
from guichet.models.base import db

from .codes import SendResult, clock_time, live_code, send_refusal, send_refusal_message
from .second_factor import APP, RECOVERY, SMS, methods_for, pick_method


def _field_texts(method: str) -> tuple[str, str]:
    if method == APP:
        return _("Code de l'application"), _("Le code à 6 chiffres affiché par votre "
                                              "application d'authentification.")
    if method == RECOVERY:
        return _("Code de secours"), _("Un des codes de secours notés lors de l'ajout de "
                                       "l'application, par exemple abcd-efgh-jkmn-pqrs. Chaque "
                                       "code ne sert qu'une fois.")
    return _("Code reçu par SMS"), _("6 chiffres.")


_SWITCH_LABELS = {APP: _l("Utiliser mon application d'authentification"),
                  SMS: _l("Recevoir plutôt un code par SMS"),
                  RECOVERY: _l("Utiliser un code de secours")}


_REFUSED = {
    APP: _l("Ce code n'est pas valable. Saisissez le code que votre application affiche en ce "
            "moment."),
    RECOVERY: _l("Ce code de secours n'est pas valable ou a déjà servi."),
    SMS: _l("Ce code n'est pas valable. Vérifiez-le, ou demandez un nouveau code s'il a "
            "expiré."),
}


def refused_message(user: User | None, requested: str | None) -> str:
    """What the field says when the code typed was refused, for the method it was typed for."""
    return str(_REFUSED[pick_method(user, requested) if user is not None else SMS])


def sms_status(sent_at: datetime | None, expires_at: datetime | None, phone: str,
               shown_phone: str | None = None) -> str:
    """The sentence about the code a person may type, whether it was sent just now or earlier.
    The number is masked unless the caller shows it (a new number the person just typed)."""
    shown = shown_phone or mask_phone(phone)
    if sent_at is None:
        return _("Aucun code valable n'a été envoyé par SMS au %(phone)s pour l'instant.",
                 phone=shown)
    return _("Saisissez le code à 6 chiffres envoyé par SMS au %(phone)s à %(sent)s. Il est "
             "valable jusqu'à %(until)s.", phone=shown, sent=clock_time(sent_at),
             until=clock_time(expires_at))


def resend_widget(refusal: SendResult | None, url: str, page_url: str, first: bool,
                  message: str | None = None) -> dict:
    """The « Vous n'avez rien reçu ? » box: a button, or when a code cannot be asked yet, the
    time from which it can."""
    return {"url": url, "page_url": page_url, "message": message,
            "wait": refusal.wait_seconds if refusal else 0,
            "notice": send_refusal_message(refusal) if refusal else None,
            "button": _("Envoyez-moi un code par SMS") if first else
            _("J'ai besoin d'un nouveau code")}


def sms_widget(auth_session: AuthSession, purpose: str, phone: str, url: str, page_url: str,
               message: str | None = None) -> tuple[str, dict]:
    """The SMS code's status (the field's hint) and the resend box."""
    live = live_code(auth_session, purpose)
    ever = live is not None or db.session.scalar(select(SmsCode.id).where(
        SmsCode.auth_session_id == auth_session.id, SmsCode.purpose == purpose).limit(1))
    status = sms_status(live.created_at if live else None, live.expires_at if live else None,
                        phone)
    return status, resend_widget(send_refusal(auth_session, phone), url, page_url,
                                 first=not ever, message=message)


def code_prompt(user: User, auth_session: AuthSession, purpose: str, requested: str | None, *,
                page_url: Callable[[str], str], resend_url: str, phone: str | None,
                message: str | None = None) -> dict:
    """The template values of ``verification/code.html`` for the chosen method."""
    method = pick_method(user, requested)
    label, hint = _field_texts(method)
    others = [(page_url(other), str(_SWITCH_LABELS[other]))
              for other in methods_for(user) if other != method]
    resend = None
    if method == SMS and phone:
        hint, resend = sms_widget(auth_session, purpose, phone, resend_url, page_url(method),
                                  message)
    return {"method": method, "code_label": label, "code_hint": hint, "resend": resend,
            "other_methods": others}


def answer_resend(send: Callable[[], bool], code_page_url: str,
                  page: Callable[[str | None], dict]):
    """The resend box's view, the same on every code page. GET: the box (htmx). POST: ``send``
    a new SMS code (True when it went); then, without htmx, back to the code page
    (``code_page_url``) with the news as a message, with htmx the box again with the news.
    ``page(message)`` gives the code page's template values."""
    message = None
    if request.method == "POST" and EmptyForm().validate_on_submit():
        if send():
            message = _("Un nouveau code vous a été envoyé par SMS.")
        if not request.headers.get("HX-Request"):
            if message:
                flash(message, "info")
            return redirect(code_page_url, 303)
    return render("verification/code.html", "verification/_resend.html", **page(message))
