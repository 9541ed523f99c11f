"""Demo data for local use: a small register, one insured account, one staff account."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import pyotp
from flask_migrate import upgrade
from sqlalchemy import select
from stdnum import ean
from werkzeug.datastructures import FileStorage

from guichet.core.formatting import format_decision_number
from guichet.core.i18n import today_in_zurich
from guichet.core.identifiers import format_navs13, normalize_name_for_match
from guichet.core.passwords import hash_password
from guichet.invoices.types import INVOICE_TYPES, standard
from guichet.invoices.types.base import InvoiceType
from guichet.models import (ROLE_ADMIN, ROLE_REVIEWER, BankAccount, Decision, RegisteredPerson,
                            User, utcnow)
from guichet.models.base import db

DEMO_PASSWORD = "demo guichet neuchatel"
DEMO_STAFF_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DP"
# A second gestionnaire: a validation that needs a second visa needs another person.
DEMO_SECOND_STAFF_TOTP = "KRSXG5CTMVRXEZLUKRSXG5CT"


def current_demo_code(email: str) -> str | None:
    """The code the authenticator app would show now for a demo staff account (their secrets are
    printed by the demo anyway), or ``None`` for any other account."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_staff or user.totp_secret not in (DEMO_STAFF_TOTP,
                                                                     DEMO_SECOND_STAFF_TOTP):
        return None
    return pyotp.TOTP(user.totp_secret).now()


def navs(nine_digits: str) -> str:
    body = "756" + nine_digits
    return body + ean.calc_check_digit(body)


DEMO_REGISTER = [
    (navs("123456789"), "Muster", "Anna", date(1985, 3, 15)),
    (navs("100000001"), "Ćosić", "Marko", date(1979, 11, 2)),
    (navs("100000002"), "Müller", "Lea", date(2012, 6, 30)),
    (navs("100000003"), "Nguyễn", "Thi Mai", date(1990, 1, 8)),
    (navs("100000004"), "Rochat", "Jean-Pierre", date(1956, 9, 21)),
]


ADULT, CHILD = 0, 2   # Anna Muster and Lea Müller in DEMO_REGISTER


def demo_decisions() -> list[tuple[str, str, InvoiceType]]:
    """(N° AVS, decision number, type): one decision per invoice type, valid since 2025, for
    Lea (a child) when the type is for minors, else for Anna."""
    return [(DEMO_REGISTER[CHILD if kind.for_minors else ADULT][0], f"3242025{case:07d}", kind)
            for case, kind in enumerate(INVOICE_TYPES.values(), start=101)]


def _demo_decisions_and_iban(anna_navs: str) -> None:
    for navs13, number, kind in demo_decisions():
        if db.session.scalar(select(Decision).where(Decision.number == number)) is None:
            db.session.add(Decision(navs13=navs13, number=number, invoice_type=kind.key,
                                    valid_from=date(2025, 1, 1), **dict(kind.demo_decision)))
    anna = db.session.scalar(select(User).where(User.navs13 == anna_navs))
    if anna is not None and db.session.scalar(select(BankAccount).where(
            BankAccount.user_id == anna.id)) is None:
        db.session.add(BankAccount(user_id=anna.id, iban="CH5604835012345678009",
                                   holder="Anna Muster", bank_name="UBS Switzerland AG",
                                   confirmed_at=utcnow()))


# A second insured person whose invoices are already sent, so the office's queue has work:
# Mélanie Jeanrenaud (the search « jeanrenaud » finds her), with an IBAN confirmed two months ago.
# Not among DEMO_REGISTER, whose other entries stay free for trying the registration.
DEMO_SENDER = (navs("100000009"), "Jeanrenaud", "Mélanie", date(1972, 4, 18))
DEMO_SENDER_EMAIL = "melanie.jeanrenaud@example.ch"
DEMO_SENDER_DECISION = "32420250000201"
STANDARD_TYPE = standard.KEY
DEMO_SENT = [  # (supplier, invoice number, days ago, lines: (label, quantity, unit price))
    ("Physiothérapie du Littoral", "PL-2026-118", 12,
     [("Séance de physiothérapie", "9", "48.40"), ("Rapport au médecin", "1", "35.00")]),
    ("Pharmacie de la Gare", "F-55120", 5, [("Bandages de contention", "2", "27.90")]),
    ("Orthopédie Favre SA", "OF-2026-0077", 2, [("Semelles orthopédiques sur mesure", "1",
                                                  "2380.00")]),
]


