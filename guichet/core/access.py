"""Deny by default: every endpoint says who may reach it, or nobody can.

Views are marked with one of the decorators below; a ``before_request`` hook refuses any endpoint
that carries no mark, and enforces the mark of those that do.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from .audit import record
from .i18n import gettext as _
from .web import error_response

PUBLIC = "public"
INSURED = "insured"
STAFF = "staff"
ADMIN = "admin"
TRANSMISSION = "transmission"
ANY_USER = "any_user"
PUBLIC_ENDPOINTS = {"static"}


def _mark(level: str):
    def decorator(view):
        view.access_level = level
        return view
    return decorator


public = _mark(PUBLIC)
"""Anyone, logged in or not."""
insured_required = _mark(INSURED)
"""An insured person who passed both login factors."""
staff_required = _mark(STAFF)
"""Office staff who passed both login factors."""
admin_required = _mark(ADMIN)
"""An administrator of the office who passed both login factors."""
transmission_required = _mark(TRANSMISSION)
"""Staff with the transmission right (the transmission role or an administrator)."""
login_required = _mark(ANY_USER)
"""Anyone who passed both login factors."""


def access_level(app: Flask, endpoint: str | None) -> str | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    view = app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "access_level", None)


def init_access(app: Flask) -> None:
    app.before_request(_enforce)


def _enforce():
    if request.endpoint is None:  # 404 / 405 from routing: let Flask answer
        return None
    level = access_level(current_app, request.endpoint)
    if level == PUBLIC:
        return None
    if level is None:
        abort(404)
    if not current_user.is_authenticated:
        if request.method == "GET" and not request.headers.get("HX-Request"):
            flash(_("Connectez-vous pour accéder à cette page."), "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if request.headers.get("HX-Request"):
            # htmx does not swap a 401: send the whole page to the login form instead.
            flash(_("Votre session a expiré. Connectez-vous à nouveau."), "info")
            return "", 204, {"HX-Redirect": url_for("auth.login")}
        abort(401)
    if (level in (STAFF, ADMIN, TRANSMISSION) and not current_user.is_staff
            or level == INSURED and current_user.is_staff):
        # an answer, not an exception: the unit of work keeps the audit entry
        record("access_refused", object_type="endpoint", object_id=request.endpoint)
        return error_response(403 if level == INSURED else 404)
    if level == ADMIN and not current_user.is_admin:
        record("access_refused", object_type="endpoint", object_id=request.endpoint)
        return error_response(403)
    if level == TRANSMISSION and not current_user.can_transmit:
        record("access_refused", object_type="endpoint", object_id=request.endpoint)
        return error_response(403)
    return None


