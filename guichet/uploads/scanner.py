"""The virus-scanner hook: ClamAV's clamd over its INSTREAM protocol, when configured.

``CLAMD_SOCKET`` (a Unix socket path) or ``CLAMD_HOST``/``CLAMD_PORT`` (TCP) say where clamd
listens; ``CLAMD_TIMEOUT`` (seconds, default 10) bounds each socket operation. Without a
scanner, or when it cannot be reached, times out or answers an error, a file is ``pending``
(« en attente » for staff) — never ``clean``.
"""
from __future__ import annotations

import logging
import socket
import struct
from typing import Iterable

from flask import current_app

log = logging.getLogger(__name__)

CLEAN = "clean"
INFECTED = "infected"
PENDING = "pending"

DEFAULT_PORT = 3310
DEFAULT_TIMEOUT = 10.0
CHUNK_SIZE = 64 * 1024
_MAX_REPLY = 4096


class _NotConfigured(Exception):
    pass


def is_configured() -> bool:
    """Whether a scanner is set up (a file can then be ``clean``; without one, every file
    stays ``pending``)."""
    config = current_app.config
    return bool(config.get("CLAMD_SOCKET") or config.get("CLAMD_HOST"))


def scan(data: bytes) -> str:
    """``"clean"``, ``"infected"`` or ``"pending"`` for these bytes."""
    view = memoryview(data)
    return _scan(view[i:i + CHUNK_SIZE] for i in range(0, len(view), CHUNK_SIZE))


def _scan(chunks: Iterable[bytes]) -> str:
    try:
        connection = _connect()
    except _NotConfigured:
        return PENDING
    except OSError as error:
        log.warning("virus scanner unreachable, file left pending: %s", error)
        return PENDING
    with connection:
        try:
            connection.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                if chunk:
                    connection.sendall(struct.pack("!L", len(chunk)) + bytes(chunk))
            connection.sendall(struct.pack("!L", 0))
        except OSError as error:
            # clamd closes the stream early when it exceeds StreamMaxLength; its reason may
            # still be waiting to be read.
            log.warning("virus scanner stopped reading: %s", error)
        try:
            reply = _read_reply(connection)
        except OSError as error:
            log.warning("virus scanner gave no answer, file left pending: %s", error)
            return PENDING
    return _verdict(reply)


def _connect() -> socket.socket:
    config = current_app.config
    timeout = float(config.get("CLAMD_TIMEOUT", DEFAULT_TIMEOUT))
    path = config.get("CLAMD_SOCKET")
    host = config.get("CLAMD_HOST")
    if path:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(str(path))
        except BaseException:
            connection.close()
            raise
        return connection
    if host:
        port = int(config.get("CLAMD_PORT") or DEFAULT_PORT)
        return socket.create_connection((host, port), timeout=timeout)
    raise _NotConfigured()


def _read_reply(connection: socket.socket) -> str:
    reply = b""
    while b"\0" not in reply and len(reply) < _MAX_REPLY:
        data = connection.recv(1024)
        if not data:
            break
        reply += data
    return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _verdict(reply: str) -> str:
    """``stream: OK`` is clean, ``stream: <signature> FOUND`` infected, anything else pending."""
    if reply == "stream: OK":
        return CLEAN
    if reply.startswith("stream:") and reply.endswith(" FOUND"):
        log.warning("virus scanner found %s", reply[len("stream:"):-len(" FOUND")].strip())
        return INFECTED
    log.warning("virus scanner answered %r, file left pending", reply[:200])
    return PENDING
