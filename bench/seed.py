"""Fill a Guichet database with realistic data for the benchmark, fast.

    python bench/seed.py                      # fresh SQLite file in a new temp dir
    python bench/seed.py --database-url postgresql://user@127.0.0.1/guichet_bench --drop

The schema comes from the migrations (``flask_migrate.upgrade()``, as ``flask db upgrade``);
the rows are written with SQLAlchemy Core ``insert`` executemany in one transaction.

What it writes (defaults): 1 000 insured accounts with their register entries, beneficiaries
(themselves, and a child for about a quarter of them), decisions, saved decision numbers and
IBANs; 50 000 invoices of the five types, 300 of them for the "bench" insured person, with their
lines, pièces (rows only, no files), history events and open complement requests; receipt
counters; and a logged-in server session (stage "full") for the bench person. The bench
person's newest draft is a travel draft with 3 trips and its pièces (the one whose form and
review page are measured). It prints the state as JSON (also written to ``state.json`` next to
the SQLite file, or to ``--state``): the database URL, the secret key the server must use, the
signed session cookie, the ids of the invoices to download as PDF and of that draft.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
import warnings
from calendar import monthrange
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ZURICH = ZoneInfo("Europe/Zurich")
# The rows are written in their shape at the head of the migrations (the schema is built first,
# as `flask db upgrade` builds it on an empty database): no data migration runs on them, which
# at 200 000 invoices took longer than the rest of the seeding (row-by-row UPDATEs).
CENT = Decimal("0.01")

SURNAMES = ["Muster", "Rochat", "Favre", "Perret", "Jeanneret", "Robert", "Matthey", "Huguenin",
            "Girard", "Dubois", "Müller", "Schneider", "Da Silva", "Ferreira", "Rossi",
            "Berisha", "Krasniqi", "Ćosić", "Nguyễn", "Gerber", "Vuille", "Sandoz", "Ducommun",
            "Bühler", "Monnier", "Jacot", "L'Eplattenier", "Oppliger", "Pereira", "Yilmaz"]
FIRST_NAMES = ["Anna", "Marko", "Lea", "Thi Mai", "Jean-Pierre", "Sophie", "Luca", "Noémie",
               "Mathieu", "Chloé", "Élodie", "Arben", "João", "Fatima", "Yves", "Nadia",
               "Olivier", "Zoé", "Hélène", "Samuel", "Aïcha", "Loïc", "Françoise", "Timéo"]
CHILD_NAMES = ["Lina", "Noah", "Emma", "Liam", "Mia", "Gabriel", "Léa", "Nathan", "Alba", "Elio"]
PLACES = [("2000", "Neuchâtel"), ("2300", "La Chaux-de-Fonds"), ("2400", "Le Locle"),
          ("2017", "Boudry"), ("2034", "Peseux"), ("2074", "Marin-Epagnier"),
          ("2114", "Fleurier"), ("2053", "Cernier"), ("2013", "Colombier"),
          ("2072", "Saint-Blaise")]
STREETS = ["Rue du Seyon", "Avenue Léopold-Robert", "Rue de la Gare", "Chemin des Pâquerettes",
           "Rue des Parcs", "Grand-Rue", "Rue du Temple", "Avenue du Premier-Mars"]
BANKS = [("00766", "Banque Cantonale Neuchâteloise"), ("00235", "UBS Switzerland AG"),
         ("09000", "PostFinance SA"), ("80808", "Banque Raiffeisen"),
         ("04835", "Credit Suisse (Schweiz) AG")]
MOTIFS = ["physiothérapie à Neuchâtel", "ergothérapie à La Chaux-de-Fonds",
          "mesure de réadaptation au Locle", "consultation à l'hôpital Pourtalès",
          "cours de formation à Colombier", "contrôle au CHUV à Lausanne"]
STANDARD_LABELS = ["Séance d'ergothérapie", "Location de fauteuil roulant",
                   "Cours de langue des signes", "Frais de formation", "Matériel orthopédique",
                   "Adaptation du poste de travail"]
SUPPLIERS = ["Audition Plus SA", "Ortho-Neuchâtel Sàrl", "Pharmacie du Seyon",
             "Centre de réadaptation du Littoral", "Mobilité Service SA"]

# Share of each type among the invoices (what the office sees most: travel costs).
TYPE_WEIGHTS = {"deplacement": 40, "standard": 25, "assistance": 15, "moyens_auxiliaires": 12,
                "api_mineur": 8}
# Statuses: recent invoices are still moving, older ones are mostly paid.
RECENT_STATUS = {"draft": 10, "submitted": 35, "in_review": 20, "needs_info": 7, "accepted": 20,
                 "rejected": 3, "paid": 5}
OLD_STATUS = {"draft": 2, "submitted": 2, "in_review": 1, "needs_info": 1, "accepted": 8,
              "rejected": 6, "paid": 80}
API_DAILY = {"faible": Decimal("16.40"), "moyenne": Decimal("41.00"), "grave": Decimal("65.60")}


def navs(nine_digits: int) -> str:
    from stdnum import ean
    body = "756" + f"{nine_digits:09d}"
    return body + ean.calc_check_digit(body)


def swiss_iban(clearing: str, account: int) -> str:
    bban = clearing + f"{account:012d}"
    check = 98 - int(bban + "121700") % 97
    return f"CH{check:02d}{bban}"


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Ids:
    """Primary keys given by us, so that rows can point at each other before they are written."""

    def __init__(self):
        self.last = {}

    def next(self, table: str) -> int:
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


class Builder:
    def __init__(self, rng: random.Random, now: datetime, password_hash: str):
        self.rng, self.now, self.password_hash = rng, now, password_hash
        self.ids = Ids()
        self.rows = {name: [] for name in (
            "registered_persons", "users", "beneficiaries", "saved_decisions", "decisions",
            "bank_accounts", "invoices", "invoice_lines", "invoice_events", "attachments",
            "complement_requests", "receipt_counters", "auth_sessions")}
        self.case = 0
        self.navs_counter = 300000000
        self.staff_id = None
        self.people: dict[int, tuple] = {}     # beneficiary id -> (navs13, nom, prénom, né)
        self.accounts: dict[int, dict] = {}    # bank account id -> its row
        self.holders: dict[int, dict] = {}     # user id -> its row

    # --- people --------------------------------------------------------------------------------

    def register(self, nom: str, prenom: str, born: date) -> str:
        from guichet.core.identifiers import normalize_name_for_match
        self.navs_counter += 1
        number = navs(self.navs_counter)
        self.rows["registered_persons"].append({
            "id": self.ids.next("registered_persons"), "navs13": number, "nom": nom,
            "prenom": prenom, "date_naissance": born, "nom_match": normalize_name_for_match(nom),
            "imported_at": self.now - timedelta(days=800)})
        return number

    def decision(self, navs13: str, invoice_type: str, beneficiary_id: int, **extra) -> str:
        self.case += 1
        year = self.rng.choice((2021, 2022, 2023, 2024, 2025))
        number = f"324{year}{self.case:07d}"
        self.rows["decisions"].append({
            "id": self.ids.next("decisions"), "navs13": navs13, "number": number,
            "invoice_type": invoice_type, "valid_from": date(year, 1, 1), "valid_to": None,
            "degree": extra.get("degree"), "monthly_amount": extra.get("monthly_amount"),
            "imported_at": self.now - timedelta(days=800)})
        self.rows["saved_decisions"].append({
            "id": self.ids.next("saved_decisions"), "beneficiary_id": beneficiary_id,
            "number": number, "description": invoice_type.replace("_", " "),
            "created_at": self.now - timedelta(days=700)})
        return number

    def beneficiary(self, user_id: int, navs13: str, nom: str, prenom: str, born: date,
                    relation: str) -> int:
        beneficiary_id = self.ids.next("beneficiaries")
        self.people[beneficiary_id] = (navs13, nom, prenom, born)
        self.rows["beneficiaries"].append({
            "id": beneficiary_id, "user_id": user_id, "navs13": navs13, "nom": nom,
            "prenom": prenom, "date_naissance": born, "relation": relation,
            "created_at": self.now - timedelta(days=730), "removed_at": None})
        return beneficiary_id

    def insured(self, index: int, email: str, with_child: bool, with_assistance: bool) -> dict:
        """An account with its register entry, beneficiaries, decisions and IBAN(s)."""
        rng = self.rng
        nom, prenom = rng.choice(SURNAMES), rng.choice(FIRST_NAMES)
        born = date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        navs13 = self.register(nom, prenom, born)
        npa, localite = rng.choice(PLACES)
        user_id = self.ids.next("users")
        created = self.now - timedelta(days=740)
        self.rows["users"].append({
            "id": user_id, "email": email, "password_hash": self.password_hash,
            "role": "insured", "created_at": created, "password_changed_at": created,
            "email_confirmed_at": created, "phone": f"+4179{index:07d}",
            "phone_confirmed_at": created, "pending_email": None, "pending_phone": None,
            "navs13": navs13, "civilite": rng.choice(("madame", "monsieur")), "nom": nom,
            "prenom": prenom, "date_naissance": born,
            "rue": f"{rng.choice(STREETS)} {rng.randint(1, 80)}", "npa": npa,
            "localite": localite, "pays": "CH", "totp_secret": None, "totp_last_step": None})
        self.holders[user_id] = self.rows["users"][-1]
        person = {"user_id": user_id, "name": f"{prenom} {nom}", "decisions": {}}
        self_id = self.beneficiary(user_id, navs13, nom, prenom, born, "self")
        for invoice_type in ("deplacement", "standard", "moyens_auxiliaires"):
            person["decisions"][invoice_type] = (self_id, self.decision(navs13, invoice_type,
                                                                        self_id))
        if with_assistance:
            monthly = money(rng.randint(1800, 4800))
            person["decisions"]["assistance"] = (self_id, self.decision(
                navs13, "assistance", self_id, monthly_amount=monthly))
            person["monthly"] = monthly
        if with_child:
            child_born = date(rng.randint(2010, 2021), rng.randint(1, 12), rng.randint(1, 28))
            child_name = rng.choice(CHILD_NAMES)
            child_navs = self.register(nom, child_name, child_born)
            child_id = self.beneficiary(user_id, child_navs, nom, child_name, child_born,
                                        "child")
            degree = rng.choice(("faible", "moyenne", "grave"))
            supplement = rng.choice(("", "", "+4h", "+6h"))
            person["decisions"]["api_mineur"] = (child_id, self.decision(
                child_navs, "api_mineur", child_id, degree=degree + supplement))
            person["degree"] = degree
        clearing, bank_name = rng.choice(BANKS)
        account_id = self.ids.next("bank_accounts")
        iban = swiss_iban(clearing, rng.randint(10**9, 10**12 - 1))
        if rng.random() < 0.1:  # an older IBAN, removed
            old_clearing, old_bank = rng.choice(BANKS)
            self.rows["bank_accounts"].append({
                "id": self.ids.next("bank_accounts"), "user_id": user_id,
                "iban": swiss_iban(old_clearing, rng.randint(10**9, 10**12 - 1)),
                "holder": f"{prenom} {nom}", "bank_name": old_bank, "created_at": created,
                "confirmed_at": created, "removed_at": created + timedelta(days=200)})
        self.rows["bank_accounts"].append({
            "id": account_id, "user_id": user_id, "iban": iban, "holder": f"{prenom} {nom}",
            "bank_name": bank_name, "created_at": created, "confirmed_at": created,
            "removed_at": None})
        self.accounts[account_id] = self.rows["bank_accounts"][-1]
        person.update(account_id=account_id, iban=iban)
        return person

    def staff(self) -> None:
        self.staff_id = self.ids.next("users")
        created = self.now - timedelta(days=900)
        self.rows["users"].append({
            "id": self.staff_id, "email": "gestion.bench@example.ch",
            "password_hash": self.password_hash, "role": "reviewer", "created_at": created,
            "password_changed_at": created, "email_confirmed_at": created, "phone": None,
            "phone_confirmed_at": None, "pending_email": None, "pending_phone": None,
            "navs13": None, "civilite": None, "nom": "Gestion", "prenom": "Claire",
            "date_naissance": None, "rue": None, "npa": None, "localite": None, "pays": None,
            "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DP", "totp_last_step": None})

    # --- invoices ------------------------------------------------------------------------------

    def invoice_spec(self, person: dict, created: datetime, invoice_type: str | None = None,
                     status: str | None = None, trips: int | None = None) -> dict:
        """Type, status, fields, lines and amounts of one invoice (ids come later).

        ``invoice_type``, ``status`` and (travel) ``trips`` force what is otherwise drawn."""
        rng = self.rng
        weights = {k: w for k, w in TYPE_WEIGHTS.items() if k in person["decisions"]}
        invoice_type = invoice_type or pick(rng, weights)
        age = self.now - created
        status = status or pick(rng, RECENT_STATUS if age < timedelta(days=45) else OLD_STATUS)
        beneficiary_id, decision_number = person["decisions"][invoice_type]
        day = created.astimezone(ZURICH).date()
        fields = {"save_decision": ""}  # the beneficiary and the IBAN are in their columns
        lines: list[tuple[dict, Decimal]] = []
        requirements = ["supplier_invoice"]
        total = None
        if invoice_type == "deplacement":
            requirements = []
            for _n in range(trips or rng.choice((1, 1, 2, 2, 3, 4))):
                trip_day = day - timedelta(days=rng.randint(1, 40))
                transport = pick(rng, {"public": 50, "car": 35, "taxi": 8, "other": 7})
                long_day = rng.random() < 0.4
                data = {"date": f"{trip_day:%d.%m.%Y}", "depart": rng.choice(PLACES)[1],
                        "destination": rng.choice(PLACES)[1], "motif": rng.choice(MOTIFS),
                        "transport": transport,
                        "departure_time": "07:30" if long_day else "09:00",
                        "return_time": "14:45" if long_day else "11:30", "nights": "0",
                        "companion": rng.choice(("no", "no", "no", "yes"))}
                if transport == "car":
                    km = rng.randint(8, 120)
                    data.update(km=str(km), vehicle_required=rng.choice(("yes", "no")))
                    amount = money(Decimal(km) * Decimal("0.45"))
                    requirements.append("disability_certificate")
                else:
                    fare = money(Decimal(rng.randint(420, 9000)) / 100)
                    data["fare"] = str(fare)
                    amount = fare
                    requirements.append({"public": "transport_tickets", "taxi": "taxi_receipt",
                                         "other": "other_cost_receipts"}[transport])
                if long_day:
                    amount += Decimal("11.50")
                lines.append((data, money(amount)))
        elif invoice_type == "standard":
            fields.update(supplier=rng.choice(SUPPLIERS),
                          supplier_invoice_number=f"F-{rng.randint(1000, 99999)}",
                          invoice_date=f"{day - timedelta(days=rng.randint(1, 20)):%d.%m.%Y}")
            for _n in range(rng.randint(1, 4)):
                quantity, price = rng.randint(1, 10), money(Decimal(rng.randint(1500, 18000)) / 100)
                lines.append(({"date": f"{day - timedelta(days=rng.randint(1, 30)):%d.%m.%Y}",
                               "label": rng.choice(STANDARD_LABELS), "quantity": str(quantity),
                               "unit_price": str(price)}, money(quantity * price)))
        elif invoice_type == "assistance":
            month = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
            fields.update(month=f"{month:%m.%Y}", monthly_amount="", eleven_months="no")
            requirements = ["assistant_payslips"]
            for _n in range(rng.choice((1, 1, 2, 3))):
                hours = Decimal(rng.randint(10, 80))
                salary = money(hours * Decimal("33.20"))
                lines.append(({"name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                               "ordinary_hours": str(hours), "qualified_hours": "",
                               "nights": "", "gross_salary": str(salary),
                               "sick_days_paid": ""}, salary))
            total = min(sum((a for _d, a in lines), Decimal(0)), person["monthly"])
        elif invoice_type == "api_mineur":
            month = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
            degree = person["degree"]
            fields.update(month=f"{month:%m.%Y}", degree=degree, supplement="aucun")
            requirements = []
            for _d in range(monthrange(month.year, month.month)[1]):
                place = pick(rng, {"home": 90, "institution": 7, "hospital": 3})
                lines.append(({"place": place}, API_DAILY[degree] if place == "home"
                              else Decimal("0.00")))
            if any(d["place"] != "home" for d, _a in lines):
                requirements = ["stay_certificate"]
        else:  # moyens_auxiliaires: no lines, the amount comes from the header
            kind = pick(rng, {"piles": 30, "une_oreille": 15, "deux_oreilles": 20,
                              "reparation_electronique": 10, "reparation_autre": 5,
                              "autre_moyen": 20})
            fields.update(kind=kind, supplier=rng.choice(SUPPLIERS),
                          invoice_date=f"{day - timedelta(days=rng.randint(1, 20)):%d.%m.%Y}")
            if kind == "piles":
                devices = rng.choice((1, 2))
                fields["devices"] = str(devices)
                total = money(40 * devices)
            elif kind in ("une_oreille", "deux_oreilles"):
                total = money(840 if kind == "une_oreille" else 1650)
            elif kind.startswith("reparation"):
                fields["device_purchase_date"] = f"{day - timedelta(days=900):%d.%m.%Y}"
                total = money(rng.randint(130, 400))
            else:
                fields.update(description="Coussin anti-escarres",
                              supplier_amount=str(money(rng.randint(80, 2500))))
                total = money(fields["supplier_amount"])
        if total is None:
            total = sum((amount for _data, amount in lines), Decimal("0.00"))
        return {"type": invoice_type, "status": status, "created": created, "fields": fields,
                "lines": lines, "total": money(total), "person": person,
                "beneficiary_id": beneficiary_id, "decision_number": decision_number,
                "requirements": sorted(set(requirements)) or ["supplier_invoice"]}

    def office_side(self, invoice_id: int, spec: dict, status: str,
                    submitted_at: datetime | None, updated: datetime) -> dict:
        """The columns the office's work and the queue keep (guichet.invoices.lifecycle), as
        they are once the staff has worked for a while: two thirds of « En traitement » taken
        by the bench gestionnaire, the rest released; one in seven of those a second visa
        awaited; one « Envoyée » in ten an answered complement (top of the queue); half the
        « À compléter » overdue; one sent invoice in 25 flagged."""
        from guichet.invoices.lifecycle import name_key
        from guichet.models.invoices import (RANK_COMPLEMENT_OVERDUE, RANK_COMPLEMENT_RECEIVED,
                                             RANK_COMPLEMENT_WAITING, RANK_DONE,
                                             RANK_SECOND_VISA, RANK_SENT)
        found = {"status": status, "assignee_id": None, "assigned_at": None,
                 "queue_rank": RANK_DONE, "queue_since": None, "flagged": False,
                 "subject_navs13": None, "subject_name_key": None, "holder_name_key": None}
        if status == "draft":
            return found
        holder = self.holders[spec["person"]["user_id"]]
        subject = self.people.get(spec["beneficiary_id"])
        subject_nom, subject_prenom = (subject[1], subject[2]) if subject else (
            holder["nom"], holder["prenom"])
        found.update(subject_navs13=subject[0] if subject else holder["navs13"],
                     subject_name_key=name_key(subject_nom, subject_prenom),
                     holder_name_key=name_key(holder["nom"], holder["prenom"]),
                     flagged=invoice_id % 25 == 0, queue_since=updated)
        if status == "in_review" and invoice_id % 3:
            found.update(assignee_id=self.staff_id, assigned_at=submitted_at)
            if invoice_id % 7 == 0:
                found.update(status="visa_pending", queue_rank=RANK_SECOND_VISA)
                return found
        if status in ("submitted", "in_review"):
            answered = status == "submitted" and invoice_id % 10 == 0
            found.update(queue_rank=RANK_COMPLEMENT_RECEIVED if answered else RANK_SENT,
                         queue_since=submitted_at)
        elif status == "needs_info":
            due = (updated + timedelta(days=30)).date()
            if invoice_id % 2 == 0:  # overdue (``complements remind`` moved it up)
                due = min(due, (self.now - timedelta(days=1 + invoice_id % 20)).date())
            found.update(queue_rank=RANK_COMPLEMENT_OVERDUE if invoice_id % 2 == 0
                         else RANK_COMPLEMENT_WAITING,
                         queue_since=datetime.combine(due, datetime.min.time(),
                                                      tzinfo=timezone.utc))
        return found

    def frozen(self, spec: dict) -> dict:
        """The copy kept at sending, in the shape migration e6f7a8b9c0d1 gives invoices sent
        before it (no priced lines: the pages price those); the bench person's own sent
        invoices get the application's full copy afterwards (``freeze_sent``)."""
        person = spec["person"]
        holder = self.holders[person["user_id"]]
        account = self.accounts[person["account_id"]]
        subject = self.people.get(spec["beneficiary_id"])

        def born(value):
            return value.isoformat() if value else None
        return {
            "owner": {**{k: holder[k] or "" for k in ("nom", "prenom", "navs13", "civilite",
                                                      "rue", "npa", "localite", "pays")},
                      "date_naissance": born(holder["date_naissance"])},
            "beneficiary": {"navs13": subject[0], "nom": subject[1], "prenom": subject[2],
                            "date_naissance": born(subject[3])} if subject else None,
            "account": {"iban": account["iban"], "holder": account["holder"],
                        "bank_name": account["bank_name"]},
            "decision_number": spec["decision_number"] or ""}

    def write_invoice(self, spec: dict, receipt: str | None) -> int:
        """Rows for one invoice, its lines, pièces, history and open complement request."""
        rng, status, created = self.rng, spec["status"], spec["created"]
        person, user_id = spec["person"], spec["person"]["user_id"]
        invoice_id = self.ids.next("invoices")
        sent = status != "draft"
        submitted_at = min(created + timedelta(minutes=rng.randint(5, 3 * 24 * 60)),
                           self.now - timedelta(minutes=30)) if sent else None
        events = [(created, user_id, False, None, "draft", "Brouillon créé.")]
        at = submitted_at
        if sent:
            events.append((at, user_id, False, "draft", "submitted",
                           "Demande envoyée à l'office."))
        steps = {"in_review": ["in_review"], "needs_info": ["in_review", "needs_info"],
                 "accepted": ["accepted"], "rejected": ["in_review", "rejected"],
                 "paid": ["accepted", "paid"]}.get(status, [])
        messages = {"in_review": "Un·e gestionnaire examine votre demande.",
                    "needs_info": "L'office demande un complément.",
                    "accepted": "Demande validée et transmise pour paiement.",
                    "rejected": "Demande refusée : les frais ne sont pas couverts par la "
                                "décision.",
                    "paid": "Montant versé sur votre compte."}
        previous = "submitted"
        for step in steps:
            at = min(at + timedelta(hours=rng.randint(2, 24 * 12)), self.now - timedelta(minutes=5))
            events.append((at, self.staff_id, True, previous, step, messages[step]))
            previous = step
        updated = events[-1][0]
        total = spec["total"]
        approved = None
        if status in ("accepted", "paid"):
            approved = total if rng.random() < 0.9 else money(total * Decimal("0.8"))
        elif status == "rejected":
            approved = Decimal("0.00")
        office = self.office_side(invoice_id, spec, status, submitted_at, updated)
        status = office["status"]
        self.rows["invoices"].append({
            **office, "frozen": self.frozen(spec) if sent else None,
            "id": invoice_id, "user_id": user_id, "invoice_type": spec["type"],
            "status": status, "beneficiary_id": spec["beneficiary_id"],  # drafts too: the
            "bank_account_id": person["account_id"],  # columns hold the choice from the first save
            "iban": person["iban"] if sent else None,
            "decision_number": spec["decision_number"], "fields": spec["fields"],
            "remark": "" if rng.random() < 0.85 else "Merci de verser le montant rapidement.",
            "total_claimed": total, "total_approved": approved, "flags": [],
            "receipt_number": receipt,
            "submit_token": secrets.token_urlsafe(24) if sent else None,
            "created_at": created, "updated_at": updated, "submitted_at": submitted_at,
            "version": len(events)})
        for position, (data, amount) in enumerate(spec["lines"]):
            self.rows["invoice_lines"].append({
                "id": self.ids.next("invoice_lines"), "invoice_id": invoice_id,
                "position": position, "data": data, "amount": amount,
                "approved_amount": amount if status in ("accepted", "paid") else None,
                "approval_reason": None})
        for at, actor, by_office, status_from, status_to, message in events:
            self.rows["invoice_events"].append({
                "id": self.ids.next("invoice_events"), "invoice_id": invoice_id, "at": at,
                "actor_id": actor, "by_office": by_office, "status_from": status_from,
                "status_to": status_to, "message": message})
        if sent or spec.get("with_pieces"):
            # 1-2 per sent invoice; the bench draft has one for each of its requirements
            given = spec["requirements"] if spec.get("with_pieces") else spec["requirements"][:2]
            for number, requirement in enumerate(given):
                image = rng.random() < 0.4
                self.rows["attachments"].append({
                    "id": self.ids.next("attachments"), "invoice_id": invoice_id,
                    "requirement": requirement,
                    "filename": f"{requirement.replace('_', '-')}-{number + 1}."
                                + ("jpg" if image else "pdf"),
                    "stored_name": secrets.token_hex(16) + (".jpg" if image else ".pdf"),
                    "content_type": "image/jpeg" if image else "application/pdf",
                    "size": rng.randint(60_000, 2_400_000),
                    "sha256": secrets.token_hex(32), "scan_status": "clean",
                    "uploaded_at": created + timedelta(minutes=2),
                    "complement_request_id": None})
        if status == "needs_info":
            self.rows["complement_requests"].append({
                "id": self.ids.next("complement_requests"), "invoice_id": invoice_id,
                "message": "Merci de joindre la quittance du trajet du 14.10.",
                "documents": "Quittance", "due_date": office["queue_since"].date(),
                "created_at": updated, "answer": None, "answered_at": None,
                "requested_by": self.staff_id, "reminded_before_at": None,
                "reminded_overdue_at": None})
        return invoice_id


