"""The insured person's file as a gestionnaire reads it (identity in full, invoices,
beneficiaries, IBANs with their dates, the register's decisions), audited with the person's id;
and the identity correction only the office may make, checked against the register, applied to
the account, its « self » beneficiary and the queue's search keys, never to what sent invoices
froze; audited by field name and notified to the person (issue 9, « The person's file »)."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from guichet.core.identifiers import format_navs13
from guichet.models import (AuditEntry, BankAccount, Beneficiary, Invoice, OutboxMessage, User,
                            utcnow)
from guichet.models.base import db
from tests.support.accounts import navs_with_check
from tests.support.databases import count
from tests.support.invoices import IBAN, add_child, add_decision, complete_standard
from tests.support.page import page_text
from tests.support.people import audit_details, person_url, sent_invoice

OLD_IBAN = "CH9300762011623852957"


def test_the_file_shows_the_person_and_everything_theirs(app, ready, staff_client):
    person = ready.user
    invoice = sent_invoice(ready)
    child = add_child(person, date(2015, 6, 1), prenom="Léo")
    add_decision(person, "32420250000005", "standard")
    add_decision(child, "32420240000042", "deplacement", valid_to=date(2026, 12, 31))
    db.session.add(BankAccount(user_id=person.id, iban=OLD_IBAN, holder="Anna Muster",
                               bank_name="PostFinance", confirmed_at=utcnow() - timedelta(days=90),
                               removed_at=utcnow() - timedelta(days=10)))
    db.session.commit()

    response = staff_client.get(person_url(person))
    assert response.status_code == 200
    text = page_text(response)
    assert f"Dossier de {person.prenom} {person.nom}" in text
    assert format_navs13(person.navs13) in text          # in full here, and only here
    assert "Rue du Seyon 10" in text and person.email in text
    assert person.phone[-2:] in text and person.phone[4:] not in text  # the mobile masked
    assert invoice.receipt_number in text
    assert f'href="/gestion/demandes/{invoice.id}"' in response.get_data(as_text=True)
    assert "Léo Muster" in text and format_navs13(child.navs13) in text
    assert "CH56 0483 5012 3456 7800 9" in text         # the IBAN in full, grouped
    assert "CH93 0076 2011 6238 5295 7" in text and "Retiré le" in text
    assert "324 2025 0000005" in text and "324 2024 0000042" in text
    assert "du 01.01.2025 au 31.12.2026" in text

    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "staff_viewed_person")).all()
    assert [(e.actor_id, e.object_type, e.object_id, e.detail["person_id"]) for e in entries] == [
        (staff_client.user.id, "user", str(person.id), person.id)]


def test_a_draft_is_not_in_the_file(ready, staff_client):
    complete_standard(ready)
    text = page_text(staff_client.get(person_url(ready.user)))
    assert "Aucune demande envoyée." in text


def test_staff_accounts_and_unknown_ids_have_no_file(app, ready, staff_client, admin_client):
    for user_id in (admin_client.user.id, staff_client.user.id, 999999):
        assert staff_client.get(f"/gestion/personnes/{user_id}").status_code == 404
        assert staff_client.post(f"/gestion/personnes/{user_id}/identite",
                                 data={}).status_code == 404
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "staff_viewed_person")).all() == []


# --- correcting the identity -----------------------------------------------------------------

@pytest.fixture
def corrected_entry(factory):
    """The register's entry the person's identity is corrected to (another N° AVS, a double
    name, same birth date)."""
    return factory.person(nom="Muster-Meier", prenom="Anna Lena", born=date(1985, 3, 15))


def correction(entry, **changes) -> dict:
    return {"navs13": format_navs13(entry.navs13), "nom": entry.nom, "prenom": entry.prenom,
            "date_naissance": entry.date_naissance.strftime("%d.%m.%Y"),
            "reason": "Erreur de saisie à l'inscription, vérifié sur la carte AVS.", **changes}


def test_a_correction_applies_to_the_account_its_holder_entry_and_the_search_keys(
        app, ready, staff_client, corrected_entry, mailbox):
    person = ready.user
    old_navs = person.navs13
    ready.get("/demandes/")  # the holder's beneficiary entry exists (made at login)
    invoice = sent_invoice(ready)
    frozen_before = json.dumps(invoice.frozen, sort_keys=True)

    response = staff_client.post(f"{person_url(person)}/identite",
                                 data=correction(corrected_entry))
    assert response.status_code == 303
    assert response.headers["Location"] == person_url(person)
    page = page_text(staff_client.get(person_url(person)))
    assert "L'identité est corrigée" in page
    assert format_navs13(corrected_entry.navs13) in page

    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert (person.navs13, person.nom, person.prenom, person.date_naissance) == (
        corrected_entry.navs13, "Muster-Meier", "Anna Lena", date(1985, 3, 15))
    holder = db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == person.id,
                                                         Beneficiary.relation == "self"))
    assert (holder.navs13, holder.nom, holder.prenom) == (corrected_entry.navs13,
                                                          "Muster-Meier", "Anna Lena")
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice.subject_navs13 == corrected_entry.navs13
    assert invoice.subject_name_key == "muster meier anna lena"
    assert invoice.holder_name_key == "muster meier anna lena"
    # what was sent stays as sent: its copy, and the person's page of it
    assert json.dumps(invoice.frozen, sort_keys=True) == frozen_before
    assert invoice.frozen["owner"]["navs13"] == old_navs
    assert "Anna Muster" in page_text(ready.get(f"/demandes/{invoice.id}"))

    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "identity_corrected")).one()
    assert (entry.actor_id, entry.object_id) == (staff_client.user.id, str(person.id))
    assert entry.detail["fields"] == ["navs13", "nom", "prenom"]
    assert entry.detail["person_id"] == person.id
    assert "carte AVS" in entry.detail["reason"]
    detail = json.dumps(entry.detail)
    assert corrected_entry.navs13 not in detail and old_navs not in detail

    notices = [m for m in mailbox.to(person.email) if "identité" in m.subject]
    assert len(notices) == 1
    notice = notices[0]
    for body in (notice.text, notice.html):
        assert "N° AVS" in body and "Nom" in body and "Prénom" in body
        assert "Date de naissance" not in body
        assert corrected_entry.navs13 not in body and old_navs not in body
        assert format_navs13(corrected_entry.navs13) not in body
        assert "032 910 71 00" in body  # whom to call
    assert "https://guichet.example.ch/compte/" in notice.text


def test_the_corrected_person_is_found_by_the_new_name_in_the_search_keys_of_a_child_invoice(
        app, ready, staff_client, corrected_entry):
    """An invoice for a child keeps the child as its subject; the holder's key follows."""
    child = add_child(ready.user, date(2016, 1, 2))
    invoice = sent_invoice(ready, beneficiary=child)
    assert staff_client.post(f"{person_url(ready.user)}/identite",
                             data=correction(corrected_entry)).status_code == 303
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice.subject_navs13 == child.navs13
    assert invoice.holder_name_key == "muster meier anna lena"


