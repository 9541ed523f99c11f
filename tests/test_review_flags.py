"""Flags a human must look at before deciding (issue 9): each raised in its situation with a
reason that names the figures, dates or receipt number, and not raised otherwise; stored at
sending (the queue's « signalées » reads ``invoices.flagged``), refreshed when a complement is
answered or becomes overdue."""
from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from flask import render_template
from sqlalchemy import select

from guichet.core.i18n import today_in_zurich
from guichet.core.unit_of_work import unit_of_work
from guichet.invoices import flags
from guichet.models import BankAccount, Decision, Invoice, utcnow
from guichet.models.base import db
from guichet.models.invoices import (RANK_COMPLEMENT_OVERDUE, RANK_COMPLEMENT_WAITING, STATUS_PAID,
                                     STATUS_REJECTED, STATUS_SUBMITTED)
from tests.support.files import pdf_bytes
from tests.support.invoices import (a_recent_day, add_decision, ask_for_complement,
                                    complete_standard, last_month, new_invoice, one_trip_draft,
                                    pdf_file, post_form, send)
from tests.support.page import text_of

STANDARD_DECISION = "32420250000005"   # the number complete_standard types
TRAVEL_DECISION = "32420250000001"


def codes(invoice_id: int) -> list[str]:
    """The codes of the flags stored on the invoice (what the queue reads)."""
    db.session.expire_all()
    return [flag["code"] for flag in db.session.get(Invoice, invoice_id).flags]


def reasons(invoice_id: int) -> dict[str, str]:
    db.session.expire_all()
    return {flag["code"]: flag["reason"] for flag in db.session.get(Invoice, invoice_id).flags}


def seasoned_iban(user, paid: bool = True) -> None:
    """The person's IBAN was added long ago and, with ``paid``, was already paid to: it is not
    new."""
    account = db.session.scalars(select(BankAccount).where(BankAccount.user_id == user.id)).one()
    account.created_at = account.confirmed_at = utcnow() - timedelta(days=90)
    if paid:
        db.session.add(Invoice(user_id=user.id, invoice_type="standard", status=STATUS_PAID,
                               iban=account.iban, fields={}, receipt_number=f"NE-2020-{user.id:06d}",
                               submitted_at=utcnow() - timedelta(days=80)))
    db.session.commit()


def calm_standard(client, **kwargs) -> int:
    """A standard invoice on a decision of the register, to an IBAN already paid to: nothing
    to flag."""
    if db.session.scalar(select(Decision).where(Decision.number == STANDARD_DECISION)) is None:
        add_decision(client.user, STANDARD_DECISION, "standard")
        seasoned_iban(client.user)
    return complete_standard(client, **kwargs)


def standard_with(client, decision: str, content: bytes, name: str) -> int:
    """A standard invoice ready to send, on ``decision``, with ``content`` as its pièce."""
    invoice_id = new_invoice(client, "standard")
    day = a_recent_day()
    response = post_form(client, invoice_id, {
        "decision_number": decision, "supplier": "Physio du Lac",
        "supplier_invoice_number": "PL-78", "invoice_date": day, "lines-0-date": day,
        "lines-0-label": "Séance", "lines-0-quantity": "1", "lines-0-unit_price": "55.00"},
        action="save", files={"supplier_invoice": [(content, name)]})
    assert response.status_code == 303
    return invoice_id


# --- Nothing to flag ----------------------------------------------------------------------------