def build(args, rng: random.Random, now: datetime, password_hash: str) -> tuple[Builder, dict]:
    builder = Builder(rng, now, password_hash)
    bench = builder.insured(0, "bench@example.ch", with_child=True, with_assistance=True)
    people = [bench]
    for index in range(1, args.users):
        people.append(builder.insured(index, f"assure{index:05d}@example.ch",
                                      with_child=rng.random() < 0.25,
                                      with_assistance=rng.random() < 0.3))
    builder.staff()

    # How many invoices each person has: 300 for the bench person, a long tail for the others.
    others = args.invoices - args.bench_invoices
    weights = [min(rng.paretovariate(1.6), 12.0) for _p in people[1:]]
    scale = others / sum(weights)
    counts = [int(w * scale) for w in weights]
    for index in rng.sample(range(len(counts)), others - sum(counts)):
        counts[index] += 1
    counts = [args.bench_invoices] + counts

    specs = []
    span = timedelta(days=730)
    for person, count in zip(people, counts):
        for _n in range(count):
            created = now - span * (rng.random() ** 1.3) - timedelta(minutes=10)
            specs.append(builder.invoice_spec(person, created))
    edit_spec = _bench_draft(builder, bench, specs, now)
    specs.sort(key=lambda s: s["created"])

    # Receipt numbers in the order invoices were sent, one counter per (Swiss) year.
    counters: dict[int, int] = {}
    receipts = []
    bench_ids: dict[str, list[tuple[int, int]]] = {}
    for spec in specs:
        receipt = None
        if spec["status"] != "draft":
            year = spec["created"].astimezone(ZURICH).year
            counters[year] = counters.get(year, 0) + 1
            receipt = f"NE-{year}-{counters[year]:06d}"
        receipts.append(receipt)
    edit_invoice_id = None
    drafts = []
    for spec, receipt in zip(specs, receipts):
        invoice_id = builder.write_invoice(spec, receipt)
        if spec is edit_spec:
            edit_invoice_id = invoice_id
        if spec["person"] is bench and spec["status"] == "draft":
            drafts.append({"id": invoice_id, "type": spec["type"], "lines": len(spec["lines"])})
        if spec["person"] is bench and spec["status"] != "draft":
            bench_ids.setdefault(spec["type"], []).append((invoice_id, len(spec["lines"])))
    for year, last in sorted(counters.items()):
        builder.rows["receipt_counters"].append({"id": builder.ids.next("receipt_counters"),
                                                 "prefix": "NE", "year": year, "last": last})
    return builder, {"bench_user_id": bench["user_id"], "staff_id": builder.staff_id,
                     "bench_ids": bench_ids,
                     "edit_invoice_id": edit_invoice_id, "bench_drafts": drafts}


