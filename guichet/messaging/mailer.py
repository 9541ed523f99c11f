"""E-mail delivery: SMTP through Flask-Mail, or the console when no mail server is configured."""
from __future__ import annotations

import logging

from flask import current_app
from flask_mail import Message

from guichet.core.extensions import mail

log = logging.getLogger("guichet.mail")


def send_email(to: str, subject: str, text: str, html: str | None) -> None:
    """Raises on SMTP failure so the outbox can retry."""
    if not current_app.config["MAIL_SERVER"]:
        log.info("E-mail à %s — %s\n%s", to, subject, text)
        return
    message = Message(subject=subject, recipients=[to], body=text, html=html)
    mail.send(message)
