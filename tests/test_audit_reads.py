"""``flask --app guichet audit reads``: whose data a staff member read between two days
(nFADP art. 24), from the audit entries the staff screens write with ``person_id``; and the
audit log never holding a full N° AVS or IBAN after a whole review (security.md 14, 21)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from guichet.core.i18n import today_in_zurich
from guichet.core.identifiers import format_navs13, mask_navs13
from guichet.core.unit_of_work import unit_of_work
from guichet.invoices import review
from guichet.models import AuditEntry, Invoice
from guichet.models.base import db
from tests.support.files import pdf_bytes
from tests.support.invoices import IBAN, add_child
from tests.support.people import audit_details, person_url, sent_invoice


def read_at(staff, person, at, object_type="invoice", object_id="1",
            action="staff_viewed_invoice"):
    """An audit entry as a staff screen writes it, at a given moment (UTC)."""
    db.session.add(AuditEntry(actor_id=staff.id, actor_role=staff.role, action=action,
                              object_type=object_type, object_id=str(object_id), at=at,
                              detail={"person_id": person.id}))
    db.session.commit()


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def reads(runner, email, start, end, *extra):
    return runner.invoke(args=["audit", "reads", "--staff", email, "--from", start, "--to", end,
                               *extra])


def test_one_line_per_person_read_with_counts_times_and_objects(
        app, runner, ready, staff_client, second_staff_client, factory):
    anna = ready.user
    invoice = sent_invoice(ready)
    other = factory.user(email="paul@example.ch", nom="Dupont")
    staff = staff_client.user
    assert staff_client.get(person_url(anna)).status_code == 200   # read through the page
    today = datetime.now(timezone.utc)
    read_at(staff, anna, today, "invoice", invoice.id)
    read_at(staff, anna, today, "attachment", 7, action="staff_viewed_attachment")
    read_at(staff, other, today, "user", other.id, action="staff_viewed_person")
    read_at(second_staff_client.user, factory.user(email="x@example.ch", nom="Zeller"), today)
    read_at(staff, factory.user(email="old@example.ch", nom="Ancien"), utc(2020, 5, 4, 10))
    day = today_in_zurich().isoformat()  # the report's days are Swiss days

    result = reads(runner, "GESTION@example.ch", "2020-05-05", day)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "2 personne(s)" in lines[0] and "gestion@example.ch" in lines[0]
    assert lines[1].startswith(f"Anna Muster ({mask_navs13(anna.navs13)}) : 3 lecture(s), "
                               "première le ")
    assert lines[2].strip() == (f"dossier n° {anna.id}, demande {invoice.receipt_number}, "
                                "pièce n° 7")
    assert lines[3].startswith(f"Anna Dupont ({mask_navs13(other.navs13)}) : 1 lecture(s)")
    assert "Zeller" not in result.output and "Ancien" not in result.output  # others', before
    assert anna.navs13 not in result.output and format_navs13(anna.navs13) not in result.output


def test_the_days_are_swiss_days_both_included(app, runner, staff_client, factory):
    staff, person = staff_client.user, factory.user(email="lea@example.ch", nom="Rossi")
    read_at(staff, person, utc(2026, 3, 31, 21, 30))   # 31.03 at 23:30 in Zurich
    read_at(staff, person, utc(2026, 3, 31, 22, 30))   # 01.04 at 00:30 in Zurich (CEST)
    first = reads(runner, staff.email, "2026-03-31", "2026-03-31")
    assert "1 lecture(s), première le 31.03.2026 à 23:30, dernière le 31.03.2026 à 23:30" \
        in first.output
    second = reads(runner, staff.email, "2026-04-01", "2026-04-01")
    assert "1 lecture(s), première le 01.04.2026 à 00:30" in second.output
    both = reads(runner, staff.email, "2026-03-31", "2026-04-01")
    assert "2 lecture(s), première le 31.03.2026 à 23:30, dernière le 01.04.2026 à 00:30" \
        in both.output
    none = reads(runner, staff.email, "2026-04-02", "2026-04-30")
    assert none.exit_code == 0 and "0 personne(s)" in none.output


@pytest.mark.parametrize("email, start, end, message", [
    ("inconnu@example.ch", "2026-01-01", "2026-01-31", "Aucun compte du personnel"),
    ("anna@example.ch", "2026-01-01", "2026-01-31", "Aucun compte du personnel"),
    ("gestion@example.ch", "01.01.2026", "2026-01-31", "--from : date illisible"),
    ("gestion@example.ch", "2026-01-01", "2026-02-30", "--to : date illisible"),
    ("gestion@example.ch", "2026-02-01", "2026-01-31", "précède"),
], ids=["unknown", "insured", "swiss-date", "no-such-day", "reversed"])
def test_a_question_that_cannot_be_answered_says_why(app, runner, staff_client, factory,
                                                     email, start, end, message):
    factory.user(email="anna@example.ch")
    result = reads(runner, email, start, end)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_the_csv_output_neutralises_cells_a_spreadsheet_would_run(app, runner, staff_client,
                                                                   factory):
    staff = staff_client.user
    person = factory.user(email="formule@example.ch", nom="Muster", prenom="=HYPERLINK(1)")
    plus = factory.user(email="plus@example.ch", nom="Meier", prenom="@SUM")
    read_at(staff, person, utc(2026, 6, 1, 8))
    read_at(staff, plus, utc(2026, 6, 1, 9), object_type="-1+1")
    result = reads(runner, staff.email, "2026-06-01", "2026-06-01", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output), delimiter=";"))
    assert rows[0] == ["personne", "n_avs_masque", "lectures", "premiere_lecture",
                       "derniere_lecture", "objets_lus"]
    assert rows[1][0] == "'=HYPERLINK(1) Muster" and rows[1][2] == "1"
    assert rows[1][1] == mask_navs13(person.navs13)
    assert rows[1][3] == "01.06.2026 à 10:00"
    assert rows[2][0] == "'@SUM Meier" and rows[2][5] == "'-1+1 n° 1"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_a_whole_review_leaves_no_full_avs_or_iban_in_the_audit(
        app, ready, staff_client, second_staff_client, factory):
    """Take, complement, answer, validate with a reduction, second visa, note, the person's
    file and an identity correction: the audit holds who read whose data, never the numbers."""
    anna = ready.user
    anna_navs = anna.navs13
    child = add_child(anna, date(2015, 6, 1))
    invoice = sent_invoice(ready, beneficiary=child, amount="2500.00")
    first, second = staff_client.user, second_staff_client.user
    staff_client.get(f"/gestion/demandes/{invoice.id}")
    staff_client.get(person_url(anna))

    def office(verb):
        with app.test_request_context(), unit_of_work():
            verb(db.session.get(Invoice, invoice.id))
        db.session.expire_all()

    office(lambda inv: review.take(inv, first, inv.version))
    office(lambda inv: review.ask_complement(inv, first, inv.version, "Détail ?",
                                             ["Facture détaillée"], review.default_due_date()))
    answer = ready.post(f"/demandes/{invoice.id}/complement", data={
        "message": "Voici.", "files-complement": (io.BytesIO(pdf_bytes()), "detail.pdf")},
        content_type="multipart/form-data")
    assert answer.status_code == 303
    office(lambda inv: review.take(inv, first, inv.version))
    office(lambda inv: review.add_note(inv, first, "Vu la facture."))
    office(lambda inv: review.validate(inv, first, inv.version, [review.LineApproval(
        Decimal("2000.00"), "above_rate", "Tarif")]))
    assert db.session.get(Invoice, invoice.id).status == "visa_pending"
    office(lambda inv: review.confirm_visa(inv, second, inv.version))
    assert db.session.get(Invoice, invoice.id).status == "accepted"
    entry = factory.person(nom="Muster", prenom="Anne", born=anna.date_naissance)
    staff_client.post(f"{person_url(anna)}/identite", data={
        "navs13": format_navs13(entry.navs13), "nom": "Muster", "prenom": "Anne",
        "date_naissance": anna.date_naissance.strftime("%d.%m.%Y"), "reason": "Erreur"})
    assert db.session.get(type(anna), anna.id).navs13 == entry.navs13

    details = audit_details()
    for action in ("staff_viewed_person", "invoice_taken", "invoice_validated",
                   "invoice_visa_confirmed", "identity_corrected"):
        assert action in details
    grouped_iban = " ".join(IBAN[i:i + 4] for i in range(0, len(IBAN), 4))
    for number in (anna_navs, child.navs13, entry.navs13, IBAN, grouped_iban,
                   format_navs13(anna_navs), format_navs13(child.navs13)):
        assert number not in details, number
