"""Guichet's main pages as rendered, next to two bare Flask references measured in the same run.

    .venv/bin/python bench/run.py [--duration 10] [--rounds 1] [--capacity]
                                  [--database-url URL --drop] [--reuse [STATE]] [--install]
                                  [--json PATH]

Steps: seed a fresh database (bench/seed.py; or ``--reuse`` the last one), start gunicorn
(2 sync workers, 127.0.0.1, free ports) for Guichet and for bench/bare_app.py, check that each
URL answers as expected, then measure each one with wrk (closed loop: the ceiling) for
``--duration`` seconds:

  hello    GET /                          bare Flask, « hello »            (reference of the poll)
  table    GET /table                     bare Flask, a 50-row Jinja table (reference of the pages)
  home     GET /demandes/?n=…             the home page of a person with 300 invoices, rendered
                                          (another query string each time: no page cache)
  account  GET /compte/                   « Mon compte »
  edit     GET /demandes/<id>/modifier    a travel draft's form (3 trips, pièces given)
  review   GET /demandes/<id>/verifier    the same draft's review page (« Envoyer » offered)
  poll     GET /demandes/liste?stamp=…    htmx polling when nothing changed (204)
  pdf      GET /demandes/<id>/pdf         the PDF of a 3-trip travel invoice

then the PDF with sequential requests, for its latency alone, and with ``--capacity`` an
open-loop scenario: unchanged polls and home page views arriving at fixed rates together
(bench/openloop.py, or Debian's hey). Prints req/s, p50/p99, the ratio to the reference and
whether the aims are met: home and account >= 1/4 of table, edit and review >= 1/10 of table,
poll >= 1/2 of hello, PDF median < 50 ms, and under 670 polls/s + 20 page views/s p99 < 50 ms.

Load goes to 127.0.0.1 only; every loop is bounded. The gunicorn processes started here are
stopped by their pid at the end, also on errors and Ctrl-C.
"""
from __future__ import annotations

import argparse
import html
import http.client
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
LAST_STATE = Path(tempfile.gettempdir()) / "guichet-bench-last-state"
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The references, served by bench/bare_app.py.
REFERENCES = {"hello": ("/", "GET / (bare Flask, hello)"),
              "table": ("/table", "GET /table (bare Flask, 50-row table)")}
# Guichet's pages: label, reference, aim (share of the reference's req/s), aim as text.
PAGES = {
    "home": ("GET /demandes/ (rendered)", "table", 1 / 4, "≥ 1/4 of table"),
    "account": ("GET /compte/ (Mon compte)", "table", 1 / 4, "≥ 1/4 of table"),
    "edit": ("GET /demandes/<id>/modifier", "table", 1 / 10, "≥ 1/10 of table"),
    "review": ("GET /demandes/<id>/verifier", "table", 1 / 10, "≥ 1/10 of table"),
    "poll": ("GET /demandes/liste (204)", "hello", 1 / 2, "≥ 1/2 of hello"),
    # the staff's side (issue 9), as the bench gestionnaire
    "queue": ("GET /gestion/ (first page)", "table", 1 / 4, "≥ 1/4 of table"),
    "queue_deep": ("GET /gestion/?apres=… (80 % down)", "table", 1 / 4, "≥ 1/4 of table"),
    "queue_filtered": ("GET /gestion/?etat=submitted&type=standard&age=7", "table", 1 / 4,
                       "≥ 1/4 of table"),
    "search_avs": ("GET /gestion/?q=756.…", "table", 1 / 4, "≥ 1/4 of table"),
    "search_name": ("GET /gestion/?q=<surname>", "table", 1 / 4, "≥ 1/4 of table"),
    "search_receipt": ("GET /gestion/?q=NE-…", "table", 1 / 4, "≥ 1/4 of table"),
    "staff_review": ("GET /gestion/demandes/<id>", "table", 1 / 10, "≥ 1/10 of table"),
}
#: Guichet's pages seen by the bench gestionnaire (the staff session), not the insured person.
STAFF_PAGES = ("queue", "queue_deep", "queue_filtered", "search_avs", "search_name",
               "search_receipt", "staff_review")
#: A page deep in the queue costs what the first costs (keyset pages): within 10 %.
DEEP_AIM = 0.9
PDF_LABEL = "GET /demandes/<id>/pdf"
PDF_AIM_MS = 50.0
CAPACITY_AIM_MS = 50.0


# --- processes -------------------------------------------------------------------------------

