"""``flask --app guichet storage check``: does the uploads folder hold exactly the pièces the
database knows, each as it was received? For backups and restores (README « Sauvegarde et
restauration »), and after a crash of the purge between its commit and its files.

Every pièce's file is read in blocks (never whole) and its SHA-256 and size compared with its
row; files of the folder that no row knows are listed as orphans (stored names, temporary files
left by a crash, and anything else put there by hand), those older than ``min_age`` seconds
only, so that an upload being stored right now is not one. The page-picture cache
(``.previews/``) is left out: it is rebuilt on demand.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from guichet.models import Attachment
from guichet.models.base import db

from .storage import is_stored_name, orphan_files, upload_folder

BLOCK = 1024 * 1024
#: Left out of the orphans: the page-picture cache, and what a file system puts at its root
#: (an uploads folder of its own).
_NOT_OURS = {".previews", "lost+found"}


@dataclass
class StorageReport:
    folder: Path
    checked: int = 0
    corrupted: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, why)
    missing: list[tuple[int, str]] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.corrupted or self.missing or self.orphans)

    def lines(self) -> list[str]:
        lines = [f"Dossier des pièces : {self.folder}",
                 f"{self.checked} pièce(s) vérifiée(s) : {len(self.corrupted)} altérée(s), "
                 f"{len(self.missing)} manquante(s) ; {len(self.orphans)} fichier(s) "
                 "orphelin(s)."]
        lines += [f"ALTÉRÉE pièce n° {attachment_id} {name} : {why}"
                  for attachment_id, name, why in self.corrupted]
        lines += [f"MANQUANTE pièce n° {attachment_id} {name}" for attachment_id, name
                  in self.missing]
        lines += [f"ORPHELIN {name}" for name in self.orphans]
        lines.append("Tout est en ordre." if self.ok else "Des problèmes ont été trouvés.")
        return lines


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256 in hex, size) of a file, read a block at a time."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def check_storage(min_age: float = 3600.0, batch: int = 1000) -> StorageReport:
    folder = upload_folder(create=False)
    report = StorageReport(folder)
    known: set[str] = set()
    last_id = 0
    while True:  # a batch of rows at a time, by id
        rows = db.session.execute(
            select(Attachment.id, Attachment.stored_name, Attachment.sha256, Attachment.size)
            .where(Attachment.id > last_id).order_by(Attachment.id).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            report.checked += 1
            known.add(row.stored_name)
            _check_one(report, folder, row)
        last_id = rows[-1].id
    report.orphans = [path.name for path in orphan_files(known, min_age=min_age)]
    report.orphans += _foreign_files(folder, known)
    report.orphans.sort()
    return report


def _check_one(report: StorageReport, folder: Path, row) -> None:
    if not is_stored_name(row.stored_name):
        report.corrupted.append((row.id, row.stored_name, "nom de fichier invalide"))
        return
    path = folder / row.stored_name
    if not path.is_file():
        report.missing.append((row.id, row.stored_name))
        return
    try:
        sha256, size = file_digest(path)
    except OSError as error:
        report.corrupted.append((row.id, row.stored_name, f"illisible ({error.strerror})"))
        return
    if sha256 != row.sha256:
        report.corrupted.append((row.id, row.stored_name, "empreinte SHA-256 différente"))
    elif size != row.size:
        report.corrupted.append((row.id, row.stored_name, "taille différente"))


def _foreign_files(folder: Path, known: set[str]) -> list[str]:
    """What else lies in the folder: neither one of our stored names nor a temporary file of
    ours nor the cache (``orphan_files`` leaves those out)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        name = path.name
        if name in _NOT_OURS and path.is_dir():
            continue
        if is_stored_name(name) or (name.startswith(".incoming-") and name.endswith(".part")):
            continue
        found.append(name + ("/" if path.is_dir() else ""))
    return found


