"""« Mes demandes de remboursement »: the list, drafts, review, sending, PDF, pièces."""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from guichet.core.access import insured_required
from guichet.core.extensions import limiter
from guichet.core.forms import EmptyForm
from guichet.core.htmx import render, wants_fragment
from guichet.core.sessions import background
from guichet.core.unit_of_work import discard
from guichet.invoices import services
from guichet.invoices.types import INVOICE_TYPES, invoice_type
from guichet.models.beneficiaries import beneficiaries_of
from guichet.models.invoices import STATUS_DRAFT, STATUS_NEEDS_INFO

from . import editor
from .display import template_helpers

bp = Blueprint("invoices", __name__, url_prefix="/demandes")
bp.context_processor(template_helpers)


def _owned_or_404(invoice_id: int):
    invoice = services.owned_invoice(current_user, invoice_id)
    if invoice is None:
        abort(404)
    return invoice


def _list_context():
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 10_000 else 1
    invoices, has_more = services.invoices_of(current_user, page)
    beneficiaries = {str(person.id): person for person in beneficiaries_of(current_user)}
    return {"user": current_user, "invoices": invoices, "types": INVOICE_TYPES.values(),
            "beneficiaries": beneficiaries, "stamp": services.list_stamp(current_user),
            "page_number": page, "has_more": has_more,
            "polling": page == 1 and services.any_may_change(current_user)}


@bp.route("/")
@insured_required
def list_invoices():
    """Home: the person's invoices (left) and the five types to start one (right)."""
    return render("invoices/list.html", "invoices/_list.html", **_list_context())


@bp.route("/liste")
@insured_required
@background
@limiter.exempt
def poll_invoices():
    """Polling: 204 when nothing changed since ``stamp``, else the list fragment."""
    if request.args.get("stamp") == services.list_stamp(current_user) and wants_fragment():
        return "", 204
    if not wants_fragment():
        return redirect(url_for("invoices.list_invoices"))
    return render("invoices/list.html", "invoices/_list.html", **_list_context())


@bp.route("/nouvelle", methods=["POST"])
@insured_required
def new_invoice():
    """Creates a Brouillon of the chosen type (303 to its form)."""
    type_key = request.form.get("type", "")
    if not EmptyForm().validate_on_submit() or type_key not in INVOICE_TYPES:
        abort(400)
    if not current_user.is_confirmed:
        flash(_("Confirmez d'abord votre adresse e-mail pour pouvoir envoyer des factures."),
              "error")
        return redirect(url_for("invoices.list_invoices"), 303)
    invoice = services.create_draft(current_user, type_key)
    return redirect(url_for("invoices.edit_invoice", invoice_id=invoice.id), 303)


@bp.route("/<int:invoice_id>")
@insured_required
def show_invoice(invoice_id: int):
    """A sent invoice: status, history, amounts, pièces, and the complement form if asked."""
    invoice = _owned_or_404(invoice_id)
    if invoice.status == STATUS_DRAFT:
        return redirect(url_for("invoices.edit_invoice", invoice_id=invoice.id))
    return render_template("invoices/show.html", **editor.show_context(invoice))


@bp.route("/<int:invoice_id>/modifier", methods=["GET", "POST"])
@insured_required
def edit_invoice(invoice_id: int):
    """The draft's form. Every POST saves the draft; the button pressed says what else to do."""
    invoice = _owned_or_404(invoice_id)
    if invoice.status != STATUS_DRAFT:
        return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id), 303)
    if request.method == "GET":
        return render_template("invoices/edit.html", **editor.edit_context(invoice))
    return editor.handle_post(invoice)


@bp.route("/<int:invoice_id>/verifier")
@insured_required
def review_invoice(invoice_id: int):
    """« Dernier moment pour vérifier »: everything read-only, what is missing, « Envoyer »."""
    invoice = _owned_or_404(invoice_id)
    if invoice.status != STATUS_DRAFT:
        return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id))
    return render_template("invoices/review.html", **editor.review_context(invoice))


@bp.route("/<int:invoice_id>/envoyer", methods=["POST"])
@insured_required
def submit_invoice(invoice_id: int):
    """Sends the draft once; a repeated request lands on the same receipt (303)."""
    invoice = _owned_or_404(invoice_id)
    token = request.form.get("submit_token", "")[:64]
    if not EmptyForm().validate_on_submit() or not token:
        abort(400)
    receipt = url_for("invoices.sent_invoice", invoice_id=invoice.id)
    if invoice.status != STATUS_DRAFT:
        return redirect(receipt if invoice.submit_token == token else
                        url_for("invoices.show_invoice", invoice_id=invoice.id), 303)
    if editor.problems(invoice):
        flash(_("Votre demande n'est pas encore complète : voyez ce qui manque ci-dessous."),
              "error")
        return redirect(url_for("invoices.review_invoice", invoice_id=invoice.id), 303)
    try:
        editor.finalise_amounts(invoice)
        services.submit(invoice, current_user, token)
    except (services.AlreadySent, StaleDataError):
        discard()  # another request sent it first: its receipt is the answer
    return redirect(receipt, 303)


@bp.route("/<int:invoice_id>/envoyee")
@insured_required
def sent_invoice(invoice_id: int):
    """The confirmation: receipt number and the PDF."""
    invoice = _owned_or_404(invoice_id)
    if invoice.status == STATUS_DRAFT:
        return redirect(url_for("invoices.edit_invoice", invoice_id=invoice.id))
    return render_template("invoices/sent.html", invoice=invoice,
                           spec=invoice_type(invoice.invoice_type))


@bp.route("/<int:invoice_id>/supprimer", methods=["GET", "POST"])
@insured_required
def delete_invoice(invoice_id: int):
    """GET asks to confirm; POST deletes the Brouillon and its pièces (303 to the list)."""
    invoice = _owned_or_404(invoice_id)
    if invoice.status != STATUS_DRAFT:
        abort(404)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        services.delete_draft(invoice, current_user)
        flash(_("Le brouillon a été supprimé."), "success")
        return redirect(url_for("invoices.list_invoices"), 303)
    return render_template("invoices/delete.html", invoice=invoice, form=form,
                           spec=invoice_type(invoice.invoice_type))


@bp.route("/<int:invoice_id>/pdf")
@insured_required
def invoice_pdf(invoice_id: int):
    """The invoice as a PDF (attachment download)."""
    from .pdf import render_invoice_pdf
    invoice = _owned_or_404(invoice_id)
    data = render_invoice_pdf(invoice)
    name = f"{invoice.receipt_number or 'brouillon-' + str(invoice.id)}.pdf"
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:invoice_id>/pieces/<int:attachment_id>")
@insured_required
def download_attachment(invoice_id: int, attachment_id: int):
    """One pièce, to its owner only, as a download with its sniffed type."""
    invoice = _owned_or_404(invoice_id)
    attachment = next((a for a in invoice.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    from guichet.uploads.storage import InvalidStoredName, open_stored
    try:
        path = open_stored(attachment.stored_name)
    except (FileNotFoundError, InvalidStoredName):
        abort(404)
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:invoice_id>/complement", methods=["POST"])
@insured_required
def answer_complement(invoice_id: int):
    """The answer to « À compléter »: a message and new pièces; back to « Envoyée »."""
    invoice = _owned_or_404(invoice_id)
    if invoice.status != STATUS_NEEDS_INFO:
        return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id), 303)
    return editor.handle_complement(invoice)