class Servers:
    """The gunicorn masters started by this run; ``stop()`` ends each one by its pid."""

    def __init__(self):
        self.procs: dict[str, subprocess.Popen] = {}
        self.database: str | None = None  # a PostgreSQL database whose backends count as ours

    def start(self, name: str, args: list[str], env: dict, log: Path) -> None:
        handle = open(log, "ab")
        self.procs[name] = subprocess.Popen(args, env=env, cwd=str(ROOT), stdout=handle,
                                            stderr=subprocess.STDOUT)
        handle.close()

    def pids(self, name: str) -> list[int]:
        """The master and its workers (children found in /proc); for Guichet on PostgreSQL,
        also the server's backends connected to the benchmark's database (their process title
        is « postgres: USER DATABASE HOST(PORT) … »)."""
        master = self.procs[name].pid
        found = [master]
        backend = f" {self.database} " if name == "guichet" and self.database else None
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                        found.append(int(entry.name))
                    elif backend:
                        title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                            "utf-8", "replace")
                        if title.startswith("postgres: ") and backend in title:
                            found.append(int(entry.name))
                except OSError:
                    continue
        return found

    def stop(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of its workers
        deadline = time.monotonic() + 15
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.procs.clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_args(port: int, app: str, workers: int, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "sync",
            "-b", f"{HOST}:{port}", "--log-level", "warning", *extra, app]


# --- HTTP ------------------------------------------------------------------------------------

def get(port: int, path: str, headers: dict | None = None, timeout: float = 10.0):
    """One GET to 127.0.0.1 (a new connection, like the sync workers want)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), \
            body, response.msg.get_all("Set-Cookie") or []
    finally:
        conn.close()


def wait_until_up(port: int, path: str, headers: dict, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            get(port, path, headers, timeout=5)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on {HOST}:{port} after {seconds:.0f} s")


# --- CPU accounting: how much of the machine others used while we measured --------------------

def busy_jiffies() -> int:
    """The machine's busy time: user, nice, system and steal (another guest's). Interrupts
    are left out: on loopback they are mostly this benchmark's own traffic, which no process
    is charged for (~3-10 % of the machine at wrk's rates)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[0] + fields[1] + fields[2] + (fields[7] if len(fields) > 7 else 0)


def process_jiffies(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(parts[11]) + int(parts[12])  # utime, stime
    return total


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuWindow:
    """CPU used during a measurement: by the measured servers, and by processes outside this
    benchmark (the machine's busy time less the servers', this script's and its children's)."""

    def __init__(self, servers, measured: list[str]):
        self.pids = [pid for name in measured for pid in servers.pids(name)]
        self.server = process_jiffies(self.pids) / CLK_TCK
        self.ours = self.server + children_cpu_seconds() + self_cpu_seconds()
        self.busy, self.started = busy_jiffies() / CLK_TCK, time.monotonic()

    def shares(self) -> dict:
        elapsed = time.monotonic() - self.started
        server = process_jiffies(self.pids) / CLK_TCK
        ours = server + children_cpu_seconds() + self_cpu_seconds() - self.ours
        busy = busy_jiffies() / CLK_TCK - self.busy
        machine = elapsed * os.cpu_count()
        return {"other_cpu_pct": max(0.0, 100 * (busy - ours) / machine),
                "server_cpu_pct": 100 * (server - self.server) / machine,
                "server_cpu_s": server - self.server}


# --- wrk -------------------------------------------------------------------------------------

LUA = """-- written by bench/run.py
wrk.method = "GET"
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {{\\"requests\\":%d,\\"duration_us\\":%d,\\"bytes\\":%d,\\"connect\\":%d," ..
    "\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d,\\"p50\\":%d," ..
    "\\"p75\\":%d,\\"p90\\":%d,\\"p99\\":%d,\\"max\\":%d,\\"mean\\":%.1f}}\\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
"""


# Each request asks for another query string (ignored by the page), so none is served from the
# home page cache: what a page costs when it must be rendered (after any change).
LUA_EVERY_TIME_ANOTHER_URL = """
local threads, counter = 0, 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
  thread:set("salt", os.time())
end
request = function()
  counter = counter + 1
  return wrk.format(nil, "{path}?n=" .. salt .. "-" .. tid .. "-" .. counter)
end
"""


def lua_script(path: Path, headers: dict, another_url_each_time: str | None = None) -> Path:
    lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    if another_url_each_time:
        lines += LUA_EVERY_TIME_ANOTHER_URL.replace("{path}", another_url_each_time)
    path.write_text(LUA.format(headers=lines))
    return path


def ensure_tool(name: str, install: bool) -> str:
    """The path of Debian's ``name`` (wrk, hey); with ``install``, apt-get it when missing."""
    found = shutil.which(name)
    if found:
        return found
    if not install:
        raise SystemExit(f"{name} is missing: apt-get install {name} (or run with --install)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-qq", name], env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", name], env=env, check=True,
                       timeout=600)
    return shutil.which(name) or sys.exit(f"{name} still missing after apt-get install")


def run_wrk(wrk: str, url: str, script: Path, duration: float, connections: int,
            threads: int, servers: Servers, measured: list[str]) -> dict:
    """One wrk run; returns its figures and the share of CPU used by other processes."""
    assert url.startswith(f"http://{HOST}:"), url
    window = CpuWindow(servers, measured)
    proc = subprocess.run(
        [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--timeout", "5s",
         "--latency", "-s", str(script), url],
        capture_output=True, text=True, timeout=duration + 60)
    shares = window.shares()
    match = re.search(r"^BENCH_JSON (.*)$", proc.stdout, re.M)
    if proc.returncode != 0 or not match:
        raise SystemExit(f"wrk failed on {url}:\n{proc.stdout}\n{proc.stderr}")
    figures = json.loads(match.group(1))
    seconds = figures["duration_us"] / 1e6
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {"rps": figures["requests"] / seconds, "requests": figures["requests"],
            "p50_ms": figures["p50"] / 1000, "p75_ms": figures["p75"] / 1000,
            "p90_ms": figures["p90"] / 1000, "p99_ms": figures["p99"] / 1000,
            "max_ms": figures["max"] / 1000, "errors": errors,
            "bytes_per_request": figures["bytes"] / max(1, figures["requests"]),
            "other_cpu_pct": shares["other_cpu_pct"],
            # CPU the servers spent per answer: hardly moved by other processes' load
            "cpu_ms_per_request": 1000 * shares["server_cpu_s"] / max(1, figures["requests"]),
            "wrk_output": proc.stdout.split("BENCH_JSON")[0].rstrip()}


def sequential(port: int, path: str, headers: dict, count: int, max_seconds: float) -> dict:
    """``count`` requests one after the other (bounded by ``max_seconds``), in ms."""
    times = []
    deadline = time.monotonic() + max_seconds
    for _n in range(count):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        status, _headers, body, _cookies = get(port, path, headers, timeout=30)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"{path} answered {status} during the sequential loop")
    times.sort()
    return {"count": len(times), "median_ms": statistics.median(times),
            "p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
            "min_ms": times[0], "max_ms": times[-1], "bytes": len(body)}


# --- checks ----------------------------------------------------------------------------------

def adopt_cookie(cookies: list[str], name: str, current: str) -> str:
    """Keep the session cookie the server sends back, as a browser would (csrf token in it)."""
    for raw in cookies:
        if raw.startswith(name + "="):
            value = raw.split(";", 1)[0].split("=", 1)[1]
            if value:
                return value
    return current


