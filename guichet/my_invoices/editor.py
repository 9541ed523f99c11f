"""The invoice form's controller: what each button does, and what each page shows.

One form carries the whole draft (header, lines, remark and new pièces), so nothing typed is
lost whichever button is pressed, with or without JavaScript. Every POST saves the draft first.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from guichet.core.audit import record
from guichet.core.formatting import describe_account, format_decision_number, format_size
from guichet.core.htmx import wants_fragment
from guichet.core.identifiers import InvalidIdentifier, mask_navs13
from guichet.core.money import format_chf
from guichet.core.unit_of_work import discard
from guichet.invoices import pricing, services
from guichet.invoices.status import status_info
from guichet.invoices.types import invoice_type
from guichet.models import Attachment, Beneficiary
from guichet.models.banking import active_accounts
from guichet.models.base import db
from guichet.models.beneficiaries import beneficiaries_of
from guichet.register.decision_numbers import parse_decision_number
from guichet.register.saved_decisions import save_decision
from guichet.uploads.accept import accept
from guichet.uploads.storage import delete_after_commit, store

from .forms import build_form, submitted_values

OTHER_PIECES = "other"


def _form_for(invoice, formdata: bool):
    return build_form(invoice, beneficiaries_of(current_user), active_accounts(current_user),
                      describe_account, formdata=formdata)


def _attach_errors(form, evaluation: pricing.Evaluation) -> None:
    for name, message in evaluation.header_errors.items():
        if name in form and message not in form[name].errors:
            form[name].errors = list(form[name].errors) + [message]
    if "lines" in form:
        for entry, errors in zip(form.lines, evaluation.line_errors):
            for name, message in errors.items():
                if name in entry.form:
                    entry.form[name].errors = list(entry.form[name].errors) + [message]


def _saved_decisions():
    return [(saved, person) for person in beneficiaries_of(current_user)
            for saved in person.decisions]


def edit_context(invoice, form=None, evaluation=None, upload_errors=()):
    evaluation = evaluation or pricing.evaluate(invoice)
    if form is None:
        form = _form_for(invoice, formdata=False)
    _attach_errors(form, evaluation)
    return {"invoice": invoice, "spec": invoice_type(invoice.invoice_type), "form": form,
            "evaluation": evaluation, "format_chf": format_chf, "format_size": format_size,
            "pieces": _pieces(invoice, evaluation), "upload_errors": list(upload_errors),
            "saved_decisions": _saved_decisions(),
            "format_decision_number": format_decision_number,
            "accounts_exist": bool(active_accounts(current_user)),
            "problems": _problem_list(invoice, evaluation), "oob": False}


def _pieces(invoice, evaluation):
    """Each requirement with the files already given for it, then « Autres pièces »."""
    groups = []
    for requirement in evaluation.requirements:
        files = [a for a in invoice.attachments if a.requirement == requirement.key]
        groups.append({"key": requirement.key, "label": requirement.label,
                       "reason": requirement.reason, "required": requirement.required,
                       "files": files})
    known = {group["key"] for group in groups}
    extra = [a for a in invoice.attachments if a.requirement not in known]
    groups.append({"key": OTHER_PIECES, "label": _("Autres pièces (facultatif)"),
                   "reason": _("Tout autre document utile à l'office."), "required": False,
                   "files": extra})
    return groups


def handle_post(invoice):
    """Save the draft, store new pièces, then do what the button asked."""
    spec = invoice_type(invoice.invoice_type)
    form = _form_for(invoice, formdata=True)
    header, lines, number, remark = submitted_values(form, spec)
    action = request.form.get("action", "")
    services.save_draft(invoice, header, lines, number, remark)
    if spec.fixed_lines:
        services.sync_fixed_lines(invoice)
    _save_decision_if_asked(invoice, header, number)
    if action == "add_line" and spec.has_lines and not spec.fixed_lines:
        services.add_line(invoice)
    elif action.startswith("remove_line:") and _number(action[12:]) is not None:
        services.remove_line(invoice, _number(action[12:]))
    elif action.startswith("remove_file:") and _number(action[12:]) is not None:
        _remove_file(invoice, _number(action[12:]))
    upload_errors = _store_uploads(invoice)
    if upload_errors is None:
        upload_errors = [_("Rien n'a été enregistré : une erreur est survenue. Réessayez.")]
    db.session.flush()
    evaluation = pricing.evaluate(invoice)
    _remember_amounts(invoice, evaluation)
    if action == "review" and not upload_errors:
        return redirect(url_for("invoices.review_invoice", invoice_id=invoice.id), 303)
    # Adding or removing a line, or an answer that changes which fields exist, redraws the
    # form; anything else (typing, a pièce added or removed) redraws only the summary.
    structural = action in ("refresh", "add_line") or action.startswith("remove_line:")
    if wants_fragment():
        template = "invoices/_summary.html" if not structural else "invoices/_editor.html"
        context = edit_context(invoice, None, evaluation, upload_errors)
        context["oob"] = not structural  # the summary alone also updates field messages
        return render_template(template, **context), 200, {"Vary": "HX-Request"}
    if upload_errors:
        context = edit_context(invoice, None, evaluation, upload_errors)
        return render_template("invoices/edit.html", **context), 422
    if action == "save":
        flash(_("Brouillon enregistré. Vous pouvez le reprendre plus tard, depuis n'importe quel "
                "appareil."), "success")
    anchor = _anchor_after(action, invoice)
    return redirect(url_for("invoices.edit_invoice", invoice_id=invoice.id) + anchor, 303)


def _number(text: str) -> int | None:
    """The line position or pièce id a button names (ASCII digits only)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None


