"""Editing a Brouillon: what each button of the invoice form asks for, and doing it.

One form carries the whole draft (header, lines, remark and new pièces), so nothing typed is lost
whichever button is pressed, with or without JavaScript. Every post saves the draft first;
:func:`parse_action` reads which button was pressed (the ``action`` value of its form), and
:func:`apply` saves, adds or removes a line or a pièce, takes the new pièces and remembers the
amounts. Drafts keep the texts as typed; sending checks everything (:mod:`.services`).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from guichet.core.identifiers import InvalidIdentifier
from guichet.models import Invoice, InvoiceLine, User, utcnow
from guichet.models.base import db
from guichet.models.invoices import STATUS_DRAFT
from guichet.register.decision_numbers import parse_decision_number
from guichet.register.saved_decisions import save_decision

from . import pieces, pricing, supplier_bills
from .parsing import read_values
from .services import NotEditable
from .types import invoice_type
from .types.base import Evaluation

MAX_LINES = 60

# What a button of the form asks for, besides saving.
AUTOSAVE = "autosave"        # no button: htmx saving what was typed (and the default)
SAVE = "save"                # « Enregistrer le brouillon » (and Enter in a field)
REFRESH = "refresh"          # « Recalculer », or an answer that changes which fields exist
REVIEW = "review"            # « Vérifier et envoyer »
UPLOAD = "upload"            # « Joindre les fichiers choisis »
ADD_LINE = "add_line"
REMOVE_LINE = "remove_line"  # remove_line:<position>
REMOVE_FILE = "remove_file"  # remove_file:<attachment id>
MOVE_FILE = "move_file"      # move_file:<attachment id>, with the pièce it is in piece-<id>
TAKE_BILL = "take_bill"      # take_bill:<attachment id>: « Reprendre ces informations »
DECLINE_BILL = "decline_bill"  # decline_bill:<attachment id>: « Non merci »
_PLAIN = (SAVE, REFRESH, REVIEW, UPLOAD, ADD_LINE)

#: « Mettre à jour » next to a question (refresh:<the question's field id>): the page comes back
#: at that question. Field ids are the form's own: ``kind``, ``lines-0-transport``.
_QUESTION_ID = re.compile(r"(?:lines-[0-9]{1,2}-)?[a-z][a-z_]{0,39}")


@dataclass(frozen=True)
class Action:
    kind: str
    #: the line's position (REMOVE_LINE) or the pièce's id (REMOVE_FILE, MOVE_FILE, TAKE_BILL,
    #: DECLINE_BILL)
    target: int | None = None
    #: the question whose « Mettre à jour » was pressed (REFRESH), or the requirement key a
    #: pièce is moved to (MOVE_FILE), as sent
    value: str = ""

    @property
    def redraws_form(self) -> bool:
        """Adding or removing a line, or an answer that changes which fields exist, redraws the
        whole form; anything else (typing, a pièce added or removed) only the summary."""
        return self.kind in (REFRESH, ADD_LINE, REMOVE_LINE, TAKE_BILL)


DEFAULT_ACTION = Action(AUTOSAVE)


def parse_action(text: object, form: Mapping[str, str] | None = None) -> Action:
    """The button's value as an :class:`Action`; anything else (missing, unknown, a position
    or id that is not a plain number) is :data:`DEFAULT_ACTION`: the draft is saved, nothing
    more. ``form`` (the rest of what was posted) gives the pièce chosen for MOVE_FILE."""
    name, colon, argument = str(text or "")[:60].partition(":")
    if not colon:
        return Action(name) if name in _PLAIN else DEFAULT_ACTION
    if name == REFRESH and _QUESTION_ID.fullmatch(argument):
        return Action(REFRESH, value=argument)
    if name == MOVE_FILE and (attachment_id := pricing.row_id(argument)) is not None:
        chosen = (form or {}).get(f"piece-{attachment_id}", "")
        return Action(MOVE_FILE, attachment_id, str(chosen)[:40])
    if name == REMOVE_LINE and argument.isascii() and argument.isdigit() and \
            int(argument) < MAX_LINES:
        return Action(REMOVE_LINE, int(argument))
    if name in (REMOVE_FILE, TAKE_BILL, DECLINE_BILL) and \
            (attachment_id := pricing.row_id(argument)) is not None:
        return Action(name, attachment_id)
    return DEFAULT_ACTION


@dataclass(frozen=True)
class Submitted:
    """What the form sent, as typed: the type's own fields, the lines, the chosen beneficiary
    and IBAN (the options' values: row ids as text), the decision number, whether to save it,
    and the remark."""

    header: dict[str, str] = field(default_factory=dict)
    lines: list[dict[str, str]] = field(default_factory=list)
    beneficiary: str = ""
    bank_account: str = ""
    decision_number: str = ""
    save_decision: bool = False
    remark: str = ""


@dataclass
class Outcome:
    """After :func:`apply`: the draft's evaluation as saved, the files refused (French), and
    the pièces added, removed or moved by this request, and the bill taken or declined (what
    the page then says)."""

    evaluation: Evaluation | None
    refusals: list[str] = field(default_factory=list)
    attached: list = field(default_factory=list)
    removed: object = None
    moved: object = None
    taken: object = None       # supplier_bills.Offer
    declined: object = None    # the Attachment whose offer was declined


def apply(invoice: Invoice, user: User, submitted: Submitted, action: Action,
          uploads: Iterable[tuple[str, object]] = ()) -> Outcome:
    """Saves the draft, does what ``action`` asks, takes the files of ``uploads`` ((requirement
    key, ``FileStorage``) pairs) that pass the checks and remembers the amounts.

    The uploads are checked after a pièce is removed, so that the removed one no longer counts
    toward the invoice's size limit. Raises :class:`~.pieces.NothingStored` when a file cannot
    be written (the caller drops the request)."""
    spec = invoice_type(invoice.invoice_type)
    before = dict(invoice.fields or {})
    save_draft(invoice, submitted)
    if spec.lines_wanted is not None:
        sync_wanted_lines(invoice, before)
    if submitted.save_decision:
        _save_decision_number(invoice, user)
    if action.kind == ADD_LINE and spec.has_lines:
        add_line(invoice)
    elif action.kind == REMOVE_LINE:
        remove_line(invoice, action.target)
    removed = moved = None
    if action.kind == REMOVE_FILE:
        removed = pieces.remove(invoice, user, action.target)
    elif action.kind == MOVE_FILE:
        db.session.flush()
        asked = [requirement.key for requirement in pricing.evaluate(invoice).requirements]
        moved = pieces.reassign(invoice, action.target, action.value, asked)
    taken = declined = None
    if action.kind == TAKE_BILL:
        taken = supplier_bills.take(invoice, action.target)
    elif action.kind == DECLINE_BILL:
        declined = supplier_bills.decline(invoice, action.target)
    accepted = pieces.receive(invoice, user, uploads)
    attached = pieces.attach(invoice, user, accepted.files)
    db.session.flush()
    evaluation = pricing.evaluate(invoice)
    pricing.remember_amounts(invoice, evaluation)
    return Outcome(evaluation, accepted.refusals, attached, removed, moved, taken, declined)


def save_draft(invoice: Invoice, submitted: Submitted) -> None:
    """Keeps what was typed, as typed (only known fields, bounded lengths).

    The beneficiary and the IBAN are kept in their columns, and only the owner's own rows that
    are still in use get there (a beneficiary not removed; an IBAN confirmed and not removed).
    A choice that cannot be taken (a row removed meanwhile in another tab, or an id that is
    none of the person's) leaves the column empty and is kept in the fields as it was sent, so
    that the form says « Choisissez … » until another one is chosen, as it would for a number
    typed wrongly."""
    if invoice.status != STATUS_DRAFT:
        raise NotEditable()
    spec = invoice_type(invoice.invoice_type)
    fields = {f.name: str(submitted.header.get(f.name, ""))[:f.max_length] for f in spec.fields}
    fields["save_decision"] = "y" if submitted.save_decision else ""
    beneficiary = pricing.chosen_beneficiary(invoice.user_id, submitted.beneficiary)
    account = pricing.chosen_account(invoice.user_id, submitted.bank_account)
    invoice.beneficiary_id = beneficiary.id if beneficiary else None
    invoice.bank_account_id = account.id if account else None
    for name, row, sent in (("beneficiary_id", beneficiary, submitted.beneficiary),
                            ("bank_account_id", account, submitted.bank_account)):
        if row is None and sent:
            fields[name] = str(sent)[:20]
    # The number as typed stays in the draft's fields; the column (14 characters) holds only
    # a valid number of this office.
    typed_number = (submitted.decision_number or "").strip()[:40]
    fields["decision_number"] = typed_number
    invoice.fields = fields
    invoice.decision_number = _valid_decision_number(typed_number)
    invoice.remark = (submitted.remark or "")[:2000]
    line_limits = {f.name: f.max_length for f in spec.line_fields}
    lines = submitted.lines[:MAX_LINES]
    for position, values in enumerate(lines):
        data = {name: str(values.get(name, ""))[:limit] for name, limit in line_limits.items()}
        if position < len(invoice.lines):
            invoice.lines[position].data = data
        else:
            invoice.lines.append(InvoiceLine(position=position, data=data))
    del invoice.lines[len(lines):]
    invoice.updated_at = utcnow()


def _valid_decision_number(typed: str) -> str | None:
    try:
        return parse_decision_number(typed)
    except InvalidIdentifier:
        return None


def _save_decision_number(invoice: Invoice, user: User) -> None:
    """« Enregistrer ce numéro »: the valid number goes to the beneficiary's saved numbers (once),
    and the box is unticked."""
    beneficiary = pricing.chosen_beneficiary(invoice.user_id, invoice.beneficiary_id)
    if beneficiary is None or invoice.decision_number is None:
        return
    if all(saved.number != invoice.decision_number for saved in beneficiary.decisions):
        save_decision(user, beneficiary, invoice.decision_number,
                      str(invoice_type(invoice.invoice_type).label))
    invoice.fields = {**invoice.fields, "save_decision": ""}


def sync_wanted_lines(invoice: Invoice, before: dict) -> None:
    """For a type whose lines only some answers call for (API mineur·e: the periods away, when
    not every night was at home): none are kept when the answers no longer call for them, and
    one empty line is offered when they just started to (``before``: the fields as they were
    before this save)."""
    spec = invoice_type(invoice.invoice_type)
    values, _errors = read_values(spec.fields, invoice.fields or {})
    if not spec.lines_wanted(values):
        del invoice.lines[:]
        return
    earlier, _errors = read_values(spec.fields, spec.stored_answers(before, [])[0])
    if not invoice.lines and not spec.lines_wanted(earlier):
        invoice.lines.append(InvoiceLine(position=0, data={}))


def add_line(invoice: Invoice) -> int:
    if invoice.status != STATUS_DRAFT:
        raise NotEditable()
    if len(invoice.lines) >= MAX_LINES:
        return len(invoice.lines) - 1
    invoice.lines.append(InvoiceLine(position=len(invoice.lines), data={}))
    return len(invoice.lines) - 1


def remove_line(invoice: Invoice, position: int) -> None:
    if invoice.status != STATUS_DRAFT:
        raise NotEditable()
    if 0 <= position < len(invoice.lines):
        del invoice.lines[position]
        for index, line in enumerate(invoice.lines):
            line.position = index