def expect_page(port: int, path: str, headers: dict, status: int, needles: list[str],
                what: str, timeout: float = 10.0):
    """GET ``path``: the status must be ``status`` and the body contain each of ``needles``."""
    got, response_headers, body, cookies = get(port, path, headers, timeout=timeout)
    text = body.decode("utf-8", "replace")
    missing = [n for n in needles if n not in text]
    if got != status or missing:
        raise SystemExit(f"{what} ({path}): expected {status}"
                         + (f" containing {missing}" if missing else "")
                         + f", got {got} {response_headers.get('location', '')}")
    return text, response_headers, body, cookies


def check_urls(port: int, state: dict) -> dict:
    """Each page answers as expected; returns the paths to load and what was seen."""
    if "edit_invoice_id" not in state:
        raise SystemExit("this state comes from an older bench/seed.py (no draft to edit): "
                         "seed again (run without --reuse)")
    name = state["cookie_name"]
    cookie = state["cookie"]
    headers = {"Cookie": f"{name}={cookie}"}
    text, _h, _b, cookies = expect_page(port, "/demandes/", headers, 200, ["Mes demandes"],
                                        "home page")
    cookie = adopt_cookie(cookies, name, cookie)
    headers = {"Cookie": f"{name}={cookie}"}
    match = re.search(r'hx-get="([^"]*/demandes/liste\?stamp=[^"]*)"', text)
    if not match:
        raise SystemExit("home page: no polling URL (hx-get=/demandes/liste?stamp=…) found")
    draft = state["edit_invoice_id"]
    paths = {"home": "/demandes/", "account": "/compte/",
             "edit": f"/demandes/{draft}/modifier", "review": f"/demandes/{draft}/verifier",
             "poll": html.unescape(match.group(1)),
             "pdf": f"/demandes/{state['pdf_invoice_id']}/pdf"}
    # What makes each page the one meant: the rendered list, the profile form, the draft's
    # form with its three trips, the review with the « Envoyer » form (nothing missing).
    needles = {
        "home": ["Mes demandes", "invoice-table", 'hx-get="'],
        "account": ["<h1>Mon compte</h1>", 'name="rue"', "N° AVS"],
        "edit": ['id="invoice-form"', f'action="/demandes/{draft}/modifier"',
                 'name="lines-2-date"'],
        "review": ["Vérifier", f'action="/demandes/{draft}/envoyer"', 'name="submit_token"'],
    }
    seen = {"home_rows": len(re.findall(r"<tr[ >]", text)) - 1}
    for key in ("home", "account", "edit", "review"):
        path = paths[key] + ("?n=check" if key == "home" else "")
        text, _h, body, cookies = expect_page(port, path, headers, 200, needles[key], key)
        seen[f"{key}_bytes"] = len(body)
    status, *_rest = get(port, paths["poll"], {**headers, "HX-Request": "true"})
    if status != 204:
        raise SystemExit(f"poll: expected 204, got {status}")
    status, response_headers, body, _c = get(port, paths["pdf"], headers, timeout=30)
    if status != 200 or not response_headers.get("content-type", "").startswith(
            "application/pdf") or not body.startswith(b"%PDF"):
        raise SystemExit(f"pdf: expected 200 application/pdf, got {status} "
                         f"{response_headers.get('content-type')}")
    seen["pdf_bytes"] = len(body)
    staff_cookie = None
    if "queue" in state:
        staff_cookie, staff_paths, staff_seen = check_staff_urls(port, state)
        paths.update(staff_paths)
        seen.update(staff_seen)
    return {"cookie": cookie, "cookie_name": name, "paths": paths, "seen": seen,
            "staff_cookie": staff_cookie}


def check_staff_urls(port: int, state: dict) -> tuple[str, dict, dict]:
    """The queue's pages and the review screen, as the bench gestionnaire: each answers 200
    with its rows (the searches find what they look for)."""
    from urllib.parse import quote
    name = state["cookie_name"]
    queue = state["queue"]
    cookie = state["staff_cookie"]
    _t, _h, _b, cookies = expect_page(port, "/gestion/", {"Cookie": f"{name}={cookie}"}, 200,
                                      ["Demandes à traiter"], "queue")
    cookie = adopt_cookie(cookies, name, cookie)
    headers = {"Cookie": f"{name}={cookie}"}
    paths = {"queue": "/gestion/", "queue_deep": f"/gestion/?apres={queue['deep_cursor']}",
             "queue_filtered": "/gestion/?etat=submitted&type=standard&age=7",
             "search_avs": "/gestion/?q=" + quote(
                 f"{queue['navs13'][:3]}.{queue['navs13'][3:7]}.{queue['navs13'][7:11]}."
                 f"{queue['navs13'][11:]}"),
             "search_name": "/gestion/?q=" + quote(queue["name"]),
             "search_receipt": "/gestion/?q=" + quote(queue["receipt"].lower()),
             "staff_review": f"/gestion/demandes/{queue['review_invoice_id']}"}
    needles = {key: ['class="queue-table"'] for key in paths}
    needles["search_receipt"].append(queue["receipt"])
    needles["staff_review"] = []
    seen = {}
    for key, path in paths.items():
        text, _h, body, _c = expect_page(port, path, headers, 200, needles[key], key)
        seen[f"{key}_bytes"] = len(body)
        seen[f"{key}_rows"] = text.count('<tr id="queue-row-')
    if seen["queue_rows"] != 50 or seen["queue_deep_rows"] != 50:
        raise SystemExit(f"queue: expected 50 rows on the first and the deep page, got "
                         f"{seen['queue_rows']} and {seen['queue_deep_rows']}")
    return cookie, paths, seen


