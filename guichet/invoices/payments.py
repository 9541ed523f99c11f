"""The Centrale de compensation's payment list for a batch, and the lines it could not apply.

The list is a CSV file (UTF-8 with or without BOM, ``;`` or ``,``, a header row): receipt
number, date paid, amount paid, and the NIF when given. A line whose receipt is in the batch,
whose invoice is « Validée » and whose amount is the approved one makes the invoice « Payée »
with that date and amount (the person is told once). Any other readable line changes nothing
and is kept as a :class:`~guichet.models.PaymentIssue` until a gestionnaire decides (accept
the amount paid as paid, or dismiss): an amount that differs, a receipt not in the batch, an
invoice not payable, a receipt given twice in the list; a NIF that differs from the one the
account has is listed too (the payment itself is applied). Lines that cannot be read are
refused with their reason. Importing the same list again changes nothing and tells nobody
anything again.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.models import Invoice, PaymentIssue, TransmissionBatch, User, utcnow
from guichet.models.base import db
from guichet.models.invoices import STATUS_ACCEPTED, STATUS_PAID

from .parsing import Unreadable, parse_date, parse_money
from .transmission import BatchRefused, pay_invoice

AMOUNT_DIFFERS = "amount_differs"
NOT_IN_BATCH = "not_in_batch"
NOT_PAYABLE = "not_payable"
DUPLICATE = "duplicate"
NIF_DIFFERS = "nif_differs"

PROBLEMS = {
    AMOUNT_DIFFERS: _l("Le montant payé diffère du montant validé"),
    NOT_IN_BATCH: _l("Ce numéro de reçu n'est pas dans ce lot"),
    NOT_PAYABLE: _l("La demande n'est pas dans un état payable"),
    DUPLICATE: _l("Ce numéro de reçu figure plusieurs fois dans la liste"),
    NIF_DIFFERS: _l("Le NIF diffère de celui enregistré pour ce compte"),
}

ACCEPTED, DISMISSED = "accepted", "dismissed"

#: The header's names the list may use for each column (compared without case and accents).
COLUMNS = {
    "receipt": ("recu", "n de recu", "no de recu", "numero de recu", "receipt", "quittance",
                "receipt number", "reference"),
    "paid_on": ("date", "date paiement", "date de paiement", "date du paiement", "paid on",
                "date paid", "paye le"),
    "amount": ("montant", "montant paye", "montant verse", "amount", "amount paid"),
    "nif": ("nif", "n creancier", "numero de creancier", "creditor"),
}
MAX_LINES = 5000
NIF_PATTERN = re.compile(r"\d{1,20}")


class ListUnreadable(RuntimeError):
    """The file as a whole cannot be read (no header, not UTF-8 …): nothing was applied."""


@dataclass
class RefusedLine:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did: invoices paid, lines already applied, issues listed (new ones),
    issues already listed, lines refused (unreadable) with their reason."""

    paid: list[str] = field(default_factory=list)
    unchanged: int = 0
    issues: list[PaymentIssue] = field(default_factory=list)
    known_issues: int = 0
    refused: list[RefusedLine] = field(default_factory=list)
    nifs_stored: int = 0

    @property
    def changed_nothing(self) -> bool:
        return not (self.paid or self.issues or self.nifs_stored)


def normalize_nif(raw: str | None) -> str | None:
    """Digits only (spaces, dots and dashes dropped); ``None`` when empty; raises
    :class:`Unreadable` for anything else."""
    text = re.sub(r"[\s.\-]", "", raw or "")
    if not text:
        return None
    if not NIF_PATTERN.fullmatch(text):
        raise Unreadable(_("Le NIF s'écrit avec des chiffres seulement (20 au plus)."))
    return text