def _bench_draft(builder: Builder, bench: dict, specs: list[dict], now: datetime) -> dict:
    """The draft whose form and review page are measured: a travel draft with 3 trips and its
    pièces (rows only), as a person has it just before « Vérifier ». The newest of the bench
    person's drafts becomes it (drawn after all the others, so the rest of the data is the same
    as without it); a new one is added if the person has no draft."""
    drafts = [s for s in specs if s["person"] is bench and s["status"] == "draft"]
    newest = max(drafts, key=lambda s: s["created"]) if drafts else None
    created = newest["created"] if newest else now - timedelta(days=2)
    spec = builder.invoice_spec(bench, created, invoice_type="deplacement", status="draft",
                                trips=3)
    spec["with_pieces"] = True
    if newest is None:
        specs.append(spec)
    else:
        specs[next(n for n, s in enumerate(specs) if s is newest)] = spec
    return spec


def insert_all(engine, rows: dict[str, list[dict]], chunk: int = 20_000) -> None:
    from sqlalchemy import insert, text

    from guichet.models.base import db
    order = ["registered_persons", "users", "beneficiaries", "saved_decisions", "decisions",
             "bank_accounts", "invoices", "complement_requests", "invoice_lines",
             "invoice_events", "attachments", "receipt_counters", "auth_sessions"]
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("PRAGMA synchronous=OFF"))
        for name in order:
            table = db.metadata.tables[name]
            batch = rows[name]
            for start in range(0, len(batch), chunk):
                conn.execute(insert(table), batch[start:start + chunk])
        if engine.dialect.name == "postgresql":
            for name in order:  # explicit ids: move the sequences past them
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 1))"))


