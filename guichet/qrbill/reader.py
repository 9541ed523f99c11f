"""The QR codes printed on a pièce: their texts, for the QR-bill's parser to try in turn.

A pièce is a stored file the upload checks accepted: a PDF, or a JPEG or PNG re-encoded from
its pixels. Its decoding (PDFium, Pillow, zxing-cpp) runs in a child process
(:mod:`.reader_child`, the pattern of :mod:`guichet.uploads.preview`) started with an empty
environment, that limits its own memory, CPU time and file writes, within a wall-clock budget:
a hostile or broken file makes that child fail or time out, never the web worker, and the
person's form is simply not filled in. :func:`read_codes` never raises.

Bounds: at most the last :data:`MAX_PAGES` pages of a PDF (a code on an earlier page is not
read: the payment part is at the end of an invoice), each rendered within
:data:`MAX_PAGE_PIXELS`; no picture above :data:`MAX_PIXELS` is decoded at all; a file that
takes more than :data:`TIME_BUDGET` seconds, the child's start-up included, is not read.
"""
from __future__ import annotations

import json
import logging
import os
import select
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec
from pathlib import Path

log = logging.getLogger(__name__)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
CONTENT_TYPES = (PDF, JPEG, PNG)

#: The PDF pages read, counted from the last one.
MAX_PAGES = 3
#: A picture above this many pixels is not read at all (the upload checks refuse it too).
MAX_PIXELS = 40_000_000
#: A PDF page is rendered within this many pixels: A4 at 300 dpi (8.7 million) fits, a larger
#: page is rendered at a lower resolution.
MAX_PAGE_PIXELS = 9_000_000
#: Seconds of wall-clock time for one file, the child's start-up included.
TIME_BUDGET = 5.0
#: The most the child may write on its standard output (and error): a page crowded with the
#: largest QR codes answers well under this.
ANSWER_BYTES = 1024 * 1024

_CHILD = Path(__file__).with_name("reader_child.py")
_CHILD_LIBRARIES = ("PIL", "pypdfium2", "pypdfium2_raw", "zxingcpp")


@dataclass(frozen=True)
class Reading:
    """What became of one file.

    ``outcome``: ``"read"`` (``codes`` may still be empty), ``"unsupported"`` (a content type
    that is not read), ``"missing"``, ``"pixels"`` (a picture above :data:`MAX_PIXELS`),
    ``"timeout"`` or ``"failed"`` (a broken file, a limit hit). ``peak_rss_kib`` and
    ``seconds``: the child's own peak memory, and its time after start-up, when it finished.
    """

    outcome: str
    codes: list[str] = field(default_factory=list)
    peak_rss_kib: int | None = None
    seconds: float | None = None


def read_codes(path: Path, content_type: str) -> list[str]:
    """The texts of the QR codes in the pièce at ``path``, each once, in the order to try
    them: for a PDF its pages from the last to the first (at most :data:`MAX_PAGES`), on a
    page in zxing's order. ``[]`` when there is none, and whenever the file cannot be read."""
    return read_codes_detailed(path, content_type).codes


def read_codes_detailed(path: Path, content_type: str) -> Reading:
    """:func:`read_codes` with what happened (for logs, tests and ``bench/qr_read.py``)."""
    if content_type not in CONTENT_TYPES:
        return Reading("unsupported")
    try:
        path = Path(path)
        if not path.is_file():
            log.warning("QR codes not read: no file at %s", path)
            return Reading("missing")
        return _run_child(path, content_type)
    except Exception:  # never the caller's problem: the form is just not filled in
        log.warning("QR codes not read from %s", path, exc_info=True)
        return Reading("failed")


