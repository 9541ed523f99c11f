"""The administrators' uploads of the office register and of the decisions (CSV): the page
with both forms, and the report of an import (added, updated, unchanged, each refused line with
its reason), in the command line's words. A refused file answers 422 with its reason on the
field; nothing of it is kept."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from guichet.core.access import admin_required
from guichet.register.imports import BadRegisterFile

from . import imports
from .blueprint import bp
from .forms import ImportFileForm

#: The endpoints that take a file: their requests may be as large as the file allowed.
IMPORT_ENDPOINTS = {"staff.import_register_file", "staff.import_decisions_file"}


@bp.url_value_preprocessor
def _import_size_limit(endpoint, values):
    """Before the CSRF check reads the body: the import forms carry up to
    ``REGISTER_IMPORT_MAX_BYTES`` (and a little for the rest of the form); a larger file is
    then refused with its own message rather than the generic « trop volumineux »."""
    if endpoint in IMPORT_ENDPOINTS:
        request.max_content_length = 2 * imports.max_bytes() + 64 * 1024


def _page(status: int = 200, forms: dict | None = None, report=None, imported: str = ""):
    forms = forms or {}
    for kind in imports.KINDS:
        forms.setdefault(kind, ImportFileForm(formdata=None, prefix=kind))
    return render_template("staff/imports.html", forms=forms, report=report, imported=imported,
                           max_bytes=imports.max_bytes()), status


def _import(kind: str):
    form = ImportFileForm(prefix=kind)
    if not form.validate():
        return _page(422, forms={kind: form})
    try:
        report = imports.import_upload(current_user, kind, form.file.data.stream)
    except BadRegisterFile as refused:
        form.file.errors = [refused.refusal()]
        return _page(422, forms={kind: form})
    return _page(report=report, imported=kind)


@bp.route("/registre")
@admin_required
def show_imports():
    """The two upload forms, with the columns each file must have."""
    return _page()


@bp.route("/registre/personnes", methods=["POST"])
@admin_required
def import_register_file():
    """Imports the register as ``flask register import`` does; the page shows the report."""
    return _import(imports.REGISTER)


@bp.route("/registre/decisions", methods=["POST"])
@admin_required
def import_decisions_file():
    """Imports the decisions as ``flask register import-decisions`` does; the page shows the
    report."""
    return _import(imports.DECISIONS)
