"""``flask --app guichet storage check``: every pièce's SHA-256 and size checked against its
row, a file at a time and in blocks; missing files, and orphan files (no row: stored names,
temporary files left by a crash, anything else), the page-picture cache left out; exit code 1
when something is wrong, 0 for a clean store."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from guichet.models import Attachment
from guichet.models.base import db
from guichet.uploads import integrity
from tests.support.people import sent_invoice

OLD = time.time() - 2 * 3600


def folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def check(runner, *extra):
    result = runner.invoke(args=["storage", "check", *extra])
    return result.exit_code, result.output


def aged(path: Path) -> Path:
    os.utime(path, (OLD, OLD))
    return path


@pytest.fixture
def pieces(app, ready):
    """Two sent invoices' pièces, stored; the page-picture cache holds something too."""
    sent_invoice(ready)
    sent_invoice(ready)
    attachments = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert len(attachments) >= 2
    cache = folder(app) / ".previews"
    cache.mkdir(exist_ok=True)
    (cache / "whatever.png").write_bytes(b"x")
    return attachments


def test_a_clean_store_exits_zero(app, runner, pieces):
    code, output = check(runner)
    assert code == 0, output
    assert f"{len(pieces)} pièce(s) vérifiée(s) : 0 altérée(s), 0 manquante(s) ; " \
           "0 fichier(s) orphelin(s)." in output
    assert "Tout est en ordre." in output


def test_a_corrupted_a_missing_and_orphan_files_are_found(app, runner, pieces):
    corrupted, missing = pieces[0], pieces[1]
    path = folder(app) / corrupted.stored_name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    path.write_bytes(bytes(data))
    (folder(app) / missing.stored_name).unlink()
    orphan = folder(app) / ("ab" * 16 + ".pdf")
    orphan.write_bytes(b"%PDF-1.4 nobody's")
    aged(orphan)
    leftover = folder(app) / ".incoming-x1y2.part"
    leftover.write_bytes(b"half")
    aged(leftover)
    foreign = folder(app) / "notes.txt"
    foreign.write_text("mis là à la main")
    young = folder(app) / ("cd" * 16 + ".png")  # being stored right now: not an orphan yet
    young.write_bytes(b"png")

    code, output = check(runner)
    assert code == 1
    assert f"ALTÉRÉE pièce n° {corrupted.id} {corrupted.stored_name} : empreinte SHA-256 " \
           "différente" in output
    assert f"MANQUANTE pièce n° {missing.id} {missing.stored_name}" in output
    for name in (orphan.name, leftover.name, foreign.name):
        assert f"ORPHELIN {name}" in output
    assert young.name not in output
    assert ".previews" not in output and "whatever.png" not in output
    assert "1 altérée(s), 1 manquante(s) ; 3 fichier(s) orphelin(s)." in output
    assert "Des problèmes ont été trouvés." in output
    code, output = check(runner, "--min-age", "0")
    assert f"ORPHELIN {young.name}" in output


def test_a_file_of_another_size_is_corrupted(app, runner, pieces):
    path = folder(app) / pieces[0].stored_name
    with path.open("ab") as handle:
        handle.write(b"more")
    code, output = check(runner)
    assert code == 1 and f"ALTÉRÉE pièce n° {pieces[0].id}" in output


def test_no_folder_and_no_piece_is_clean(app, runner):
    code, output = check(runner)
    assert code == 0 and "0 pièce(s) vérifiée(s)" in output


def test_files_are_read_in_blocks(tmp_path, monkeypatch):
    path = tmp_path / "big.bin"
    path.write_bytes(b"a" * (3 * 1024 + 5))
    monkeypatch.setattr(integrity, "BLOCK", 1024)
    reads = []
    real_open = Path.open

    def spying_open(self, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        real_read = handle.read

        def read(size=-1):
            reads.append(size)
            return real_read(size)
        handle.read = read
        return handle

    monkeypatch.setattr(Path, "open", spying_open)
    import hashlib
    assert integrity.file_digest(path) == (hashlib.sha256(b"a" * (3 * 1024 + 5)).hexdigest(),
                                           3 * 1024 + 5)
    assert reads and all(size == 1024 for size in reads)
