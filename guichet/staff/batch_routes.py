"""The transmission pages (``/gestion/lots``), for staff with the transmission right: the
batches, a new batch from the « Validée » invoices, a batch with its downloads (PDF, CSV), the
days it was transmitted and paid, the CdC's payment list and the lines it could not apply.
Plain full-page forms: 303 with a flash after a change, the page again (422) with the error
summary when something is wrong, nothing written."""
from __future__ import annotations

import tempfile

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from guichet.core.access import transmission_required
from guichet.core.i18n import gettext as _
from guichet.core.unit_of_work import discard
from guichet.invoices import batch_list, payments, transmission, transmission_pdf
from guichet.invoices.status import status_text
from guichet.models import Invoice, PaymentIssue, TransmissionBatch
from guichet.models.base import db

from .batch_forms import BuildBatchForm, PaidForm, PaymentListForm, TransmittedForm
from .blueprint import bp


def _batch_or_404(batch_id: int) -> TransmissionBatch:
    return db.get_or_404(TransmissionBatch, batch_id)


@bp.route("/lots")
@transmission_required
def list_batches():
    """Every batch, newest first, with its state."""
    batches = transmission.all_batches()
    return render_template("staff/batch_list.html", batches=batches,
                           states={batch.id: transmission.batch_state(batch)
                                   for batch in batches},
                           waiting=len(transmission.transmittable_invoices()))


def _new_page(status: int = 200, form: BuildBatchForm | None = None, chosen=None):
    invoices = transmission.transmittable_invoices()
    chosen = {invoice.id for invoice in invoices} if chosen is None else set(chosen)
    return render_template("staff/batch_new.html", invoices=invoices, chosen=chosen,
                           form=form or BuildBatchForm(formdata=None)), status


@bp.route("/lots/nouveau")
@transmission_required
def new_batch():
    """The « Validée » invoices in no batch yet, all ticked, and « Créer le lot »."""
    return _new_page()


@bp.route("/lots/nouveau", methods=["POST"])
@transmission_required
def create_batch():
    """Builds the batch of the ticked invoices: 303 to it, or the page again (422) saying why
    (none ticked, one not « Validée » or already in a batch), nothing created."""
    form = BuildBatchForm()
    ids = form.chosen_ids()
    try:
        if ids is None:
            raise transmission.BatchRefused(_("Choisissez les demandes dans la liste."))
        batch = transmission.build_batch(current_user, ids)
    except transmission.BatchRefused as refused:
        discard()
        form.invoice_ids.errors = [str(refused)]
        return _new_page(422, form, chosen=ids or [])
    flash(_("Lot %(number)s créé : %(count)s demandes.", number=batch.number,
            count=batch.count), "success")
    return redirect(url_for("staff.show_batch", batch_id=batch.id), 303)


def _status_label(status: str) -> str:
    return status_text(status).label


def _batch_page(batch: TransmissionBatch, status: int = 200, **forms):
    forms.setdefault("transmitted_form", TransmittedForm(formdata=None))
    forms.setdefault("paid_form", PaidForm(formdata=None))
    forms.setdefault("list_form", PaymentListForm(formdata=None))
    return render_template(
        "staff/batch_show.html", batch=batch, state=transmission.batch_state(batch),
        invoices=transmission.batch_invoices(batch), issues=payments.open_issues(batch),
        resolved=payments.resolved_issues(batch), problem_label=payments.problem_label,
        may_accept=payments.may_accept, status_label=_status_label,
        **forms), status


@bp.route("/lots/<int:batch_id>")
@transmission_required
def show_batch(batch_id: int):
    """The batch: its invoices, count, control sum, downloads, state and forms; 404 for an
    unknown id."""
    return _batch_page(_batch_or_404(batch_id))


@bp.route("/lots/<int:batch_id>/liste.csv")
@transmission_required
def download_batch_list(batch_id: int):
    """The batch's CSV list (the same bytes at every download)."""
    batch = _batch_or_404(batch_id)
    transmission.record_download(batch, current_user, "csv")
    return Response(batch_list.batch_list_bytes(batch), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="{batch.number}.csv"',
                             "Cache-Control": "no-store"})


@bp.route("/lots/<int:batch_id>/lot.pdf")
@transmission_required
def download_batch_pdf(batch_id: int):
    """The batch's PDF (a cover page, then each invoice with its visa and pièces)."""
    batch = _batch_or_404(batch_id)
    return _pdf_answer(lambda out: transmission_pdf.write_batch_pdf(
        out, batch, transmission.iter_batch_invoices(batch)), batch, "pdf", batch.number)


