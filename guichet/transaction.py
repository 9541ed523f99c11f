"""One commit per request, in one place; messages leave only after it."""
from __future__ import annotations

from .extensions import db
from .messaging.outbox import deliver_queued


def commit() -> None:
    db.session.commit()
    deliver_queued()