def _demo_sent_invoices() -> None:
    """The sender's account and three standard invoices sent through the same steps as the form (a
    generated PDF as the supplier's invoice), once."""
    from datetime import timedelta

    from guichet.beneficiaries.services import ensure_holder
    from guichet.invoices import drafts, services

    if db.session.scalar(select(User).where(User.email == DEMO_SENDER_EMAIL)) is not None:
        return
    navs13, nom, prenom, born = DEMO_SENDER
    if db.session.scalar(select(RegisteredPerson).where(RegisteredPerson.navs13 == navs13)) is None:
        db.session.add(RegisteredPerson(navs13=navs13, nom=nom, prenom=prenom,
                                        date_naissance=born,
                                        nom_match=normalize_name_for_match(nom)))
    sender = User(email=DEMO_SENDER_EMAIL, password_hash=hash_password(DEMO_PASSWORD),
                 phone="+41791234568", phone_confirmed_at=utcnow(), email_confirmed_at=utcnow(),
                 navs13=navs13, civilite="madame", nom=nom, prenom=prenom, date_naissance=born,
                 rue="Avenue Léopold-Robert 31", npa="2300", localite="La Chaux-de-Fonds",
                 pays="CH")
    db.session.add(sender)
    if db.session.scalar(select(Decision).where(Decision.number == DEMO_SENDER_DECISION)) is None:
        db.session.add(Decision(navs13=navs13, number=DEMO_SENDER_DECISION,
                                invoice_type=STANDARD_TYPE, valid_from=date(2025, 1, 1)))
    db.session.flush()
    holder = ensure_holder(sender)
    account = BankAccount(user_id=sender.id, iban="CH9300762011623852957",
                          holder="Mélanie Jeanrenaud",
                          bank_name="Banque Cantonale Neuchâteloise",
                          created_at=utcnow() - timedelta(days=60),
                          confirmed_at=utcnow() - timedelta(days=60))
    db.session.add(account)
    db.session.flush()
    for supplier, number, days_ago, lines in DEMO_SENT:
        day = f"{today_in_zurich() - timedelta(days=days_ago):%d.%m.%Y}"
        invoice = services.create_draft(sender, STANDARD_TYPE)
        submitted = drafts.Submitted(
            header={"supplier": supplier, "supplier_invoice_number": number,
                    "invoice_date": day},
            lines=[{"date": day, "label": label, "quantity": quantity, "unit_price": price}
                   for label, quantity, price in lines],
            beneficiary=str(holder.id), bank_account=str(account.id),
            decision_number=DEMO_SENDER_DECISION)
        upload = FileStorage(BytesIO(_supplier_invoice_pdf(supplier, number)),
                             filename=f"facture-{number}.pdf", content_type="application/pdf")
        outcome = drafts.apply(invoice, sender, submitted, drafts.Action(drafts.SAVE),
                               [("supplier_invoice", upload)])
        if outcome.refusals:
            raise RuntimeError(f"demo invoice refused: {outcome.refusals}")
        services.submit(invoice, sender, services.new_submit_token())


