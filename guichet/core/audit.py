"""Writing the audit log: who, in which role, did what to which object, when, from where."""
from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from guichet.models import AuditEntry, User
from guichet.models.base import db


def record(action: str, *, actor: User | None = None, object_type: str | None = None,
           object_id: object = None, **detail) -> AuditEntry:
    """Adds an entry to the current transaction. Never pass passwords, codes, IBAN or AVS numbers."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_role=actor.role if actor is not None else None,
        action=action, object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        ip=request.remote_addr if has_request_context() else None,
        detail=detail or None)
    db.session.add(entry)
    return entry
