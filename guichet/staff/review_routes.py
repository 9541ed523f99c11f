"""The review screen of one invoice (its view, pièces, history, notes) and the pièces as the
office sees them: images inline, a PDF's pages as pictures drawn on the server, the original to
download. Every view and download is audited with the person whose data it is."""
import io

from flask import abort, flash, redirect, send_file, url_for
from flask_login import current_user

from guichet.core.access import staff_required
from guichet.core.htmx import wants_fragment
from guichet.core.i18n import gettext as _
from guichet.invoices import review
from guichet.invoices.staff_view import (DOWNLOADED, IMAGE_TYPES, PDF_TYPE, SHOWN, open_piece,
                                         piece_of)
from guichet.uploads.preview import PreviewUnavailable, page_image
from guichet.uploads.storage import InvalidStoredName, open_stored

from .blueprint import bp
from .review_page import NoteForm, render_notes, render_review, staff_invoice_or_404


@bp.route("/demandes/<int:invoice_id>")
@staff_required
def show_invoice(invoice_id: int):
    """The review screen; 404 for a draft or an unknown id."""
    return render_review(staff_invoice_or_404(invoice_id))


@bp.route("/demandes/<int:invoice_id>/notes", methods=["POST"])
@staff_required
def add_note(invoice_id: int):
    """Adds a staff note; 303 back to the screen (htmx: the notes' fragment)."""
    invoice = staff_invoice_or_404(invoice_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            review.add_note(invoice, current_user, form.note.data)
        except review.ReviewRefused as refused:
            form.note.errors = [str(refused)]
        else:
            if wants_fragment():
                return render_notes(invoice, NoteForm(formdata=None), message=_("Note ajoutée."))
            flash(_("Note ajoutée."), "success")
            return redirect(url_for("staff.show_invoice", invoice_id=invoice.id,
                                    _anchor="notes"), 303)
    if wants_fragment():
        return render_notes(invoice, form, status=422)
    return render_review(invoice, status=422, note_form=form)


def _piece_or_404(invoice_id: int, attachment_id: int):
    invoice = staff_invoice_or_404(invoice_id)
    attachment = piece_of(invoice, attachment_id)
    if attachment is None:
        abort(404)
    return invoice, attachment


def _send(path, attachment, *, download: bool, mimetype: str | None = None):
    # the bytes, not an open file: a response never holds a file handle (pièces are small)
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=mimetype or
                         attachment.content_type, as_attachment=download,
                         download_name=attachment.filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/demandes/<int:invoice_id>/pieces/<int:attachment_id>/image")
@staff_required
def show_piece(invoice_id: int, attachment_id: int):
    """An image pièce, inline (with its sniffed type). A PDF is never sent inline: this
    answers with the picture of its first page."""
    invoice, attachment = _piece_or_404(invoice_id, attachment_id)
    if attachment.content_type == PDF_TYPE:
        return redirect(url_for("staff.show_piece_page", invoice_id=invoice.id,
                                attachment_id=attachment.id, page=1), 303)
    if attachment.content_type not in IMAGE_TYPES:
        abort(404)
    try:
        path = open_stored(attachment.stored_name)
    except (FileNotFoundError, InvalidStoredName):
        abort(404)
    open_piece(invoice, attachment, current_user, SHOWN)
    return _send(path, attachment, download=False)


@bp.route("/demandes/<int:invoice_id>/pieces/<int:attachment_id>/pages/<int:page>")
@staff_required
def show_piece_page(invoice_id: int, attachment_id: int, page: int):
    """Page ``page`` of a PDF pièce as a PNG drawn on the server; 404 when it has no such page
    or cannot be drawn."""
    invoice, attachment = _piece_or_404(invoice_id, attachment_id)
    if attachment.content_type != PDF_TYPE:
        abort(404)
    try:
        path = page_image(attachment.stored_name, page)
    except (PreviewUnavailable, InvalidStoredName):
        abort(404)
    open_piece(invoice, attachment, current_user, SHOWN, page=page)
    response = _send(path, attachment, download=False, mimetype="image/png")
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.route("/demandes/<int:invoice_id>/pieces/<int:attachment_id>/telecharger")
@staff_required
def download_piece(invoice_id: int, attachment_id: int):
    """The original pièce, as a download."""
    invoice, attachment = _piece_or_404(invoice_id, attachment_id)
    try:
        path = open_stored(attachment.stored_name)
    except (FileNotFoundError, InvalidStoredName):
        abort(404)
    open_piece(invoice, attachment, current_user, DOWNLOADED)
    return _send(path, attachment, download=True)
