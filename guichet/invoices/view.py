"""One invoice as people read it: built once from the invoice and its evaluation, and laid out
by each page that shows it — the draft's form (its pièces and problems), the review before
sending, the invoice's own page, its PDF — and next by the staff screens and the transmission
PDF. Templates only lay it out (``templates/invoices/_view.html``); what is shown, in which
words, comes from here.

A draft reads the live records (the account, the beneficiary, the IBAN, the dated rates). At
sending, :func:`frozen_copy` keeps in the invoice (``invoices.frozen``) everything its documents
show from other records; a sent invoice's view reads that copy, so its page, its receipt and its
PDF never follow later changes of the profile, the beneficiary, the IBAN or the rates.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from flask import current_app
from sqlalchemy import select

from guichet.core.i18n import gettext as _
from guichet.core.i18n import today_in_zurich
from guichet.models import (Attachment, BankAccount, Beneficiary, ComplementRequest, Invoice,
                            RefusalReason, User)
from guichet.models.base import db
from guichet.models.invoices import REASON_REFUSAL, STATUS_ACCEPTED, STATUS_DRAFT, STATUS_NEEDS_INFO

from . import pricing, supplier_bills
from .parsing import read_values
from .status import status_text
from .types import invoice_type
from .types.amounts import Charge, LineResult
from .types.base import SELECT, YESNO, Evaluation, FieldSpec, Flag, Requirement
from .types.wording import enumeration

#: Where pièces go that answer none of the requirements (the form's « Autres pièces »).
OTHER_PIECES = "other"


@dataclass(frozen=True)
class Detail:
    """One answer of the type's own fields, as it reads."""

    label: str
    value: str


@dataclass(frozen=True)
class DeclaredLine:
    """One line as the person declared it (« Trajet 1 »): each answer given, as it reads."""

    title: str
    answers: list[Detail]


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


@dataclass(frozen=True)
class LineDecision:
    """One priced line as the office decided it: claimed, approved, and why it is lower."""

    label: str
    claimed: Decimal
    approved: Decimal
    reason: str  # the reduction's reason (its label, then the office's text); "" if not reduced

    @property
    def reduced(self) -> bool:
        return self.approved < self.claimed


@dataclass(frozen=True)
class DecisionShown:
    """The office's decision that counts, as the insured person reads it: a validation (the
    approved amount per line, each reduction with its reason, the total approved) or a
    refusal (its reason and the office's text); and how to contest it."""

    accepted: bool
    decided_at: datetime
    total_claimed: Decimal
    total_approved: Decimal | None
    lines: list[LineDecision]
    refusal_reason: str
    refusal_text: str
    contest: str  # « Vous pouvez demander une décision formelle … » ("" when nothing to contest)

    @property
    def reduced(self) -> bool:
        return any(line.reduced for line in self.lines) or (
            self.total_approved is not None and self.total_approved < self.total_claimed)


@dataclass(frozen=True)
class ComplementShown:
    """A request of the office for a complement, and the person's answer once given."""

    id: int
    asked_at: datetime
    message: str
    documents: list[str]
    due_date: date | None
    overdue: bool  # past its due date and still unanswered
    answer: str | None
    answered_at: datetime | None
    files: list[Attachment]


def contest_sentence() -> str:
    """How to contest a decision: the office issues a formal decision on request."""
    config = current_app.config
    return _("Vous pouvez demander une décision formelle à l'office si vous n'êtes pas "
             "d'accord : vous pourrez ensuite la contester par une opposition. Appelez le "
             "%(phone)s ou écrivez à %(email)s en indiquant le numéro de reçu.",
             phone=config["OFFICE_PHONE"], email=config["CONTACT_EMAIL"])


def display_value(spec: FieldSpec, raw: str | None) -> str:
    """The label of a chosen option, « Oui »/« Non », or the text as typed."""
    raw = raw or ""
    if spec.kind == SELECT:
        return str(dict(spec.choices).get(raw, raw))
    if spec.kind == YESNO:
        return {"yes": _("Oui"), "no": _("Non")}.get(raw, raw)
    return raw


# --- the copy kept at sending ----------------------------------------------------------------

#: Where the copies of complement answers go (they answer the office, not a requirement).
COMPLEMENT_PIECES = "complement"