def test_an_invoice_with_nothing_to_look_at_is_not_flagged(ready):
    invoice_id = calm_standard(ready)
    send(ready, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.flags == [] and invoice.flagged is False
    check = flags.decision_check(invoice)
    assert check.decision.number == STANDARD_DECISION and check.problems == []


# --- The decision in the register ---------------------------------------------------------------

def test_a_decision_missing_from_the_register_is_flagged_at_sending(ready):
    invoice_id = complete_standard(ready)
    seasoned_iban(ready.user)
    send(ready, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.flagged is True and codes(invoice_id) == ["decision_missing"]
    assert reasons(invoice_id)["decision_missing"] == \
        "La décision 324 2025 0000005 ne figure pas au registre des décisions."
    check = flags.decision_check(invoice)
    assert check.decision is None and check.problems == [
        "La décision 324 2025 0000005 ne figure pas au registre des décisions."]


def test_another_persons_decision_of_another_type_is_flagged(ready, factory):
    someone = factory.user(email="tiers@example.ch")
    add_decision(someone, STANDARD_DECISION, "deplacement")
    seasoned_iban(ready.user)
    invoice_id = complete_standard(ready)
    send(ready, invoice_id)
    found = reasons(invoice_id)
    assert set(found) == {"decision_other_person", "decision_other_type"}
    assert found["decision_other_person"] == ("La décision 324 2025 0000005 concerne une autre "
                                              "personne que le ou la bénéficiaire de la demande.")
    assert found["decision_other_type"] == ("La décision 324 2025 0000005 couvre « Frais de "
                                            "déplacement et de repas », pas « Facture "
                                            "standard ».")


def test_a_decision_not_valid_on_the_cost_dates_is_named_with_its_period(app, ready):
    invoice_id = calm_standard(ready)
    send(ready, invoice_id)
    decision = db.session.scalar(select(Decision).where(Decision.number == STANDARD_DECISION))
    # the register is imported again: the decision now starts after the costs
    cost_day = date.fromisoformat("-".join(reversed(a_recent_day().split("."))))
    decision.valid_from = cost_day + timedelta(days=1)
    decision.valid_to = cost_day + timedelta(days=200)
    db.session.commit()
    with app.test_request_context():
        invoice = db.session.get(Invoice, invoice_id)
        check = flags.decision_check(invoice)
        assert check.decision.id == decision.id
        day = f"{cost_day:%d.%m.%Y}"
        assert check.problems == [
            f"La décision 324 2025 0000005 (valable du {decision.valid_from:%d.%m.%Y} au "
            f"{decision.valid_to:%d.%m.%Y}) ne couvre pas les frais du {day}."]
        assert [flag.code for flag in flags.flags_of(invoice)] == ["decision_dates"]
        html = render_template("staff/_flags.html", flags=flags.flags_of(invoice),
                               decision_check=check)
    text = text_of(html)
    assert "Décision 324 2025 0000005 : Facture standard, valable du" in text
    assert f"valable du {decision.valid_from:%d.%m.%Y} au {decision.valid_to:%d.%m.%Y}." in text
    assert "ne couvre pas les frais du" in text
    assert "Rien de particulier à signaler." in text
    assert "Le registre confirme" not in text


def test_the_fragment_says_the_register_confirms_a_fitting_decision(app, ready):
    invoice_id = calm_standard(ready)
    send(ready, invoice_id)
    with app.test_request_context():
        invoice = db.session.get(Invoice, invoice_id)
        html = render_template("staff/_flags.html", flags=flags.flags_of(invoice),
                               decision_check=flags.decision_check(invoice))
    text = text_of(html)
    assert "Décision 324 2025 0000005 :" in text and "valable dès le 01.01.2025" in text
    assert "Le registre confirme cette décision pour ce type de frais et ces dates." in text
    assert "Rien de particulier à signaler." in text
    assert html.count("<section") == 1 and 'aria-labelledby="flags-title"' in html


# --- The IBAN -----------------------------------------------------------------------------------

def test_an_iban_added_less_than_30_days_before_sending_is_flagged(ready):
    add_decision(ready.user, STANDARD_DECISION, "standard")
    invoice_id = complete_standard(ready)
    send(ready, invoice_id)
    assert codes(invoice_id) == ["new_iban"]
    added = db.session.scalars(select(BankAccount)).one().confirmed_at
    assert reasons(invoice_id)["new_iban"] == \
        f"IBAN ajouté le {added:%d.%m.%Y}, moins de 30 jours avant l'envoi."


def test_an_old_iban_never_paid_to_is_flagged(ready):
    add_decision(ready.user, STANDARD_DECISION, "standard")
    seasoned_iban(ready.user, paid=False)
    invoice_id = complete_standard(ready)
    send(ready, invoice_id)
    assert reasons(invoice_id) == {"new_iban": "Aucun paiement n'a encore été fait sur cet IBAN."}


# --- Other invoices -----------------------------------------------------------------------------

def test_a_piece_already_sent_by_another_person_names_that_invoice(ready, other_person):
    scan = pdf_bytes(text="Facture PL-78")   # the very same file, sent by two persons
    add_decision(ready.user, STANDARD_DECISION, "standard")
    seasoned_iban(ready.user)
    first = standard_with(ready, STANDARD_DECISION, scan, "facture-physio.pdf")
    add_decision(other_person.user, "32420250000006", "standard")
    seasoned_iban(other_person.user)
    # the other person's draft with the same file does not count as long as it is a draft
    second = standard_with(other_person, "32420250000006", scan, "ma-facture.pdf")
    send(ready, first)
    assert codes(first) == []
    first_receipt = db.session.get(Invoice, first).receipt_number
    send(other_person, second)
    assert reasons(second) == {"duplicate_piece": (
        f"La pièce « ma-facture.pdf » a déjà été envoyée avec la demande {first_receipt} "
        "(même fichier).")}
    assert db.session.get(Invoice, second).flagged is True


def test_a_different_file_is_not_a_duplicate(ready, other_person):
    add_decision(ready.user, STANDARD_DECISION, "standard")
    seasoned_iban(ready.user)
    first = standard_with(ready, STANDARD_DECISION, pdf_bytes(text="Facture PL-78"), "a.pdf")
    send(ready, first)
    add_decision(other_person.user, "32420250000006", "standard")
    seasoned_iban(other_person.user)
    second = standard_with(other_person, "32420250000006", pdf_bytes(text="Facture PL-79"),
                           "b.pdf")
    send(other_person, second)
    assert codes(second) == []


def test_an_invoice_looking_like_another_one_names_its_receipt(ready):
    first = calm_standard(ready)
    send(ready, first)
    receipt = db.session.get(Invoice, first).receipt_number
    second = calm_standard(ready)
    send(ready, second)
    found = reasons(second)
    assert found["look_alike"] == (
        f"La demande {receipt} ressemble à celle-ci : même bénéficiaire, même type, frais du "
        f"{a_recent_day()}, même montant (87.35 CHF).")
    assert set(found) <= {"look_alike", "duplicate_piece"}   # (the same test PDF, maybe)


def test_another_amount_or_a_refused_invoice_is_no_look_alike(ready):
    first = calm_standard(ready)
    send(ready, first)
    other_amount = calm_standard(ready, amount="90.00")
    send(ready, other_amount)
    assert "look_alike" not in codes(other_amount)
    invoice = db.session.get(Invoice, first)
    invoice.status = STATUS_REJECTED
    db.session.commit()
    same_as_refused = calm_standard(ready)
    send(ready, same_as_refused)
    assert "look_alike" not in codes(same_as_refused)


# --- The types' own flags -----------------------------------------------------------------------

def test_a_hearing_aid_within_six_years_is_flagged_with_both_dates(ready):
    add_decision(ready.user, "32420250000004", "moyens_auxiliaires")
    seasoned_iban(ready.user)
    invoice_id = new_invoice(ready, "moyens_auxiliaires")
    post_form(ready, invoice_id, {"decision_number": "32420250000004", "kind": "deux_oreilles"})
    previous = last_month().replace(year=last_month().year - 4)
    post_form(ready, invoice_id, {"supplier": "Audition Plus SA", "invoice_date": a_recent_day(),
                                  "previous_device_date": f"{previous:%d.%m.%Y}"},
              action="save", files={"supplier_invoice": [pdf_file("audition.pdf")]})
    send(ready, invoice_id)
    renewal = previous.replace(year=previous.year + 6)
    assert reasons(invoice_id) == {"six_year_rule": (
        f"Appareil auditif facturé le {a_recent_day()}, moins de 6 ans après le précédent "
        f"({previous:%d.%m.%Y}) : un nouvel appareil est pris en charge en principe dès le "
        f"{renewal:%d.%m.%Y}.")}
    assert db.session.get(Invoice, invoice_id).flagged is True


def test_a_hearing_aid_after_six_years_is_not_flagged(ready):
    add_decision(ready.user, "32420250000004", "moyens_auxiliaires")
    seasoned_iban(ready.user)
    invoice_id = new_invoice(ready, "moyens_auxiliaires")
    post_form(ready, invoice_id, {"decision_number": "32420250000004", "kind": "une_oreille"})
    post_form(ready, invoice_id, {"supplier": "Audition Plus SA", "invoice_date": a_recent_day(),
                                  "previous_device_date": "01.01.2015"},
              action="save", files={"supplier_invoice": [pdf_file("audition.pdf")]})
    send(ready, invoice_id)
    assert codes(invoice_id) == []


def _assistance(client, hours: str) -> int:
    invoice_id = new_invoice(client, "assistance")
    post_form(client, invoice_id, {
        "decision_number": "32420250000002", "month": f"{last_month():%m.%Y}",
        "lines-0-name": "Marie Dupont", "lines-0-ordinary_hours": hours,
        "lines-0-gross_salary": "600.00"}, action="save",
        files={"assistant_payslips": [pdf_file("fiche-salaire.pdf")]})
    return invoice_id


def test_assistance_above_the_monthly_cap_is_flagged_with_the_figures(ready):
    add_decision(ready.user, "32420250000002", "assistance", monthly_amount=Decimal("200.00"))
    seasoned_iban(ready.user)
    invoice_id = _assistance(ready, "10")   # 10 h × 35.30 = 353.00 > 150 % of 200.00
    send(ready, invoice_id)
    assert reasons(invoice_id) == {"month_cap": (
        f"Plafond mensuel dépassé pour {last_month():%m.%Y} : 353.00 CHF demandés, plafond "
        "300.00 CHF (150 % du montant mensuel de 200.00 CHF) ; montant retenu 300.00 CHF.")}


def test_assistance_above_the_yearly_cap_is_flagged_with_the_other_months(ready):
    add_decision(ready.user, "32420250000002", "assistance", monthly_amount=Decimal("200.00"))
    seasoned_iban(ready.user)
    month = last_month()
    beneficiary = db.session.scalar(select(Invoice.beneficiary_id).where(
        Invoice.id == new_invoice(ready, "assistance")))
    # eleven other months of the year already sent, 200.00 each: 2'200.00 of 2'400.00
    for other in (m for m in range(1, 13) if m != month.month):
        db.session.add(Invoice(user_id=ready.user.id, invoice_type="assistance",
                               status=STATUS_SUBMITTED, beneficiary_id=beneficiary,
                               fields={"month": f"{other:02d}.{month.year}"},
                               total_claimed=Decimal("200.00"),
                               receipt_number=f"NE-2019-{other:06d}"))
    db.session.commit()
    invoice_id = _assistance(ready, "8")   # 8 h × 35.30 = 282.40, within the month's 300.00
    send(ready, invoice_id)
    assert reasons(invoice_id) == {"year_cap": (
        f"Plafond annuel dépassé pour {month.year} : 282.40 CHF demandés pour {month:%m.%Y} et "
        "2'200.00 CHF déjà demandés cette année, plafond 2'400.00 CHF (12 × 200.00 CHF) ; "
        "montant retenu 200.00 CHF.")}


def test_assistance_within_the_caps_is_not_flagged(ready):
    add_decision(ready.user, "32420250000002", "assistance", monthly_amount=Decimal("2000.00"))
    seasoned_iban(ready.user)
    invoice_id = _assistance(ready, "10")
    send(ready, invoice_id)
    assert codes(invoice_id) == []


def test_a_meal_allowance_from_the_times_is_flagged_with_the_times(ready):
    add_decision(ready.user, TRAVEL_DECISION, "deplacement")
    seasoned_iban(ready.user)
    invoice_id = one_trip_draft(ready, TRAVEL_DECISION, return_time="17:30")
    post_form(ready, invoice_id, action="upload",
              files={"transport_tickets": [pdf_file("billet.pdf")]})
    send(ready, invoice_id)
    assert reasons(invoice_id) == {"meal_allowance": (
        f"Forfait repas selon les heures déclarées, à vérifier : {a_recent_day()}, "
        "08:00–17:30 : 9 h 30, plus de 8 heures, 19.00 CHF.")}


def test_a_short_trip_has_no_meal_allowance_to_check(ready):
    add_decision(ready.user, TRAVEL_DECISION, "deplacement")
    seasoned_iban(ready.user)
    invoice_id = one_trip_draft(ready, TRAVEL_DECISION, return_time="12:00")
    post_form(ready, invoice_id, action="upload",
              files={"transport_tickets": [pdf_file("billet.pdf")]})
    send(ready, invoice_id)
    assert codes(invoice_id) == []


# --- The complement -----------------------------------------------------------------------------

def test_an_overdue_complement_is_flagged_and_cleared_by_the_answer(app, ready, factory):
    invoice_id = calm_standard(ready)
    send(ready, invoice_id)
    due = today_in_zurich() + timedelta(days=3)
    ask_for_complement(app, invoice_id, factory, due=due)
    with app.test_request_context(), unit_of_work():
        assert flags.refresh_overdue_flags(due) == 0   # the due day itself is not late
    assert codes(invoice_id) == []
    with app.test_request_context(), unit_of_work():
        assert flags.refresh_overdue_flags(due + timedelta(days=1)) == 1
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.queue_rank == RANK_COMPLEMENT_OVERDUE and invoice.flagged is True
    assert reasons(invoice_id) == {"complement_overdue": (
        f"Complément demandé le {today_in_zurich():%d.%m.%Y}, attendu au plus tard le "
        f"{due:%d.%m.%Y} : le délai est dépassé et la personne n'a pas encore répondu.")}
    with app.test_request_context(), unit_of_work():
        assert flags.refresh_overdue_flags(due + timedelta(days=2)) == 0   # marked once

    response = ready.post(f"/demandes/{invoice_id}/complement", data={
        "message": "Voici le détail.",
        "files-complement": (io.BytesIO(pdf_bytes(text="Detail")), "detail.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.status == STATUS_SUBMITTED and invoice.flags == [] and not invoice.flagged


def test_a_complement_not_yet_due_stays_in_its_place(app, ready, factory):
    invoice_id = calm_standard(ready)
    send(ready, invoice_id)
    ask_for_complement(app, invoice_id, factory)
    with app.test_request_context(), unit_of_work():
        assert flags.refresh_overdue_flags() == 0
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice_id)
    assert invoice.queue_rank == RANK_COMPLEMENT_WAITING and not invoice.flagged


def test_a_type_flag_stored_before_the_copy_kept_flags_is_kept(app, ready):
    invoice_id = calm_standard(ready)
    send(ready, invoice_id)
    invoice = db.session.get(Invoice, invoice_id)
    frozen = dict(invoice.frozen)
    frozen["evaluation"] = {k: v for k, v in frozen["evaluation"].items() if k != "flags"}
    invoice.frozen = frozen
    invoice.flags = [{"code": "six_year_rule", "reason": "Moins de 6 ans."},
                     {"code": "new_iban", "reason": "IBAN d'avant."}]
    db.session.commit()
    with app.test_request_context():
        found = flags.flags_of(db.session.get(Invoice, invoice_id))
    # the type's flag stays; this module's own flags are worked out again (none now)
    assert [(flag.code, flag.reason) for flag in found] == [("six_year_rule", "Moins de 6 ans.")]


def test_the_fragment_shows_nothing_when_the_view_passes_no_flags(app):
    with app.test_request_context():
        assert render_template("staff/_flags.html").strip() == ""
