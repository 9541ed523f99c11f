"""« Mes demandes de remboursement »: the list, drafts, review, sending, PDF, pièces.

The routes read the request (the form, the button pressed, the files), call the invoice
domain's services (:mod:`guichet.invoices.drafts`, :mod:`~guichet.invoices.services`,
:mod:`~guichet.invoices.pieces`) and pick the answer: a page, an htmx fragment or a 303. What an
invoice shows comes from one :class:`~guichet.invoices.view.InvoiceView`.
"""
from __future__ import annotations

import json
from functools import lru_cache

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from guichet.core.access import insured_required
from guichet.core.formatting import once_per_page
from guichet.core.forms import EmptyForm
from guichet.core.htmx import wants_fragment
from guichet.core.i18n import gettext as _
from guichet.core.sessions import background
from guichet.core.unit_of_work import discard
from guichet.invoices import drafts, pieces, pricing, services
from guichet.invoices.pdf import pdf_filename, render_invoice_pdf
from guichet.invoices.receipts import next_steps
from guichet.invoices.status import status_text
from guichet.invoices.types import INVOICE_TYPES, invoice_type
from guichet.invoices.view import OTHER_PIECES, InvoiceView, problems_before_sending
from guichet.models.banking import active_accounts
from guichet.models.beneficiaries import beneficiaries_of
from guichet.models.invoices import STATUS_DRAFT, STATUS_NEEDS_INFO

from . import after_saving
from .forms import ComplementForm, SendForm, build_form, submitted_values

bp = Blueprint("invoices", __name__, url_prefix="/demandes")


def _owned_or_404(invoice_id: int):
    invoice = services.owned_invoice(current_user, invoice_id)
    if invoice is None:
        abort(404)
    return invoice


def _type_label(key: str) -> str:
    return str(invoice_type(key).label)


def _page_number() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 10_000 else 1


LIST_FRAGMENTS_KEPT = 512  # per worker process: about 20 kB each


def _list_fragment(user_id: int, list_version: int, page: int, confirmed: bool) -> Markup:
    """The rendered list (templates/invoices/_list.html) of one page of the current person's
    invoices, kept while nothing it shows changes. Its key is everything it shows: a change to
    any of the person's invoices or beneficiaries moves ``users.list_version``, and the rest
    (which page, whether the account is confirmed) is in the key too; the texts and labels are
    the application's own. Nothing in it is secret to the person (no CSRF token). One cache
    per application, least recently used out first."""
    kept = current_app.extensions.get("guichet.list_fragments")
    if kept is None:
        kept = current_app.extensions["guichet.list_fragments"] = lru_cache(
            maxsize=LIST_FRAGMENTS_KEPT)(_render_list)
    return kept(user_id, list_version, page, confirmed)


def _render_list(user_id: int, list_version: int, page: int, confirmed: bool) -> Markup:
    assert user_id == current_user.id  # the key must name the person whose list this is
    return Markup(render_template("invoices/_list.html", **_list_context(page)))


def _list_context(page: int) -> dict:
    invoices, has_more = services.invoices_of(current_user, page)
    beneficiaries = {person.id: person for person in beneficiaries_of(current_user)}
    return {"user": current_user, "invoices": invoices, "beneficiaries": beneficiaries, "stamp": services.list_stamp(current_user),
            "page_number": page, "has_more": has_more,
            "polling": page == 1 and services.any_may_change(current_user),
            # twenty rows ask for the same few labels: each one is turned into text once
            "type_label": once_per_page(_type_label), "status_of": once_per_page(status_text)}


@bp.route("/")
@insured_required
def list_invoices():
    """Home: the person's invoices (left) and the types to start one (right)."""
    return _list_answer()


