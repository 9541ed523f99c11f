"""A batch of 500 validated invoices with 2 pièces each, built and rendered: time, peak
memory, file size.

    .venv/bin/python bench/batch_pdf.py                     # 500 invoices, temp SQLite
    .venv/bin/python bench/batch_pdf.py --invoices 50       # quicker, while developing
    .venv/bin/python bench/batch_pdf.py --keep              # keep the PDF and the database

Seeds a temp SQLite database (the schema from the migrations, people and invoices as
``bench/seed.py`` builds them: every invoice « Validée », one in ten with a reduced line, one in
five with a second visa), writes two real pièces per invoice into the upload folder (a 1-page
PDF and a JPEG photo of about 1 600 × 1 200 pixels, both marked clean), then, in a fresh child
process (so that its peak memory is the work's own), builds the batch as « Nouveau lot » does
(``transmission.build_batch``: every « Validée » invoice in no batch yet), writes its PDF to a
file as the download does (``write_batch_pdf`` over ``transmission.iter_batch_invoices``, a few
invoices loaded at a time) and makes its CSV list.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import seed as seeding  # noqa: E402



def _piece_files() -> tuple[bytes, bytes]:
    """A 1-page PDF (a supplier's invoice: a few lines of text) and a JPEG photo of a
    receipt (noise, so that it compresses like a photo: ~300–400 kB)."""
    import pikepdf
    from PIL import Image
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    lines = "".join(f"BT /F1 11 Tf 72 {780 - 16 * n} Td (Ligne {n + 1} de la facture du "
                    f"fournisseur, 123.45 CHF) Tj ET\n" for n in range(30))
    page.Contents = pdf.make_stream(lines.encode())
    out = io.BytesIO()
    pdf.save(out)
    rng = random.Random(7)
    image = Image.effect_noise((1600, 1200), 12).convert("RGB")
    image.paste((rng.randint(200, 255),) * 3, (200, 150, 1400, 1050))
    photo = io.BytesIO()
    image.save(photo, "JPEG", quality=85)
    return out.getvalue(), photo.getvalue()


def seed_batch(workdir: Path, invoices: int) -> dict:
    """The database and the files; returns what the child needs."""
    warnings.filterwarnings("ignore", message=".*Decimal objects natively.*")
    database_url = f"sqlite:///{workdir / 'batch.sqlite3'}"
    secret_key = secrets.token_urlsafe(32)
    app = seeding.make_app(database_url, secret_key, workdir)
    from flask_migrate import upgrade
    from sqlalchemy import select

    from guichet.core.passwords import hash_password
    from guichet.core.unit_of_work import unit_of_work
    from guichet.invoices.view import InvoiceView
    from guichet.models import Invoice, ReviewDecision
    from guichet.models.base import db

    rng = random.Random(1)
    now = datetime.now(timezone.utc)
    with app.app_context():
        upgrade(revision="head")
        builder = seeding.Builder(rng, now, hash_password("bench guichet neuchatel"))
        people = [builder.insured(index, f"assure{index:05d}@example.ch",
                                  with_child=rng.random() < 0.25,
                                  with_assistance=rng.random() < 0.3)
                  for index in range(max(10, invoices // 5))]
        builder.staff()
        first_staff = builder.staff_id
        builder.staff()
        builder.rows["users"][-1].update(email="visa.bench@example.ch", prenom="Paul",
                                         nom="Second")
        second_staff = builder.staff_id
        builder.staff_id = first_staff
        ids = []
        for number in range(invoices):
            created = now - timedelta(days=rng.randint(3, 40))
            spec = builder.invoice_spec(rng.choice(people), created, status="accepted")
            ids.append(builder.write_invoice(spec, f"NE-2026-{number + 1:06d}"))
        builder.rows["receipt_counters"].append({"id": 1, "prefix": "NE", "year": 2026,
                                                 "last": invoices})
        # two real pièces per invoice instead of the seed's rows without files
        builder.rows["attachments"] = []
        folder = workdir / "uploads"
        folder.mkdir(mode=0o700, exist_ok=True)
        pdf_data, jpeg_data = _piece_files()
        pieces = ((pdf_data, ".pdf", "application/pdf", "supplier_invoice", "facture.pdf"),
                  (jpeg_data, ".jpg", "image/jpeg", "other", "photo-quittance.jpg"))
        for invoice_id in ids:
            for data, extension, content_type, requirement, filename in pieces:
                stored = secrets.token_hex(16) + extension
                (folder / stored).write_bytes(data)
                builder.rows["attachments"].append({
                    "id": builder.ids.next("attachments"), "invoice_id": invoice_id,
                    "requirement": requirement, "filename": filename, "stored_name": stored,
                    "content_type": content_type, "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(), "scan_status": "clean",
                    "uploaded_at": now - timedelta(days=2), "complement_request_id": None})
        seeding.insert_all(db.engine, builder.rows)
        seeding.freeze_sent(app, ids)
        # the validations (per line, as review.validate writes them), then the totals
        with app.test_request_context(), unit_of_work():
            control_sum = Decimal("0.00")
            for invoice_id in ids:
                invoice = db.session.get(Invoice, invoice_id)
                lines = InvoiceView(invoice).lines
                amounts = []
                for index, line in enumerate(lines):
                    approved = line.amount
                    reduced = invoice_id % 10 == 0 and index == 0 and line.amount > 1
                    if reduced:
                        approved = (line.amount * Decimal("0.8")).quantize(Decimal("0.01"))
                    amounts.append({"claimed": str(line.amount), "approved": str(approved),
                                    "reason_code": "above_rate" if reduced else None,
                                    "reason": "Tarif plafonné" if reduced else ""})
                total = sum((Decimal(a["approved"]) for a in amounts), Decimal("0.00"))
                decided = now - timedelta(days=1)
                visa = invoice_id % 5 == 0
                db.session.add(ReviewDecision(
                    invoice_id=invoice_id, outcome="accepted", decided_by=first_staff,
                    decided_at=decided, total_approved=total, line_amounts=amounts,
                    visa_reasons=["sample"] if visa else [], reason_text="", visa_note="",
                    visa_by=second_staff if visa else None,
                    visa_at=decided + timedelta(hours=3) if visa else None,
                    visa_outcome="confirmed" if visa else None))
                invoice.total_approved = total
                control_sum += total
                db.session.flush()
                db.session.expunge_all()
        count = db.session.scalar(select(db.func.count()).select_from(Invoice).where(
            Invoice.status == "accepted"))
        db.engine.dispose()
    return {"database_url": database_url, "secret_key": secret_key, "workdir": str(workdir),
            "ids": ids, "count": count, "control_sum": str(control_sum),
            "staff_id": first_staff}


def _peak_rss_mb() -> float:
    """The process's peak resident memory (``VmHWM``, MB). ``ru_maxrss`` is printed too, but
    on Linux a child started by fork + exec inherits the parent's peak in it (the seeding's):
    ``VmHWM`` belongs to the process's own memory, from its exec on."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def render(state_path: str, tracemalloc_on: bool) -> dict:
    """In the child: the app, then the batch PDF to a temp file; the figures."""
    state = json.loads(Path(state_path).read_text())
    if tracemalloc_on:
        import tracemalloc
        tracemalloc.start()
    started = time.perf_counter()
    from guichet.core.unit_of_work import unit_of_work
    from guichet.invoices import batch_list, transmission
    from guichet.invoices.transmission_pdf import write_batch_pdf
    from guichet.models import User
    from guichet.models.base import db
    workdir = Path(state["workdir"])
    app = seeding.make_app(state["database_url"], state["secret_key"], workdir)
    rss_before = _peak_rss_mb()
    with app.test_request_context():
        ready = time.perf_counter()
        # built as « Nouveau lot » builds it: every « Validée » invoice in no batch yet
        with unit_of_work():
            batch = transmission.build_batch(db.session.get(User, state["staff_id"]))
            batch_id = batch.id
        built = time.perf_counter()
        batch = db.session.get(type(batch), batch_id)
        assert batch.count == state["count"], (batch.count, state["count"])
        assert str(batch.control_sum) == state["control_sum"]
        target = workdir / f"{batch.number}.pdf"
        with target.open("wb") as out:  # as the download writes it
            write_batch_pdf(out, batch, transmission.iter_batch_invoices(batch))
        rendered = time.perf_counter()
        csv_size = len(batch_list.batch_list_bytes(batch))
        done = time.perf_counter()
    figures = {"invoices": batch.count, "seconds_app": round(ready - started, 2),
               "seconds_build": round(built - ready, 2),
               "seconds_render": round(rendered - built, 2),
               "seconds_csv": round(done - rendered, 2), "csv_kb": round(csv_size / 1024, 1),
               "peak_rss_mb": _peak_rss_mb(),
               "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
               "peak_rss_before_render_mb": rss_before,
               "file_mb": round(target.stat().st_size / 1024 / 1024, 1), "pdf": str(target)}
    if tracemalloc_on:
        import tracemalloc
        figures["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
    from pypdf import PdfReader
    figures["pages"] = len(PdfReader(target).pages)
    return figures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python allocations (slower)")
    parser.add_argument("--render", metavar="STATE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.render:
        sys.stdout.write(json.dumps(render(args.render, args.tracemalloc)) + "\n")
        return
    workdir = Path(tempfile.mkdtemp(prefix="guichet-batch-bench-"))
    try:
        started = time.perf_counter()
        state = seed_batch(workdir, args.invoices)
        seeded = time.perf_counter() - started
        state_path = workdir / "state.json"
        state_path.write_text(json.dumps(state))
        command = [sys.executable, __file__, "--render", str(state_path)]
        if args.tracemalloc:
            command.append("--tracemalloc")
        child = subprocess.run(command, capture_output=True, text=True, check=False,
                               env={**os.environ, "PYTHONHASHSEED": "0"})
        if child.returncode:
            sys.stderr.write(child.stderr)
            raise SystemExit(child.returncode)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        figures["seconds_seed"] = round(seeded, 1)
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        if args.keep:
            sys.stdout.write(f"kept in {workdir}\n")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