def new_session(app, user_id: int, now: datetime | None = None) -> dict:
    """A server session (stage "full") for ``user_id`` and its signed cookie value."""
    from guichet.core.sessions import token_hash
    token = secrets.token_urlsafe(32)
    now = now or datetime.now(timezone.utc)
    row = {"token_hash": token_hash(token), "user_id": user_id, "stage": "full",
           "phone_hint": None, "created_at": now, "last_seen_at": now, "revoked_at": None,
           "ip": "127.0.0.1"}
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"sid": token, "_permanent": True})
    return {"row": row, "sid": token, "cookie": cookie}


def make_app(database_url: str, secret_key: str, workdir: Path):
    from guichet import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key,
                       "UPLOAD_FOLDER": str(workdir / "uploads"), "LOCAL_DEV": True})


def refresh_session(state: dict) -> dict:
    """For ``--reuse``: a fresh session row and cookie (the old one may have expired)."""
    from sqlalchemy import insert

    from guichet.models.base import db
    app = make_app(state["database_url"], state["secret_key"], Path(state["workdir"]))
    with app.app_context():
        session = new_session(app, state["bench_user_id"])
        rows = [session["row"]]
        if state.get("staff_id"):  # a staff session ends after 15 idle minutes
            staff_session = new_session(app, state["staff_id"])
            rows.append(staff_session["row"])
            state["staff_cookie"] = staff_session["cookie"]
        with db.engine.begin() as conn:
            conn.execute(insert(db.metadata.tables["auth_sessions"]), rows)
        db.engine.dispose()
    state.update(cookie=session["cookie"], sid=session["sid"])
    return state


