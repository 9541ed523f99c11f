"""What every invoice type is made of, and what the generic evaluation hands it.

An :class:`InvoiceType` is data — its fields and lines (:class:`FieldSpec`), the dated rates it
uses — plus one function, ``price``, that reads the typed answers, checks them, computes the
amounts and names the pièces it asks for (:class:`Requirement`).
:func:`guichet.invoices.pricing.evaluate` reads the answers, runs the checks common to every type
(beneficiary, IBAN, decision number and period), then calls ``price`` with a :class:`Claim`.

Drafts keep what the person typed as text (so nothing is lost while it is incomplete);
:mod:`guichet.invoices.parsing` reads those texts into typed values by field kind.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from guichet.core.i18n import lazy_gettext as _l
from guichet.invoices.rate_book import RateBook, RateRow
from guichet.models import Beneficiary, Decision

from .amounts import ZERO
from .supplier_bill import BillFill, SupplierBill

# Field kinds: how a field is shown and how its text is read.
TEXT, DATE, TIME, MONEY, NUMBER, INTEGER, SELECT, YESNO, MONTH, TEXTAREA = (
    "text", "date", "time", "money", "number", "integer", "select", "yesno", "month", "textarea")

# The examples a field's hint gives, which its error message (guichet.invoices.parsing) repeats.
DATE_EXAMPLE = "14.10.2026"
TIME_EXAMPLE = "07:45"
MONTH_EXAMPLE = "10.2026"
MONEY_EXAMPLE = "12.50"
NUMBER_EXAMPLE = "7.5"
DATE_HINT = _l("JJ.MM.AAAA, par exemple %(example)s", example=DATE_EXAMPLE)
TIME_HINT = _l("HH:MM, par exemple %(example)s", example=TIME_EXAMPLE)
MONTH_HINT = _l("MM.AAAA, par exemple %(example)s", example=MONTH_EXAMPLE)

@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: object
    kind: str = TEXT
    hint: object = None
    choices: tuple[tuple[str, object], ...] = ()
    optional: bool = False
    width: str | None = None
    # Shown only when another field of the same line/header has one of these values.
    show_if: tuple[str, tuple[str, ...]] | None = None
    # Changing it changes which fields are shown: the form is redrawn.
    structural: bool = False
    # Its answer changes the pièces asked for (without scripts: « Mettre à jour » next to it).
    changes_pieces: bool = False
    max_length: int = 200
    # A date or month of the cost, which the decision must cover; false for other dates
    # (e.g. when a repaired device was bought).
    within_decision: bool = True
    # What the office's decision says for this field (its text, e.g. « Moyenne »), or ``None``
    # when it says nothing: then the field is asked (and required unless ``optional``); when it
    # says something, the field is not asked and the decision's figure applies.
    decided_by: Callable[[Decision], str | None] | None = field(default=None, compare=False)

    @property
    def changes_form(self) -> bool:
        """An answer that changes the form: other fields, or the pièces asked for."""
        return self.structural or self.changes_pieces

    def visible(self, values: dict) -> bool:
        if self.show_if is None:
            return True
        other, accepted = self.show_if
        return values.get(other, "") in accepted

    def decided(self, decision: Decision | None) -> str | None:
        """The decision's answer to this field, when the office knows it."""
        if self.decided_by is None or decision is None:
            return None
        return self.decided_by(decision)

    def asked(self, values: dict, decision: Decision | None) -> bool:
        """Shown in this situation, and not already answered by the office's decision."""
        return self.visible(values) and self.decided(decision) is None


@dataclass(frozen=True)
class Requirement:
    """A pièce justificative asked for. ``key`` is stable snake_case (attachments are filed
    under it), ``label`` says what to attach and ``reason`` why, in the person's situation;
    ``required=False``: useful to attach, but the invoice can be sent without it."""

    key: str
    label: str
    reason: str
    required: bool = True


@dataclass(frozen=True)
class Flag:
    """Something a human must look at before deciding an invoice: a stable key
    (``six_year_rule``, ``month_cap`` …) and the reason in French, with the figures, dates or
    receipt number that explain it. Types add theirs to :attr:`Evaluation.flags`; the others
    come from :mod:`guichet.invoices.flags`, which re-exports this class."""

    code: str
    reason: str