@dataclass(frozen=True)
class PersonCopy:
    """The account holder, or a beneficiary, as the invoice was sent."""

    nom: str
    prenom: str
    navs13: str
    date_naissance: date | None
    civilite: str | None = None
    rue: str | None = None
    npa: str | None = None
    localite: str | None = None
    pays: str | None = None

    @property
    def display_name(self) -> str:
        return f"{self.prenom} {self.nom}".strip()

    @classmethod
    def read(cls, data: dict | None) -> PersonCopy | None:
        if not data:
            return None
        born = data.get("date_naissance")
        return cls(**{**data, "date_naissance": date.fromisoformat(born) if born else None})


@dataclass(frozen=True)
class AccountCopy:
    """The IBAN the reimbursement goes to, with its holder and bank, as the invoice was sent."""

    iban: str
    holder: str
    bank_name: str | None = None

    @classmethod
    def read(cls, data: dict | None) -> AccountCopy | None:
        return cls(**data) if data else None


_PERSON = ("nom", "prenom", "navs13", "date_naissance")
_ADDRESS = ("civilite", "rue", "npa", "localite", "pays")


def _person(row, names) -> dict | None:
    if row is None:
        return None
    data = {name: getattr(row, name) or "" for name in names}
    data["date_naissance"] = row.date_naissance.isoformat() if row.date_naissance else None
    return data


def frozen_copy(invoice: Invoice, evaluation: Evaluation) -> dict:
    """What the sent invoice's documents show from records other than the invoice itself: the
    account holder and their address, the beneficiary, the IBAN with holder and bank, the
    decision number, and the evaluation (lines with their calculation at the rates in force,
    notes, pièces asked). Plain JSON; :class:`InvoiceView` reads it back."""
    view = InvoiceView(invoice, evaluation, live=True)
    account = view.account
    return {
        "owner": _person(view.owner, _PERSON + _ADDRESS),
        "beneficiary": _person(view.beneficiary, _PERSON),
        "account": {"iban": account.iban, "holder": account.holder,
                    "bank_name": account.bank_name} if account is not None else None,
        "decision_number": view.decision_number,
        # the answers as they read on sending: a later change of the type's form or wording
        # does not change what the sent invoice says was declared
        "details": [[detail.label, detail.value] for detail in view.details],
        "declared_lines": [{"title": line.title,
                            "answers": [[answer.label, answer.value] for answer in line.answers]}
                           for line in view.declared_lines],
        "evaluation": {
            "lines": [{"label_parts": [str(part) for part in line.label_parts],
                       "charges": [{"label": str(charge.label), "amount": str(charge.amount)}
                                   for charge in line.charges]}
                      for line in evaluation.priced_lines],
            "notes": [str(note) for note in evaluation.notes],
            "flags": [{"code": flag.code, "reason": str(flag.reason)}
                      for flag in evaluation.flags],
            "requirements": [{"key": r.key, "label": str(r.label), "reason": str(r.reason),
                              "required": r.required} for r in evaluation.requirements]},
    }


def _frozen_evaluation(data: dict) -> Evaluation:
    """The evaluation kept at sending (nothing is computed again: no rate is read)."""
    lines = [LineResult.of(line["label_parts"],
                           [Charge(charge["label"], Decimal(charge["amount"]))
                            for charge in line["charges"]])
             for line in data.get("lines", [])]
    return Evaluation(priced_lines=lines, notes=list(data.get("notes", [])),
                      flags=[Flag(**flag) for flag in data.get("flags", [])],
                      requirements=[Requirement(**r) for r in data.get("requirements", [])])