def _key(text: str) -> str:
    import unicodedata
    text = unicodedata.normalize("NFKD", text.strip().casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _rows(content: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ListUnreadable(_("Le fichier n'est pas un CSV en UTF-8.")) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ListUnreadable(_("Le fichier est vide : il faut une ligne d'en-tête puis une "
                               "ligne par paiement."))
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_key(name) for name in next(reader)]
    columns = {}
    for name, aliases in COLUMNS.items():
        for index, title in enumerate(header):
            if title in aliases:
                columns[name] = index
                break
    missing = [name for name in ("receipt", "paid_on", "amount") if name not in columns]
    if missing:
        raise ListUnreadable(_("La ligne d'en-tête doit nommer les colonnes « N° de reçu », "
                               "« Date de paiement » et « Montant payé » (et « NIF » au "
                               "besoin)."))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if len(rows) > MAX_LINES:
        raise ListUnreadable(_("La liste a plus de %(max)s lignes.", max=MAX_LINES))
    return columns, rows


@dataclass(frozen=True)
class PaymentLine:
    line: int
    receipt: str
    paid_on: date
    amount: Decimal
    nif: str | None


def _read(columns: dict[str, int], number: int, row: list[str]) -> PaymentLine:
    def cell(name):
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""
    receipt = cell("receipt").upper()
    if not receipt:
        raise Unreadable(_("le numéro de reçu manque."))
    try:
        paid_on = parse_date(cell("paid_on"))
    except Unreadable as exc:
        raise Unreadable(_("date de paiement illisible (%(why)s)", why=str(exc))) from None
    try:
        amount = parse_money(cell("amount"))
    except Unreadable as exc:
        raise Unreadable(_("montant illisible (%(why)s)", why=str(exc))) from None
    nif = normalize_nif(cell("nif"))
    return PaymentLine(number, receipt, paid_on, amount, nif)


def _known_issue(batch: TransmissionBatch, line: PaymentLine, problem: str) -> bool:
    return db.session.scalar(select(PaymentIssue.id).where(
        PaymentIssue.batch_id == batch.id, PaymentIssue.receipt_number == line.receipt,
        PaymentIssue.problem == problem, PaymentIssue.paid_on == line.paid_on,
        PaymentIssue.amount == line.amount).limit(1)) is not None


def _issue(report: ImportReport, batch, staff, line: PaymentLine, problem: str,
           invoice: Invoice | None) -> None:
    if _known_issue(batch, line, problem):
        report.known_issues += 1
        return
    issue = PaymentIssue(batch_id=batch.id, invoice_id=invoice.id if invoice else None,
                         receipt_number=line.receipt, amount=line.amount, paid_on=line.paid_on,
                         nif=line.nif, problem=problem, created_by=staff.id, note="")
    db.session.add(issue)
    report.issues.append(issue)


def _store_nif(report, batch, staff, line: PaymentLine, invoice: Invoice) -> None:
    if not line.nif:
        return
    owner = db.session.get(User, invoice.user_id)
    if owner.nif is None:
        owner.nif = line.nif
        report.nifs_stored += 1
        record("nif_recorded", actor=staff, object_type="user", object_id=owner.id,
               source="payment_list", batch=batch.id)
    elif owner.nif != line.nif:
        _issue(report, batch, staff, line, NIF_DIFFERS, invoice)


def import_payment_list(batch: TransmissionBatch, staff: User, content: bytes) -> ImportReport:
    """Applies the CdC's list to ``batch`` (see the module's text). Raises
    :class:`ListUnreadable` when the file cannot be read at all, :class:`BatchRefused` when
    the batch was not transmitted yet."""
    if batch.transmitted_on is None:
        raise BatchRefused(_("Marquez d'abord le lot comme transmis."))
    columns, rows = _rows(content)
    report = ImportReport()
    seen: dict[str, int] = {}
    lines = []
    for number, row in rows:
        try:
            line = _read(columns, number, row)
        except Unreadable as exc:
            report.refused.append(RefusedLine(number, str(exc)))
            continue
        seen[line.receipt] = seen.get(line.receipt, 0) + 1
        lines.append(line)
    named = {invoice.receipt_number: invoice for invoice in db.session.scalars(
        select(Invoice).where(Invoice.receipt_number.in_(list(seen))))} if seen else {}
    for line in lines:
        invoice = named.get(line.receipt)
        in_batch = invoice is not None and invoice.batch_id == batch.id
        if seen[line.receipt] > 1:
            _issue(report, batch, staff, line, DUPLICATE, invoice if in_batch else None)
        elif not in_batch:
            _issue(report, batch, staff, line, NOT_IN_BATCH, None)
        elif invoice.status == STATUS_PAID and invoice.paid_on == line.paid_on \
                and invoice.paid_amount == line.amount:
            report.unchanged += 1
            _store_nif(report, batch, staff, line, invoice)
        elif invoice.status != STATUS_ACCEPTED:
            _issue(report, batch, staff, line, NOT_PAYABLE, invoice)
        elif line.amount != invoice.total_approved:
            _issue(report, batch, staff, line, AMOUNT_DIFFERS, invoice)
        else:
            pay_invoice(invoice, staff, line.paid_on, line.amount)
            report.paid.append(invoice.receipt_number)
            _store_nif(report, batch, staff, line, invoice)
    record("payment_list_imported", actor=staff, object_type="batch", object_id=batch.id,
           number=batch.number, paid=len(report.paid), unchanged=report.unchanged,
           issues=len(report.issues), known_issues=report.known_issues,
           refused=len(report.refused), nifs_stored=report.nifs_stored)
    db.session.flush()
    return report


def open_issues(batch: TransmissionBatch) -> list[PaymentIssue]:
    return list(db.session.scalars(select(PaymentIssue).where(
        PaymentIssue.batch_id == batch.id, PaymentIssue.resolved_at.is_(None))
        .order_by(PaymentIssue.id)))


def resolved_issues(batch: TransmissionBatch) -> list[PaymentIssue]:
    return list(db.session.scalars(select(PaymentIssue).where(
        PaymentIssue.batch_id == batch.id, PaymentIssue.resolved_at.is_not(None))
        .order_by(PaymentIssue.id)))


def may_accept(issue: PaymentIssue) -> bool:
    """Whether « Accepter » means something: an amount that differs (recorded as paid), or
    a NIF that differs (the new one kept)."""
    return issue.problem in (AMOUNT_DIFFERS, NIF_DIFFERS) and issue.invoice_id is not None


def resolve_issue(issue: PaymentIssue, staff: User, accept: bool) -> None:
    """The gestionnaire's decision on a listed line. Accepting an amount that differs makes
    the invoice « Payée » with the date and the amount paid; accepting a NIF that differs
    keeps the new one on the account. Dismissing changes nothing but the issue."""
    if issue.resolved_at is not None:
        raise BatchRefused(_("Cette ligne a déjà été traitée."))
    invoice = db.session.get(Invoice, issue.invoice_id) if issue.invoice_id else None
    if accept:
        if not may_accept(issue) or invoice is None or invoice.batch_id != issue.batch_id:
            raise BatchRefused(_("Cette ligne ne peut qu'être écartée."))
        if issue.problem == AMOUNT_DIFFERS:
            if not pay_invoice(invoice, staff, issue.paid_on, issue.amount):
                raise BatchRefused(_("La demande %(receipt)s n'est plus « Validée » : elle ne "
                                     "peut pas être marquée payée.",
                                     receipt=invoice.receipt_number))
        else:
            owner = db.session.get(User, invoice.user_id)
            owner.nif = issue.nif
            record("nif_recorded", actor=staff, object_type="user", object_id=owner.id,
                   source="payment_issue", batch=issue.batch_id)
    issue.resolved_at, issue.resolved_by = utcnow(), staff.id
    issue.resolution = ACCEPTED if accept else DISMISSED
    record("payment_issue_resolved", actor=staff, object_type="payment_issue",
           object_id=issue.id, batch=issue.batch_id, problem=issue.problem,
           resolution=issue.resolution)
    db.session.flush()


def problem_label(code: str) -> str:
    return str(PROBLEMS.get(code, code))
