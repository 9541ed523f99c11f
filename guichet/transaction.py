"""One commit per request, in one place; messages leave and old files go only after it."""
from __future__ import annotations

from flask import g

from .extensions import db
from .messaging.outbox import deliver_queued


def commit() -> None:
    db.session.commit()
    stale_files = g.pop("files_to_delete", [])
    if stale_files:
        from .uploads.storage import delete_many
        delete_many(stale_files)
    deliver_queued()