def _anchor_after(action: str, invoice) -> str:
    if action == "add_line":
        return f"#line-{len(invoice.lines) - 1}"
    if action.startswith("remove_line:"):
        return "#lines"
    # a browser sends every file input, an empty part for each one left empty
    if action == "upload" or action.startswith("remove_file:") or any(
            storage.filename for storage in request.files.values()):
        return "#pieces"
    return ""


def _save_decision_if_asked(invoice, header, number):
    if header.get("save_decision") != "y" or not number:
        return
    beneficiary = pricing.owned_row(Beneficiary, header.get("beneficiary_id"), current_user.id)
    if beneficiary is None:
        return
    try:
        digits = parse_decision_number(number)
    except InvalidIdentifier:
        return
    if all(saved.number != digits for saved in beneficiary.decisions):
        save_decision(current_user, beneficiary, digits,
                      str(invoice_type(invoice.invoice_type).label))
    invoice.fields = {**invoice.fields, "save_decision": ""}


def _store_uploads(invoice) -> list[str] | None:
    """Checks and stores the files sent with the form; returns the refusals (French)."""
    uploads = [(name[6:][:40], storage) for name, storage in request.files.items(multi=True)
               if name.startswith("files-") and storage and storage.filename]
    accepted = accept(uploads, sum(a.size for a in invoice.attachments), on_infected=lambda _f:
                      record("attachment_infected", actor=current_user, object_type="invoice",
                             object_id=invoice.id))
    errors = accepted.refusals
    incoming = [(a.requirement, a.file, a.scan_status) for a in accepted.files]
    if not incoming:
        return errors
    try:
        for requirement, clean, verdict in incoming:
            invoice.attachments.append(Attachment(
                requirement=requirement, filename=clean.filename, stored_name=store(clean),
                content_type=clean.content_type, size=clean.size, sha256=clean.sha256,
                scan_status=verdict))
            record("attachment_added", actor=current_user, object_type="invoice",
                   object_id=invoice.id, sha256=clean.sha256[:12])
        db.session.flush()
    except OSError:
        # a full disk: nothing of this request is kept (the files written are removed, a pièce
        # « removed » above stays), and the form says so
        discard()
        return None
    return errors


def _remove_file(invoice, attachment_id: int) -> None:
    for attachment in list(invoice.attachments):
        if attachment.id == attachment_id:
            invoice.attachments.remove(attachment)
            record("attachment_removed", actor=current_user, object_type="invoice",
                   object_id=invoice.id)
            delete_after_commit([attachment.stored_name])


