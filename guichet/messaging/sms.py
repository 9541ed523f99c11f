"""SMS gateways. A new provider is one small class with ``send(to, text)``."""
from __future__ import annotations

import logging

import requests
from flask import current_app

log = logging.getLogger("guichet.sms")


class SmsDeliveryError(RuntimeError):
    """The gateway did not accept the message; the outbox will try again."""


class ConsoleSms:
    """Development: the message is logged so a developer can read the code."""

    def send(self, to: str, text: str) -> None:
        log.info("SMS à %s : %s", to, text)


class HttpSms:
    """POSTs ``{"to", "text"}`` as JSON to ``SMS_HTTP_URL``; any 2xx means accepted."""

    def __init__(self, url: str, token: str = "", timeout: float = 10):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, to: str, text: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = requests.post(self.url, json={"to": to, "text": text}, headers=headers,
                                     timeout=self.timeout)
        except requests.RequestException as exc:
            raise SmsDeliveryError(f"gateway unreachable: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise SmsDeliveryError(f"gateway answered {response.status_code}")


def sms_gateway():
    config = current_app.config
    backend = config["SMS_BACKEND"]
    if backend == "console":
        return ConsoleSms()
    if backend == "http":
        return HttpSms(config["SMS_HTTP_URL"], config["SMS_HTTP_TOKEN"], config["SMS_HTTP_TIMEOUT"])
    raise ValueError(f"unknown SMS_BACKEND {backend!r}")
