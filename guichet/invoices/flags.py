"""What a human must look at before deciding an invoice, each with its reason (stub: the flags
come with the review work)."""
from __future__ import annotations

from dataclasses import dataclass, field

from guichet.models import Decision, Invoice


@dataclass(frozen=True)
class Flag:
    """One thing to look at: a stable key (``decision_missing``, ``monthly_cap`` …) and the
    reason in French, with the figures or the receipt number that explain it."""

    code: str
    reason: str


@dataclass(frozen=True)
class DecisionCheck:
    """The decision the invoice names, as the register has it, and what does not fit."""

    decision: Decision | None
    problems: list[str] = field(default_factory=list)


def flags_of(invoice: Invoice) -> list[Flag]:
    return []


def decision_check(invoice: Invoice) -> DecisionCheck:
    return DecisionCheck(None)


def refresh_flags(invoice: Invoice) -> None:
    """Stores :func:`flags_of` in ``invoice.flags`` (as JSON) and ``invoice.flagged``."""
    found = flags_of(invoice)
    invoice.flags = [{"code": flag.code, "reason": flag.reason} for flag in found]
    invoice.flagged = bool(found)