def _remember_amounts(invoice, evaluation) -> None:
    invoice.total_claimed = evaluation.total
    invoice.flags = list(evaluation.flags)


def finalise_amounts(invoice) -> None:
    """Before sending: the amounts per line and the total, as computed now from dated rates."""
    evaluation = pricing.evaluate(invoice, strict=True)
    _remember_amounts(invoice, evaluation)
    for line, priced in zip(invoice.lines, evaluation.priced_lines):
        line.amount = priced.amount


def problems(invoice) -> list[dict]:
    """What still prevents sending, each with a link to the field to correct."""
    evaluation = pricing.evaluate(invoice, strict=True)
    return _problem_list(invoice, evaluation)


def _problem_list(invoice, evaluation) -> list[dict]:
    spec = invoice_type(invoice.invoice_type)
    labels = {f.name: f.label for f in spec.fields}
    labels.update({"beneficiary_id": _("Bénéficiaire"), "bank_account_id": _("IBAN"),
                   "decision_number": _("N° de décision"), "lines": spec.line_label or ""})
    found = []
    for name, message in evaluation.header_errors.items():
        anchor = "#pieces" if name.startswith("piece-") else (
            "#lines" if name == "lines" else f"#{name}")
        found.append({"anchor": anchor, "label": labels.get(name, _("Pièces")),
                      "message": message})
    line_labels = {f.name: f.label for f in spec.line_fields}
    for index, errors in enumerate(evaluation.line_errors):
        for name, message in errors.items():
            found.append({"anchor": f"#lines-{index}-{name}",
                          "label": f"{spec.line_label} {index + 1} — {line_labels.get(name, '')}",
                          "message": message})
    return found


def review_context(invoice):
    evaluation = pricing.evaluate(invoice, strict=True)
    return {"invoice": invoice, "spec": invoice_type(invoice.invoice_type),
            "evaluation": evaluation, "problems": _problem_list(invoice, evaluation),
            "format_chf": format_chf, "format_size": format_size,
            "submit_token": services.new_submit_token(), "pieces": _pieces(invoice, evaluation),
            **_display(invoice)}


def _display(invoice) -> dict:
    """Names and masked numbers shown on review, receipt and PDF."""
    fields = invoice.fields or {}
    # Only the owner's own rows: an id typed into the form must not show another's data.
    beneficiary = pricing.owned_row(Beneficiary, fields.get("beneficiary_id"), invoice.user_id,
                                    active=False)
    from guichet.models import BankAccount
    account = pricing.owned_row(BankAccount, fields.get("bank_account_id"), invoice.user_id,
                                active=False)
    return {"beneficiary": beneficiary, "account": account, "describe_account": describe_account,
            "mask_navs13": mask_navs13, "format_decision_number": format_decision_number,
            "status_info": status_info}


def show_context(invoice, form=None, upload_errors=()):
    evaluation = pricing.evaluate(invoice)
    from .forms import ComplementForm
    return {"invoice": invoice, "spec": invoice_type(invoice.invoice_type),
            "evaluation": evaluation, "format_chf": format_chf, "format_size": format_size,
            "complement": services.open_complement(invoice),
            "complement_form": form or ComplementForm(), "upload_errors": list(upload_errors),
            **_display(invoice)}


def handle_complement(invoice):
    from .forms import ComplementForm
    form = ComplementForm()
    if not form.validate_on_submit():
        return render_template("invoices/show.html", **show_context(invoice, form)), 422
    uploaded_before = len(invoice.attachments)
    errors = _store_uploads(invoice)
    if errors is None or errors:
        discard()  # a refused answer keeps nothing, not even the files that were accepted
        return render_template("invoices/show.html", **show_context(
            invoice, form, errors or [_("Rien n'a été enregistré. Réessayez.")])), 422
    complement = services.open_complement(invoice)
    for attachment in invoice.attachments[uploaded_before:]:
        attachment.complement_request_id = complement.id if complement else None
    services.answer_complement(invoice, current_user, form.message.data)
    flash(_("Merci : votre réponse a été envoyée à l'office."), "success")
    return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id), 303)
