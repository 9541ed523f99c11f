"""One unit of work per request and per command: one commit, in one place.

A request opens a unit before anything else runs. When the view (or a ``before_request`` hook)
gave an answer without raising, the unit commits once, before the answer leaves; when anything
raised, the error handler rolls it all back, and a commit that fails answers « rien n'a été
enregistré ». Side effects hang on the unit instead of on the code that caused them:

- ``after_commit(hook)``: run once the data is safely stored (send e-mails and SMS, remove the
  files that the committed change replaced);
- ``after_rollback(hook)``: run when nothing was stored (remove the files written during the
  request, so that no orphan is left).

Views never call ``commit()``. The rare view that must roll back and still answer normally
calls :func:`discard` once. Commands (CLI) and the outbox worker run each unit in
``with unit_of_work():``, which commits at the end of the block or rolls back on an exception.
Like Indico's ``RH.process``, but as Flask hooks around every view.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Callable, Iterator

from flask import Flask, g, session
from sqlalchemy import event
from sqlalchemy.orm import Session

from guichet.models.base import db

log = logging.getLogger("guichet.unit_of_work")
Hook = Callable[[], None]


class UnitOfWork:
    """What one request or command wrote, and what to do once it is stored or dropped."""

    def __init__(self) -> None:
        self._after_commit: list[Hook] = []
        self._after_rollback: list[Hook] = []
        self._batches: dict[str, list] = {}

    def after_commit(self, hook: Hook) -> None:
        self._after_commit.append(hook)

    def after_rollback(self, hook: Hook) -> None:
        self._after_rollback.append(hook)

    def batch(self, name: str, after_commit: Callable[[list], None]) -> list:
        """A list kept for this unit under ``name``; ``after_commit(that list)`` runs once
        after the commit (e.g. every message queued by a request, sent by one thread)."""
        if name not in self._batches:
            items: list = []
            self._batches[name] = items
            self.after_commit(lambda: after_commit(items))
        return self._batches[name]

    def commit(self) -> None:
        """Commit; on failure roll back (and run the rollback hooks) and re-raise. A unit that
        wrote nothing (most pages, every poll) has nothing to commit: its read-only transaction
        ends when the session is closed, without a COMMIT round trip to the database."""
        try:
            if _wrote(db.session()):
                db.session.commit()
        except BaseException:
            self.rollback()
            raise
        db.session.info.pop(WROTE, None)
        hooks = self._after_commit
        self._reset()
        _run(hooks, "after the commit")

    def rollback(self) -> None:
        db.session.rollback()
        db.session.info.pop(WROTE, None)
        hooks = self._after_rollback
        self._reset()
        _run(hooks, "after the rollback")

    def _reset(self) -> None:
        self._after_commit, self._after_rollback, self._batches = [], [], {}


WROTE = "unit_of_work_wrote"


def _wrote(session: Session) -> bool:
    """Whether the session holds or sent a change: pending objects, a flush, or a statement
    other than a SELECT (``session.execute(update(...))``)."""
    return bool(session.info.get(WROTE) or session.new or session.dirty or session.deleted)


@event.listens_for(Session, "after_flush")
def _flushed(session, _context) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if not state.is_select:
        state.session.info[WROTE] = True


def _run(hooks: list[Hook], when: str) -> None:
    """Each hook once; one that fails is logged and does not stop the others (what was
    stored is stored, whatever a side effect does)."""
    for hook in hooks:
        try:
            hook()
        except Exception:
            log.exception("A hook %s failed", when)


def current_unit() -> UnitOfWork:
    """The unit of the current request or command (one is opened if none is)."""
    unit = g.get("unit_of_work")
    if unit is None:
        unit = g.unit_of_work = UnitOfWork()
    return unit


def after_commit(hook: Hook) -> None:
    current_unit().after_commit(hook)


def after_rollback(hook: Hook) -> None:
    current_unit().after_rollback(hook)


def discard() -> None:
    """Roll back what this request wrote so far and still answer normally (one explicit call
    where a view must do that, e.g. a second submission that lost the race)."""
    current_unit().rollback()


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """A unit of its own (commands, the outbox worker, tests): commits at the end of the block,
    rolls back on an exception. The unit that was open before is restored afterwards."""
    outer = g.pop("unit_of_work", None)
    unit = g.unit_of_work = UnitOfWork()
    try:
        yield unit
    except BaseException:
        unit.rollback()
        raise
    else:
        unit.commit()
    finally:
        if outer is None:
            g.pop("unit_of_work", None)
        else:
            g.unit_of_work = outer


def rollback_request() -> None:
    """Called by the error handlers: the request failed, nothing it wrote is kept."""
    current_unit().rollback()


def init_unit_of_work(app: Flask, failed_commit: Callable[[], object]) -> None:
    """Call it last in ``create_app``: the unit opens before any other ``before_request``
    hook, and commits before the other ``after_request`` hooks add their headers.
    ``failed_commit()`` makes the answer when the commit itself fails (« rien n'a été
    enregistré »)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _open)

    def commit_after_view(response):
        try:
            current_unit().commit()
        except Exception:
            log.exception("The commit failed; nothing of this request was stored")
            session.pop("_flashes", None)  # « enregistré » must not show on the next page
            return app.make_response(failed_commit())
        return response

    app.after_request(commit_after_view)
    app.teardown_request(_close)


def _open() -> None:
    g.unit_of_work = UnitOfWork()


def _close(error: BaseException | None) -> None:
    """Only when an exception escaped every handler: drop what is left."""
    unit = g.pop("unit_of_work", None)
    if error is not None and unit is not None:
        unit.rollback()
