"""A small open-loop load generator: requests leave at a fixed arrival rate, whatever the answers.

    python bench/openloop.py SPEC.json        # prints the figures as JSON

Used by ``bench/run.py --capacity``. wrk measures ceilings (each connection waits for its answer
before sending the next request); here the arrivals do not wait: a slow answer does not slow the
requests that follow it, as with thousands of independent browsers. Arrivals are a Poisson
process at each stream's rate (exponential gaps, seeded), the way many independent pages polling
every 15 s add up; Debian's ``hey -q`` holds a rate too, but its workers all fire at the same
instant (bursts of ``-c`` requests every ``1/q`` s) and it sends one fixed URL.

Latency is measured from the moment a request was due, not from when it left: if the generator
itself falls behind, that delay counts against the server's figures (no coordinated omission),
and ``lag`` says by how much it fell behind. Every request is a new connection to 127.0.0.1
(gunicorn's sync workers close it after each answer anyway).

SPEC.json::

    {"host": "127.0.0.1", "port": 8000, "seconds": 20, "timeout": 5, "max_in_flight": 2000,
     "seed": 1, "streams": [{"name": "poll", "rate": 670, "expect": 204,
                             "paths": ["/demandes/liste?stamp=…"], "headers": [{"Cookie": …}],
                             "vary_query": false}, …]}

A stream cycles through its ``paths`` (with the ``headers`` of the same index); ``vary_query``
adds ``n=<unique>`` to each request's query string. Bounded: at most ``seconds`` (≤ 120) of
arrivals, at most ``max_in_flight`` requests open at once (more are counted as not sent), each
request at most ``timeout`` seconds; then it stops by itself.
"""
from __future__ import annotations

import asyncio
import json
import math
import random
import resource
import sys
import time

HOST = "127.0.0.1"


class Exchange(asyncio.Protocol):
    """One request on its own connection; the answer is complete when the server closes."""

    def __init__(self, request: bytes, done: asyncio.Future):
        self.request, self.done, self.chunks = request, done, []

    def connection_made(self, transport):
        transport.write(self.request)

    def data_received(self, data):
        self.chunks.append(data)

    def eof_received(self):
        return False

    def connection_lost(self, exc):
        if not self.done.done():
            if exc is not None:
                self.done.set_exception(exc)
            else:
                self.done.set_result(b"".join(self.chunks))


def percentile(ordered: list[float], q: float) -> float | None:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


class Stream:
    def __init__(self, spec: dict, host: str, port: int, seed: int):
        self.name, self.rate = spec["name"], float(spec["rate"])
        self.expect = int(spec["expect"])
        self.vary = bool(spec.get("vary_query"))
        self.requests = []
        for path, headers in zip(spec["paths"], spec["headers"]):
            lines = [f"GET {path}{{query}} HTTP/1.1", f"Host: {host}:{port}",
                     *(f"{k}: {v}" for k, v in headers.items()), "Connection: close", "", ""]
            sep = "&" if "?" in path else "?"
            self.requests.append(("\r\n".join(lines), sep))
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.lags: list[float] = []
        self.statuses: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.scheduled = self.sent = 0

    def request(self, number: int) -> bytes:
        template, sep = self.requests[number % len(self.requests)]
        query = f"{sep}n={number}" if self.vary else ""
        return template.replace("{query}", query, 1).encode("latin-1")

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def figures(self, seconds: float) -> dict:
        lat = sorted(self.latencies)
        lags = sorted(self.lags)
        answered = sum(self.statuses.values())
        ms = (lambda v: None if v is None else round(v * 1000, 2))
        return {
            "rate": self.rate, "scheduled": self.scheduled, "sent": self.sent,
            "answered": answered, "ok": len(lat), "achieved_rps": round(answered / seconds, 1),
            "statuses": self.statuses, "errors": self.errors,
            "p50_ms": ms(percentile(lat, 0.50)), "p90_ms": ms(percentile(lat, 0.90)),
            "p99_ms": ms(percentile(lat, 0.99)), "p999_ms": ms(percentile(lat, 0.999)),
            "max_ms": ms(lat[-1] if lat else None),
            "lag_p99_ms": ms(percentile(lags, 0.99)), "lag_max_ms": ms(lags[-1] if lags else None),
        }


async def run(spec: dict) -> dict:
    host, port = spec.get("host", HOST), int(spec["port"])
    if host != HOST:
        raise SystemExit("openloop: load goes to 127.0.0.1 only")
    seconds = float(spec["seconds"])
    if not 0 < seconds <= 120:
        raise SystemExit("openloop: seconds must be in (0, 120]")
    timeout = float(spec.get("timeout", 5))
    max_in_flight = int(spec.get("max_in_flight", 2000))
    seed = int(spec.get("seed", 1))
    streams = [Stream(s, host, port, seed + n) for n, s in enumerate(spec["streams"])]
    if sum(s.rate for s in streams) > 5000:
        raise SystemExit("openloop: more than 5000 requests per second in all")
    loop = asyncio.get_running_loop()
    in_flight = 0
    tasks: set[asyncio.Task] = set()

    async def one(stream: Stream, number: int, due: float) -> None:
        nonlocal in_flight
        in_flight += 1
        started = loop.time()
        stream.lags.append(started - due)
        done = loop.create_future()
        transport = None
        try:
            transport, _proto = await asyncio.wait_for(loop.create_connection(
                lambda: Exchange(stream.request(number), done), host, port), timeout)
            answer = await asyncio.wait_for(done, max(0.001, timeout - (loop.time() - started)))
        except asyncio.TimeoutError:
            stream.error("timeout")
        except OSError as exc:
            stream.error(type(exc).__name__)
        else:
            finished = loop.time()
            status = answer[9:12].decode("latin-1") if answer.startswith(b"HTTP/1.") else "???"
            stream.statuses[status] = stream.statuses.get(status, 0) + 1
            if status == str(stream.expect):
                stream.latencies.append(finished - due)
            else:
                stream.error(f"status {status}")
        finally:
            if transport is not None:
                transport.close()
            in_flight -= 1

    async def arrivals(stream: Stream, start: float) -> None:
        due, number = start, 0
        end = start + seconds
        while True:
            due += stream.rng.expovariate(stream.rate)
            if due >= end:
                return
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            stream.scheduled += 1
            if in_flight >= max_in_flight:
                stream.error("not sent: too many in flight")
                continue
            stream.sent += 1
            task = loop.create_task(one(stream, number, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            number += 1

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    start = loop.time() + 0.05
    await asyncio.gather(*(arrivals(s, start) for s in streams))
    if tasks:
        await asyncio.wait(set(tasks), timeout=timeout + 1)
    for task in list(tasks):
        task.cancel()
    elapsed = loop.time() - start
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {"seconds": seconds, "elapsed_s": round(elapsed, 2), "arrivals": "poisson",
            "generator_cpu_s": round(cpu, 2),
            "streams": {s.name: s.figures(seconds) for s in streams}}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        spec = json.load(handle)
    started = time.monotonic()
    result = asyncio.run(run(spec))
    result["wall_s"] = round(time.monotonic() - started, 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
