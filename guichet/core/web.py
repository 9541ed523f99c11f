"""What every response shares: security headers, French error pages, template globals."""
from __future__ import annotations

import logging

from flask import Flask, current_app, has_request_context, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .forms import field_attributes
from .htmx import wants_fragment
from .i18n import gettext as _
from .unit_of_work import rollback_request

log = logging.getLogger("guichet.web")

CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'; img-src 'self' data:")

# htmx settings (security.md 16): same-origin only, no eval, no history cache in localStorage,
# no injected <style>; a conflict (409), validation errors (422) and throttling (429) are
# swapped like 200.
HTMX_CONFIG = {
    "selfRequestsOnly": True, "allowEval": False, "allowScriptTags": False,
    "historyCacheSize": 0, "refreshOnHistoryMiss": True, "includeIndicatorStyles": False,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "409", "swap": True},
        {"code": "422", "swap": True},
        {"code": "429", "swap": True},
        {"code": "[45]..", "swap": False, "error": True},
    ],
}

ERROR_TEXT = {
    400: ("Requête incorrecte", "La demande n'a pas pu être comprise. Revenez en arrière et réessayez."),
    401: ("Session expirée", "Votre session a expiré ou vous n'êtes pas connecté·e. Connectez-vous à nouveau, puis recommencez."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas ou plus. Vérifiez l'adresse."),
    405: ("Action impossible", "Cette action n'est pas possible ainsi. Utilisez les boutons de la page."),
    413: ("Envoi trop volumineux", "Ce que vous avez envoyé est trop volumineux (40 Mo au plus par demande, 10 Mo par fichier). Rien n'a été enregistré. Réduisez la taille des fichiers, par exemple en photographiant une seule page à la fois, puis réessayez."),
    429: ("Trop de tentatives", "Trop de tentatives. Réessayez plus tard."),
    500: ("Erreur du service", "Une erreur est survenue de notre côté. Rien n'a été enregistré. Réessayez dans un moment."),
}


# Only the forms that carry pièces justificatives may send large bodies.
UPLOAD_ENDPOINTS = {"invoices.edit_invoice", "invoices.answer_complement"}


#: The largest id the database holds (PostgreSQL's ``integer``).
MAX_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every route: a number the ids of the database can hold (PostgreSQL's
    ``integer``, up to 2 147 483 647). A larger one
    (``/gestion/lots/99999999999999999999``) matches no route, a 404, instead of reaching the
    database, which refuses it."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_web(app: Flask) -> None:
    """Before any route is added: the routes' ``int`` converter is :class:`DatabaseId`."""
    app.url_map.converters["int"] = DatabaseId
    app.jinja_env.globals["field_attributes"] = field_attributes  # the field macro's attributes
    app.url_value_preprocessor(_upload_limit)  # runs before CSRF reads the body
    app.after_request(add_security_headers)
    app.context_processor(_template_globals)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def add_security_headers(response):
    """The headers every response carries, errors and fragments included."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config["HSTS"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if response.mimetype == "text/html":
        headers.setdefault("Cache-Control", "no-store")
        headers.add("Vary", "HX-Request") if "HX-Request" not in headers.get("Vary", "") else None
    return response


def _upload_limit(endpoint, values):
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["UPLOAD_MAX_REQUEST_BYTES"]


def _template_globals():
    config = current_app.config
    return {"office_name": config["OFFICE_NAME"], "office_phone": config["OFFICE_PHONE"],
            "contact_email": config["CONTACT_EMAIL"],
            "htmx_config": HTMX_CONFIG}


def error_response(status: int, message: str | None = None):
    title, text = ERROR_TEXT.get(status, ERROR_TEXT[400])
    template = "errors/_error.html" if wants_fragment() else "errors/error.html"
    return render_template(template, status=status, title=_(title), text=message or _(text)), status


def _csrf_error(error):
    rollback_request()
    return error_response(400, _("Le formulaire a expiré ou n'a pas pu être vérifié. "
                                 "Rechargez la page et envoyez-le à nouveau."))


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    rollback_request()
    response = error.get_response()
    body, status = error_response(error.code)
    response.set_data(body)
    response.mimetype = "text/html"
    return response


def _unexpected_error(error: Exception):
    log.exception("Unexpected error on %s %s", request.method, request.path)
    rollback_request()
    return error_response(500)


def external_url(endpoint: str, **values) -> str:
    """A link for an e-mail, built from BASE_URL, never from the request's Host header."""
    if has_request_context():
        path = url_for(endpoint, _external=False, **values)
    else:  # a command (``flask complements remind``): no request to build from
        path = current_app.url_map.bind("").build(endpoint, values)
    return current_app.config["BASE_URL"] + path
