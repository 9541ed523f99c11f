"""One invoice as people read it: built once from the invoice and its evaluation, and laid out
by each page that shows it — the draft's form (its pièces and problems), the review before
sending, the invoice's own page, its PDF — and next by the staff screens and the transmission
PDF. Templates only lay it out (``templates/invoices/_view.html``); what is shown, in which
words, comes from here.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from guichet.core.i18n import gettext as _
from guichet.models import Attachment, BankAccount, Beneficiary, Invoice, User
from guichet.models.base import db
from guichet.models.invoices import STATUS_DRAFT

from . import pricing
from .parsing import read_values
from .status import status_text
from .types import invoice_type
from .types.base import SELECT, YESNO, Evaluation, FieldSpec
from .types.wording import enumeration

#: Where pièces go that answer none of the requirements (the form's « Autres pièces »).
OTHER_PIECES = "other"


@dataclass(frozen=True)
class Detail:
    """One answer of the type's own fields, as it reads."""

    label: str
    value: str


@dataclass(frozen=True)
class PieceGroup:
    """A pièce asked for, and the files given for it."""

    key: str
    label: str
    reason: str
    required: bool
    files: list[Attachment]


@dataclass(frozen=True)
class Problem:
    """What still prevents sending: the field's label, the message, and the anchor of the field
    on the form (``#decision_number``, ``#lines-0-date``, ``#pieces``, ``#lines``)."""

    anchor: str
    label: str
    message: str


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    by_office: bool
    message: str
    status_label: str | None  # the state it moved to, when it moved


def display_value(spec: FieldSpec, raw: str | None) -> str:
    """The label of a chosen option, « Oui »/« Non », or the text as typed."""
    raw = raw or ""
    if spec.kind == SELECT:
        return str(dict(spec.choices).get(raw, raw))
    if spec.kind == YESNO:
        return {"yes": _("Oui"), "no": _("Non")}.get(raw, raw)
    return raw


