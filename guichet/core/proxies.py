"""Behind the office's reverse proxies: the visitor's address and scheme, read by Flask's own
request object (no layer around the application).

``PROXY_COUNT`` proxies each append the address they received from to ``X-Forwarded-For``
(and set ``X-Forwarded-Proto``); only that many hops from the right are trusted, so a visitor
cannot choose the address the per-IP limits and the audit log count.
"""
from __future__ import annotations

from flask import Flask, Request


class ProxiedRequest(Request):
    """A request whose ``remote_addr`` and ``scheme`` come from the trusted proxies' headers."""

    trusted_hops = 0

    def __init__(self, environ, *args, **kwargs):
        super().__init__(environ, *args, **kwargs)
        address = _trusted_value(environ.get("HTTP_X_FORWARDED_FOR"), self.trusted_hops)
        if address:
            self.remote_addr = address
        scheme = _trusted_value(environ.get("HTTP_X_FORWARDED_PROTO"), self.trusted_hops)
        if scheme in ("http", "https"):
            self.scheme = scheme


def _trusted_value(header: str | None, hops: int) -> str | None:
    """The value the outermost trusted proxy added (``hops`` from the right), or ``None``."""
    values = [value.strip() for value in (header or "").split(",")]
    return values[-hops] if hops and len(values) >= hops and values[-hops] else None


def trust_proxies(app: Flask, count: int) -> None:
    app.request_class = type("ProxiedRequest", (ProxiedRequest,), {"trusted_hops": count})
