"""Pièces justificatives: checking uploads, storing them, and the virus-scanner hook."""
from __future__ import annotations

from .accept import Accepted, AcceptedFile, accept
from .inspect import (CONTENT_TYPES, CleanFile, RejectedUpload, check_total, inspect_storage,
                      inspect_upload)
from .scanner import scan
from .storage import (InvalidStoredName, delete_after_commit, delete_stored, open_stored,
                      orphan_files, store)

__all__ = [
    "Accepted", "AcceptedFile", "accept", "CONTENT_TYPES", "CleanFile", "InvalidStoredName", "RejectedUpload", "check_total",
    "delete_after_commit", "delete_stored", "inspect_storage", "inspect_upload", "open_stored",
    "orphan_files", "scan", "store",
]