class InvoiceView:
    """The facts of one invoice that its pages and PDFs show.

    ``evaluation`` is what the page computed (the form's, while editing); by default a draft is
    evaluated strictly (what is missing counts: review, PDF) and a sent invoice as it stands.
    What needs more queries (the owner, the history …) is worked out only when a page asks.
    """

    def __init__(self, invoice: Invoice, evaluation: Evaluation | None = None):
        self.invoice = invoice
        self.is_draft = invoice.status == STATUS_DRAFT
        self.evaluation = evaluation or pricing.evaluate(invoice, strict=self.is_draft)
        self.type = invoice_type(invoice.invoice_type)
        self.type_label = str(self.type.label)
        self.status = status_text(invoice.status)
        self.receipt_number = invoice.receipt_number
        self.created_at = invoice.created_at
        self.submitted_at = invoice.submitted_at
        #: the decision number as given (format it with the ``decision_number`` filter)
        self.decision_number = pricing.decision_number_of(invoice)
        self.remark = invoice.remark or ""
        #: each line with its calculation (what the type's pricer returned)
        self.lines = self.evaluation.priced_lines
        #: a sent invoice: the total claimed on sending; a draft: as computed now
        self.total = self.evaluation.total if self.is_draft else invoice.total_claimed
        self.total_approved = invoice.total_approved
        self.notes = self.evaluation.notes

    # --- who, and where the money goes ---------------------------------------------------------

    @cached_property
    def owner(self) -> User:
        """The account that sent it (the insured person, or their representative)."""
        return db.session.get(User, self.invoice.user_id)

    @cached_property
    def beneficiary(self) -> Beneficiary | None:
        """The chosen beneficiary, only ever one of the owner's own rows."""
        return pricing.owned_row(Beneficiary, self.invoice.beneficiary_id,
                                 self.invoice.user_id, active=False)

    @cached_property
    def account(self) -> BankAccount | None:
        """The chosen IBAN's row, only ever one of the owner's own (a sent invoice keeps the
        IBAN itself in :attr:`iban`)."""
        return pricing.owned_row(BankAccount, self.invoice.bank_account_id,
                                 self.invoice.user_id, active=False)

    @property
    def iban(self) -> str | None:
        """The IBAN the reimbursement was sent to (compact), once the invoice is sent."""
        return self.invoice.iban

    # --- what was asked -----------------------------------------------------------------------

    @cached_property
    def fields(self) -> dict:
        """The type's own answers as typed, in today's shape of its form."""
        return self.type.stored_answers(self.invoice.fields,
                                        [line.data for line in self.invoice.lines])[0]

    @cached_property
    def details(self) -> list[Detail]:
        """The type's own answers that were given and are shown in this situation; what the
        office's decision answers, as the decision says it."""
        fields, decision = self.fields, self.evaluation.decision
        found = []
        for spec in self.type.fields:
            decided = spec.decided(decision)
            if decided is not None:
                found.append(Detail(str(spec.label), decided))
            elif spec.visible(fields) and fields.get(spec.name):
                found.append(Detail(str(spec.label), display_value(spec, fields[spec.name])))
        return found

    @cached_property
    def asked_fields(self) -> list[FieldSpec]:
        """The type's own fields the draft's form asks in this situation (not those the
        office's decision already answers)."""
        return [spec for spec in self.type.fields
                if spec.asked(self.fields, self.evaluation.decision)]

    @cached_property
    def decided_details(self) -> list[Detail]:
        """What the office's decision answers instead of the person (« Degré … : Moyenne »)."""
        decision = self.evaluation.decision
        return [Detail(str(spec.label), spec.decided(decision)) for spec in self.type.fields
                if spec.visible(self.fields) and spec.decided(decision) is not None]

    @cached_property
    def lines_context(self) -> dict:
        """What a type that lays out its own lines needs (its ``lines_context``)."""
        if self.type.lines_context is None:
            return {}
        values, _errors = read_values(self.type.fields, self.fields)
        return self.type.lines_context(values)

    @property
    def total_pending(self) -> str | None:
        """Instead of a total of 0.00 CHF while nothing could be priced yet: what is missing
        (« Montant à calculer : indiquez le montant mensuel de votre décision »)."""
        if self.lines or self.total or not self.is_draft:
            return None
        missing = self.evaluation.pending or [_("complétez les informations ci-dessus")]
        return _("Montant à calculer : %(missing)s.", missing=enumeration(missing))

    @property
    def attachments(self) -> list[Attachment]:
        return self.invoice.attachments

    @cached_property
    def pieces(self) -> list[PieceGroup]:
        """Each pièce asked for with the files given for it, then « Autres pièces »."""
        groups = [PieceGroup(r.key, r.label, r.reason, r.required,
                             [a for a in self.attachments if a.requirement == r.key])
                  for r in self.evaluation.requirements]
        known = {group.key for group in groups}
        groups.append(PieceGroup(
            OTHER_PIECES, _("Autres pièces (facultatif)"),
            _("Tout autre document utile à l'office."), False,
            [a for a in self.attachments if a.requirement not in known]))
        return groups

    @cached_property
    def problems(self) -> list[Problem]:
        """What still prevents sending (with a strict evaluation: everything missing too)."""
        spec = self.type
        labels = {f.name: f.label for f in spec.fields}
        labels.update({"beneficiary_id": _("Bénéficiaire"), "bank_account_id": _("IBAN"),
                       "decision_number": _("N° de décision"), "lines": spec.line_label or ""})
        found = []
        for name, message in self.evaluation.header_errors.items():
            anchor = "#pieces" if name.startswith("piece-") else (
                "#lines" if name == "lines" else f"#{name}")
            found.append(Problem(anchor, str(labels.get(name, _("Pièces"))), message))
        line_labels = {f.name: f.label for f in spec.line_fields}
        for index, errors in enumerate(self.evaluation.line_errors):
            for name, message in errors.items():
                found.append(Problem(
                    f"#lines-{index}-{name}",
                    f"{spec.line_label} {index + 1} — {line_labels.get(name, '')}", message))
        return found

    @cached_property
    def history(self) -> list[HistoryEntry]:
        """Every change, oldest first: when, whether the office made it, what, the new state."""
        return [HistoryEntry(event.at, event.by_office, event.message,
                             str(status_text(event.status_to).label)
                             if event.status_to and event.status_to != event.status_from
                             else None)
                for event in self.invoice.events]


def problems_before_sending(invoice: Invoice) -> list[Problem]:
    """What still prevents sending this draft, each with the anchor of the field to correct."""
    return InvoiceView(invoice, pricing.evaluate(invoice, strict=True)).problems
