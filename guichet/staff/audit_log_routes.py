"""The audit log for the administrators (``/gestion/journal``): the page, filtered by a GET
form and read a page at a time, and its CSV export (the same filter). Reading the page is not
itself logged (each look would add to what is looked at); an export, which takes the log out of
Guichet, is."""
from __future__ import annotations

from flask import Response, render_template, request

from guichet.core.access import admin_required
from guichet.core.audit import record
from guichet.core.i18n import today_in_zurich
from guichet.invoices.queue import staff_names
from guichet.models.base import db

from . import audit_log
from .audit_log_forms import AuditLogForm
from .blueprint import bp


def _form() -> AuditLogForm:
    form = AuditLogForm(staff_names(), audit_log.known_actions(),
                        audit_log.known_object_types(), formdata=request.args)
    form.validate()  # a bad value is reported above the form and filters nothing
    return form


@bp.route("/journal")
@admin_required
def show_audit_log():
    """The log newest first, filtered by ``?membre=…&action=…&objet=…&objet_id=…&du=…&au=…``,
    50 entries a page (``apres=<id of the last entry shown>``)."""
    form = _form()
    flt = form.log_filter()
    after = request.args.get("apres")
    return render_template("staff/audit_log.html", form=form, log_filter=flt,
                           results=audit_log.log_page(flt, after=after), after=after)


@bp.route("/journal.csv")
@admin_required
def export_audit_log():
    """The filtered log as a CSV file (every entry, not one page), streamed a batch at a time
    from a connection of its own (:func:`audit_log.csv_rows`): a large export holds neither the
    whole log in memory nor the request's session."""
    flt = _form().log_filter()
    record("audit_log_exported", object_type="audit_log", filters=flt.describe())
    name = f"journal-audit-{today_in_zurich().isoformat()}.csv"
    return Response(audit_log.csv_rows(flt, db.engine), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