@dataclass
class Evaluation:
    """An invoice's errors, priced lines, total, notes, flags for staff and pièces asked."""

    header_errors: dict[str, str] = field(default_factory=dict)
    line_errors: list[dict[str, str]] = field(default_factory=list)
    priced_lines: list = field(default_factory=list)  # amounts.LineResult
    total: Decimal = ZERO
    notes: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    decision: Decision | None = None
    #: The chosen beneficiary, when it is one of the person's own (its date of birth counts
    #: for benefits that depend on age).
    beneficiary: Beneficiary | None = None
    #: What the total still waits for, in words that follow « Montant à calculer : »
    #: (« indiquez le montant mensuel de votre décision »).
    pending: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EarlierInvoice:
    """Another invoice of the same type, person and beneficiary, already sent (neither a draft
    nor refused): its header's typed values and its amount (approved, else claimed)."""

    header: dict
    amount: Decimal
    receipt_number: str | None = None


@dataclass
class Claim:
    """What a type's ``price`` works on: the typed answers (header values, one dict per line),
    the :class:`Evaluation` it fills in (the common checks have run), the rates, and whether
    missing answers count (``strict``: review and sending) or only what was typed is checked."""

    header: dict
    lines: list[dict]
    result: Evaluation
    rates: RateBook
    strict: bool
    earlier_invoices: Callable[[], list[EarlierInvoice]]

    @property
    def decision(self) -> Decision | None:
        """The office's decision the invoice rests on, when it is known and fits."""
        return self.result.decision

    @property
    def beneficiary(self) -> Beneficiary | None:
        return self.result.beneficiary

    def reportable(self, errors: dict[str, str], values: dict) -> dict[str, str]:
        """While editing, only errors about what was typed; when checking, all of them."""
        return dict(errors) if self.strict else {k: v for k, v in errors.items() if k in values}


class Pricer(Protocol):
    def __call__(self, claim: Claim) -> None:
        """Checks the answers, sets the claim's priced lines, total, notes, flags and
        requirements, and adds errors to its evaluation."""


@dataclass(frozen=True)
class InvoiceType:
    key: str
    label: object
    description: object
    price: Pricer
    fields: tuple[FieldSpec, ...] = ()
    line_fields: tuple[FieldSpec, ...] = ()
    line_label: object = None
    lines_title: object = None
    add_line_label: object = None
    #: What a screen reader hears once a line was added (``%(num)d``: its number) or removed.
    line_added: object = None
    line_removed: object = None
    #: The dated rates the type uses, as known when its module was written (seeded defaults).
    rates: tuple[RateRow, ...] = ()
    #: Lines asked only in some situations (API: the periods away, when not every night was
    #: at home): whether the header's typed values call for them. ``None``: always.
    lines_wanted: Callable[[dict], bool] | None = None
    #: A type that lays out its own lines: the template (included in the lines' section of
    #: the draft's form), and what it needs from the header's typed values.
    lines_template: str | None = None
    lines_context: Callable[[dict], dict] | None = None
    #: How a draft saved in an earlier shape of the type's form reads today: (header texts,
    #: line texts) → the same in today's shape. ``None``: the shape never changed.
    read_stored: Callable[[dict, list[dict]], tuple[dict, list[dict]]] | None = None
    #: How a line's answers read on the documents, from the header's typed values and the
    #: line's texts: [(label, value)]. ``None``: each answer given, as its field shows it.
    line_answers: Callable[[dict, dict], list[tuple[str, str]]] | None = None
    #: The tariff code of each priced line on the official IV invoice form (300.001 hearing
    #: aids: 909.01 …), from the header's stored texts and the line's stored texts (``{}`` for
    #: a type whose only line comes from the header); ``None`` where the type has no codes.
    tariff_code: Callable[[dict, dict], str | None] | None = None
    #: The type rests on a supplier's invoice: its pièces are looked at for a Swiss QR-bill,
    #: and this says what the bill writes in the form, from the header's and the lines' stored
    #: texts (empty: nothing to take, e.g. a travel claim with no taxi ride). ``None``: the
    #: type's pièces are not read.
    fill_from_bill: Callable[[SupplierBill, dict, list[dict]], BillFill] | None = None
    #: The pièces that are the supplier's invoice (their requirement keys): a page says when no
    #: QR-bill was read in one of them.
    bill_pieces: tuple[str, ...] = ()
    #: The benefit is for children (the demo data gives its decision to the register's child).
    for_minors: bool = False
    #: What a typical decision of this type grants (``Decision`` columns, for the demo data).
    demo_decision: tuple[tuple[str, object], ...] = ()

    @property
    def has_lines(self) -> bool:
        return bool(self.line_fields)

    def stored_answers(self, fields: dict | None,
                       lines: list[dict]) -> tuple[dict, list[dict]]:
        """A draft's texts (header, lines) in today's shape of the form."""
        fields, lines = dict(fields or {}), [dict(line or {}) for line in lines]
        return self.read_stored(fields, lines) if self.read_stored else (fields, lines)