def check_references(port: int) -> dict:
    status, _h, body, _c = get(port, "/")
    if status != 200 or body != b"hello":
        raise SystemExit(f"bare page /: expected 200 'hello', got {status}")
    text, _h, body, _c = expect_page(port, "/table", {}, 200, ["</table>", "</footer>"],
                                     "bare table page")
    rows = text.count("<tr>") - 1
    if rows != 50:
        raise SystemExit(f"bare table page: expected 50 rows, got {rows}")
    return {"table_bytes": len(body), "table_rows": rows}


def recheck(port: int, urls: dict) -> None:
    """After the load: the session still works and nothing changed (the poll is still 204)."""
    headers = {"Cookie": f"{urls['cookie_name']}={urls['cookie']}"}
    status, *_rest = get(port, urls["paths"]["poll"], {**headers, "HX-Request": "true"})
    if status != 204:
        raise SystemExit(f"after the load the poll answered {status}, not 204: figures invalid")
    status, *_rest = get(port, urls["paths"]["edit"], headers)
    if status != 200:
        raise SystemExit(f"after the load the draft's form answered {status}: figures invalid")


# --- capacity: fixed arrival rates -----------------------------------------------------------

def capacity_sessions(port: int, state: dict, count: int) -> list[tuple[str, str]]:
    """(poll path, cookie header) for up to ``count`` people whose home page polls: the bench
    person first, then other insured people with their own sessions and stamps."""
    import seed as seeding
    name = state["cookie_name"]
    found = []
    for person in seeding.more_sessions(state, count):
        cookie = person["cookie"]
        status, _h, body, cookies = get(port, "/demandes/", {"Cookie": f"{name}={cookie}"})
        if status != 200:
            raise SystemExit(f"capacity: home page of user {person['user_id']} answered {status}")
        cookie = adopt_cookie(cookies, name, cookie)
        match = re.search(r'hx-get="([^"]*/demandes/liste\?stamp=[^"]*)"',
                          body.decode("utf-8", "replace"))
        if match:  # only pages with something that may still change poll
            found.append((html.unescape(match.group(1)), f"{name}={cookie}"))
    for path, cookie in found[:3]:
        status, *_rest = get(port, path, {"Cookie": cookie, "HX-Request": "true"})
        if status != 204:
            raise SystemExit(f"capacity: poll {path} answered {status}, not 204")
    return found


