"""A fake ClamAV daemon (clamd) for the virus-scanner tests."""
from __future__ import annotations

import socketserver
import struct
import threading

from tests.support import files


class FakeClamd:
    """A tiny clamd on loopback (TCP) or a Unix socket speaking zINSTREAM.

    ``mode``: "scan" (OK, or FOUND for the EICAR string), "silent" (never answers),
    "error" (a size-limit error)."""

    def __init__(self, mode: str = "scan", unix_path: str | None = None):
        self.mode = mode
        self.received: list[bytes] = []
        self.commands: list[bytes] = []
        self.stopping = threading.Event()
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    fake._handle(self.request)
                except OSError:
                    pass

        if unix_path:
            self.server = socketserver.ThreadingUnixStreamServer(unix_path, Handler)
        else:
            self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
            self.port = self.server.server_address[1]
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)

    def start(self) -> FakeClamd:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def _read(self, connection, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = connection.recv(size - len(data))
            if not part:
                raise ConnectionError("closed")
            data += part
        return data

    def _handle(self, connection) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self._read(connection, 1)
        self.commands.append(command)
        if self.mode == "error":
            connection.sendall(b"INSTREAM size limit exceeded. ERROR\0")
            return
        data = b""
        while True:
            (length,) = struct.unpack("!L", self._read(connection, 4))
            if length == 0:
                break
            data += self._read(connection, length)
        self.received.append(data)
        if self.mode == "silent":
            self.stopping.wait(5)
            return
        found = files.EICAR in data
        connection.sendall(b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")
