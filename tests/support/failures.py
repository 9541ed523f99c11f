"""Breakdowns on demand: a database that refuses to commit."""
from flask import has_request_context, request
from sqlalchemy.exc import OperationalError

from guichet.models.base import db


def fail_commits(monkeypatch) -> None:
    """The database refuses the commit of every form sent (as when its disk is full); pages
    that only read still open."""
    real_commit = db.session.commit

    def commit():
        if has_request_context() and request.method == "POST":
            raise OperationalError("COMMIT", {}, Exception("database or disk is full"))
        return real_commit()
    monkeypatch.setattr(db.session, "commit", commit, raising=False)