def capacity_openloop(args, port: int, urls: dict, polls: list[tuple[str, str]],
                      workdir: Path) -> dict:
    spec = {"host": HOST, "port": port, "seconds": args.capacity_seconds, "timeout": 5,
            "max_in_flight": 2000, "seed": 1, "streams": [
                {"name": "poll", "rate": args.poll_rate, "expect": 204,
                 "paths": [p for p, _c in polls],
                 "headers": [{"Cookie": c, "HX-Request": "true"} for _p, c in polls]},
                {"name": "page", "rate": args.page_rate, "expect": 200,
                 "paths": [urls["paths"]["home"]],
                 "headers": [{"Cookie": f"{urls['cookie_name']}={urls['cookie']}"}],
                 "vary_query": True}]}
    path = workdir / "capacity.json"
    path.write_text(json.dumps(spec))
    path.chmod(0o600)
    proc = subprocess.run([sys.executable, str(BENCH / "openloop.py"), str(path)],
                          capture_output=True, text=True, timeout=args.capacity_seconds + 60)
    if proc.returncode != 0:
        raise SystemExit(f"openloop failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout)


def parse_hey(output: str) -> dict:
    """hey's summary: Requests/sec, « Latency distribution » (the latency at or above each
    share of the sorted answers, to 0.1 ms; a share it cannot reach is printed « 0% in 0 »),
    Slowest, « Status code distribution » and « Error distribution »."""
    def seconds(pattern):
        match = re.search(pattern, output)
        return round(float(match.group(1)) * 1000, 2) if match else None
    pct = {int(p): round(float(v) * 1000, 2)
           for p, v in re.findall(r"^\s+(\d+)%+ in ([\d.]+) secs", output, re.M) if int(p)}
    statuses = {code: int(n) for code, n in re.findall(r"^\s+\[(\d+)\]\s+(\d+) responses",
                                                       output, re.M)}
    errors = {}
    if "Error distribution:" in output:
        for n, message in re.findall(r"^\s+\[(\d+)\]\s+(.*)$",
                                     output.split("Error distribution:", 1)[1], re.M):
            errors[message.strip()[:120]] = errors.get(message.strip()[:120], 0) + int(n)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return {"achieved_rps": float(rps.group(1)) if rps else None, "statuses": statuses,
            "errors": errors, "answered": sum(statuses.values()),
            "p50_ms": pct.get(50), "p90_ms": pct.get(90), "p99_ms": pct.get(99),
            "max_ms": seconds(r"Slowest:\s+([\d.]+) secs")}


def capacity_hey(args, hey: str, port: int, urls: dict, polls: list[tuple[str, str]]) -> dict:
    """The same scenario with Debian's hey: ``-c`` workers each at ``-q`` requests/s. One URL
    per stream (the bench person's poll; the home page without a changing query string)."""
    base = f"http://{HOST}:{port}"
    cookie = f"{urls['cookie_name']}={urls['cookie']}"
    plans = {"poll": (args.poll_rate, polls[0][0], ["-H", f"Cookie: {polls[0][1]}",
                                                    "-H", "HX-Request: true"], 204),
             "page": (args.page_rate, urls["paths"]["home"], ["-H", f"Cookie: {cookie}"], 200)}
    procs = {}
    for key, (rate, path, headers, _expect) in plans.items():
        workers = max(1, math.ceil(rate / 10))  # 10 requests/s each: one every 100 ms
        procs[key] = (workers, subprocess.Popen(
            [hey, "-z", f"{args.capacity_seconds:g}s", "-c", str(workers),
             "-q", f"{rate / workers:g}", "-t", "5", "-disable-redirects", *headers,
             base + path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    streams = {}
    for key, (workers, proc) in procs.items():
        out, _err = proc.communicate(timeout=args.capacity_seconds + 60)
        figures = parse_hey(out)
        expect = plans[key][3]
        bad = sum(n for code, n in figures["statuses"].items() if int(code) != expect)
        if bad:
            figures["errors"][f"status other than {expect}"] = bad
        figures.update(rate=plans[key][0], workers=workers,
                       scheduled=round(plans[key][0] * args.capacity_seconds))
        streams[key] = figures
    return {"seconds": args.capacity_seconds, "arrivals": "hey (workers fire together)",
            "streams": streams}


def capacity_verdict(result: dict) -> tuple[bool, list[str]]:
    reasons = []
    for key, s in result["streams"].items():
        if s.get("p99_ms") is None or s["p99_ms"] >= CAPACITY_AIM_MS:
            reasons.append(f"{key} p99 {s.get('p99_ms')} ms")
        if s["errors"]:
            reasons.append(f"{key} errors {s['errors']}")
        if s["answered"] < 0.98 * s["scheduled"]:
            reasons.append(f"{key} answered {s['answered']} of {s['scheduled']}")
    return not reasons, reasons


def capacity_report(result: dict) -> str:
    rows = [["stream", "target/s", "achieved/s", "answered", "p50 ms", "p90 ms", "p99 ms",
             "max ms", "errors"]]
    for key, s in result["streams"].items():
        rows.append([key, f"{s['rate']:g}", f"{s['achieved_rps']:.0f}",
                     f"{s['answered']}/{s['scheduled']}",
                     *(f"{s[k]:.1f}" if s.get(k) is not None else "—"
                       for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")),
                     str(sum(s["errors"].values()))])
    lines = [fmt_table(rows)]
    if "generator_cpu_s" in result:
        lag = max((s["lag_p99_ms"] or 0) for s in result["streams"].values())
        lines.append(f"(open loop, Poisson arrivals, {result['seconds']:g} s, latency from the "
                     f"moment each request was due; generator used "
                     f"{result['generator_cpu_s']:.1f} s of CPU, its lag p99 {lag:.1f} ms; "
                     f"polls from {result.get('poll_sessions', 1)} people's sessions)")
    else:
        lines.append(f"({result['arrivals']}, {result['seconds']:g} s, one session)")
    lines.append(f"Guichet's workers used {result['server_cpu_pct']:.0f}% of the machine, other "
                 f"processes {result['other_cpu_pct']:.0f}% (load average after: "
                 f"{result['loadavg_after']:.2f})")
    ok, reasons = capacity_verdict(result)
    lines.append(f"Capacity aim (each stream p99 < {CAPACITY_AIM_MS:g} ms, no error): "
                 + ("met" if ok else "NOT met: " + "; ".join(reasons)))
    return "\n".join(lines)


# --- report ----------------------------------------------------------------------------------

def fmt_table(rows: list[list[str]], left: frozenset = frozenset({0})) -> str:
    """A text table; the columns in ``left`` (and the header) aligned left, others right."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join((str(c).ljust(w) if i in left or not n else str(c).rjust(w))
                             for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def round_ratios(results: dict, key: str, reference: str) -> list[float]:
    """With several rounds: the ratio within each round (page and reference a minute apart at
    most), to show how much the machine's other load moved it."""
    pages, refs = results[key].get("rounds", []), results[reference].get("rounds", [])
    return [round(p / r, 3) for p, r in zip(pages, refs)]


def verdicts(results: dict, pdf_seq: dict) -> dict:
    found = {}
    for key, (_label, reference, share, text) in PAGES.items():
        if key in results:
            ratio = results[key]["rps"] / results[reference]["rps"]
            found[key] = {"aim": text, "value": round(ratio, 3), "met": ratio >= share,
                          "cpu_ratio": round(results[reference]["cpu_ms_per_request"]
                                             / results[key]["cpu_ms_per_request"], 3)}
            if results[key].get("rounds"):
                found[key]["per_round"] = round_ratios(results, key, reference)
    if "queue" in results and "queue_deep" in results:
        share = results["queue_deep"]["rps"] / results["queue"]["rps"]
        found["queue_deep_vs_first"] = {"aim": "within 10 % of queue", "value": round(share, 3),
                                        "met": share >= DEEP_AIM}
    if pdf_seq:
        found["pdf"] = {"aim": f"median < {PDF_AIM_MS:g} ms",
                        "value": round(pdf_seq["median_ms"], 1),
                        "met": pdf_seq["median_ms"] < PDF_AIM_MS}
    return found


def report(results: dict, pdf_seq: dict, per_type: dict, aims: dict, meta: dict) -> str:
    several = meta["rounds"] > 1
    rows = [["page", "URL", "req/s", "p50 ms", "p90 ms", "p99 ms", "ratio",
             *(["rounds"] if several else []), "ref", "aim", "met", "CPU ms", "CPU ratio",
             "other CPU"]]

    def row(key, label, ratio="", reference="", aim="", met="", spread="", cpu_ratio=""):
        r = results[key]
        rows.append([key, label, f"{r['rps']:.0f}", f"{r['p50_ms']:.1f}", f"{r['p90_ms']:.1f}",
                     f"{r['p99_ms']:.1f}", ratio, *([spread] if several else []), reference,
                     aim, met, f"{r['cpu_ms_per_request']:.2f}", cpu_ratio,
                     f"{r['other_cpu_pct']:.0f}%"])
    for key, (_path, label) in REFERENCES.items():
        row(key, label)
    for key, (label, reference, _share, _text) in PAGES.items():
        if key in results:
            verdict = aims[key]
            per_round = verdict.get("per_round") or [0]
            row(key, label, f"{verdict['value']:.2f}", reference, verdict["aim"],
                "yes" if verdict["met"] else "NO",
                f"{min(per_round):.2f}–{max(per_round):.2f}", f"{verdict['cpu_ratio']:.2f}")
    if "pdf" in results:
        verdict = aims.get("pdf")
        row("pdf", PDF_LABEL, f"{results['pdf']['rps'] / results['table']['rps']:.3f}",
            "table", f"{verdict['aim']} (seq.)" if verdict else "",
            ("yes" if verdict["met"] else "NO") if verdict else "")
    left = frozenset({0, 1, 8, 9, 10} if several else {0, 1, 7, 8, 9})
    lines = [fmt_table(rows, left), "",
             f"table / hello = {results['table']['rps'] / results['hello']['rps']:.2f} "
             f"(the 50-row page costs {1000 * meta['workers'] / results['table']['rps']:.2f} ms "
             f"of a worker, hello {1000 * meta['workers'] / results['hello']['rps']:.2f} ms)"]
    if pdf_seq:
        lines.append(f"PDF, {pdf_seq['count']} sequential requests: median "
                     f"{pdf_seq['median_ms']:.1f} ms, p95 {pdf_seq['p95_ms']:.1f} ms, min "
                     f"{pdf_seq['min_ms']:.1f} ms, max {pdf_seq['max_ms']:.1f} ms "
                     f"({pdf_seq['bytes']} bytes)")
    if per_type:
        lines.append("PDF by invoice type (sequential, median / max ms): " + ", ".join(
            f"{t} {v['median_ms']:.0f}/{v['max_ms']:.0f}" for t, v in per_type.items()))
    disturbed = [k for k, r in results.items() if r["other_cpu_pct"] > 10]
    if disturbed:
        lines.append(f"Warning: other processes used more than 10% of the machine while "
                     f"measuring {', '.join(disturbed)}: those figures are low and noisy "
                     f"(a depressed reference also flatters the ratios).")
    lines.append("CPU ms = the servers' CPU per answer (gunicorn's workers, and on PostgreSQL "
                 "the database's backends); CPU ratio = the reference's / the page's: a check of "
                 "the ratio that other processes' load hardly moves")
    if several:
        lines.append("ratio = median req/s of the page / median req/s of its reference; rounds ="
                     " the lowest and highest ratio within one round")
    lines.append("")
    lines.append("Aims: " + ", ".join(f"{k} {'met' if v['met'] else 'NOT met'}"
                                      for k, v in aims.items()))
    lines.append(meta_line(meta))
    return "\n".join(lines)


def meta_line(meta: dict) -> str:
    return (f"({meta['when']}; commit {meta['commit']}; {meta['cpus']} CPUs, load average "
            f"{meta['loadavg_before']:.2f} before, {meta['loadavg_after']:.2f} after; "
            f"{meta['database']}; gunicorn {meta['workers']} sync workers; wrk "
            f"-t{meta['threads']} -c{meta['connections']} -d{meta['duration']:g}s x "
            f"{meta['rounds']} round(s), median kept; home page {meta['home_rows']} rows, "
            f"{meta['home_bytes']} bytes; table page {meta['table_bytes']} bytes; "
            f"'other CPU' = share of the machine used by processes outside this benchmark)")


def median_result(runs: list[dict]) -> dict:
    if len(runs) == 1:
        return runs[0]
    keys = ("rps", "p50_ms", "p75_ms", "p90_ms", "p99_ms", "max_ms", "other_cpu_pct",
            "cpu_ms_per_request")
    merged = {k: statistics.median(r[k] for r in runs) for k in keys}
    merged.update(errors=sum(r["errors"] for r in runs),
                  requests=sum(r["requests"] for r in runs),
                  bytes_per_request=runs[0]["bytes_per_request"],
                  wrk_output=runs[-1]["wrk_output"], rounds=[r["rps"] for r in runs])
    return merged


def busy_share(seconds: float = 5.0) -> float:
    """The share of the machine busy during ``seconds`` (nothing of this benchmark runs then)."""
    before, started = busy_jiffies() / CLK_TCK, time.monotonic()
    time.sleep(seconds)
    return (busy_jiffies() / CLK_TCK - before) / ((time.monotonic() - started) * os.cpu_count())


def wait_for_quiet(limit_seconds: float, threshold: float = 0.10) -> float:
    """Wait (bounded) until, over 5 s, other processes keep the machine busy less than
    ``threshold`` of the time (the load average would still count this benchmark's own recent
    load). Returns the last share measured."""
    deadline = time.monotonic() + limit_seconds
    share = busy_share()
    while share >= threshold and time.monotonic() < deadline:
        share = busy_share()
    return share


def commit_of_root() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + ("+changes" if dirty else "")


def json_figures(results: dict, pdf_seq: dict, per_type: dict, aims: dict, capacity: dict | None,
                 meta: dict, seen: dict) -> dict:
    """The figures to compare one run with the next: ``pages`` and ``pdf_median_ms`` are the
    stable part (issue 7); the rest is detail."""
    def short(r):
        return {"rps": round(r["rps"], 1), "p50_ms": round(r["p50_ms"], 2),
                "p99_ms": round(r["p99_ms"], 2)}
    pages = {}
    for key, (_label, reference, _share, _text) in PAGES.items():
        if key in results:
            pages[key] = {**short(results[key]),
                          "ratio": round(results[key]["rps"] / results[reference]["rps"], 3),
                          "reference": reference}
    out = {"pages": pages,
           "pdf_median_ms": round(pdf_seq["median_ms"], 1) if pdf_seq else None,
           "references": {key: short(results[key]) for key in REFERENCES},
           "aims": aims, "capacity": capacity,
           "pdf": {"sequential": pdf_seq, "per_type": per_type,
                   "wrk": short(results["pdf"]) if "pdf" in results else None},
           "details": {key: {k: v for k, v in r.items() if k != "wrk_output"}
                       for key, r in results.items()},
           "machine": {**meta, **seen, "python": platform.python_version()}}
    if capacity is not None:
        ok, reasons = capacity_verdict(capacity)
        out["aims"] = {**aims, "capacity": {"aim": f"p99 < {CAPACITY_AIM_MS:g} ms per stream",
                                            "met": ok, "reasons": reasons}}
    return out


# --- main ------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per URL (wrk -d)")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn -w")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every URL this many times (interleaved), keep the median")
    parser.add_argument("--pages", default=",".join([*PAGES, "pdf"]),
                        help="which of Guichet's URLs to measure (comma-separated; default all:"
                             " %(default)s); the references are always measured")
    parser.add_argument("--database-url", help="seed this database instead of a temp SQLite")
    parser.add_argument("--users", type=int, default=1000, help="insured people to seed")
    parser.add_argument("--invoices", type=int, default=50_000, help="invoices to seed")
    parser.add_argument("--queue", action="store_true",
                        help="the staff queue's size: 200 000 invoices over 5 000 people "
                             "(sets --users and --invoices)")
    parser.add_argument("--drop", action="store_true",
                        help="with --database-url: empty it first if it has tables")
    parser.add_argument("--reuse", nargs="?", const=str(LAST_STATE), metavar="STATE",
                        help="reuse a seeded database (state.json; default: the last one)")
    parser.add_argument("--pdf-requests", type=int, default=50,
                        help="sequential PDF requests for the median (0: skip)")
    parser.add_argument("--pdf-per-type", type=int, default=10,
                        help="sequential PDF requests per invoice type (0: skip)")
    parser.add_argument("--capacity", action="store_true",
                        help="also run the capacity scenario (fixed arrival rates) at the end")
    parser.add_argument("--capacity-tool", choices=("openloop", "hey"), default="openloop",
                        help="bench/openloop.py (default) or Debian's hey -q")
    parser.add_argument("--capacity-seconds", type=float, default=20)
    parser.add_argument("--poll-rate", type=float, default=670,
                        help="unchanged polls per second (10 000 pages polling every 15 s)")
    parser.add_argument("--page-rate", type=float, default=20,
                        help="home page views (rendered) per second")
    parser.add_argument("--capacity-sessions", type=int, default=200,
                        help="polls come from this many people's sessions (openloop)")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="wait up to this long for the machine to be less than 10%% busy")
    parser.add_argument("--install", action="store_true",
                        help="apt-get install wrk (and hey, for --capacity-tool hey) if missing")
    parser.add_argument("--json", metavar="PATH",
                        help="also write the figures as JSON (e.g. bench/results/run.json)")
    parser.add_argument("--show-wrk", action="store_true", help="print wrk's own output too")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.duration > 300 or args.rounds < 1 or args.rounds > 10:
        parser.error("--duration must be in (0, 300] and --rounds in [1, 10]")
    if not 0 < args.capacity_seconds <= 120 or args.poll_rate + args.page_rate > 5000 \
            or min(args.poll_rate, args.page_rate) <= 0 \
            or not 1 <= args.capacity_sessions <= 1000:
        parser.error("--capacity-seconds in (0, 120], rates > 0 and 5000/s at most in all, "
                     "--capacity-sessions in [1, 1000]")
    if args.queue:
        args.users, args.invoices = 5000, 200_000
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = set(args.pages) - {*PAGES, "pdf"}
    if unknown or not args.pages:
        parser.error(f"--pages: unknown {sorted(unknown)}; choose among {[*PAGES, 'pdf']}")

    tools = {"wrk": ensure_tool("wrk", args.install)}
    if args.capacity and args.capacity_tool == "hey":
        tools["hey"] = ensure_tool("hey", args.install)
    servers = Servers()

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    try:
        return measure(args, tools, servers)
    except KeyboardInterrupt as exc:
        print(f"\nInterrupted ({exc or 'Ctrl-C'}): stopping the servers.", file=sys.stderr)
        return 130
    finally:
        servers.stop()


def measure(args, tools: dict, servers: Servers) -> int:
    import seed as seeding
    wrk = tools["wrk"]
    commit = commit_of_root()  # the code the servers are about to import
    if args.reuse:
        pointer = Path(args.reuse)
        state_path = Path(pointer.read_text().strip()) if pointer == LAST_STATE else pointer
        state = json.loads(state_path.read_text())
        print(f"Reusing {state['database_url']} (seeded earlier); new session.", flush=True)
        state = seeding.refresh_session(state)
    else:
        print(f"Seeding the database ({args.users} people, {args.invoices} invoices)…",
              flush=True)
        state = seeding.seed(args.database_url, drop=args.drop, quiet=True, users=args.users,
                             invoices=args.invoices)
        LAST_STATE.write_text(state["state_path"])
        print(f"  {state['counts']['invoices']} invoices, "
              f"{state['counts']['invoice_lines']} lines, "
              f"{state['counts']['invoice_events']} events in {state['seconds']['total']} s "
              f"({state['database_url']})", flush=True)
    workdir = Path(state["workdir"])

    guichet_port, bare_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUICHET_")}
    env.update({
        "GUICHET_SQLALCHEMY_DATABASE_URI": state["database_url"],
        "GUICHET_SECRET_KEY": state["secret_key"],
        "GUICHET_LOCAL_DEV": "true",
        "GUICHET_BASE_URL": f"http://{HOST}:{guichet_port}",
        "GUICHET_UPLOAD_FOLDER": str(workdir / "uploads"),
        "GUICHET_RATELIMIT_LOGIN_PER_ACCOUNT": "1000000 per hour",
        "GUICHET_RATELIMIT_LOGIN_PER_IP": "1000000 per hour",
        "GUICHET_RATELIMIT_CODE_PER_IP": "1000000 per hour",
        "GUICHET_RATELIMIT_REGISTER_PER_IP": "1000000 per hour",
        "GUICHET_RATELIMIT_EMAIL_PER_IP": "1000000 per hour",
    })
    if state["database_url"].startswith("postgresql"):
        from sqlalchemy.engine import make_url
        servers.database = make_url(state["database_url"]).database
    servers.start("guichet", gunicorn_args(guichet_port, "wsgi:app", args.workers,
                                           ["--chdir", str(ROOT)]),
                  env, workdir / "gunicorn-guichet.log")
    servers.start("bare", gunicorn_args(bare_port, "bare_app:app", args.workers,
                                        ["--chdir", str(BENCH)]),
                  {k: v for k, v in env.items() if not k.startswith("GUICHET_")},
                  workdir / "gunicorn-bare.log")
    cookie_header = {"Cookie": f"{state['cookie_name']}={state['cookie']}"}
    wait_until_up(bare_port, "/", {})
    wait_until_up(guichet_port, "/demandes/", cookie_header)
    print(f"gunicorn up: Guichet on {HOST}:{guichet_port} (code in {ROOT}), bare Flask on "
          f"{HOST}:{bare_port} (logs in {workdir})", flush=True)

    urls = check_urls(guichet_port, state)
    seen = {**urls["seen"], **check_references(bare_port)}
    paths = urls["paths"]
    print(f"Checked: table 200 (50 rows, {seen['table_bytes']} bytes); home 200 "
          f"({seen['home_rows']} rows, {seen['home_bytes']} bytes), account 200 "
          f"({seen['account_bytes']} bytes), edit 200 ({seen['edit_bytes']} bytes), review 200 "
          f"({seen['review_bytes']} bytes), poll 204, PDF 200 application/pdf "
          f"({seen['pdf_bytes']} bytes)", flush=True)

    cookie = f"{state['cookie_name']}={urls['cookie']}"
    scripts = {key: lua_script(workdir / f"{key}.lua", {}) for key in REFERENCES}
    targets = {key: (bare_port, path, scripts[key]) for key, (path, _l) in REFERENCES.items()}
    for key in [*PAGES, "pdf"]:
        if key not in args.pages:
            continue
        if key in STAFF_PAGES and key not in urls["paths"]:
            continue  # a database seeded before the queue existed
        headers = {"Cookie": (f"{state['cookie_name']}={urls['staff_cookie']}"
                              if key in STAFF_PAGES else cookie),
                   **({"HX-Request": "true"} if key == "poll" else {})}
        # the home page: another query string on each request, so that no page cache has it
        script = lua_script(workdir / f"{key}.lua", headers,
                            paths["home"] if key == "home" else None)
        targets[key] = (guichet_port, paths[key], script)

    if args.wait_idle:
        share = wait_for_quiet(args.wait_idle)
        print(f"Machine busy before measuring: {100 * share:.0f}% (over 5 s, servers idle)",
              flush=True)
    load_before = os.getloadavg()[0]
    # Warm-up: templates compiled, connections opened, in both workers.
    for key, (port, path, script) in targets.items():
        run_wrk(wrk, f"http://{HOST}:{port}{path}", script, 1, args.connections, args.threads,
                servers, [])

    runs: dict[str, list[dict]] = {key: [] for key in targets}
    for round_number in range(args.rounds):
        for key, (port, path, script) in targets.items():
            measured = ["bare"] if key in REFERENCES else ["guichet"]
            result = run_wrk(wrk, f"http://{HOST}:{port}{path}", script, args.duration,
                             args.connections, args.threads, servers, measured)
            runs[key].append(result)
            print(f"  round {round_number + 1} {key:7} {result['rps']:8.0f} req/s  "
                  f"p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
                  f"errors {result['errors']}  other CPU {result['other_cpu_pct']:.0f}%",
                  flush=True)
            if result["errors"]:
                raise SystemExit(f"{key}: {result['errors']} errors under load:\n"
                                 f"{result['wrk_output']}")
    recheck(guichet_port, urls)
    results = {key: median_result(found) for key, found in runs.items()}

    headers = {"Cookie": cookie}
    pdf_seq, per_type = {}, {}
    if "pdf" in args.pages and args.pdf_requests:
        pdf_seq = sequential(guichet_port, paths["pdf"], headers, args.pdf_requests, 120)
        if args.pdf_per_type:
            for invoice_type, invoice_id in sorted(state["pdf_by_type"].items()):
                per_type[invoice_type] = sequential(guichet_port,
                                                    f"/demandes/{invoice_id}/pdf",
                                                    headers, args.pdf_per_type, 60)

    capacity = None
    if args.capacity:
        print(f"Capacity: {args.poll_rate:g} unchanged polls/s + {args.page_rate:g} home page "
              f"views/s for {args.capacity_seconds:g} s ({args.capacity_tool})…", flush=True)
        polls = capacity_sessions(guichet_port, state,
                                  args.capacity_sessions if args.capacity_tool == "openloop"
                                  else 1)
        if not polls:
            raise SystemExit("capacity: no home page polls (nothing may change for anyone?)")
        time.sleep(1)
        window = CpuWindow(servers, ["guichet"])
        if args.capacity_tool == "openloop":
            capacity = capacity_openloop(args, guichet_port, urls, polls, workdir)
            capacity["poll_sessions"] = len(polls)
        else:
            capacity = capacity_hey(args, tools["hey"], guichet_port, urls, polls)
        capacity.update({k: round(v, 1) for k, v in window.shares().items()})
        capacity["loadavg_after"] = round(os.getloadavg()[0], 2)
        recheck(guichet_port, urls)

    meta = {"when": datetime.now().strftime("%Y-%m-%d %H:%M"), "commit": commit,
            "cpus": os.cpu_count(), "loadavg_before": round(load_before, 2),
            "loadavg_after": round(os.getloadavg()[0], 2),
            "database": state["database_url"].split(":", 1)[0], "workers": args.workers,
            "threads": args.threads, "connections": args.connections,
            "duration": args.duration, "rounds": args.rounds,
            "home_rows": seen["home_rows"], "home_bytes": seen["home_bytes"],
            "table_bytes": seen["table_bytes"]}
    print()
    if args.show_wrk:
        for key, result in results.items():
            print(f"--- wrk, {key} (last round) ---\n{result['wrk_output']}\n")
    aims = verdicts(results, pdf_seq)
    print(report(results, pdf_seq, per_type, aims, meta))
    if capacity is not None:
        print()
        print(capacity_report(capacity))
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(json_figures(results, pdf_seq, per_type, aims, capacity, meta,
                                                seen), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
