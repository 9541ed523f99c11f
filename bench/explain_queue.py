"""The query plans of the staff queue's pages, on the last seeded database (``--queue``).

    .venv/bin/python bench/explain_queue.py [--reuse STATE] [--only queue|queue_deep|...]

Each page bench/run.py measures is requested once in-process (test client, the bench
gestionnaire's session); the statements it sends on the invoices table are caught and run
again under ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL or ``EXPLAIN QUERY PLAN`` on SQLite,
with the same parameters. Nothing is written (each EXPLAIN ANALYZE runs in a transaction
that is rolled back).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from run import LAST_STATE  # noqa: E402


def page_urls(state: dict) -> dict[str, str]:
    queue = state["queue"]
    digits = queue["navs13"]
    return {"queue": "/gestion/", "queue_deep": f"/gestion/?apres={queue['deep_cursor']}",
            "queue_filtered": "/gestion/?etat=submitted&type=standard&age=7",
            "search_avs": f"/gestion/?q={digits[:3]}.{digits[3:7]}.{digits[7:11]}.{digits[11:]}",
            "search_name": f"/gestion/?q={queue['name']}",
            "search_receipt": f"/gestion/?q={queue['receipt'].lower()}"}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", default=str(LAST_STATE), metavar="STATE")
    parser.add_argument("--only", action="append")
    args = parser.parse_args(argv)
    pointer = Path(args.reuse)
    state_path = Path(pointer.read_text().strip()) if pointer == LAST_STATE else pointer
    state = json.loads(state_path.read_text())
    if "queue" not in state:
        raise SystemExit("this database was seeded without the queue's side: seed again")

    import seed as seeding
    state = seeding.refresh_session(state)
    from sqlalchemy import event

    from guichet.models.base import db
    app = seeding.make_app(state["database_url"], state["secret_key"], Path(state["workdir"]))
    caught: list[tuple[str, object]] = []
    with app.app_context():
        engine = db.engine
        postgres = engine.dialect.name == "postgresql"

    @event.listens_for(engine, "before_cursor_execute")
    def _catch(conn, cursor, statement, parameters, context, executemany):
        if "FROM invoices" in statement and not statement.lstrip().startswith("EXPLAIN"):
            caught.append((statement, parameters))

    client = app.test_client()
    client.set_cookie(state["cookie_name"], state["staff_cookie"], domain="localhost")
    for key, url in page_urls(state).items():
        if args.only and key not in args.only:
            continue
        client.get(url)  # warm
        caught.clear()
        response = client.get(url)
        assert response.status_code == 200, (key, response.status_code)
        print(f"\n##### {key}: GET {url}")
        for statement, parameters in list(caught):
            print("\n" + " ".join(statement.split()))
            with engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                cursor = raw.cursor()
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
                cursor.execute(prefix + statement, parameters)
                for row in cursor.fetchall():
                    print("   ", row[0] if postgres else " | ".join(map(str, row)))
                raw.rollback()
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