class InvoiceView:
    """The facts of one invoice that its pages and PDFs show.

    ``evaluation`` is what the page computed (the form's, while editing); by default a draft is
    evaluated strictly (what is missing counts: review, PDF) and a sent invoice is read from
    the copy kept at sending (``live=True``: from the live records, as :func:`frozen_copy`
    does). What needs more queries (the owner, the history …) is worked out only when a page
    asks.
    """

    def __init__(self, invoice: Invoice, evaluation: Evaluation | None = None, *,
                 live: bool = False):
        self.invoice = invoice
        self.is_draft = invoice.status == STATUS_DRAFT
        #: the copy kept at sending (``None``: a draft, or read live)
        self.frozen = None if self.is_draft or live else (invoice.frozen or None)
        kept = (self.frozen or {}).get("evaluation")
        self.evaluation = evaluation or (_frozen_evaluation(kept) if kept is not None else
                                         pricing.evaluate(invoice, strict=self.is_draft))
        self.type = invoice_type(invoice.invoice_type)
        self.type_label = str(self.type.label)
        self.status = status_text(invoice.status)
        self.receipt_number = invoice.receipt_number
        self.created_at = invoice.created_at
        self.submitted_at = invoice.submitted_at
        #: the decision number as given (format it with the ``decision_number`` filter)
        self.decision_number = (self.frozen["decision_number"] if self.frozen
                                else pricing.decision_number_of(invoice))
        self.remark = invoice.remark or ""
        #: each line with its calculation (what the type's pricer returned)
        self.lines = self.evaluation.priced_lines
        #: a sent invoice: the total claimed on sending; a draft: as computed now
        self.total = self.evaluation.total if self.is_draft else invoice.total_claimed
        self.total_approved = invoice.total_approved
        #: « Payée »: the day the Centrale de compensation paid, and the amount it paid
        self.paid_on = invoice.paid_on
        self.paid_amount = invoice.paid_amount
        self.notes = self.evaluation.notes

    # --- who, and where the money goes ---------------------------------------------------------

    @cached_property
    def owner(self) -> User | PersonCopy:
        """The account that sent it (the insured person, or their representative): its name
        and address (a sent invoice: as they were on sending)."""
        if self.frozen:
            return PersonCopy.read(self.frozen["owner"])
        return db.session.get(User, self.invoice.user_id)

    @cached_property
    def beneficiary(self) -> Beneficiary | PersonCopy | None:
        """The chosen beneficiary, only ever one of the owner's own rows (a sent invoice: as
        it was on sending)."""
        if self.frozen:
            return PersonCopy.read(self.frozen["beneficiary"])
        return pricing.owned_row(Beneficiary, self.invoice.beneficiary_id,
                                 self.invoice.user_id, active=False)

    @cached_property
    def account(self) -> BankAccount | AccountCopy | None:
        """The chosen IBAN with its holder and bank, only ever one of the owner's own (a sent
        invoice: as it was on sending; the IBAN itself is also in :attr:`iban`)."""
        if self.frozen:
            return AccountCopy.read(self.frozen["account"])
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
        office's decision answers, as the decision says it (a sent invoice: as they read on
        sending)."""
        if self.frozen and "details" in self.frozen:
            return [Detail(label, value) for label, value in self.frozen["details"]]
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

    @cached_property
    def declared_lines(self) -> list[DeclaredLine]:
        """Each line (trip, assistant, night …) with every answer given for it that is shown
        in its situation: the times, nights, companion, kilometres … as declared (a sent
        invoice: as they read on sending)."""
        if self.frozen and "declared_lines" in self.frozen:
            return [DeclaredLine(line["title"], [Detail(label, value)
                                                 for label, value in line["answers"]])
                    for line in self.frozen["declared_lines"]]
        spec = self.type
        lines = spec.stored_answers(self.invoice.fields,
                                    [line.data for line in self.invoice.lines])[1]
        header = read_values(spec.fields, self.fields)[0] if spec.line_answers else None
        found = []
        for index, data in enumerate(lines):
            if spec.line_answers:
                answers = spec.line_answers(header, data)
            else:
                answers = [(str(field.label), display_value(field, data[field.name]))
                           for field in spec.line_fields
                           if field.visible(data) and data.get(field.name)]
            found.append(DeclaredLine(f"{spec.line_label} {index + 1}",
                                      [Detail(label, value) for label, value in answers]))
        return found

    @property
    def one_answer_per_line(self) -> bool:
        """Each line asks one thing (a night's place): the lines read as one list."""
        return len(self.type.line_fields) == 1

    @property
    def attachments(self) -> list[Attachment]:
        return self.invoice.attachments

    @cached_property
    def pieces(self) -> list[PieceGroup]:
        """Each pièce asked for with the files given for it, then « Autres pièces », then
        (once the office asked for a complement) the files sent in answer."""
        answers = [a for a in self.attachments if a.complement_request_id is not None]
        given = [a for a in self.attachments if a.complement_request_id is None]
        groups = [PieceGroup(r.key, r.label, r.reason, r.required,
                             [a for a in given if a.requirement == r.key])
                  for r in self.evaluation.requirements]
        known = {group.key for group in groups}
        groups.append(PieceGroup(
            OTHER_PIECES, _("Autres pièces (facultatif)"),
            _("Tout autre document utile à l'office."), False,
            [a for a in given if a.requirement not in known]))
        if answers:
            groups.append(PieceGroup(COMPLEMENT_PIECES, _("Documents envoyés à la demande de "
                                                          "l'office"), "", False, answers))
        return groups

    @property
    def pieces_shown(self) -> list[PieceGroup]:
        """The groups a document lists: those with files, and those asked that have none."""
        return [group for group in self.pieces if group.files or group.required]

    # --- the supplier's QR-bill ----------------------------------------------------------------

    @cached_property
    def bill_offer(self) -> supplier_bills.Offer | None:
        """A draft's « Reprendre ces informations ? » (the newest bill not answered yet)."""
        return supplier_bills.offer(self.invoice) if self.is_draft else None

    @cached_property
    def bill_marks(self) -> set[str]:
        """The draft's fields that still hold what a QR-bill wrote in them (their ids)."""
        return supplier_bills.marks(self.invoice) if self.is_draft else set()

    @cached_property
    def bill_warnings(self) -> list[str]:
        """Before sending: the person's own invoices that already hold the same supplier
        invoice."""
        return supplier_bills.warnings_for_person(self.invoice) if self.is_draft else []

    def bill_note(self, attachment: Attachment, group_key: str) -> str:
        """What was read in a pièce: « Facture QR lue : Audition Plus SA, 1'650.00 CHF », or
        « Aucune facture QR lue » for a supplier's invoice without one; "" otherwise."""
        bill = supplier_bills.bill_of(attachment)
        if bill is not None:
            return _("Facture QR lue : %(supplier)s, %(amount)s", supplier=bill.creditor.name,
                     amount=supplier_bills.amount_text(bill))
        if group_key in self.type.bill_pieces and \
                supplier_bills.looked_at_without_bill(attachment):
            return _("Aucune facture QR lue")
        return ""

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

    # --- what the office decided, and what it asked -----------------------------------------

    @cached_property
    def decision(self) -> DecisionShown | None:
        """The decision that counts (:func:`~.review.standing_decision`): ``None`` while the
        office has not decided, during the second visa, and after a validation was sent back.
        Nothing of the office's notes or of who decided."""
        from .review import reduction_reason_labels, standing_decision  # review reads this module
        decision = None if self.is_draft else standing_decision(self.invoice)
        if decision is None:
            return None
        accepted = decision.outcome == STATUS_ACCEPTED
        lines = []
        if accepted:
            labels = [line.label for line in self.lines]
            reasons = reduction_reason_labels() if any(
                item.get("reason_code") for item in decision.line_amounts or []) else {}
            for index, item in enumerate(decision.line_amounts or []):
                code, text = item.get("reason_code"), (item.get("reason") or "").strip()
                reason = reasons.get(code, "") if code else ""
                reason = " — ".join(part for part in (reason, text) if part)
                lines.append(LineDecision(
                    labels[index] if index < len(labels) else _("Ligne %(n)s", n=index + 1),
                    Decimal(item["claimed"]), Decimal(item["approved"]), reason))
            refusal_reason = ""
        else:
            refusal = db.session.scalar(select(RefusalReason).where(
                RefusalReason.kind == REASON_REFUSAL, RefusalReason.code == decision.reason_code))
            refusal_reason = refusal.label if refusal is not None else ""
        shown = DecisionShown(
            accepted=accepted, decided_at=decision.visa_at or decision.decided_at,
            total_claimed=self.invoice.total_claimed,
            total_approved=decision.total_approved if accepted else None, lines=lines,
            refusal_reason=refusal_reason,
            refusal_text=(decision.reason_text or "").strip() if not accepted else "",
            contest="")
        if not accepted or shown.reduced:
            shown = replace(shown, contest=contest_sentence())
        return shown

    @cached_property
    def complements(self) -> list[ComplementShown]:
        """Every request of the office for a complement, oldest first, with its answer and
        the files sent with it."""
        if self.is_draft:
            return []
        requests = db.session.scalars(select(ComplementRequest).where(
            ComplementRequest.invoice_id == self.invoice.id).order_by(ComplementRequest.id))
        today = today_in_zurich()
        return [ComplementShown(
            id=request.id, asked_at=request.created_at, message=request.message,
            documents=request.document_list, due_date=request.due_date,
            overdue=(request.answered_at is None and request.due_date is not None
                     and request.due_date < today),
            answer=request.answer, answered_at=request.answered_at,
            files=[a for a in self.attachments if a.complement_request_id == request.id])
            for request in requests]

    @property
    def open_complement(self) -> ComplementShown | None:
        """The request the person has to answer now (« À compléter »)."""
        if self.invoice.status != STATUS_NEEDS_INFO:
            return None
        waiting = [item for item in self.complements if item.answered_at is None]
        return waiting[-1] if waiting else None

    @property
    def earlier_complements(self) -> list[ComplementShown]:
        """The requests already answered (they stay readable on the invoice's page)."""
        return [item for item in self.complements if item.answered_at is not None]

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