@bp.route("/lots/<int:batch_id>/demandes/<int:batch_invoice_id>.pdf")
@transmission_required
def download_batch_invoice_pdf(batch_id: int, batch_invoice_id: int):
    """One invoice of the batch as the ZAS takes it (the ZAS takes no collective invoices):
    its page with the visa, then its pièces; 404 for an invoice of another batch."""
    batch = _batch_or_404(batch_id)
    invoice = db.session.get(Invoice, batch_invoice_id)
    if invoice is None or invoice.batch_id != batch.id:
        abort(404)
    return _pdf_answer(lambda out: transmission_pdf.write_invoice_pdf(out, invoice, batch),
                       batch, f"pdf {invoice.receipt_number}", invoice.receipt_number)


def _pdf_answer(write, batch: TransmissionBatch, kind: str, name: str) -> Response:
    """Writes the PDF to a temporary file and sends it from there (never held in memory),
    the download audited."""
    out = tempfile.TemporaryFile()
    try:
        write(out)
        size = out.tell()
    except BaseException:
        out.close()
        raise
    transmission.record_download(batch, current_user, kind)
    return Response(_chunks(out), mimetype="application/pdf", headers={
        "Content-Length": str(size), "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{name}.pdf"'})


def _chunks(out, size: int = 64 * 1024):
    """The temporary file's bytes a piece at a time; the file is closed (and so removed) once
    sent, or when the answer is dropped half-way."""
    try:
        out.seek(0)
        while chunk := out.read(size):
            yield chunk
    finally:
        out.close()


@bp.route("/lots/<int:batch_id>/transmis", methods=["POST"])
@transmission_required
def mark_batch_transmitted(batch_id: int):
    batch = _batch_or_404(batch_id)
    form = TransmittedForm()
    if form.validate():
        try:
            transmission.mark_transmitted(batch, current_user, form.transmitted_on.parsed)
        except transmission.BatchRefused as refused:
            discard()
            form.transmitted_on.errors = [str(refused)]
        else:
            flash(_("Lot marqué comme transmis."), "success")
            return redirect(url_for("staff.show_batch", batch_id=batch.id), 303)
    return _batch_page(batch, 422, transmitted_form=form)


@bp.route("/lots/<int:batch_id>/paye", methods=["POST"])
@transmission_required
def mark_batch_paid(batch_id: int):
    batch = _batch_or_404(batch_id)
    form = PaidForm()
    if form.validate():
        try:
            changed = transmission.mark_paid(batch, current_user, form.paid_on.parsed)
        except transmission.BatchRefused as refused:
            discard()
            form.paid_on.errors = [str(refused)]
        else:
            flash(_("Lot marqué comme payé : %(count)s demandes « Payée ».", count=changed),
                  "success")
            return redirect(url_for("staff.show_batch", batch_id=batch.id), 303)
    return _batch_page(batch, 422, paid_form=form)


@bp.route("/lots/<int:batch_id>/paiements", methods=["POST"])
@transmission_required
def import_payments(batch_id: int):
    """Applies the CdC's list; the page shows the report (200), or the form again (422)
    when the file cannot be read at all (nothing applied)."""
    batch = _batch_or_404(batch_id)
    form = PaymentListForm()
    if form.validate():
        try:
            report = payments.import_payment_list(batch, current_user,
                                                  form.payment_list.data.read())
        except (payments.ListUnreadable, transmission.BatchRefused) as refused:
            discard()
            form.payment_list.errors = [str(refused)]
        else:
            return _batch_page(batch, 200, report=report)
    return _batch_page(batch, 422, list_form=form)


@bp.route("/lots/<int:batch_id>/anomalies/<int:issue_id>", methods=["POST"])
@transmission_required
def resolve_payment_issue(batch_id: int, issue_id: int):
    """« Accepter » (``decision=accept``) or « Écarter » (``decision=dismiss``) a listed
    line; 303 to the batch."""
    batch = _batch_or_404(batch_id)
    issue = db.get_or_404(PaymentIssue, issue_id)
    if issue.batch_id != batch.id:
        abort(404)
    decision = request.form.get("decision")
    if decision not in ("accept", "dismiss"):
        flash(_("Choisissez d'accepter ou d'écarter la ligne."), "error")
        return redirect(url_for("staff.show_batch", batch_id=batch.id), 303)
    try:
        payments.resolve_issue(issue, current_user, accept=decision == "accept")
    except transmission.BatchRefused as refused:
        discard()
        flash(str(refused), "error")
    else:
        flash(_("Ligne acceptée.") if decision == "accept" else _("Ligne écartée."), "success")
    return redirect(url_for("staff.show_batch", batch_id=batch.id), 303)
