"""Validated invoices ready for a transmission batch, made fast or through the real steps,
and the CdC's payment lists as files."""
from __future__ import annotations

import itertools
from decimal import Decimal

from guichet.core.unit_of_work import unit_of_work
from guichet.invoices import lifecycle, transmission
from guichet.models import Invoice, ReviewDecision, TransmissionBatch, utcnow
from guichet.models.base import db
from guichet.models.invoices import STATUS_ACCEPTED, STATUS_IN_REVIEW, STATUS_SUBMITTED
from tests.support.decisions import known_iban
from tests.support.invoices import as_office, take_and_validate
from tests.support.people import sent_invoice

_receipts = itertools.count(800_001)


def frozen_of(owner, iban: str = "CH5604835012345678009", holder: str = "Anna Muster") -> dict:
    """The copy an invoice keeps at sending, as :func:`~guichet.invoices.view.frozen_copy`
    writes it (only what the batch's list reads)."""
    person = {"nom": owner.nom or "", "prenom": owner.prenom or "", "navs13": owner.navs13 or "",
              "date_naissance": owner.date_naissance.isoformat() if owner.date_naissance
              else None}
    return {"owner": {**person, "civilite": "madame", "rue": owner.rue or "",
                      "npa": owner.npa or "", "localite": owner.localite or "",
                      "pays": owner.pays or ""},
            "beneficiary": person, "account": {"iban": iban, "holder": holder,
                                               "bank_name": "UBS"},
            "decision_number": "32420250000005", "details": [], "declared_lines": [],
            "evaluation": {"lines": [], "notes": [], "flags": [], "requirements": []}}


def validated(owner, staff, count: int = 1, amount: str = "50.00",
              **frozen) -> list[Invoice]:
    """``count`` invoices of ``owner`` « Validée » by ``staff`` with ``amount`` approved each
    (rows moved through the lifecycle, a decision that stands), committed."""
    made = []
    for _n in range(count):
        invoice = Invoice(user_id=owner.id, invoice_type="standard", fields={}, status="draft",
                          total_claimed=Decimal(amount), submitted_at=utcnow(),
                          receipt_number=f"NE-2026-{next(_receipts):06d}",
                          iban=frozen.get("iban", "CH5604835012345678009"),
                          decision_number="32420250000005", frozen=frozen_of(owner, **frozen))
        db.session.add(invoice)
        lifecycle.write_search_keys(invoice, owner, None)
        lifecycle.move(invoice, STATUS_SUBMITTED, actor=owner, message="Demande envoyée.")
        lifecycle.move(invoice, STATUS_IN_REVIEW, actor=staff, message="", by_office=True)
        invoice.assignee_id = staff.id
        invoice.total_approved = Decimal(amount)
        lifecycle.move(invoice, STATUS_ACCEPTED, actor=staff, message="Validée.",
                       by_office=True)
        db.session.flush()
        db.session.add(ReviewDecision(invoice_id=invoice.id, outcome=STATUS_ACCEPTED,
                                      decided_by=staff.id, total_approved=Decimal(amount),
                                      line_amounts=[{"claimed": amount, "approved": amount,
                                                     "reason_code": None, "reason": ""}],
                                      visa_reasons=[], reason_text="", visa_note=""))
        made.append(invoice)
    db.session.commit()
    return made


def validated_through_the_pages(app, client, staff, amount: str = "87.35") -> Invoice:
    """An invoice the insured ``client`` filled and sent, validated by ``staff`` (the IBAN
    made old and paid to before, so no second visa)."""
    known_iban(client.user)
    invoice = sent_invoice(client, amount=amount)
    as_office(app, invoice.id, take_and_validate, staff)
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice.status == STATUS_ACCEPTED
    return invoice


def build(app, staff, invoices=None) -> TransmissionBatch:
    """A batch built by ``staff`` of ``invoices`` (default: all « Validée »), committed."""
    with app.test_request_context(), unit_of_work():
        batch = transmission.build_batch(staff, None if invoices is None
                                         else [invoice.id for invoice in invoices])
        batch_id = batch.id
    db.session.expire_all()
    return db.session.get(TransmissionBatch, batch_id)


def office(app, act, *args, **kwargs):
    """Runs ``act(*args, **kwargs)`` in a unit of work of its own; returns what it returned."""
    with app.test_request_context(), unit_of_work():
        result = act(*args, **kwargs)
    db.session.expire_all()
    return result


def payment_list(*lines, delimiter: str = ";", bom: bool = False,
                 header=("N° de reçu", "Date de paiement", "Montant payé", "NIF")) -> bytes:
    """A CdC payment list: a header, then one line per (receipt, date, amount[, nif])."""
    rows = [delimiter.join(header)] + [delimiter.join(str(cell) for cell in line)
                                       for line in lines]
    return (("\ufeff" if bom else "") + "\r\n".join(rows) + "\r\n").encode("utf-8")


def a_batch(factory) -> TransmissionBatch:
    """A batch of one « Validée » invoice (of a person of its own), committed: what fills a
    ``batch_id`` argument."""
    owner = factory.user(email="lot.sample@example.ch")
    staff = factory.user(email="lot.builder@example.ch", role="transmission")
    invoice = validated(owner, staff, 1)[0]
    batch = TransmissionBatch(number="NE-LOT-2026-9999", created_by=staff.id, count=1,
                              control_sum=invoice.total_approved)
    db.session.add(batch)
    db.session.flush()
    invoice.batch_id = batch.id
    db.session.commit()
    return batch