def _list_answer():
    """The list alone for htmx, else the home page around it."""
    user = current_user
    fragment = _list_fragment(user.id, user.list_version, _page_number(), user.is_confirmed)
    if wants_fragment():
        return fragment, 200, {"Vary": "HX-Request"}
    return render_template("invoices/list.html", user=user, types=INVOICE_TYPES.values(),
                           list_fragment=fragment), 200, {"Vary": "HX-Request"}


@bp.route("/liste")
@insured_required
@background
def poll_invoices():
    """Polling: 204 when nothing changed since ``stamp``, else the list fragment."""
    if request.args.get("stamp") == services.list_stamp(current_user) and wants_fragment():
        return "", 204
    if not wants_fragment():
        return redirect(url_for("invoices.list_invoices"))
    return _list_answer()


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


# --- the draft's form -------------------------------------------------------------------------

def _attach_errors(form, evaluation) -> None:
    """Each field's message from the evaluation, next to the field."""
    for name, message in evaluation.header_errors.items():
        if name in form and message not in form[name].errors:
            form[name].errors = list(form[name].errors) + [message]
    if "lines" in form:
        for entry, errors in zip(form.lines, evaluation.line_errors):
            for name, message in errors.items():
                if name in entry.form:
                    entry.form[name].errors = list(entry.form[name].errors) + [message]


def _edit_context(invoice, evaluation=None, upload_errors=(), oob=False, conflict=None) -> dict:
    """The form as saved, with its messages, the summary (amounts, pièces) and what is wrong;
    ``conflict``: the message when another request had changed the draft meanwhile."""
    # the person's beneficiaries and IBANs once, first: the evaluation then finds the chosen
    # ones among them instead of asking the database again
    beneficiaries = beneficiaries_of(current_user, with_decisions=True)
    accounts = active_accounts(current_user)
    view = InvoiceView(invoice, evaluation or pricing.evaluate(invoice))
    form = build_form(invoice, beneficiaries, accounts, formdata=False)
    _attach_errors(form, view.evaluation)
    saved_decisions = [(saved, person) for person in beneficiaries for saved in person.decisions]
    return {"invoice": invoice, "spec": view.type, "view": view, "form": form,
            "upload_errors": list(upload_errors), "saved_decisions": saved_decisions,
            "accounts_exist": bool(accounts), "oob": oob, "conflict": conflict,
            "saved_text": after_saving.saved_text(invoice), "other_pieces": OTHER_PIECES}


def _uploaded_files() -> list:
    """The files of the form's « files-<requirement> » inputs (a browser sends an empty part
    for each input left empty)."""
    return [(name[6:][:40], storage) for name, storage in request.files.items(multi=True)
            if name.startswith("files-") and storage and storage.filename]


@bp.route("/<int:invoice_id>/modifier", methods=["GET", "POST"])
@insured_required
def edit_invoice(invoice_id: int):
    """The draft's form. Every POST saves the draft; the button pressed says what else to do:
    a 303 back to the form (at the line or pièce concerned), to the review, or for htmx the
    summary (typing, pièces) or the whole form (a line added or removed, an answer that
    changes which fields exist); 422 with the form when files were refused."""
    invoice = _owned_or_404(invoice_id)
    if invoice.status != STATUS_DRAFT:
        return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id), 303)
    if request.method == "GET":
        return render_template("invoices/edit.html", **_edit_context(invoice))
    action = drafts.parse_action(request.form.get("action"), request.form)
    form = build_form(invoice, beneficiaries_of(current_user), active_accounts(current_user))
    submitted = submitted_values(form, invoice_type(invoice.invoice_type))
    files = _uploaded_files()
    try:
        outcome = drafts.apply(invoice, current_user, submitted, action, files)
    except pieces.NothingStored:
        discard()  # a full disk: nothing of this request is kept, and the form says so
        outcome = drafts.Outcome(None, [_(
            "Rien n'a été enregistré : une erreur est survenue. Réessayez.")])
    except StaleDataError:
        discard()  # another request saved the draft since this one read it: it stays
        return _answer_after_conflict(invoice_id)
    return _answer_after_saving(invoice, action, outcome, files_sent=bool(files))


