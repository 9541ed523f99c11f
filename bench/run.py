"""Guichet throughput and latency next to a bare Flask page, measured with wrk in the same run.

    .venv/bin/python bench/run.py [--duration 10] [--connections 8] [--rounds 1]
                                  [--database-url URL --drop] [--reuse [STATE]] [--install]

Steps: seed a fresh database (bench/seed.py; or ``--reuse`` the last one), start gunicorn
(2 sync workers, 127.0.0.1, free ports) for Guichet and for bench/bare_app.py, check that each
URL answers as expected, then measure each one with wrk for ``--duration`` seconds:

  bare   GET /                          the bare Flask page (the reference)
  home   GET /demandes/                 the home page of a person with 300 invoices
  poll   GET /demandes/liste?stamp=…    htmx polling when nothing changed (204)
  pdf    GET /demandes/<id>/pdf         the PDF of a 3-trip travel invoice

and the PDF once more with sequential requests, for its latency alone. Prints req/s and
latency percentiles, the ratio to the bare page and whether the aims are met:
home >= 1/3 of bare, poll >= 2/3 of bare, PDF median < 150 ms.

Load goes to 127.0.0.1 only; every loop is bounded. The gunicorn processes started here are
stopped by their pid at the end, also on errors and Ctrl-C.
"""
from __future__ import annotations

import argparse
import html
import http.client
import json
import os
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
AIMS = {"home": ("ratio", 1 / 3, "≥ 1/3 of bare"), "poll": ("ratio", 2 / 3, "≥ 2/3 of bare"),
        "pdf": ("median_ms", 150.0, "median < 150 ms")}
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- processes -------------------------------------------------------------------------------

class Servers:
    """The gunicorn masters started by this run; ``stop()`` ends each one by its pid."""

    def __init__(self):
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict, log: Path) -> None:
        handle = open(log, "ab")
        self.procs[name] = subprocess.Popen(args, env=env, cwd=str(ROOT), stdout=handle,
                                            stderr=subprocess.STDOUT)
        handle.close()

    def pids(self, name: str) -> list[int]:
        """The master and its workers (children found in /proc)."""
        master = self.procs[name].pid
        found = [master]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                    found.append(int(entry.name))
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
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields[:8]) - idle


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


def ensure_wrk(install: bool) -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if not install:
        raise SystemExit("wrk is missing: apt-get install wrk (or run with --install)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=True,
                       timeout=600)
    return shutil.which("wrk") or sys.exit("wrk still missing after apt-get install")


def run_wrk(wrk: str, url: str, script: Path, duration: float, connections: int,
            threads: int, servers: Servers, measured: list[str]) -> dict:
    """One wrk run; returns its figures and the share of CPU used by other processes."""
    assert url.startswith(f"http://{HOST}:"), url
    pids = [pid for name in measured for pid in servers.pids(name)]
    ours_before = process_jiffies(pids) / CLK_TCK + children_cpu_seconds() + self_cpu_seconds()
    busy_before, started = busy_jiffies() / CLK_TCK, time.monotonic()
    proc = subprocess.run(
        [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--timeout", "5s",
         "--latency", "-s", str(script), url],
        capture_output=True, text=True, timeout=duration + 60)
    elapsed = time.monotonic() - started
    busy = busy_jiffies() / CLK_TCK - busy_before
    ours = (process_jiffies(pids) / CLK_TCK + children_cpu_seconds() + self_cpu_seconds()
            - ours_before)
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
            "other_cpu_pct": max(0.0, 100 * (busy - ours) / (elapsed * os.cpu_count())),
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


