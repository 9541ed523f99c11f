"""The two requests an open home page repeats, answered before Flask when nothing changed.

While one of a person's invoices can still move, the home page asks « /demandes/liste?stamp=… »
every 10 seconds, and people reload the page itself. Both depend only on the login session, the
account and the invoices. A WSGI layer in front of Flask verifies the session cookie, then runs
one SQL statement that checks the login session exactly as ``current_auth_session`` does
(both factors done, not revoked, within the idle and absolute limits, an insured person) and
returns what the page shows: the list's version (moved by every change to the person's invoices
and beneficiaries), the account's name and confirmations. Then:

- an unchanged poll gets its 204 at once;
- the home page is served from a small per-process cache of pages rendered by Flask for this very
  session cookie, when none of those values changed since and the idle timer needs no update.

Anything else (no cookie or a bad one, a session that is not live, staff, flashed messages, a
changed list, a cache miss) goes to Flask as if this layer did not exist.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from urllib.parse import parse_qsl
from typing import Callable, Iterable

from flask import Flask
from itsdangerous import BadSignature
from sqlalchemy import and_, bindparam, event, select
from sqlalchemy.engine import Engine
from werkzeug.http import parse_cookie
from werkzeug.test import create_environ

from ..auth.sessions import TOUCH_EVERY, token_hash
from ..extensions import db
from ..models import AuthSession, User
from ..models.types import UTCDateTime, utcnow
from ..models.auth_session import STAGE_FULL
from ..models.user import ROLE_INSURED

VERIFIED_COOKIES_KEPT = 4096


def _live_session_statement():
    """Whether the session is live, whether its idle timer may wait, and what the page shows of
    the account: the list's version (``services.list_stamp``), name and confirmations. Times are
    compared in SQL with limits computed in Python from the same settings as
    ``auth.sessions.timed_out``. One row of each table, found by a unique index."""
    sessions, users = AuthSession.__table__, User.__table__
    live = and_(sessions.c.stage == STAGE_FULL, sessions.c.revoked_at.is_(None),
                users.c.role == ROLE_INSURED,
                sessions.c.last_seen_at >= bindparam("idle_limit"),
                sessions.c.created_at >= bindparam("absolute_limit"))
    return (select(live, sessions.c.last_seen_at >= bindparam("touch_limit"),
                   users.c.list_version, users.c.email, users.c.prenom, users.c.nom,
                   users.c.email_confirmed_at.is_not(None), users.c.phone_confirmed_at.is_not(None))
            .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
            .where(sessions.c.token_hash == bindparam("token_hash")))


class LiveSessionQuery:
    """That statement, compiled once for the database in use and run on the driver directly,
    on a few connections of its own. A connection that fails is dropped, and Flask answers that
    request."""

    def __init__(self, engine: Engine):
        dialect = engine.dialect
        self.compiled = compiled = _live_session_statement().compile(dialect=dialect)
        self.sql = str(compiled)
        self.positions = compiled.positiontup if compiled.positional else None
        self.write_time = (UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
                           or (lambda value: value))
        self.engine = engine
        self._idle: list = []
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def run(self, token: str, limits: dict) -> tuple | None:
        params = {name: self.write_time(value) for name, value in limits.items()}
        params["token_hash"] = token_hash(token)
        params = self.compiled.construct_params(params)  # adds the statement's own constants
        if self.positions is not None:
            params = tuple(params[name] for name in self.positions)
        connection = self._take()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self.sql, params)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except Exception:
            connection.close()
            raise
        self._idle.append(connection)
        return None if row is None else tuple(row)

    def _take(self):
        try:
            return self._idle.pop()
        except IndexError:
            connection = self.engine.raw_connection()
            connection.detach()  # ours until closed, outside the engine's pool
            # one SELECT is its own transaction: no BEGIN and ROLLBACK round trips around it
            self.engine.dialect.set_isolation_level(connection.dbapi_connection, "AUTOCOMMIT")
            return connection

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()

    @staticmethod
    def stamp(row: tuple) -> str:
        """The same text as ``services.list_stamp``."""
        return str(row[2])


class PageCache:
    """Least-recently-used pages, by session cookie and query string."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[tuple[str, str], tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], fingerprint: tuple):
        with self._lock:
            entry = self._pages.get(key)
            if entry is None or entry[0] != fingerprint:
                return None
            self._pages.move_to_end(key)
            return entry[1:]

    def put(self, key: tuple[str, str], fingerprint: tuple, status: str, headers: list,
            body: bytes) -> None:
        with self._lock:
            self._pages[key] = (fingerprint, status, headers, body)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def forget(self, cookie: str) -> None:
        with self._lock:
            for key in [key for key in self._pages if key[0] == cookie]:
                del self._pages[key]

    def __len__(self) -> int:
        return len(self._pages)