def _answer_after_conflict(invoice_id: int):
    """The draft as the other request left it, with a message (409); for htmx the whole
    form. A draft sent or deleted meanwhile: its page, or the list."""
    invoice = services.owned_invoice(current_user, invoice_id)
    if invoice is None or invoice.status != STATUS_DRAFT:
        target = (url_for("invoices.list_invoices") if invoice is None else
                  url_for("invoices.show_invoice", invoice_id=invoice.id))
        return _redirect(target)
    context = _edit_context(invoice, conflict=after_saving.conflict_message())
    if wants_fragment():
        return render_template("invoices/_editor.html", **context), 409, {
            "Vary": "HX-Request", **_editor_target(),
            **_after_swap("#invoice-conflict", None)}
    return render_template("invoices/edit.html", **context), 409


def _redirect(target: str):
    """A 303, or for htmx a whole-page visit (``HX-Redirect``) instead of a fragment."""
    if wants_fragment():
        return "", 200, {"HX-Redirect": target, "Vary": "HX-Request"}
    return redirect(target, 303)


def _editor_target() -> dict:
    """The whole form is the answer, whichever element asked (the form itself or a button)."""
    return {"HX-Retarget": ".invoice-editor", "HX-Reswap": "outerHTML"}


def _after_swap(focus: str | None, say: str | None) -> dict:
    """What the page does once htmx put the answer in place (static/js/invoice-editor.js):
    the element to focus, and the sentence for the live region."""
    detail = {key: value for key, value in (("focus", focus), ("say", say)) if value}
    if not detail:
        return {}
    return {"HX-Trigger-After-Settle": json.dumps({"guichet:after-swap": detail})}


def _answer_after_saving(invoice, action: drafts.Action, outcome: drafts.Outcome,
                         files_sent: bool):
    """After the draft was saved: to the review, the htmx fragment, the form again with the
    refused files (422), or 303 back to the form where the person was."""
    if action.kind == drafts.REVIEW and not outcome.refusals:
        return _redirect(url_for("invoices.review_invoice", invoice_id=invoice.id))
    if wants_fragment():
        redraw = action.redraws_form
        template = "invoices/_editor.html" if redraw else "invoices/_summary.html"
        context = _edit_context(invoice, outcome.evaluation, outcome.refusals,
                                oob=not redraw)  # the summary updates messages
        headers = {"Vary": "HX-Request", **(_editor_target() if redraw else {}),
                   **_after_swap(*after_saving.focus_and_words(invoice, action, outcome))}
        return render_template(template, **context), 200, headers
    if outcome.refusals:
        return render_template("invoices/edit.html", **_edit_context(
            invoice, outcome.evaluation, outcome.refusals)), 422
    if action.kind == drafts.TAKE_BILL and outcome.taken is not None:
        flash(_("Informations reprises de la facture de %(supplier)s : vérifiez-les, elles "
                "restent modifiables.", supplier=outcome.taken.bill.supplier), "success")
    if action.kind == drafts.SAVE:
        flash(_("Brouillon enregistré. Vous pouvez le reprendre plus tard, depuis n'importe quel "
                "appareil."), "success")
    return redirect(url_for("invoices.edit_invoice", invoice_id=invoice.id)
                    + after_saving.anchor_after(action, invoice, files_sent, outcome), 303)


# --- review, sending, the sent invoice --------------------------------------------------------

@bp.route("/<int:invoice_id>/verifier")
@insured_required
def review_invoice(invoice_id: int):
    """« Dernier moment pour vérifier »: everything read-only, what is missing, « Envoyer »."""
    invoice = _owned_or_404(invoice_id)
    if invoice.status != STATUS_DRAFT:
        return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id))
    return _review_page(invoice, SendForm(formdata=None,
                                          submit_token=services.new_submit_token()))