def _supplier_invoice_pdf(supplier: str, number: str) -> bytes:
    """A one-page PDF that looks enough like a supplier's invoice for the review screen."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    out = BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(60, 780, supplier)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(60, 750, f"Facture {number}")
    canvas.drawString(60, 730, "Document de démonstration Guichet")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def load_demo() -> list[str]:
    """Brings the schema up to date and adds what is missing; safe to run again."""
    upgrade()
    for number, nom, prenom, born in DEMO_REGISTER:
        if db.session.scalar(select(RegisteredPerson).where(RegisteredPerson.navs13 == number)):
            continue
        db.session.add(RegisteredPerson(navs13=number, nom=nom, prenom=prenom,
                                        date_naissance=born,
                                        nom_match=normalize_name_for_match(nom)))
    anna = DEMO_REGISTER[0]
    if db.session.scalar(select(User).where(User.email == "anna.muster@example.ch")) is None:
        db.session.add(User(
            email="anna.muster@example.ch", password_hash=hash_password(DEMO_PASSWORD),
            phone="+41791234567", phone_confirmed_at=utcnow(), email_confirmed_at=utcnow(),
            navs13=anna[0], civilite="madame", nom=anna[1], prenom=anna[2],
            date_naissance=anna[3], rue="Rue du Seyon 10", npa="2000", localite="Neuchâtel",
            pays="CH"))
    if db.session.scalar(select(User).where(User.email == "gestion@example.ch")) is None:
        db.session.add(User(
            email="gestion@example.ch", password_hash=hash_password(DEMO_PASSWORD),
            role=ROLE_ADMIN, totp_secret=DEMO_STAFF_TOTP, email_confirmed_at=utcnow(),
            prenom="Claire", nom="Gestion"))
    if db.session.scalar(select(User).where(User.email == "visa@example.ch")) is None:
        db.session.add(User(
            email="visa@example.ch", password_hash=hash_password(DEMO_PASSWORD),
            role=ROLE_REVIEWER, totp_secret=DEMO_SECOND_STAFF_TOTP, email_confirmed_at=utcnow(),
            prenom="Marc", nom="Visa"))
    db.session.flush()
    _demo_decisions_and_iban(anna[0])
    _demo_sent_invoices()
    lines = ["Données de démonstration prêtes.", "",
             "Assurée : anna.muster@example.ch / mot de passe « %s »" % DEMO_PASSWORD,
             "  Le code SMS s'affiche dans la console du serveur (ligne « SMS à … »).",
             "Personnel : gestion@example.ch / même mot de passe ; code TOTP du secret %s"
             % DEMO_STAFF_TOTP,
             "  (code actuel : %s ; administratrice : menus « Transmission » et « Administration »)"
             % pyotp.TOTP(DEMO_STAFF_TOTP).now(),
             "Second·e gestionnaire (pour le second visa) : visa@example.ch / même mot de passe ;",
             "  code TOTP du secret %s (code actuel : %s)"
             % (DEMO_SECOND_STAFF_TOTP, pyotp.TOTP(DEMO_SECOND_STAFF_TOTP).now()),
             "  Un code plus tard : flask --app guichet staff demo-code gestion@example.ch", "",
             "Anna a un IBAN et une décision pour chaque type de facture ; sa fille Lea Müller",
             "(registre de démonstration) a une décision API mineur·e : ajoutez-la comme bénéficiaire.",
             "",
             "Mélanie Jeanrenaud (%s, même mot de passe) a déjà envoyé trois" % DEMO_SENDER_EMAIL,
             "factures : la file de gestion (/gestion/) les montre. Une fois validées (avec le",
             "second visa de visa@example.ch), elles entrent dans un lot de transmission.", "",
             "N° de décision à indiquer dans les demandes (seuls ceux-ci sont acceptés) :"]
    lines += _decision_lines()
    lines += ["", *_free_register_lines()]
    return lines


def _decision_lines() -> list[str]:
    """Each demo decision: its number as the form takes it, the type, for whom."""
    names = {number: f"{prenom} {nom}" for number, nom, prenom, _born in DEMO_REGISTER}
    return [f"  {format_decision_number(number)}  {kind.label} ({names[navs13]})"
            for navs13, number, kind in demo_decisions()]


def _free_register_lines() -> list[str]:
    """The register entries nobody has registered with yet (an account takes its N° AVS)."""
    taken = set(db.session.scalars(select(User.navs13).where(User.navs13.is_not(None))))
    free = [entry for entry in DEMO_REGISTER[1:] if entry[0] not in taken]
    if not free:
        return ["Toutes les personnes du registre de démonstration ont déjà un compte."]
    return ["Personnes du registre libres pour tester l'inscription :"] + [
        f"  {format_navs13(number)}  {nom}  {prenom}  {born:%d.%m.%Y}"
        for number, nom, prenom, born in free]
