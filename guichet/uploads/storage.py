"""Where pièces live: ``<instance>/uploads/`` (``UPLOAD_FOLDER``), never under ``static/``.

Each file gets a random name (32 hex digits and the extension of its checked type) and is
written atomically: a temporary file in the same folder, fsync, then ``os.replace``. Only names
of exactly that pattern are ever opened or deleted, so a name from the database cannot walk
out of the folder.

Files follow the unit of work of the request that writes or replaces them: a file written by
:func:`store` is removed again if the unit rolls back (a failure at the k-th file, or at the
commit, leaves no orphan), and :func:`delete_after_commit` removes files only once the change
that forgot them is committed.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from flask import current_app

from guichet.core.unit_of_work import after_commit, after_rollback

from .inspect import CleanFile

log = logging.getLogger(__name__)

STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:pdf|jpg|png)")
_TEMP_PREFIX = ".incoming-"
_TEMP_SUFFIX = ".part"


class InvalidStoredName(ValueError):
    """A stored name that is not one of ours (possibly a path traversal attempt)."""


def upload_folder(create: bool = True) -> Path:
    """The folder of the pièces; refuses a configuration that would put it under static/."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    instance = Path(current_app.instance_path)
    folder = (instance / configured if configured else instance / "uploads").resolve()
    static = current_app.static_folder
    if static:
        static_path = Path(static).resolve()
        if folder == static_path or static_path in folder.parents:
            raise RuntimeError(f"UPLOAD_FOLDER must not be under static/: {folder}")
    if create:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def is_stored_name(name: object) -> bool:
    return isinstance(name, str) and STORED_NAME.fullmatch(name) is not None


def _checked(stored_name: str) -> str:
    if not is_stored_name(stored_name):
        raise InvalidStoredName(f"not a stored file name: {stored_name!r}")
    return stored_name


def store(clean: CleanFile) -> str:
    """Writes the file under a new random name and returns that name; the file is removed
    again if the current unit of work rolls back."""
    folder = upload_folder()
    fd, temp = tempfile.mkstemp(dir=folder, prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(clean.data)
            handle.flush()
            os.fsync(handle.fileno())
        while True:
            name = secrets.token_hex(16) + clean.extension
            target = folder / name
            if not target.exists():
                break
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    after_rollback(lambda: delete_many([name]))
    return name


def delete_after_commit(stored_names) -> None:
    """Removes these files once the current unit of work has committed (never before: a
    rollback keeps the rows that point at them)."""
    names = list(stored_names)
    if names:
        after_commit(lambda: delete_many(names))


def _fsync_folder(folder: Path) -> None:
    """Makes the rename itself durable (best effort: not every platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def open_stored(stored_name: str) -> Path:
    """The path of a stored file; ``InvalidStoredName`` for a foreign name,
    ``FileNotFoundError`` when the file is gone."""
    path = upload_folder(create=False) / _checked(stored_name)
    if not path.is_file():
        raise FileNotFoundError(stored_name)
    return path


def delete_stored(stored_name: str) -> None:
    """Removes a stored file; a missing one is fine."""
    path = upload_folder(create=False) / _checked(stored_name)
    path.unlink(missing_ok=True)
    from .preview import forget_previews  # its page pictures go with it (preview imports us)
    forget_previews(stored_name)


def delete_many(stored_names) -> None:
    """Removes several stored files, logging (not raising) what could not be removed."""
    for name in stored_names:
        try:
            delete_stored(name)
        except (OSError, InvalidStoredName) as error:
            log.warning("could not remove stored file %r: %s", name, error)


def orphan_files(known_names: set[str], *, min_age: float = 3600.0) -> list[Path]:
    """Files in the folder that no row knows: stored files not in ``known_names`` and
    temporary files left by a crash. Only files older than ``min_age`` seconds, so that a
    request storing files right now (not yet committed) is left alone."""
    folder = upload_folder(create=False)
    if not folder.is_dir():
        return []
    cutoff = time.time() - min_age
    orphans = []
    for path in folder.iterdir():
        name = path.name
        ours = is_stored_name(name) and name not in known_names
        temp = name.startswith(_TEMP_PREFIX) and name.endswith(_TEMP_SUFFIX)
        if not (ours or temp) or not path.is_file() or path.is_symlink():
            continue
        try:
            if path.stat().st_mtime <= cutoff:
                orphans.append(path)
        except FileNotFoundError:
            continue
    return sorted(orphans)
