"""Where the time of one request goes: SQL queries (count, time) and a cProfile of the rest.

    .venv/bin/python bench/profile_request.py [--reuse [STATE]] [--requests 20] [--top 25] [--sql]
                                              [--only home|account|edit|review|poll|pdf ...]

Runs in-process with Flask's test client against the database seeded by bench/seed.py (the
last one by default), with the same settings as bench/run.py gives gunicorn. No network.
The pages are those bench/run.py measures:

  home     GET /demandes/?n=…           rendered: another query string each time, no page cache
  account  GET /compte/                 « Mon compte »
  edit     GET /demandes/<id>/modifier  the bench person's travel draft (3 trips, pièces)
  review   GET /demandes/<id>/verifier  the same draft's review page
  poll     GET /demandes/liste?stamp=…  unchanged poll (204, HX-Request)
  pdf      GET /demandes/<id>/pdf       a 3-trip travel invoice's PDF

and, on a database seeded with the queue (``--queue``), as the bench gestionnaire:

  queue, queue_deep, queue_filtered     GET /gestion/ (first page, 80 % down, a filter)
  search_avs, search_name, search_receipt   GET /gestion/?q=… (the three searches)
  queue_poll    the results region's poll (htmx, HX-Trigger: queue-results)
  staff_review  GET /gestion/demandes/<id>  the review screen

While the list shortcut (guichet/invoices/shortcut.py) answers the poll, its one statement goes
to the driver directly, so it is not among the SQL counted here.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import sys
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from run import LAST_STATE  # noqa: E402

PAGES = ("home", "account", "edit", "review", "poll", "pdf", "queue", "queue_deep",
         "queue_filtered", "search_avs", "search_name", "search_receipt", "queue_poll",
         "staff_review")
STAFF = {"queue", "queue_deep", "queue_filtered", "search_avs", "search_name",
         "search_receipt", "queue_poll", "staff_review"}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", default=str(LAST_STATE), metavar="STATE")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sql", action="store_true", help="print each distinct statement")
    parser.add_argument("--timing", action="store_true",
                        help="no profiler: the median and best wall time per request only")
    parser.add_argument("--only", choices=PAGES, action="append",
                        help="profile only this page (repeatable; default: all)")
    args = parser.parse_args(argv)
    pointer = Path(args.reuse)
    state_path = Path(pointer.read_text().strip()) if pointer == LAST_STATE else pointer
    state = json.loads(state_path.read_text())
    if "edit_invoice_id" not in state:
        raise SystemExit("this state comes from an older bench/seed.py (no draft to edit): "
                         "seed again (bench/run.py or bench/seed.py)")

    import seed as seeding
    state = seeding.refresh_session(state)
    from sqlalchemy import event

    from guichet.models.base import db
    app = seeding.make_app(state["database_url"], state["secret_key"], Path(state["workdir"]))
    statements: list[tuple[str, float]] = []

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        started = conn.info["started"].pop()
        statements.append((statement, time.perf_counter() - started))

    client = app.test_client()
    client.set_cookie(state["cookie_name"], state["cookie"], domain="localhost")
    home = client.get("/demandes/")
    assert home.status_code == 200, home.status_code
    stamp = re.search(r'hx-get="([^"]*/demandes/liste\?stamp=[^"]*)"',
                      home.get_data(as_text=True)).group(1).replace("&amp;", "&")
    draft = state["edit_invoice_id"]
    urls = {"home": ("/demandes/?n={n}", {}), "account": ("/compte/", {}),
            "edit": (f"/demandes/{draft}/modifier", {}),
            "review": (f"/demandes/{draft}/verifier", {}),
            "poll": (stamp, {"HX-Request": "true"}),
            "pdf": (f"/demandes/{state['pdf_invoice_id']}/pdf", {})}
    if "queue" in state:
        queue = state["queue"]
        digits = queue["navs13"]
        region = {"HX-Request": "true", "HX-Trigger": "queue-results"}
        urls.update({
            "queue": ("/gestion/", {}), "queue_deep": (f"/gestion/?apres={queue['deep_cursor']}",
                                                       {}),
            "queue_filtered": ("/gestion/?etat=submitted&type=standard&age=7", {}),
            "search_avs": (f"/gestion/?q={digits[:3]}.{digits[3:7]}.{digits[7:11]}."
                           f"{digits[11:]}", {}),
            "search_name": (f"/gestion/?q={queue['name']}", {}),
            "search_receipt": (f"/gestion/?q={queue['receipt'].lower()}", {}),
            "queue_poll": ("/gestion/", region),
            "staff_review": (f"/gestion/demandes/{queue['review_invoice_id']}", {})})
        staff_client = app.test_client()
        staff_client.set_cookie(state["cookie_name"], state["staff_cookie"], domain="localhost")
    for key, (url, headers) in urls.items():
        if args.only and key not in args.only:
            continue
        client_for = staff_client if key in STAFF else client
        expected = 204 if key == "poll" else 200
        for n in range(3):  # warm-up
            assert client_for.get(url.format(n=-n), headers=headers).status_code == expected
        if args.timing:
            times = []
            for n in range(args.requests):
                started = time.perf_counter()
                client_for.get(url.format(n=n), headers=headers)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            print(f"{key:8} median {times[len(times) // 2]:7.2f} ms   best {times[0]:7.2f} ms   "
                  f"({args.requests} requests, in-process, test client)")
            continue
        statements.clear()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for n in range(args.requests):
            client_for.get(url.format(n=n), headers=headers)
        profiler.disable()
        wall = (time.perf_counter() - started) / args.requests * 1000
        sql_ms = sum(t for _s, t in statements) / args.requests * 1000
        print(f"\n=== {key}: {url}  {wall:.2f} ms per request (under cProfile), "
              f"{len(statements) / args.requests:.1f} SQL statements, "
              f"{sql_ms:.2f} ms in the database driver ===")
        shapes = Counter(re.sub(r"\s+", " ", s)[:160] for s, _t in statements)
        if args.sql:
            for shape, count in shapes.most_common():
                print(f"  {count / args.requests:5.1f} x  {shape}")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
        stats.print_stats(args.top)
        print("\n".join(out.getvalue().splitlines()[4:]))
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(
            args.top)
        print("--- by own time ---")
        print("\n".join(out.getvalue().splitlines()[4:]))


if __name__ == "__main__":
    main()
