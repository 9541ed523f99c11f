"""The outbox: messages are rows written with the change that caused them, sent after commit.

``queue_*`` add a row to the current unit of work. Once that unit has committed, the rows it
queued are tried, from a thread of its own in a request: the answer waits neither for the mail
server nor for the SMS gateway, and takes as long whether or not it sent a message
(security.md 2). A unit that rolls back sends nothing. ``deliver_due`` (the ``outbox run``
command) retries the others with exponential backoff, so a mail server that is down loses
nothing. Each delivery attempt is a unit of its own.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import Flask, current_app, has_request_context, render_template
from sqlalchemy import select

from guichet.core.unit_of_work import current_unit, unit_of_work
from guichet.models import OutboxMessage, utcnow
from guichet.models.base import db
from guichet.models.outbox import (CHANNEL_EMAIL, CHANNEL_SMS, STATUS_FAILED, STATUS_PENDING,
                                   STATUS_SENT)

from .mailer import send_email
from .sms import sms_gateway

log = logging.getLogger("guichet.outbox")
SENT_SMS_PLACEHOLDER = "[texte effacé après l'envoi]"


def _remember(message: OutboxMessage) -> OutboxMessage:
    db.session.add(message)
    current_unit().batch("outbox", _deliver_after_commit).append(message)
    return message


def queue_email(to: str, template: str, subject: str, **context) -> OutboxMessage:
    """Renders ``templates/email/<template>.txt`` and ``.html`` and queues them for ``to``."""
    context.setdefault("base_url", current_app.config["BASE_URL"])
    context.setdefault("office_name", current_app.config["OFFICE_NAME"])
    context.setdefault("office_phone", current_app.config["OFFICE_PHONE"])
    context.setdefault("contact_email", current_app.config["CONTACT_EMAIL"])
    text = render_template(f"email/{template}.txt", subject=subject, **context)
    html = render_template(f"email/{template}.html", subject=subject, **context)
    return _remember(OutboxMessage(channel=CHANNEL_EMAIL, recipient=to, subject=subject,
                                   body_text=text, body_html=html))


def queue_sms(to: str, text: str) -> OutboxMessage:
    return _remember(OutboxMessage(channel=CHANNEL_SMS, recipient=to, body_text=text))


def _deliver_after_commit(queued: list[OutboxMessage]) -> None:
    """Right after the commit: try what the unit queued, from a thread in a request (when
    ``OUTBOX_DELIVER_IN_BACKGROUND``), else at once."""
    config = current_app.config
    if not queued or not config["OUTBOX_DELIVER_AFTER_COMMIT"]:
        return
    message_ids = [message.id for message in queued]
    if has_request_context() and config["OUTBOX_DELIVER_IN_BACKGROUND"]:
        threading.Thread(target=_deliver_in_background, name="outbox", daemon=True,
                         args=(current_app._get_current_object(), message_ids)).start()
        return
    _deliver_each(message_ids)


def _deliver_in_background(app: Flask, message_ids: list[int]) -> None:
    with app.app_context():
        try:
            _deliver_each(message_ids)
        except Exception:  # the outbox worker tries again
            log.exception("Delivery after the request failed; the outbox keeps the messages")
        finally:
            db.session.remove()


def _deliver_each(message_ids: list[int]) -> None:
    """Each message in a unit of its own: one that was sent is marked sent at once."""
    for message_id in message_ids:
        with unit_of_work():
            message = db.session.get(OutboxMessage, message_id)
            if message is not None:
                _deliver(message)


def deliver_due(limit: int = 100) -> tuple[int, int]:
    """Try every pending message whose time has come. Returns (sent, still failing)."""
    now = utcnow()
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == STATUS_PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)).all()
    sent = failed = 0
    for message_id in [message.id for message in messages]:
        with unit_of_work():
            message = db.session.get(OutboxMessage, message_id)
            if message is None:
                continue
            if _deliver(message):
                sent += 1
            else:
                failed += 1
    return sent, failed


def _deliver(message: OutboxMessage) -> bool:
    if message.status != STATUS_PENDING:
        return True
    message.attempts += 1
    try:
        if message.channel == CHANNEL_EMAIL:
            send_email(message.recipient, message.subject or "", message.body_text,
                       message.body_html)
        elif message.channel == CHANNEL_SMS:
            sms_gateway().send(message.recipient, message.body_text)
            message.body_text = SENT_SMS_PLACEHOLDER  # the code must not stay readable
    except Exception as exc:  # any transport failure: keep the row and retry later
        message.last_error = f"{type(exc).__name__}: {exc}"[:500]
        delay = timedelta(seconds=min(30 * 2 ** (message.attempts - 1), 3600))
        message.next_attempt_at = utcnow() + delay
        if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            message.status = STATUS_FAILED
            log.error("Outbox message %s given up after %s attempts", message.id,
                      message.attempts)
        else:
            log.warning("Outbox message %s not delivered (%s); next try at %s", message.id,
                        message.last_error, message.next_attempt_at.isoformat())
        return False
    message.status = STATUS_SENT
    message.sent_at = utcnow()
    message.last_error = None
    return True