def check_urls(port: int, state: dict) -> dict:
    name = state["cookie_name"]
    cookie = state["cookie"]
    headers = {"Cookie": f"{name}={cookie}"}
    status, response_headers, body, cookies = get(port, "/demandes/", headers)
    text = body.decode("utf-8", "replace")
    if status != 200 or "Mes demandes" not in text:
        raise SystemExit(f"home page: expected 200 with « Mes demandes », got {status} "
                         f"({response_headers.get('location', '')})")
    cookie = adopt_cookie(cookies, name, cookie)
    match = re.search(r'hx-get="([^"]*/demandes/liste\?stamp=[^"]*)"', text)
    if not match:
        raise SystemExit("home page: no polling URL (hx-get=/demandes/liste?stamp=…) found")
    poll_path = html.unescape(match.group(1))
    headers = {"Cookie": f"{name}={cookie}"}
    rows = text.count("<tr>") - 1
    status, _h, body, cookies = get(port, poll_path, {**headers, "HX-Request": "true"})
    if status != 204:
        raise SystemExit(f"poll: expected 204, got {status}")
    pdf_path = f"/demandes/{state['pdf_invoice_id']}/pdf"
    status, response_headers, body, _c = get(port, pdf_path, headers, timeout=30)
    if status != 200 or not response_headers.get("content-type", "").startswith(
            "application/pdf") or not body.startswith(b"%PDF"):
        raise SystemExit(f"pdf: expected 200 application/pdf, got {status} "
                         f"{response_headers.get('content-type')}")
    return {"cookie": cookie, "poll_path": poll_path, "pdf_path": pdf_path, "home_rows": rows,
            "home_bytes": len(text.encode()), "pdf_bytes": len(body)}


def recheck(port: int, urls: dict) -> None:
    """After the load: the session still works and nothing changed (the poll is still 204)."""
    headers = {"Cookie": f"{urls['cookie_name']}={urls['cookie']}"}
    status, *_rest = get(port, urls["poll_path"], {**headers, "HX-Request": "true"})
    if status != 204:
        raise SystemExit(f"after the load the poll answered {status}, not 204: figures invalid")


# --- report ----------------------------------------------------------------------------------