def refusal_cases(factory, person):
    other = factory.user(email="autre@example.ch")
    child = add_child(person, date(2014, 2, 3), prenom="Léo")
    unregistered = navs_with_check("555555555")
    return {
        "not-in-register": ({"navs13": format_navs13(unregistered)}, "registre"),
        "name-not-the-register's": ({"nom": "Dupont"}, "registre"),
        "another-account": ({"navs13": format_navs13(other.navs13), "nom": other.nom,
                             "prenom": other.prenom}, "autre compte"),
        "a-beneficiary's-avs": ({"navs13": format_navs13(child.navs13), "nom": child.nom,
                                 "prenom": "Léo", "date_naissance": "03.02.2014"},
                                "autre bénéficiaire"),
        "no-reason": ({"reason": "  "}, "Indiquez le motif"),
        "nothing-changes": ({"navs13": format_navs13(person.navs13), "nom": person.nom,
                             "prenom": person.prenom}, "rien à corriger"),
        "bad-avs": ({"navs13": "756.1234"}, "13 chiffres"),
        "bad-date": ({"date_naissance": "31.02.1985"}, "date"),
        "control-characters": ({"nom": "Muster\x00"}, "caractères"),
        "too-long-reason": ({"reason": "x" * 501}, "trop long"),
    }


CASES = ["not-in-register", "name-not-the-register's", "another-account",
         "a-beneficiary's-avs", "no-reason",
         "nothing-changes", "bad-avs", "bad-date", "control-characters", "too-long-reason"]


@pytest.mark.parametrize("case", CASES)
def test_a_refused_correction_says_why_and_writes_nothing(app, ready, staff_client, factory,
                                                          corrected_entry, case):
    person = ready.user
    changes, message = refusal_cases(factory, person)[case]
    before = (person.navs13, person.nom, person.prenom, person.date_naissance)
    outbox = count(OutboxMessage)
    response = staff_client.post(f"{person_url(person)}/identite",
                                 data=correction(corrected_entry, **changes))
    assert response.status_code == 422
    text = page_text(response)
    assert "Veuillez corriger ce qui suit" in text and message in text
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert (person.navs13, person.nom, person.prenom, person.date_naissance) == before
    assert count(OutboxMessage) == outbox
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "identity_corrected")).all() == []


def test_with_htmx_the_identity_section_comes_back_alone(app, ready, staff_client,
                                                        corrected_entry):
    url = f"{person_url(ready.user)}/identite"
    headers = {"HX-Request": "true"}
    refused = staff_client.post(url, data=correction(corrected_entry, reason=""),
                                headers=headers)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "<html" not in body and 'id="identity"' in body and "error-summary" in body
    done = staff_client.post(url, data=correction(corrected_entry), headers=headers)
    assert done.status_code == 200 and "HX-Request" in done.headers["Vary"]
    body = done.get_data(as_text=True)
    assert "<html" not in body and "L'identité est corrigée" in page_text(done)
    assert format_navs13(corrected_entry.navs13) in page_text(done)


def test_the_audit_never_holds_a_full_avs_or_iban_after_a_file_and_a_correction(
        app, ready, staff_client, corrected_entry):
    person = ready.user
    old_navs = person.navs13
    sent_invoice(ready)
    staff_client.get(person_url(person))
    staff_client.post(f"{person_url(person)}/identite", data=correction(corrected_entry))
    staff_client.get(person_url(person))
    details = audit_details()
    assert "identity_corrected" in details and "staff_viewed_person" in details
    for secret in (old_navs, corrected_entry.navs13, IBAN, format_navs13(old_navs)):
        assert secret not in details
