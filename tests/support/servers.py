"""Real peers on loopback for the tests: an SMTP server (aiosmtpd) and an HTTP SMS gateway."""
from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


def free_port() -> int:
    """A loopback port nobody listens on (the probe that found it is closed again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, inbox):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        self.inbox.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; ``messages`` holds what it received; ``stop()`` simulates an outage."""

    def __init__(self):
        self.messages: list[ReceivedMail] = []
        self.port = free_port()
        self.controller = Controller(_Handler(self.messages), hostname="127.0.0.1",
                                     port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.messages if address in m.recipients]


@dataclass
class SmsGateway:
    """A fake HTTP SMS gateway: records each POSTed JSON; ``fail_with`` makes it answer an error."""

    received: list[dict] = field(default_factory=list)
    tokens: list[str | None] = field(default_factory=list)
    fail_with: int | None = None
    server: ThreadingHTTPServer | None = None

    def start(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if gateway.fail_with:
                    self.send_response(gateway.fail_with)
                    self.end_headers()
                    return
                gateway.received.append(body)
                gateway.tokens.append(self.headers.get("Authorization"))
                self.send_response(202)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status":"queued"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def clear(self):
        self.received.clear()
        self.tokens.clear()
        self.fail_with = None

    def to(self, number: str) -> list[str]:
        return [item["text"] for item in self.received if item["to"] == number]

    def last_code(self, number: str) -> str:
        import re
        texts = self.to(number)
        assert texts, f"no SMS was sent to {number}"
        return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def wait_for(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False
