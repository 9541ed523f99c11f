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

from guichet.invoices.rate_book import RateBook, RateRow
from guichet.models import Decision

from .amounts import ZERO

# Field kinds: how a field is shown and how its text is read.
TEXT, DATE, TIME, MONEY, NUMBER, INTEGER, SELECT, YESNO, MONTH, TEXTAREA = (
    "text", "date", "time", "money", "number", "integer", "select", "yesno", "month", "textarea")

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

    @property
    def changes_form(self) -> bool:
        """An answer that changes the form: other fields, or the pièces asked for."""
        return self.structural or self.changes_pieces

    def visible(self, values: dict) -> bool:
        if self.show_if is None:
            return True
        other, accepted = self.show_if
        return values.get(other, "") in accepted


@dataclass(frozen=True)
class Requirement:
    """A pièce justificative asked for. ``key`` is stable snake_case (attachments are filed
    under it), ``label`` says what to attach and ``reason`` why, in the person's situation;
    ``required=False``: useful to attach, but the invoice can be sent without it."""

    key: str
    label: str
    reason: str
    required: bool = True


@dataclass
class Evaluation:
    """An invoice's errors, priced lines, total, notes, flags for staff and pièces asked."""

    header_errors: dict[str, str] = field(default_factory=dict)
    line_errors: list[dict[str, str]] = field(default_factory=list)
    priced_lines: list = field(default_factory=list)  # amounts.LineResult
    total: Decimal = ZERO
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    decision: Decision | None = None


@dataclass(frozen=True)
class EarlierInvoice:
    """Another invoice of the same type, person and beneficiary, already sent (neither a draft
    nor refused): its header's typed values and its amount (approved, else claimed)."""

    header: dict
    amount: Decimal


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
    #: Lines made by the server (e.g. one per day of a month): how many the header's typed
    #: values call for, and what a new one holds. ``None``: the person adds lines.
    fixed_line_count: Callable[[dict], int] | None = None
    fixed_line_data: tuple[tuple[str, str], ...] = ()
    #: The benefit is for children (the demo data gives its decision to the register's child).
    for_minors: bool = False
    #: What a typical decision of this type grants (``Decision`` columns, for the demo data).
    demo_decision: tuple[tuple[str, object], ...] = ()

    @property
    def has_lines(self) -> bool:
        return bool(self.line_fields)

    @property
    def fixed_lines(self) -> bool:
        return self.fixed_line_count is not None