def more_sessions(state: dict, count: int) -> list[dict]:
    """Server sessions for ``count`` insured people (the bench person first), for the capacity
    scenario: many people polling, not one. Returns [{"user_id": …, "cookie": …}, …]."""
    from sqlalchemy import insert, select

    from guichet.models.base import db
    app = make_app(state["database_url"], state["secret_key"], Path(state["workdir"]))
    users = db.metadata.tables["users"]
    with app.app_context():
        with db.engine.begin() as conn:
            ids = list(conn.execute(select(users.c.id).where(users.c.role == "insured")
                                    .order_by(users.c.id != state["bench_user_id"], users.c.id)
                                    .limit(count)).scalars())
            sessions = [new_session(app, user_id) for user_id in ids]
            if sessions:
                conn.execute(insert(db.metadata.tables["auth_sessions"]),
                             [s["row"] for s in sessions])
        db.engine.dispose()
    return [{"user_id": user_id, "cookie": s["cookie"]} for user_id, s in zip(ids, sessions)]


def _reset_schema(app) -> None:
    from sqlalchemy import inspect, text

    from guichet.models.base import db
    db.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        if "alembic_version" in inspect(conn).get_table_names():
            conn.execute(text("DROP TABLE alembic_version"))


def freeze_sent(app, invoice_ids: list[int]) -> None:
    """The measured person's sent invoices carry the copy that sending keeps (their page, PDF
    and receipt read it), made by the application's own code, as sending makes it."""
    from guichet.core.unit_of_work import unit_of_work
    from guichet.invoices.pricing import evaluate
    from guichet.invoices.view import frozen_copy
    from guichet.models import Invoice
    from guichet.models.base import db
    with app.test_request_context(), unit_of_work():
        for invoice_id in invoice_ids:
            invoice = db.session.get(Invoice, invoice_id)
            invoice.frozen = frozen_copy(invoice, evaluate(invoice))


