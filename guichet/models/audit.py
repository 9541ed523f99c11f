"""The append-only audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from .base import db
from .types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict | None] = mapped_column(JSON)

    # The log page (guichet/staff/audit_log.py) reads it newest first, a page at a time (keyset
    # on at, id), filtered by staff member, action or object: each filter with that order
    # (migration c6d7e8f9a0b1). The object's id leads its index: it is asked alone too, and
    # the type alone (« every invoice ») selects too much for an index to help.
    __table_args__ = (Index("ix_audit_entries_actor_at", "actor_id", "at", "id"),
                      Index("ix_audit_entries_action_at", "action", "at", "id"),
                      Index("ix_audit_entries_object_at", "object_id", "object_type", "at",
                            "id"))


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_changes(mapper, connection, target):
    raise AppendOnlyError("audit entries are append-only")
