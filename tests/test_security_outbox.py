"""Nothing lost (security.md 26): with the mail server or the SMS gateway down, the change is
still made and the message waits in the outbox; the worker sends it, once, when the peer is back."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from guichet import create_app
from guichet.messaging.outbox import SENT_SMS_PLACEHOLDER
from guichet.models import OutboxMessage, User, utcnow
from guichet.models.base import db
from tests.support.accounts import PASSWORD, registration_form
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


def test_sms_gateway_error_keeps_the_code_for_later(app, factory, sms):
    user = factory.user()
    sms.fail_with = 500
    client = app.test_client()
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    assert sms.received == []
    [message] = messages("sms")
    assert message.status == "pending" and "500" in message.last_error
    assert message.body_text != SENT_SMS_PLACEHOLDER  # still needed for the retry

    sms.fail_with = None
    assert "0 envoyé(s)" in run_worker(app)
    time_passes()
    assert "1 envoyé(s)" in run_worker(app)
    time_passes()
    run_worker(app)
    assert len(sms.to(user.phone)) == 1
    [message] = messages("sms")
    assert message.status == "sent" and message.body_text == SENT_SMS_PLACEHOLDER
    response = client.post("/connexion/code", data={"code": sms.last_code(user.phone)})
    assert response.headers["Location"] == "/demandes/"


@pytest.mark.config(MAIL_PORT=CLOSED_PORT, OUTBOX_MAX_ATTEMPTS=2)
def test_a_message_that_keeps_failing_is_given_up_loudly(app, factory, mailbox, caplog):
    user = factory.user()
    app.test_client().post("/mot-de-passe-oublie", data={"email": user.email})
    time_passes()
    run_worker(app)
    [mail] = messages("email")
    assert mail.status == "failed" and mail.attempts == 2
    assert any(r.levelname == "ERROR" and "given up" in r.getMessage() for r in caplog.records)