def _review_page(invoice, form: SendForm):
    return render_template("invoices/review.html", view=InvoiceView(invoice), form=form,
                           submit_token=form.submit_token.data)


@bp.route("/<int:invoice_id>/envoyer", methods=["POST"])
@insured_required
def submit_invoice(invoice_id: int):
    """Sends the draft once the person confirmed it is accurate (else the review again, 422,
    the box to tick named); a repeated request lands on the same receipt (303)."""
    invoice = _owned_or_404(invoice_id)
    form = SendForm()
    token = (form.submit_token.data or "")[:64]
    if not EmptyForm().validate_on_submit() or not token:
        abort(400)
    receipt = url_for("invoices.sent_invoice", invoice_id=invoice.id)
    if invoice.status != STATUS_DRAFT:
        return redirect(receipt if invoice.submit_token == token else
                        url_for("invoices.show_invoice", invoice_id=invoice.id), 303)
    if problems_before_sending(invoice):
        flash(_("Votre demande n'est pas encore complète : voyez ce qui manque ci-dessous."),
              "error")
        return redirect(url_for("invoices.review_invoice", invoice_id=invoice.id), 303)
    if not form.validate():
        return _review_page(invoice, form), 422
    try:
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
                           spec=invoice_type(invoice.invoice_type),
                           next_steps=next_steps(invoice.iban))


def _show_page(invoice, form=None, upload_errors=()):
    return render_template("invoices/show.html", view=InvoiceView(invoice),
                           complement_form=form or ComplementForm(),
                           upload_errors=list(upload_errors))


@bp.route("/<int:invoice_id>")
@insured_required
def show_invoice(invoice_id: int):
    """A sent invoice: status, history, amounts, pièces, and the complement form if asked."""
    invoice = _owned_or_404(invoice_id)
    if invoice.status == STATUS_DRAFT:
        return redirect(url_for("invoices.edit_invoice", invoice_id=invoice.id))
    return _show_page(invoice)


@bp.route("/<int:invoice_id>/complement", methods=["POST"])
@insured_required
def answer_complement(invoice_id: int):
    """The answer to « À compléter »: a message and new pièces; back to « Envoyée » (303). A
    refused file keeps nothing of the answer, not even the files that were accepted (422)."""
    invoice = _owned_or_404(invoice_id)
    if invoice.status != STATUS_NEEDS_INFO:
        return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id), 303)
    form = ComplementForm()
    if not form.validate_on_submit():
        return _show_page(invoice, form), 422
    accepted = pieces.receive(invoice, current_user, _uploaded_files())
    if accepted.refusals:
        return _show_page(invoice, form, accepted.refusals), 422
    try:
        services.answer_complement(invoice, current_user, form.message.data, accepted.files)
    except pieces.NothingStored:
        discard()
        return _show_page(invoice, form, [_("Rien n'a été enregistré. Réessayez.")]), 422
    flash(_("Merci : votre réponse a été envoyée à l'office."), "success")
    return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id), 303)


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
    return render_template("invoices/delete.html", invoice=invoice,
                           spec=invoice_type(invoice.invoice_type))


# --- files ------------------------------------------------------------------------------------

@bp.route("/<int:invoice_id>/pdf")
@insured_required
def invoice_pdf(invoice_id: int):
    """The invoice as a PDF (attachment download)."""
    view = InvoiceView(_owned_or_404(invoice_id))
    response = current_app.response_class(render_invoice_pdf(view), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(view)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:invoice_id>/recu")
@insured_required
def invoice_receipt(invoice_id: int):
    """The invoice as an accessible, printable page: the same content as its PDF (one
    :class:`InvoiceView`, one template macro), to its owner only (404 for anyone else)."""
    view = InvoiceView(_owned_or_404(invoice_id))
    return render_template("invoices/receipt.html", view=view, office=current_app.config), \
        200, {"Cache-Control": "no-store"}


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
