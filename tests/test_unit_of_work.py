"""One unit of work per request and per command: a request that fails keeps no row, no file and
no message; one that succeeds sends its messages only once everything is committed."""
from __future__ import annotations

import click
import pytest
from flask import has_request_context, request
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from guichet.cli import CommandGroup
from guichet.core.access import public
from guichet.core.audit import record
from guichet.core.unit_of_work import discard, unit_of_work
from guichet.messaging import outbox, queue_sms
from guichet.models import AuditEntry, OutboxMessage
from guichet.models.base import db
from guichet.uploads.inspect import inspect_upload
from guichet.uploads.storage import store, upload_folder
from tests.support.files import pdf_bytes
from tests.support.page import page_text

MOBILE = "+41791234567"


class Probe:
    """Views that write what a real request writes: an audit row, a stored file, an SMS."""

    def __init__(self, app):
        self.seen_in_view: list = []
        for name, view in (("writes", self.writes), ("fails", self.fails),
                           ("discards", self.discards)):
            app.add_url_rule(f"/test/{name}", f"probe_{name}",
                             public(lambda _view=view: _view()), methods=["POST"])

    def write(self) -> None:
        record("probe_written")
        store(inspect_upload("piece.pdf", pdf_bytes()))
        queue_sms(MOBILE, "Votre demande a changé.")

    def writes(self):
        self.write()
        self.seen_in_view.append(list(events))
        return "ok"

    def fails(self):
        self.write()
        raise RuntimeError("after writing, something breaks")

    def discards(self):
        self.write()
        discard()
        record("probe_after_discard")
        return "gardé"


events: list[str] = []


@pytest.fixture
def probe(app, monkeypatch):
    """The probe views, and ``events``: each commit of the database session and each SMS sent,
    in the order they happened."""
    events.clear()

    class Gateway:
        def send(self, to, text):
            events.append(f"SMS to {to}")

    def committed(session):
        events.append("commit")

    monkeypatch.setattr(outbox, "sms_gateway", Gateway)
    event.listen(Session, "after_commit", committed)  # every session: each request has its own
    yield Probe(app)
    event.remove(Session, "after_commit", committed)


def stored_files() -> list[str]:
    folder = upload_folder(create=False)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def rows(model, **where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_a_view_that_raises_after_writing_leaves_no_row_no_file_no_message(client, probe):
    response = client.post("/test/fails")
    assert response.status_code == 500
    assert "Rien n'a été enregistré" in page_text(response)
    assert rows(AuditEntry, action="probe_written") == 0
    assert rows(OutboxMessage) == 0
    assert stored_files() == []
    assert not any(e.startswith("SMS") for e in events)


def test_a_view_that_succeeds_sends_its_messages_only_after_the_commit(client, probe):
    response = client.post("/test/writes")
    assert response.status_code == 200
    assert probe.seen_in_view == [[]]  # nothing committed or sent while the view ran
    assert events[:2] == ["commit", f"SMS to {MOBILE}"]
    assert rows(AuditEntry, action="probe_written") == 1
    assert rows(OutboxMessage, status="sent") == 1
    assert len(stored_files()) == 1


def test_a_commit_that_fails_answers_nothing_stored_and_keeps_nothing(client, probe,
                                                                     monkeypatch):
    real_commit = db.session.commit

    def commit():
        if has_request_context() and request.path.startswith("/test/"):
            raise OperationalError("COMMIT", {}, Exception("database or disk is full"))
        return real_commit()
    monkeypatch.setattr(db.session, "commit", commit, raising=False)
    response = client.post("/test/writes")
    monkeypatch.undo()
    assert response.status_code == 500
    assert "Rien n'a été enregistré" in page_text(response)
    assert "Content-Security-Policy" in response.headers  # an answer like any other
    assert rows(AuditEntry, action="probe_written") == 0
    assert rows(OutboxMessage) == 0
    assert stored_files() == []
    assert not any(e.startswith("SMS") for e in events)


def test_discard_drops_what_was_written_and_the_view_still_answers(client, probe):
    response = client.post("/test/discards")
    assert response.status_code == 200 and response.get_data(as_text=True) == "gardé"
    assert rows(AuditEntry, action="probe_written") == 0
    assert rows(AuditEntry, action="probe_after_discard") == 1  # what came after is kept
    assert rows(OutboxMessage) == 0 and stored_files() == []


def test_an_http_error_after_writing_keeps_nothing(app, client, probe):
    from flask import abort

    @public
    def refuses():
        probe.write()
        abort(404)
    app.add_url_rule("/test/refuses", "probe_refuses", refuses, methods=["POST"])
    assert client.post("/test/refuses").status_code == 404
    assert rows(AuditEntry, action="probe_written") == 0 and stored_files() == []


# --- commands ----------------------------------------------------------------------------------

@pytest.fixture
def command_group(app, probe):
    group = CommandGroup("probe")

    @group.command("writes")
    def writes():
        probe.write()
        click.echo("écrit")

    @group.command("fails")
    def fails():
        probe.write()
        raise click.ClickException("refusé")

    app.cli.add_command(group)
    return group


def test_a_command_commits_once_at_its_end_and_then_sends(app, command_group):
    result = app.test_cli_runner().invoke(args=["probe", "writes"])
    assert result.exit_code == 0, result.output
    assert events[:2] == ["commit", f"SMS to {MOBILE}"]
    assert rows(AuditEntry, action="probe_written") == 1 and len(stored_files()) == 1


def test_a_command_that_fails_keeps_nothing(app, command_group):
    result = app.test_cli_runner().invoke(args=["probe", "fails"])
    assert result.exit_code == 1 and "refusé" in result.output
    assert rows(AuditEntry, action="probe_written") == 0
    assert rows(OutboxMessage) == 0 and stored_files() == []


def test_a_unit_restores_the_one_open_before_it(app):
    with app.test_request_context():
        from guichet.core.unit_of_work import current_unit
        outer = current_unit()
        with unit_of_work() as inner:
            assert current_unit() is inner and inner is not outer
        assert current_unit() is outer


def test_a_request_that_wrote_nothing_sends_no_commit(client, probe):
    assert client.get("/").status_code == 200
    assert "commit" not in events


def test_a_statement_that_writes_is_committed_like_an_object(app, client, factory, probe):
    from sqlalchemy import update

    from guichet.models import User
    user = factory.user(prenom="Anna")
    events.clear()

    @public
    def renames():
        db.session.execute(update(User).where(User.id == user.id).values(prenom="Annabelle"))
        return "ok"
    app.add_url_rule("/test/renames", "probe_renames", renames, methods=["POST"])
    assert client.post("/test/renames").status_code == 200
    assert events == ["commit"]
    db.session.expire_all()
    assert db.session.get(User, user.id).prenom == "Annabelle"
