"""Pictures of a PDF pièce's pages for the staff's review screen, rendered on the server with
PDFium (pypdfium2): no PDF viewer, no active content runs in the gestionnaire's browser, and the
page's CSP stays strict (``img-src 'self'``).

PDFium runs in a child process (:mod:`.pdf_pages_child`) with limits on its memory and CPU time
and a timeout: a hostile or broken PDF makes that child fail, never the request or the web
worker; the screen then says « Aperçu impossible » and keeps the download.

Pages are rendered on demand and kept on disk next to the pièces, in ``<uploads>/.previews/``
(never under ``static/``), keyed by the stored name and the page: ``<stem>.pages`` holds the
page count (``0`` once rendering failed, so that a bad file is not tried again on every view),
``<stem>-w<width>-p<n>.png`` each page. Asking the count renders the first page in the same
child, since the browser asks it next. :func:`forget_previews` removes them with the pièce.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from .storage import InvalidStoredName, is_stored_name, open_stored, upload_folder

log = logging.getLogger(__name__)

#: Width of a page picture in pixels (an A4 page at 150 dpi): the text of an invoice reads.
PAGE_WIDTH = 1240
#: A very tall page is drawn narrower so that its picture stays within this height.
MAX_PAGE_HEIGHT = 3600
#: Pages shown on the screen; the others are in the original (download).
MAX_PAGES = 40
#: Seconds a child may take before it is stopped (its CPU time is limited too).
TIMEOUT = 30

_CHILD = Path(__file__).with_name("pdf_pages_child.py")
_FOLDER = ".previews"


class PreviewUnavailable(Exception):
    """No picture of this page: the PDF could not be rendered, or has no such page."""


def preview_folder() -> Path:
    folder = upload_folder() / _FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _stem(stored_name: str) -> str:
    if not is_stored_name(stored_name) or not stored_name.endswith(".pdf"):
        raise InvalidStoredName(f"not a stored PDF: {stored_name!r}")
    return stored_name.removesuffix(".pdf")


def _prefix(folder: Path, stem: str) -> Path:
    return folder / f"{stem}-w{PAGE_WIDTH}-p"


def _render(stored_name: str, first: int, last: int) -> int:
    """Runs the child on pages ``first``..``last``; the page count it read, 0 when it failed."""
    source = open_stored(stored_name)  # FileNotFoundError: the caller says « impossible »
    folder = preview_folder()
    command = [sys.executable, "-I", str(_CHILD), str(source),
               str(_prefix(folder, _stem(stored_name))), str(PAGE_WIDTH), str(MAX_PAGE_HEIGHT),
               str(first), str(last)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL, env={}, check=False)
    except subprocess.TimeoutExpired:
        log.warning("PDF preview of %s timed out", stored_name)
        return 0
    first_line = done.stdout.split("\n", 1)[0].strip()
    if done.returncode != 0 or not first_line.isdigit():
        log.warning("PDF preview of %s failed (%s): %s", stored_name, done.returncode,
                    done.stderr.strip()[-500:])
        return 0
    return int(first_line)


def page_count(stored_name: str) -> int:
    """How many pages the PDF has; 0 when it cannot be shown (« Aperçu impossible »)."""
    stem = _stem(stored_name)
    counted = preview_folder() / f"{stem}.pages"
    try:
        return int(counted.read_text())
    except (FileNotFoundError, ValueError):
        pass
    try:
        count = _render(stored_name, 1, 1)
    except (FileNotFoundError, InvalidStoredName):
        return 0  # the file is gone: nothing to remember
    _write_atomically(counted, str(count))
    return count


def shown_pages(count: int) -> int:
    return min(count, MAX_PAGES)


def page_image(stored_name: str, page: int) -> Path:
    """The PNG of ``page`` (1-based), rendered now if it is not on disk yet;
    :class:`PreviewUnavailable` when the PDF cannot be shown or has no such page."""
    count = page_count(stored_name)
    if not 1 <= page <= shown_pages(count):
        raise PreviewUnavailable(stored_name)
    path = Path(f"{_prefix(preview_folder(), _stem(stored_name))}{page}.png")
    if not path.is_file():
        try:
            _render(stored_name, page, page)
        except FileNotFoundError:
            raise PreviewUnavailable(stored_name) from None
        if not path.is_file():
            raise PreviewUnavailable(stored_name)
    return path


def forget_previews(stored_name: str) -> None:
    """Removes the pictures and the page count of a stored PDF (with the pièce itself)."""
    if not (is_stored_name(stored_name) and stored_name.endswith(".pdf")):
        return
    folder = upload_folder(create=False) / _FOLDER
    if not folder.is_dir():
        return
    stem = _stem(stored_name)
    for path in folder.glob(f"{stem}*"):
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            log.warning("could not remove preview %s: %s", path.name, error)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.part")
    temporary.write_text(text)
    os.replace(temporary, path)