def prepare_queue(app, staff_id: int, bench_user_id: int) -> dict:
    """What the queue's pages are measured with (the office's side is written with the rows,
    ``Builder.office_side``): a cursor deep in the default queue, an N° AVS, a name and a
    receipt number to search, an invoice to review."""
    from sqlalchemy import text

    from guichet.invoices.queue import encode_cursor
    from guichet.models.base import db
    with db.engine.begin() as conn:
        open_count = conn.execute(text(
            "SELECT count(*) FROM invoices WHERE queue_rank < 9 AND status <> 'draft'")).scalar()
        rank, since, invoice_id = conn.execute(text(
            "SELECT queue_rank, queue_since, id FROM invoices WHERE queue_rank < 9 "
            "AND status <> 'draft' ORDER BY queue_rank, queue_since, id LIMIT 1 OFFSET :n"),
            {"n": int(open_count * 0.8)}).one()
        if isinstance(since, str):  # SQLite hands back the stored text
            since = datetime.fromisoformat(since)
        navs13, name_key = conn.execute(text(
            "SELECT u.navs13, i.holder_name_key FROM invoices i JOIN users u ON u.id = i.user_id"
            " WHERE u.id = :bench AND i.status <> 'draft' LIMIT 1"),
            {"bench": bench_user_id}).one()
        receipt, review_id = conn.execute(text(
            "SELECT receipt_number, id FROM invoices WHERE status = 'submitted' "
            "ORDER BY id DESC LIMIT 1")).one()
    return {"open": open_count, "deep_cursor": encode_cursor(rank, since, invoice_id),
            "deep_offset": int(open_count * 0.8), "navs13": navs13,
            "name": name_key.split(" ")[0], "full_name": name_key, "receipt": receipt,
            "review_invoice_id": review_id}


