"""The one place that decides whether a request gets a fragment or a whole page."""
from __future__ import annotations

from flask import render_template, request


def wants_fragment() -> bool:
    """True for htmx requests that swap a part of the page (not boosted, not a history restore)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-Boosted") != "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render(page: str, fragment: str, status: int = 200, **context):
    """Render ``fragment`` for htmx, else the full ``page`` (which includes that fragment)."""
    template = fragment if wants_fragment() else page
    response = render_template(template, **context), status, {"Vary": "HX-Request"}
    return response
