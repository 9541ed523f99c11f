"""What the draft's form does after each button: where it comes back without scripts (the
anchor of the 303), where focus goes and what the live region says after an htmx swap, when
the draft was saved, and the message when another request had saved it meanwhile."""
from __future__ import annotations

from guichet.core.i18n import ZURICH
from guichet.core.i18n import gettext as _
from guichet.core.i18n import ngettext, today_in_zurich
from guichet.invoices import drafts, supplier_bills
from guichet.invoices.types import invoice_type


def conflict_message() -> str:
    return _("Ce brouillon venait d'être modifié par une autre demande (un autre onglet ou "
             "l'enregistrement automatique) : rien de ce que vous venez d'envoyer n'a été "
             "enregistré. Voici sa dernière version ; vérifiez-la, puis recommencez.")


def saved_text(invoice) -> str:
    """« Enregistré à 08:12 » (Swiss time; with the day when it was not today)."""
    saved = invoice.updated_at or invoice.created_at
    if saved is None:
        return ""
    saved = saved.astimezone(ZURICH)
    if saved.date() == today_in_zurich():
        return _("Enregistré à %(time)s", time=f"{saved:%H:%M}")
    return _("Enregistré le %(day)s à %(time)s", day=f"{saved:%d.%m.%Y}", time=f"{saved:%H:%M}")


def focus_and_words(invoice, action: drafts.Action,
                    outcome: drafts.Outcome) -> tuple[str | None, str | None]:
    """After an htmx swap: where focus goes (the new line's first field, the section heading
    after a removal, the new or moved pièce, the refused files) and what the live region says.
    No focus leaves it where htmx keeps it (the field being typed in, a file input)."""
    spec = invoice_type(invoice.invoice_type)
    if outcome.refusals:
        return "#upload-errors", None
    if action.kind == drafts.ADD_LINE and invoice.lines:
        index = len(invoice.lines) - 1
        data = invoice.lines[index].data or {}
        first = next((f.name for f in spec.line_fields if f.visible(data)), None)
        words = (spec.line_added or _("Ligne %(num)d ajoutée")) % {"num": index + 1}
        return (f"#lines-{index}-{first}" if first else "#lines-title"), str(words)
    if action.kind == drafts.REMOVE_LINE:
        return "#lines-title", str(spec.line_removed or _("Ligne supprimée"))
    if action.kind == drafts.REMOVE_FILE and outcome.removed is not None:
        return "#pieces-title", _("%(name)s retirée", name=outcome.removed.filename)
    if action.kind == drafts.MOVE_FILE and outcome.moved is not None:
        return (f"#attachment-{outcome.moved.id}",
                _("%(name)s classée", name=outcome.moved.filename))
    if action.kind == drafts.TAKE_BILL and outcome.taken is not None:
        return (f"#{first_filled(invoice, outcome.taken.fill)}",
                _("Informations reprises de la facture de %(supplier)s. Vérifiez-les : vous "
                  "pouvez les modifier.", supplier=outcome.taken.bill.supplier))
    if action.kind == drafts.DECLINE_BILL and outcome.declined is not None:
        return (f"#attachment-{outcome.declined.id}",
                _("Les informations de la facture ne seront pas reprises."))
    if outcome.attached:
        words = ngettext("%(names)s jointe", "%(names)s jointes", len(outcome.attached),
                         names=", ".join(a.filename for a in outcome.attached))
        offer = supplier_bills.offer(invoice)
        if offer is not None and offer.attachment in outcome.attached:
            return "#bill-offer", f"{words}. {offer.sentence} " + _(
                "Reprendre ces informations ?")
        return (f"#attachment-{outcome.attached[0].id}" if action.kind == drafts.UPLOAD
                else None), words
    if action.kind == drafts.UPLOAD:  # with scripts a file is joined as soon as it is chosen
        return None, _("Aucun nouveau fichier à joindre : un fichier choisi est joint tout de "
                       "suite.")
    if action.kind == drafts.SAVE:
        return None, saved_text(invoice)
    return None, None


def anchor_after(action: drafts.Action, invoice, files_sent: bool,
                 outcome: drafts.Outcome | None = None) -> str:
    """Where the form opens again without scripts: the new line, the lines, the question whose
    « Mettre à jour » was pressed, the new (or moved) pièce, the pièces, or its top."""
    if action.kind == drafts.ADD_LINE and invoice.lines:
        return f"#line-{len(invoice.lines) - 1}"
    if action.kind in (drafts.ADD_LINE, drafts.REMOVE_LINE):
        return "#lines"
    if action.kind == drafts.REFRESH and action.value:
        return f"#{action.value}"
    if action.kind == drafts.TAKE_BILL and outcome is not None and outcome.taken is not None:
        return f"#{first_filled(invoice, outcome.taken.fill)}"
    if action.kind == drafts.DECLINE_BILL and outcome is not None and \
            outcome.declined is not None:
        return f"#attachment-{outcome.declined.id}"
    if action.kind == drafts.MOVE_FILE and outcome is not None and outcome.moved is not None:
        return f"#attachment-{outcome.moved.id}"
    if outcome is not None and outcome.attached:
        return f"#attachment-{outcome.attached[0].id}"  # the first new pièce
    if action.kind in (drafts.UPLOAD, drafts.REMOVE_FILE, drafts.MOVE_FILE) or files_sent:
        return "#pieces"
    return ""


def first_filled(invoice, fill) -> str:
    """The id of the first field of the form that a bill taken wrote in (in the form's order,
    among those shown), else the pièces."""
    spec = invoice_type(invoice.invoice_type)
    header = invoice.fields or {}
    for field in spec.fields:
        if field.name in fill.header and field.visible(header):
            return field.name
    for position in sorted(fill.lines):
        data = invoice.lines[position].data if position < len(invoice.lines) else {}
        for field in spec.line_fields:
            if field.name in fill.lines[position] and field.visible(data or {}):
                return f"lines-{position}-{field.name}"
    return "pieces"