def seed(database_url: str | None = None, *, users: int = 1000, invoices: int = 50_000,
         bench_invoices: int = 300, seed_value: int = 1, drop: bool = False,
         state_path: str | None = None, quiet: bool = False) -> dict:
    warnings.filterwarnings("ignore", message=".*Decimal objects natively.*")
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="guichet-bench-"))
    if database_url is None:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    secret_key = secrets.token_urlsafe(32)
    app = make_app(database_url, secret_key, workdir)

    from flask_migrate import upgrade
    from sqlalchemy import inspect, text

    from guichet.core.passwords import hash_password
    from guichet.models.base import db

    args = argparse.Namespace(users=users, invoices=invoices, bench_invoices=bench_invoices)
    with app.app_context():
        existing = set(inspect(db.engine).get_table_names())
        if existing - {"alembic_version"} or "alembic_version" in existing:
            if not drop:
                shutil.rmtree(workdir, ignore_errors=True)
                raise SystemExit(f"{db.engine.url.render_as_string(hide_password=True)} already "
                                 "has tables: pass --drop to empty it first.")
            _reset_schema(app)
        # as `flask db upgrade` on an empty database: the schema at the head, and the rates
        upgrade(revision="head")
        password_hash = hash_password("bench guichet neuchatel")
        now = datetime.now(timezone.utc)
        rng = random.Random(seed_value)
        builder, info = build(args, rng, now, password_hash)
        session = new_session(app, info["bench_user_id"], now)
        builder.rows["auth_sessions"].append({"id": builder.ids.next("auth_sessions"),
                                              **session["row"]})
        built = time.perf_counter()
        insert_all(db.engine, builder.rows)
        freeze_sent(app, [i for found in info["bench_ids"].values() for i, _lines in found])
        queue = prepare_queue(app, info["staff_id"], info["bench_user_id"])
        staff_session = new_session(app, info["staff_id"], now)
        with db.engine.begin() as conn:
            from sqlalchemy import insert as _insert
            conn.execute(_insert(db.metadata.tables["auth_sessions"]), [staff_session["row"]])
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # what autovacuum does soon after a bulk load: statistics, and the visibility
                # map that lets index-only scans skip the table
                conn.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    elapsed = time.perf_counter() - started

    bench_ids = info["bench_ids"]
    by_type = {}
    for invoice_type, found in bench_ids.items():
        by_type[invoice_type] = found[-1][0]  # the newest sent one of each type
    travel = [i for i, lines in bench_ids.get("deplacement", []) if lines >= 3]
    state = {
        "database_url": database_url, "secret_key": secret_key, "workdir": str(workdir),
        "cookie_name": app.config["SESSION_COOKIE_NAME"], "cookie": session["cookie"],
        "sid": session["sid"], "bench_user_id": info["bench_user_id"],
        "pdf_invoice_id": travel[-1] if travel else by_type["deplacement"],
        "pdf_by_type": by_type, "edit_invoice_id": info["edit_invoice_id"],
        "bench_drafts": info["bench_drafts"],
        "staff_id": info["staff_id"], "staff_cookie": staff_session["cookie"], "queue": queue,
        "counts": {name: len(rows) for name, rows in builder.rows.items()},
        "bench_invoice_types": {k: len(v) for k, v in bench_ids.items()},
        "seconds": {"generate": round(built - started, 1),
                    "insert": round(time.perf_counter() - built, 1),
                    "total": round(elapsed, 1)},
    }
    path = Path(state_path) if state_path else workdir / "state.json"
    path.write_text(json.dumps(state, indent=2))
    path.chmod(0o600)
    state["state_path"] = str(path)
    if not quiet:
        print(json.dumps({k: v for k, v in state.items() if k != "secret_key"}, indent=2))
    return state


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: SQLite file in a new temp dir")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--bench-invoices", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1, help="random seed (same data each run)")
    parser.add_argument("--drop", action="store_true",
                        help="empty a database that already has tables (PostgreSQL)")
    parser.add_argument("--state", help="where to write state.json (default: the temp dir)")
    args = parser.parse_args(argv)
    if args.bench_invoices > args.invoices:
        parser.error("--bench-invoices is larger than --invoices")
    seed(args.database_url, users=args.users, invoices=args.invoices,
         bench_invoices=args.bench_invoices, seed_value=args.seed, drop=args.drop,
         state_path=args.state)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