def fmt_table(rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(str(c).rjust(w) if i and n else str(c).ljust(w)
                             for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def report(results: dict, pdf_seq: dict, per_type: dict, meta: dict) -> str:
    bare = results["bare"]["rps"]
    rows = [["URL", "req/s", "p50 ms", "p90 ms", "p99 ms", "vs bare", "aim", "met",
             "other CPU"]]
    verdicts = {}
    for key, label in (("bare", "GET / (bare Flask)"), ("home", "GET /demandes/"),
                       ("render", "GET /demandes/ (rendered)"),
                       ("poll", "GET /demandes/liste (204)"), ("pdf", "GET /demandes/<id>/pdf")):
        r = results[key]
        ratio = r["rps"] / bare
        aim, met = "", ""
        if key in AIMS:
            kind, target, text = AIMS[key]
            value = ratio if kind == "ratio" else pdf_seq["median_ms"]
            ok = value >= target if kind == "ratio" else value < target
            verdicts[key] = ok
            aim, met = text, "yes" if ok else "NO"
        rows.append([label, f"{r['rps']:.0f}", f"{r['p50_ms']:.1f}", f"{r['p90_ms']:.1f}",
                     f"{r['p99_ms']:.1f}", f"{ratio:.2f}", aim, met,
                     f"{r['other_cpu_pct']:.0f}%"])
    lines = [fmt_table(rows), "",
             f"PDF, {pdf_seq['count']} sequential requests: median {pdf_seq['median_ms']:.1f} ms,"
             f" p95 {pdf_seq['p95_ms']:.1f} ms, min {pdf_seq['min_ms']:.1f} ms, "
             f"max {pdf_seq['max_ms']:.1f} ms ({pdf_seq['bytes']} bytes)"]
    if per_type:
        lines.append("PDF by invoice type (sequential, median / max ms): " + ", ".join(
            f"{t} {v['median_ms']:.0f}/{v['max_ms']:.0f}" for t, v in per_type.items()))
    disturbed = [k for k, r in results.items() if r["other_cpu_pct"] > 10]
    if disturbed:
        lines.append(f"Warning: other processes used more than 10% of the machine while "
                     f"measuring {', '.join(disturbed)}: those figures are low and noisy "
                     f"(a depressed bare figure also flatters the ratios).")
    lines.append("")
    lines.append("Aims: " + ", ".join(f"{k} {'met' if v else 'NOT met'}"
                                      for k, v in verdicts.items()))
    lines.append(meta_line(meta))
    return "\n".join(lines)


def meta_line(meta: dict) -> str:
    return (f"({meta['when']}; {meta['cpus']} CPUs; {meta['database']}; gunicorn "
            f"{meta['workers']} sync workers; wrk -t{meta['threads']} -c{meta['connections']} "
            f"-d{meta['duration']:g}s x {meta['rounds']} round(s), median kept; "
            f"home page {meta['home_rows']} rows, {meta['home_bytes']} bytes; "
            f"'other CPU' = share of the machine used by processes outside this benchmark)")


def median_result(runs: list[dict]) -> dict:
    if len(runs) == 1:
        return runs[0]
    keys = ("rps", "p50_ms", "p75_ms", "p90_ms", "p99_ms", "max_ms", "other_cpu_pct")
    merged = {k: statistics.median(r[k] for r in runs) for k in keys}
    merged.update(errors=sum(r["errors"] for r in runs),
                  requests=sum(r["requests"] for r in runs),
                  bytes_per_request=runs[0]["bytes_per_request"],
                  wrk_output=runs[-1]["wrk_output"], rounds=[r["rps"] for r in runs])
    return merged


def wait_for_quiet(limit_seconds: float, threshold: float) -> float:
    """Wait (bounded) until the 1-minute load average drops under ``threshold``."""
    deadline = time.monotonic() + limit_seconds
    load = os.getloadavg()[0]
    while load >= threshold and time.monotonic() < deadline:
        time.sleep(5)
        load = os.getloadavg()[0]
    return load


# --- main ------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per URL (wrk -d)")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn -w")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every URL this many times (interleaved), keep the median")
    parser.add_argument("--database-url", help="seed this database instead of a temp SQLite")
    parser.add_argument("--drop", action="store_true",
                        help="with --database-url: empty it first if it has tables")
    parser.add_argument("--reuse", nargs="?", const=str(LAST_STATE), metavar="STATE",
                        help="reuse a seeded database (state.json; default: the last one)")
    parser.add_argument("--pdf-requests", type=int, default=50,
                        help="sequential PDF requests for the median (0: skip)")
    parser.add_argument("--pdf-per-type", type=int, default=10,
                        help="sequential PDF requests per invoice type (0: skip)")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="wait up to this long for the load average to drop under 1")
    parser.add_argument("--install", action="store_true", help="apt-get install wrk if missing")
    parser.add_argument("--json", metavar="PATH",
                        help="also write the figures as JSON (e.g. bench/results/run.json)")
    parser.add_argument("--show-wrk", action="store_true", help="print wrk's own output too")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.duration > 300 or args.rounds < 1 or args.rounds > 10:
        parser.error("--duration must be in (0, 300] and --rounds in [1, 10]")

    wrk = ensure_wrk(args.install)
    servers = Servers()

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    try:
        return measure(args, wrk, servers)
    except KeyboardInterrupt as exc:
        print(f"\nInterrupted ({exc or 'Ctrl-C'}): stopping the servers.", file=sys.stderr)
        return 130
    finally:
        servers.stop()


def measure(args, wrk: str, servers: Servers) -> int:
    import seed as seeding
    if args.reuse:
        pointer = Path(args.reuse)
        state_path = Path(pointer.read_text().strip()) if pointer == LAST_STATE else pointer
        state = json.loads(state_path.read_text())
        print(f"Reusing {state['database_url']} (seeded earlier); new session.", flush=True)
        state = seeding.refresh_session(state)
    else:
        print("Seeding the database (users, 50 000 invoices)…", flush=True)
        state = seeding.seed(args.database_url, drop=args.drop, quiet=True)
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
    print(f"gunicorn up: Guichet on {HOST}:{guichet_port}, bare Flask on {HOST}:{bare_port} "
          f"(logs in {workdir})", flush=True)

    urls = check_urls(guichet_port, state)
    urls["cookie_name"] = state["cookie_name"]
    status, _h, body, _c = get(bare_port, "/")
    if status != 200 or body != b"hello":
        raise SystemExit(f"bare page: expected 200 'hello', got {status}")
    print(f"Checked: home 200 ({urls['home_rows']} rows, {urls['home_bytes']} bytes), "
          f"poll 204, PDF 200 application/pdf ({urls['pdf_bytes']} bytes)", flush=True)

    cookie = f"{state['cookie_name']}={urls['cookie']}"
    targets = {
        "bare": (bare_port, "/", lua_script(workdir / "bare.lua", {})),
        "home": (guichet_port, "/demandes/", lua_script(workdir / "home.lua",
                                                        {"Cookie": cookie})),
        "render": (guichet_port, "/demandes/", lua_script(workdir / "render.lua",
                                                          {"Cookie": cookie}, "/demandes/")),
        "poll": (guichet_port, urls["poll_path"],
                 lua_script(workdir / "poll.lua", {"Cookie": cookie, "HX-Request": "true"})),
        "pdf": (guichet_port, urls["pdf_path"], lua_script(workdir / "pdf.lua",
                                                           {"Cookie": cookie})),
    }
    if args.wait_idle:
        load = wait_for_quiet(args.wait_idle, 1.0)
        print(f"Load average before measuring: {load:.2f}", flush=True)
    # Warm-up: templates compiled, connections opened, in both workers.
    for key, (port, path, script) in targets.items():
        run_wrk(wrk, f"http://{HOST}:{port}{path}", script, 1, args.connections, args.threads,
                servers, [])

    runs: dict[str, list[dict]] = {key: [] for key in targets}
    for round_number in range(args.rounds):
        for key, (port, path, script) in targets.items():
            measured = ["bare"] if key == "bare" else ["guichet"]
            result = run_wrk(wrk, f"http://{HOST}:{port}{path}", script, args.duration,
                             args.connections, args.threads, servers, measured)
            runs[key].append(result)
            print(f"  round {round_number + 1} {key:6} {result['rps']:8.0f} req/s  "
                  f"p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
                  f"errors {result['errors']}  other CPU {result['other_cpu_pct']:.0f}%",
                  flush=True)
            if result["errors"]:
                raise SystemExit(f"{key}: {result['errors']} errors under load:\n"
                                 f"{result['wrk_output']}")
    recheck(guichet_port, urls)
    results = {key: median_result(found) for key, found in runs.items()}

    headers = {"Cookie": cookie}
    pdf_seq = sequential(guichet_port, urls["pdf_path"], headers, max(1, args.pdf_requests), 120)
    per_type = {}
    if args.pdf_per_type:
        for invoice_type, invoice_id in sorted(state["pdf_by_type"].items()):
            per_type[invoice_type] = sequential(guichet_port, f"/demandes/{invoice_id}/pdf",
                                                headers, args.pdf_per_type, 60)

    meta = {"when": datetime.now().strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
            "database": state["database_url"].split(":", 1)[0], "workers": args.workers,
            "threads": args.threads, "connections": args.connections,
            "duration": args.duration, "rounds": args.rounds, "home_rows": urls["home_rows"],
            "home_bytes": urls["home_bytes"]}
    print()
    if args.show_wrk:
        for key, result in results.items():
            print(f"--- wrk, {key} (last round) ---\n{result['wrk_output']}\n")
    print(report(results, pdf_seq, per_type, meta))
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"meta": meta, "results": results, "pdf_sequential": pdf_seq,
                                    "pdf_per_type": per_type}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
