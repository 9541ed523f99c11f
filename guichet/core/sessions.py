"""Login sessions kept on the server.

The signed Flask cookie carries only ``sid``, a random token; its SHA-256 names an ``AuthSession``
row. Logging out or changing the password revokes the row, so a replayed cookie stops working.
A new token is issued after the password and again after the second factor.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Flask, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from guichet.models import AuthSession, User, utcnow
from guichet.models.auth_session import STAGE_FULL
from guichet.models.base import db

from .extensions import limiter, login_manager

TOUCH_EVERY = timedelta(seconds=60)

# Every request asks this: built once (with its user, one query per request), not per request.
_SESSION_BY_TOKEN = (select(AuthSession).options(joinedload(AuthSession.user))
                     .where(AuthSession.token_hash == bindparam("token_hash")))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, with its serializer made once per secret key instead of twice
    per request (opening and saving the cookie)."""

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = getattr(self, "_serializer", None)
        if cached is None or cached[0] != keys:
            cached = self._serializer = (keys, super().get_signing_serializer(app))
        return cached[1]


def init_sessions(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
    login_manager.init_app(app)
    login_manager.request_loader(_load_user_from_session)
    login_manager.session_protection = None  # the server-side session does this job
    app.before_request(_load_user_first)


def _load_user_first():
    """Load the user (and move the idle timer) before any other work of the request."""
    if request.endpoint != "static":
        _ = current_user.is_authenticated


def open_session(user: User | None, stage: str, phone_hint: str | None = None) -> AuthSession:
    """Starts a new server session and puts its token in a fresh cookie."""
    token = secrets.token_urlsafe(32)
    auth_session = AuthSession(token_hash=token_hash(token), user=user, stage=stage,
                               phone_hint=phone_hint, ip=request.remote_addr)
    db.session.add(auth_session)
    db.session.flush()
    session.clear()
    session.permanent = True
    session["sid"] = token
    return auth_session


def current_auth_session(stage: str | None = None) -> AuthSession | None:
    """The live session named by the cookie (optionally only at ``stage``), or None."""
    token = session.get("sid")
    if not isinstance(token, str):
        return None
    auth_session = db.session.scalar(_SESSION_BY_TOKEN, {"token_hash": token_hash(token)})
    if auth_session is None or auth_session.revoked_at is not None:
        return None
    if stage is not None and auth_session.stage != stage:
        return None
    if _expired(auth_session):
        return None
    return auth_session


def _expired(auth_session: AuthSession) -> bool:
    return timed_out(current_app.config, auth_session.created_at, auth_session.last_seen_at,
                     auth_session.user is not None and auth_session.user.is_staff, utcnow())


def timed_out(config, created_at: datetime, last_seen_at: datetime, is_staff: bool,
              now: datetime) -> bool:
    """Past the idle limit (shorter for staff) or the absolute one."""
    idle = config["STAFF_SESSION_IDLE_TIMEOUT" if is_staff else "SESSION_IDLE_TIMEOUT"]
    return now - last_seen_at > idle or now - created_at > config["SESSION_ABSOLUTE_TIMEOUT"]


def touch_due(last_seen_at: datetime, now: datetime) -> bool:
    """Whether this request should move the idle timer (at most once a minute)."""
    return now - last_seen_at > TOUCH_EVERY


def background(view):
    """Marks a view that pages call by themselves (polling): it does not count as activity, so
    a page left open still reaches the idle timeout, and it is not rate limited (a page polls
    as often as it needs; the limits guard what people send)."""
    view.keeps_idle_timer = True
    return view


@limiter.request_filter  # once per process (the limiter is global): polls skip every limit
def _is_background_request() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "keeps_idle_timer", False)


def revoke(auth_session: AuthSession | None) -> None:
    if auth_session is not None and auth_session.revoked_at is None:
        auth_session.revoked_at = utcnow()


def revoke_all(user: User, keep: AuthSession | None = None) -> None:
    """Ends every session of ``user`` except ``keep`` (used when the password changes)."""
    query = update(AuthSession).where(AuthSession.user_id == user.id,
                                      AuthSession.revoked_at.is_(None))
    if keep is not None:
        query = query.where(AuthSession.id != keep.id)
    db.session.execute(query.values(revoked_at=utcnow()))


def _load_user_from_session(_request):
    auth_session = current_auth_session(STAGE_FULL)
    if auth_session is None or auth_session.user is None or not auth_session.user.is_active:
        return None  # a disabled account's sessions were ended; this guards a late request
    now = utcnow()
    if touch_due(auth_session.last_seen_at, now) and not _is_background_request():
        db.session.execute(update(AuthSession).where(AuthSession.id == auth_session.id)
                           .values(last_seen_at=now))
    return auth_session.user
