"""Reading the QR codes of a pièce (issue 11): time and peak memory of ``read_codes`` on the
files it is meant for, each read N times through the real child process.

    .venv/bin/python bench/qr_read.py                 # 15 reads of each file
    .venv/bin/python bench/qr_read.py --runs 5        # quicker
    .venv/bin/python bench/qr_read.py --sweep 100     # … and how many of 100 varied photos read

The files come from ``tests/support/qrbill_files.py``: the two of the aim (a 3-page A4 PDF with
the QR-bill on the last page and a website's code beside it; a 12-megapixel phone photo of a
bill, turned 7°, blurred, JPEG quality 60), then the slow cases (the same without any code,
where every pass is tried), a photo sent through a messenger (the page 830 pixels wide), a PNG
scan at 300 dpi, and the start-up alone (a 1 × 1 PNG). Each read must give the expected codes.

Time is the wall-clock time of ``read_codes_detailed`` (what ``read_codes`` calls) as the web
worker would wait for it: the child's start-up, imports and work. Memory is the child's own
peak resident set (``VmHWM``, which it reports: ``ru_maxrss`` of a child started by fork + exec
carries the parent's peak, here the generated photos'). Aim: under 300 ms and 150 MB for each
of the first two.

``--sweep N`` reads N photos drawn at random (seeded) in two families, messenger-sized
(the page 0.28–0.4 of its 300 dpi size, turned ±15° plus a quarter turn, blurred 0.6–1.3
pixels, quality 50–75, grey or colour) and 12 megapixels (page 35–90 % of the height, ±15°
plus a quarter turn, blur 0.5–3 pixels), and prints how many were read, by family.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from guichet.qrbill import reader  # noqa: E402
from tests.support import qrbill_files as files  # noqa: E402

AIM_MS = 300
AIM_MB = 150
WEBSITE = "https://www.audition-plus.ch/"


def cases() -> list[tuple[str, str, bytes, set[str], bool]]:
    """(name, content type, data, expected codes, measured against the aim)."""
    from io import BytesIO

    from PIL import Image

    tiny = BytesIO()
    Image.new("L", (1, 1), 255).save(tiny, format="PNG")
    bill, accents = files.SIX_EXAMPLE, files.NEUCHATEL_EXAMPLE
    return [
        ("PDF, 3 pages, bill on the last", reader.PDF,
         files.bill_pdf(bill, pages=3, other_codes=[WEBSITE]), {bill, WEBSITE}, True),
        ("photo, 12 MP, 7°, q60", reader.JPEG,
         files.bill_photo(accents, megapixels=12), {accents}, True),
        ("PDF, 3 pages, no code", reader.PDF, files.bill_pdf(None, pages=3), set(), False),
        ("photo, 12 MP, no code", reader.JPEG,
         files.bill_photo(None, megapixels=12), set(), False),
        ("photo, messenger (1 MP), 7°", reader.JPEG, files.bill_photo(bill), {bill}, False),
        ("photo, messenger, no code", reader.JPEG, files.bill_photo(None), set(), False),
        ("PNG scan, 300 dpi (8.7 MP)", reader.PNG, files.bill_png(bill), {bill}, False),
        ("start-up: a 1 × 1 PNG", reader.PNG, tiny.getvalue(), set(), False),
    ]


def measure(folder: Path, runs: int) -> bool:
    print(f"{'file':34} {'median':>8} {'max':>8} {'peak':>8}  {'child':>7}  aim")
    all_met = True
    for number, (name, content_type, data, expected, aimed) in enumerate(cases()):
        path = folder / f"case-{number}"
        path.write_bytes(data)
        times, peaks, child = [], [], []
        for _ in range(runs):
            started = time.perf_counter()
            reading = reader.read_codes_detailed(path, content_type)
            times.append(time.perf_counter() - started)
            if reading.outcome != "read" or set(reading.codes) != expected:
                print(f"{name}: WRONG ANSWER {reading}")
                return False
            peaks.append(reading.peak_rss_kib or 0)
            child.append(reading.seconds or 0)
        median_ms, max_ms = statistics.median(times) * 1000, max(times) * 1000
        peak_mb = max(peaks) / 1024
        verdict = ""
        if aimed:
            met = median_ms < AIM_MS and peak_mb < AIM_MB
            all_met = all_met and met
            verdict = "met" if met else "NOT MET"
            if met and max_ms >= AIM_MS:
                verdict += " (max above)"
        print(f"{name:34} {median_ms:6.0f} ms {max_ms:6.0f} ms {peak_mb:5.0f} MB "
              f"{statistics.median(child) * 1000:5.0f} ms  {verdict}")
    print("(child: its own time from its first line, imports included; the rest is the "
          "interpreter's start)")
    return all_met


def sweep(folder: Path, count: int) -> None:
    rng = random.Random(11)
    read = {"messenger": [0, 0], "12 MP": [0, 0]}
    failures = []
    for number in range(count):
        text = rng.choice((files.SIX_EXAMPLE, files.NEUCHATEL_EXAMPLE))
        turn = rng.uniform(-15, 15) + rng.choice((0, 0, 90, 180, 270))
        if number % 2:
            family = "12 MP"
            options = dict(megapixels=12, fill=rng.uniform(0.35, 0.9), blur=rng.uniform(0.5, 3))
        else:
            family = "messenger"
            options = dict(scale=rng.uniform(0.28, 0.4), blur=rng.uniform(0.6, 1.3))
        options.update(rotate=turn, quality=rng.choice((50, 60, 75)), grey=rng.random() < 0.5,
                       seed=number)
        path = folder / "sweep.jpg"
        path.write_bytes(files.bill_photo(text, **options))
        found = text in reader.read_codes(path, reader.JPEG)
        read[family][0] += found
        read[family][1] += 1
        if not found:
            failures.append((family, {key: round(value, 2) if isinstance(value, float) else value
                                      for key, value in options.items()}))
    for family, (found, total) in read.items():
        print(f"sweep, {family}: {found} of {total} read")
    for family, options in failures:
        print(f"  not read ({family}): {options}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15, help="reads of each file (15)")
    parser.add_argument("--sweep", type=int, default=0, metavar="N",
                        help="also read N varied photos and count those read")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="guichet-qr-") as folder:
        met = measure(Path(folder), arguments.runs)
        if arguments.sweep:
            sweep(Path(folder), arguments.sweep)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
