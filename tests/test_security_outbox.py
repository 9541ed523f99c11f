"""Nothing lost (security.md 26): with the mail server down, a registration is still made and its
mail waits in the outbox; the worker sends it, once, when the server is back. (An SMS gateway
that is down, and a message given up after its last attempt: tests/test_messaging.py.)"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from guichet import create_app
from guichet.models import OutboxMessage, User, utcnow
from guichet.models.base import db
from tests.support.accounts import registration_form
from tests.support.servers import free_port

CLOSED_PORT = free_port()


def messages(channel: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == channel)
                              .order_by(OutboxMessage.id)).all()


def time_passes():
    """The retry delay is over."""
    db.session.execute(update(OutboxMessage)
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def run_worker(app) -> str:
    """``flask outbox run --once`` for ``app`` (in its own app context, as a separate process)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
        db.session.remove()
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.config(MAIL_PORT=CLOSED_PORT)
def test_registration_survives_a_mail_outage_and_the_mail_follows(app, factory, mailbox, sms):
    response = app.test_client().post("/inscription", data=registration_form(factory.person()))
    assert response.status_code == 303 and response.headers["Location"] == "/connexion/code"
    assert db.session.scalar(select(User).where(User.email == "lea@example.ch")) is not None
    assert sms.to("+41795551234")  # the SMS did not wait for the mail
    [mail] = messages("email")
    assert mail.status == "pending" and mail.attempts == 1 and mail.last_error
    assert mail.next_attempt_at > utcnow() + timedelta(seconds=20)  # backoff
    assert mailbox.to("lea@example.ch") == []

    assert "0 envoyé(s)" in run_worker(app)  # not yet due: the worker respects the backoff
    time_passes()
    assert "1 en échec" in run_worker(app)  # still down
    [mail] = messages("email")
    assert mail.status == "pending" and mail.attempts == 2
    assert mail.next_attempt_at > utcnow() + timedelta(seconds=50)  # the delay grows

    # The operator fixes the mail settings and restarts the worker.
    repaired = create_app({**app.config, "MAIL_PORT": mailbox.port})
    time_passes()
    assert "1 envoyé(s)" in run_worker(repaired)
    time_passes()
    run_worker(repaired)
    with repaired.app_context():
        db.engine.dispose()
    [received] = mailbox.to("lea@example.ch")
    assert received.subject == "Confirmez votre adresse e-mail"
    assert "https://guichet.example.ch/email/confirmer/" in received.text
    [mail] = messages("email")
    assert mail.status == "sent" and mail.sent_at is not None