class ListShortcut:
    """WSGI middleware: ``app.wsgi_app = ListShortcut(app, app.wsgi_app)``."""

    def __init__(self, app: Flask, wsgi_app: Callable):
        self.app = app
        self.wsgi_app = wsgi_app
        urls = app.url_map.bind("")
        self.home_path = urls.build("invoices.list_invoices")
        self.poll_path = urls.build("invoices.poll_invoices")
        self.pages = PageCache(app.config["HOME_PAGE_CACHE_SIZE"])
        self._query: LiveSessionQuery | None = None
        self._serializer = None
        self._verified: dict[str, tuple] = {}
        self._poll_headers: list[tuple[str, str]] | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if environ.get("REQUEST_METHOD") != "GET" or path not in (self.home_path, self.poll_path):
            return self.wsgi_app(environ, start_response)
        try:
            if path == self.poll_path:
                return self._poll(environ, start_response)
            return self._home(environ, start_response)
        except Exception:  # never worse than without the shortcut
            self.app.logger.exception("List shortcut failed; Flask answers instead")
            return self.wsgi_app(environ, start_response)

    # The two requests

    def _poll(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not _htmx_fragment_request(environ):
            return self.wsgi_app(environ, start_response)
        stamp = next((value for name, value in parse_qsl(environ.get("QUERY_STRING", ""))
                      if name == "stamp"), None)
        found = self._live_session(environ) if stamp else None
        if found is None or self.query.stamp(found[1]) != stamp:
            return self.wsgi_app(environ, start_response)
        start_response("204 NO CONTENT", list(self.poll_headers))
        return []

    def _home(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.pages.size <= 0 or environ.get("HTTP_HX_REQUEST"):
            return self.wsgi_app(environ, start_response)
        found = self._live_session(environ)
        if found is None:
            return self.wsgi_app(environ, start_response)
        cookie, row = found
        key, fingerprint = (cookie, environ.get("QUERY_STRING", "")), row[2:]
        cached = self.pages.get(key, fingerprint) if row[1] else None  # else the timer moves
        if cached is not None:
            status, headers, body = cached
            start_response(status, list(headers))
            return [body]
        return self._render_and_keep(environ, start_response, key, fingerprint)

    def _render_and_keep(self, environ, start_response, key, fingerprint) -> Iterable[bytes]:
        """Flask renders the page; a plain 200 that set no cookie is kept for next time."""
        answer: dict = {}

        def keep_headers(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body_parts = self.wsgi_app(environ, keep_headers)
        try:
            body = b"".join(body_parts)
        finally:
            if hasattr(body_parts, "close"):
                body_parts.close()
        headers = answer.get("headers", [])
        if (answer.get("status", "").startswith("200")
                and not any(name.lower() == "set-cookie" for name, _ in headers)
                and any(name.lower() == "content-type" and value.startswith("text/html")
                        for name, value in headers)):
            self.pages.put(key, fingerprint, answer["status"], list(headers), body)
        return [body]

    # Session and fingerprint

    def _live_session(self, environ: dict) -> tuple[str, tuple] | None:
        """The cookie and the statement's row when the cookie names a live insured session."""
        app = self.app
        cookie = parse_cookie(environ).get(app.config["SESSION_COOKIE_NAME"])
        if not cookie:
            return None
        data = self._cookie_content(cookie)
        token = data.get("sid") if isinstance(data, dict) else None
        if not isinstance(token, str) or "_flashes" in data:
            return None
        config, now = app.config, utcnow()
        row = self.query.run(token, {
            "idle_limit": now - config["SESSION_IDLE_TIMEOUT"],
            "absolute_limit": now - config["SESSION_ABSOLUTE_TIMEOUT"],
            "touch_limit": now - TOUCH_EVERY})
        if row is None or not row[0]:
            self.pages.forget(cookie)
            return None
        return cookie, row

    def _cookie_content(self, cookie: str):
        """What the session cookie holds, if Flask's serializer accepts it (signature, age). A
        cookie already verified is not verified again; its age still is checked."""
        max_age = self.app.permanent_session_lifetime.total_seconds()
        serializer = self.serializer
        known = self._verified.get(cookie)
        if known is None:
            try:
                known = serializer.loads(cookie, max_age=int(max_age), return_timestamp=True)
            except BadSignature:
                return None
            if len(self._verified) >= VERIFIED_COOKIES_KEPT:
                self._verified.clear()
            self._verified[cookie] = known
        content, signed_at = known
        age = int(time.time()) - int(signed_at.timestamp())  # whole seconds, as itsdangerous
        if age > max_age or age < 0:
            self._verified.pop(cookie, None)
            return None
        return content

    @property
    def serializer(self):
        """Flask's own cookie serializer, made again (forgetting verified cookies) only if the
        secret key changes."""
        secret = self.app.secret_key
        if self._serializer is None or self._serializer[0] != secret:
            self._serializer = (secret,
                                self.app.session_interface.get_signing_serializer(self.app))
            self._verified = {}
        return self._serializer[1]

    @property
    def query(self) -> LiveSessionQuery:
        if self._query is None:
            with self.app.app_context():
                self._query = LiveSessionQuery(db.engine)
        return self._query

    @property
    def poll_headers(self) -> list[tuple[str, str]]:
        """Those of Flask's own ``return "", 204``, with the security headers."""
        if self._poll_headers is None:
            from ..web import add_security_headers
            with self.app.app_context():
                response = add_security_headers(self.app.response_class("", status=204))
                response.vary.add("Cookie")  # as Flask adds when the session was read
                # as Werkzeug sends them (no Content-Length on a 204)
                self._poll_headers = response.get_wsgi_headers(create_environ()).to_wsgi_list()
        return self._poll_headers


def _htmx_fragment_request(environ: dict) -> bool:
    """As ``htmx.wants_fragment``, on the WSGI environ."""
    return (environ.get("HTTP_HX_REQUEST") == "true"
            and environ.get("HTTP_HX_BOOSTED") != "true"
            and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true")


def init_list_shortcut(app: Flask) -> None:
    app.wsgi_app = ListShortcut(app, app.wsgi_app)