def _child_command(path: Path, content_type: str) -> list[str]:
    # its CPU limit: the budget and some slack (the wall-clock budget stops it first)
    settings = {"max_pixels": MAX_PIXELS, "max_page_pixels": MAX_PAGE_PIXELS,
                "max_pages": MAX_PAGES, "cpu_seconds": int(TIME_BUDGET) + 2,
                "answer_bytes": ANSWER_BYTES}
    # -I: no environment variables, no user site, not the current folder on sys.path;
    # -S: no site module (its .pth files cost a third of the start-up): the child is given
    # the folders of its libraries instead.
    return [sys.executable, "-I", "-S", str(_CHILD), content_type, str(path.absolute()),
            json.dumps(settings), *_library_folders()]


@cache
def _library_folders() -> tuple[str, ...]:
    """The folders from which the child imports its libraries: where this process finds them
    (without importing them)."""
    folders: list[str] = []
    for name in _CHILD_LIBRARIES:
        spec = find_spec(name)
        if spec is None or not spec.origin:
            continue
        origin = Path(spec.origin)
        folder = str(origin.parent.parent if spec.submodule_search_locations else origin.parent)
        if folder not in folders:
            folders.append(folder)
    return tuple(folders)


def _run_child(path: Path, content_type: str) -> Reading:
    budget = TIME_BUDGET
    # Files, not pipes: the child's RLIMIT_FSIZE bounds what it can make this process read.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(_child_command(path, content_type), stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=err, env={})
        try:
            in_time = _wait(child, budget)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        if not in_time:
            log.warning("QR codes not read from %s: more than %s s", path.name, budget)
            return Reading("timeout")
        out.seek(0)
        err.seek(0)
        answers = _answers(out.read(ANSWER_BYTES))
        errors = err.read(ANSWER_BYTES).decode("utf-8", "replace").strip()
    finished = answers[-1] if answers and answers[-1].get("done") is True else None
    if child.returncode != 0 or finished is None:
        log.warning("QR codes not read from %s (status %s): %s", path.name, child.returncode,
                    errors[-500:])
        return Reading("failed")
    peak, seconds = finished.get("peak_rss_kib"), finished.get("seconds")
    refused = next((answer for answer in answers if "refused" in answer), None)
    if refused is not None:
        log.warning("QR codes not read from %s: %s × %s pixels, more than %s", path.name,
                    refused.get("width"), refused.get("height"), MAX_PIXELS)
        return Reading("pixels", peak_rss_kib=peak, seconds=seconds)
    return Reading("read", _codes_in_order(answers), peak, seconds)


def _wait(child: subprocess.Popen, seconds: float) -> bool:
    """Whether ``child`` ended within ``seconds``. Waits on a pidfd (Linux): ``Popen.wait``
    with a timeout polls, and its sleeps grow to 50 ms, which made every read 40 ms later."""
    try:
        pidfd = os.pidfd_open(child.pid)
    except (AttributeError, OSError):
        try:
            child.wait(seconds)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        waiting = select.poll()  # not select.select: a worker's descriptors may pass 1024
        waiting.register(pidfd, select.POLLIN)
        ended = bool(waiting.poll(max(seconds, 0) * 1000))
    finally:
        os.close(pidfd)
    if ended:
        child.wait()
    return ended


def _answers(stdout: bytes) -> list[dict]:
    """The child's JSON lines; a line that is not a JSON object ends them."""
    answers = []
    for line in stdout.decode("ascii", "replace").splitlines():
        try:
            answer = json.loads(line)
        except ValueError:
            break
        if not isinstance(answer, dict):
            break
        answers.append(answer)
    return answers


def _codes_in_order(answers: list[dict]) -> list[str]:
    """Every text once, page by page in the order the child first read them (the last page
    first), each page's codes in the order its passes found them."""
    by_page: dict[object, list[str]] = {}
    for answer in answers:
        codes = answer.get("codes")
        if isinstance(codes, list):
            page = by_page.setdefault(answer.get("page"), [])
            page.extend(code for code in codes if isinstance(code, str))
    return list(dict.fromkeys(code for codes in by_page.values() for code in codes))
