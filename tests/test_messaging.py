"""Outgoing SMS and e-mail: the HTTP and console SMS backends, real SMTP mails in French with
links from BASE_URL, the console mailer, and the outbox that keeps and retries what failed."""
from __future__ import annotations

import logging
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from guichet.messaging.outbox import SENT_SMS_PLACEHOLDER
from guichet.models import OutboxMessage, utcnow
from guichet.models.base import db
from tests.support.accounts import PASSWORD, start_login
from tests.support.params import first_also_on_postgresql
from tests.support.servers import free_port, wait_for


def outbox(channel: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == channel)
                                   .order_by(OutboxMessage.id)))


def make_due():
    """Time passes: every waiting message is due again."""
    db.session.execute(update(OutboxMessage).values(
        next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def run_outbox(runner) -> str:
    result = runner.invoke(args=["outbox", "run", "--once"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


# --- when messages leave -----------------------------------------------------------------------

@pytest.mark.config(OUTBOX_DELIVER_IN_BACKGROUND=True)
def test_the_answer_does_not_wait_for_the_sms_gateway(client, factory, sms, monkeypatch):
    """The code page comes while the gateway is still busy, and a known address answers as fast
    as an unknown one (security.md 2); the SMS leaves right after."""
    from guichet.messaging.sms import HttpSms
    gateway_free = threading.Event()
    send = HttpSms.send

    def busy_gateway(self, to, text):
        assert gateway_free.wait(10), "the test never freed the gateway"
        return send(self, to, text)
    monkeypatch.setattr(HttpSms, "send", busy_gateway)
    user = factory.user()
    answer = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 303 and answer.headers["Location"] == "/connexion/code"
    assert sms.received == [] and outbox("sms")[0].status == "pending"
    gateway_free.set()
    assert wait_for(lambda: len(sms.received) == 1)
    assert wait_for(lambda: outbox("sms")[0].status == "sent")


# --- SMS over HTTP -------------------------------------------------------------------------------

def test_http_sms_posts_json_with_the_bearer_token(client, factory, sms):
    user = factory.user()
    start_login(client, user)
    [body] = sms.received
    assert set(body) == {"to", "text"}
    assert body["to"] == user.phone and re.fullmatch(r"\+417\d{8}", body["to"])
    assert re.fullmatch(r"Code Guichet \d{6} pour vous connecter\. Valable 10 minutes\. Ne le "
                        r"communiquez à personne\.", body["text"])
    assert sms.tokens == ["Bearer sms-token"]
    [message] = outbox("sms")
    assert message.status == "sent"
    assert not re.search(r"\d{6}", message.body_text), "the code does not stay in the database"


@pytest.mark.config(SMS_HTTP_TOKEN="")
def test_http_sms_without_token_sends_no_authorization(client, factory, sms):
    start_login(client, factory.user())
    assert len(sms.received) == 1
    assert sms.tokens == [None]


@pytest.mark.parametrize("status", first_also_on_postgresql([200, 201, 204]))
def test_any_2xx_answer_counts_as_delivered(client, factory, sms, status):
    sms.fail_with = status  # the fake gateway answers this status without a body
    start_login(client, factory.user())
    [message] = outbox("sms")
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, None)


@pytest.mark.parametrize("outage", ["error-status", "unreachable"])
def test_undelivered_sms_waits_in_the_outbox_and_is_retried(app, client, factory, sms, runner,
                                                            outage):
    user = factory.user()
    gateway_url = app.config["SMS_HTTP_URL"]
    if outage == "error-status":
        sms.fail_with = 503
    else:
        app.config["SMS_HTTP_URL"] = f"http://127.0.0.1:{free_port()}/sms"
    response = start_login(client, user)
    assert response.headers["Location"] == "/connexion/code"  # the person is not blocked

    [message] = outbox("sms")
    assert (message.status, message.attempts) == ("pending", 1)
    expected = "gateway answered 503" if outage == "error-status" else "gateway unreachable"
    assert expected in message.last_error
    assert message.next_attempt_at > utcnow()
    assert message.body_text != SENT_SMS_PLACEHOLDER  # the code is still needed for the retry
    assert sms.received == []

    # Before its time, the command leaves it alone.
    assert "0 envoyé(s), 0 en échec" in run_outbox(runner)

    # The gateway is back and the time has come: the command delivers it.
    sms.fail_with = None
    app.config["SMS_HTTP_URL"] = gateway_url
    make_due()
    assert "1 envoyé(s), 0 en échec" in run_outbox(runner)
    [message] = outbox("sms")
    assert message.status == "sent" and message.attempts == 2
    assert message.body_text == SENT_SMS_PLACEHOLDER  # once sent, the code leaves the database
    make_due()
    assert "0 envoyé(s), 0 en échec" in run_outbox(runner)  # sent once, not again
    assert len(sms.to(user.phone)) == 1
    response = client.post("/connexion/code", data={"code": sms.last_code(user.phone)})
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"


@pytest.mark.config(OUTBOX_MAX_ATTEMPTS=2)
def test_outbox_gives_up_after_the_last_attempt(client, factory, sms, runner, caplog):
    sms.fail_with = 500
    start_login(client, factory.user())
    make_due()
    with caplog.at_level(logging.ERROR, logger="guichet.outbox"):
        assert "0 envoyé(s), 1 en échec" in run_outbox(runner)
    [message] = outbox("sms")
    assert (message.status, message.attempts) == ("failed", 2)
    assert "given up after 2 attempts" in caplog.text
    make_due()
    assert "0 envoyé(s), 0 en échec" in run_outbox(runner)
    assert outbox("sms")[0].attempts == 2


@pytest.mark.config(SMS_BACKEND="console")
def test_console_sms_shows_the_code_in_the_log(client, factory, sms, caplog):
    user = factory.user()
    with caplog.at_level(logging.INFO, logger="guichet.sms"):
        start_login(client, user)
    assert sms.received == []
    match = re.search(rf"SMS à {re.escape(user.phone)} : Code Guichet (\d{{6}}) pour vous",
                      caplog.text)
    assert match, caplog.text
    response = client.post("/connexion/code", data={"code": match.group(1)})
    assert response.status_code == 303 and response.headers["Location"] == "/demandes/"


# --- e-mail ------------------------------------------------------------------------------------

def test_mail_is_french_text_and_html_with_links_from_base_url(client, factory, mailbox):
    user = factory.user(email="anna@example.ch")
    # Even when the request names another host, links point to BASE_URL.
    response = client.post("/mot-de-passe-oublie", data={"email": "anna@example.ch"},
                           base_url="http://attaquant.example")
    assert response.status_code == 200
    [mail] = mailbox.to("anna@example.ch")
    assert mail.recipients == ["anna@example.ch"]
    # Flask-Mail wraps the alternative in multipart/mixed (room for attachments).
    [alternative] = [part for part in mail.message.walk()
                     if part.get_content_type() == "multipart/alternative"]
    parts = [part.get_content_type() for part in alternative.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in alternative.iter_parts())
    assert mail.subject == "Nouveau mot de passe"
    assert "guichet@ai-ne.example" in mail.message["From"]

    links = re.findall(r"https?://\S+", mail.text)
    assert links and all(link.startswith("https://guichet.example.ch/") for link in links)
    reset = next(link for link in links if "/mot-de-passe/nouveau/" in link)
    assert "Bonjour," in mail.text and "Office AI du canton de Neuchâtel" in mail.text
    assert "032 910 71 00" in mail.text
    assert f'<a href="{reset}">' in mail.html
    assert '<html lang="fr-CH">' in mail.html and "Bonjour," in mail.html
    assert "attaquant" not in mail.text + mail.html
    # The link works.
    assert client.get(reset.removeprefix("https://guichet.example.ch")).status_code == 200
    assert user.email == "anna@example.ch"


@pytest.mark.config(MAIL_SERVER="")
def test_without_mail_server_mails_are_written_to_the_log(client, factory, mailbox, caplog):
    factory.user(email="anna@example.ch")
    with caplog.at_level(logging.INFO, logger="guichet.mail"):
        client.post("/mot-de-passe-oublie", data={"email": "anna@example.ch"})
    assert mailbox.messages == []
    assert "E-mail à anna@example.ch — Nouveau mot de passe" in caplog.text
    assert "https://guichet.example.ch/mot-de-passe/nouveau/" in caplog.text
    [message] = outbox("email")
    assert message.status == "sent"


@pytest.mark.config(MAIL_PORT=free_port())
def test_mail_waits_while_the_mail_server_is_down(app, client, factory, mailbox, runner):
    factory.user(email="anna@example.ch")
    response = client.post("/mot-de-passe-oublie", data={"email": "anna@example.ch"})
    assert response.status_code == 200  # the person sees the usual page
    [message] = outbox("email")
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error
    assert mailbox.messages == []

    app.extensions["mail"].port = mailbox.port  # the mail server is reachable again
    make_due()
    assert "1 envoyé(s), 0 en échec" in run_outbox(runner)
    [mail] = mailbox.to("anna@example.ch")
    assert "/mot-de-passe/nouveau/" in mail.text
    assert outbox("email")[0].status == "sent"


def test_every_mail_has_a_text_and_an_html_part():
    from guichet import ROOT
    folder = ROOT / "templates" / "email"
    texts = {path.stem for path in folder.glob("*.txt") if not path.stem.startswith("_")}
    htmls = {path.stem for path in folder.glob("*.html") if not path.stem.startswith("_")}
    assert texts and texts == htmls
