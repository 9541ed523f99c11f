"""Filling an invoice as a person without JavaScript would (every button posts the whole form),
up to the receipt; and what the office does around it (a decision in the register, a request for
a complement)."""
from __future__ import annotations

import io
import itertools
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from guichet.core.i18n import today_in_zurich
from guichet.core.identifiers import normalize_name_for_match
from guichet.core.unit_of_work import unit_of_work
from guichet.invoices import refusal_reasons, review
from guichet.models import Beneficiary, Decision, Invoice, RegisteredPerson
from guichet.models.base import db
from tests.support.accounts import navs_with_check
from tests.support.files import pdf_bytes
from tests.support.page import page_text

IBAN = "CH5604835012345678009"
CONFIRMED = {"confirm": "y"}  # « Je confirme que ces informations sont exactes », ticked
MOTIF = "Séance de physiothérapie respiratoire"


class _FormReader(HTMLParser):
    """What a browser would send for the form ``form_id``: text inputs and hidden fields,
    checked boxes and radios, the selected option of each select, textareas. Buttons and
    file inputs are left out (the test says which button and which files)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.textarea: str | None = None
        self.selects: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("file", "submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value") or "on"
                return
            self.values[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
            self.selects.append(name)
        elif tag == "option" and self.select:
            value = attrs.get("value") or ""
            if self.select_first is None:
                self.select_first = value
            if "selected" in attrs:
                self.values[self.select] = value
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            if not self.select_chosen:
                self.values[self.select] = self.select_first or ""
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data.removeprefix("\n") if not self.values[
                self.textarea] else data


def read_form(html: str, form_id: str = "invoice-form") -> _FormReader:
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader


def form_values(client, invoice_id: int) -> dict[str, str]:
    """The values the edit page shows, as the browser would post them."""
    response = client.get(f"/demandes/{invoice_id}/modifier")
    assert response.status_code == 200, response.status_code
    return read_form(response.get_data(as_text=True)).values


def post_form(client, invoice_id: int, changes: dict | None = None, action: str = "refresh",
              files: dict | None = None, **kwargs):
    """Reads the edit page, changes some fields, presses the button ``action`` and attaches
    ``files`` ({requirement key: [(bytes, name), ...]})."""
    data: dict = {**form_values(client, invoice_id), **(changes or {}), "action": action}
    for key, items in (files or {}).items():
        data[f"files-{key}"] = [(io.BytesIO(content), name) for content, name in items]
    options = {"content_type": "multipart/form-data"} if files else {}
    return client.post(f"/demandes/{invoice_id}/modifier", data=data, **options, **kwargs)


def new_invoice(client, type_key: str) -> int:
    response = client.post("/demandes/nouvelle", data={"type": type_key})
    assert response.status_code == 303
    match = re.fullmatch(r"/demandes/(\d+)/modifier", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match[1])


def edit_page(client, invoice_id: int) -> str:
    return page_text(client.get(f"/demandes/{invoice_id}/modifier"))


def review_token(client, invoice_id: int) -> tuple[str, str | None]:
    """(review page text, the submit token or None when the page offers no « Envoyer »)."""
    response = client.get(f"/demandes/{invoice_id}/verifier")
    assert response.status_code == 200
    match = re.search(r'name="submit_token" value="([^"]+)"', response.get_data(as_text=True))
    return page_text(response), match[1] if match else None


def send(client, invoice_id: int) -> str:
    """Review, tick « Je confirme… », then « Envoyer la demande »; returns the receipt page's
    text."""
    review, token = review_token(client, invoice_id)
    assert token, review
    response = client.post(f"/demandes/{invoice_id}/envoyer",
                           data={"submit_token": token, **CONFIRMED})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/demandes/{invoice_id}/envoyee"
    receipt = client.get(f"/demandes/{invoice_id}/envoyee")
    assert receipt.status_code == 200
    return page_text(receipt)


def add_decision(user, number: str, invoice_type: str, **fields) -> Decision:
    decision = Decision(navs13=user.navs13, number=number, invoice_type=invoice_type,
                        valid_from=date(2025, 1, 1), **fields)
    db.session.add(decision)
    db.session.commit()
    return decision


_children = itertools.count(1)


def add_child(user, born: date, prenom: str = "Léo"):
    """A child of ``user``, in the register and among the account's beneficiaries."""
    navs13 = navs_with_check(f"{900000000 + next(_children):09d}")
    db.session.add(RegisteredPerson(navs13=navs13, nom=user.nom, prenom=prenom,
                                    date_naissance=born,
                                    nom_match=normalize_name_for_match(user.nom)))
    child = Beneficiary(user_id=user.id, navs13=navs13, nom=user.nom, prenom=prenom,
                        date_naissance=born, relation="child")
    db.session.add(child)
    db.session.commit()
    return child


def upload_folder_files(app) -> list:
    """The names of the files in the upload folder, sorted."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def pdf_file(name: str = "facture.pdf", text: str = "Facture 2026-001"):
    return (pdf_bytes(text=text), name)


def last_month() -> date:
    today = today_in_zurich()
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def a_recent_day() -> str:
    """A day of last month, as typed (never in the future)."""
    return f"14.{last_month():%m.%Y}"


def complete_standard(client, amount: str = "87.35", piece: str = "facture-pharmacie.pdf"):
    """A standard invoice ready to send; returns its id."""
    invoice_id = new_invoice(client, "standard")
    day = a_recent_day()
    response = post_form(client, invoice_id, {
        "decision_number": "324 2025 0000005", "supplier": "Physio du Lac",
        "supplier_invoice_number": "PL-77", "invoice_date": day, "lines-0-date": day,
        "lines-0-label": MOTIF, "lines-0-quantity": "1", "lines-0-unit_price": amount},
        action="save", files={"supplier_invoice": [(pdf_bytes(), piece)]})
    assert response.status_code == 303
    return invoice_id


def take_and_ask_complement(invoice, staff, message="Il manque le détail des séances.",
                            documents=("Facture détaillée du physiothérapeute",), due=None):
    """A gestionnaire takes the invoice and asks for a complement (in the caller's unit of
    work); ``due`` defaults to the office's usual delay."""
    review.take(invoice, staff, invoice.version)
    return review.ask_complement(invoice, staff, invoice.version, message, list(documents),
                                 due or review.default_due_date())


def ask_for_complement(app, invoice_id, factory, due=None):
    """What a gestionnaire does (the staff pages are not the subject here)."""
    staff = factory.user(email=f"gestion{invoice_id}@example.ch", role="reviewer")
    with app.test_request_context(), unit_of_work():
        take_and_ask_complement(db.session.get(Invoice, invoice_id), staff, due=due)
    db.session.expire_all()


def one_trip_draft(client, decision: str, route: dict | None = None, **answers) -> int:
    """A travel draft of one trip by public transport, Le Locle → Neuchâtel for physiotherapy,
    08:00–14:00, no night away, no companion, saved in the form's two steps (the route, then
    what it asks). ``route`` and ``answers`` change the trip's fields (``lines-0-`` left out)."""
    invoice_id = new_invoice(client, "deplacement")
    trip = {"date": a_recent_day(), "depart": "Le Locle", "destination": "Neuchâtel",
            "motif": "physiothérapie", "transport": "public", **(route or {})}
    post_form(client, invoice_id, {"decision_number": decision,
                                   **{f"lines-0-{k}": v for k, v in trip.items()}})
    details = {"fare": "12.40", "departure_time": "08:00", "return_time": "14:00",
               "nights": "0", "companion": "no", **answers}
    remark = details.pop("remark", None)
    post_form(client, invoice_id, {**{f"lines-0-{k}": v for k, v in details.items()},
                                   **({"remark": remark} if remark is not None else {})},
              action="save")
    return invoice_id


def take_and_validate(invoice, staff, approvals=None):
    """A gestionnaire takes the invoice and validates it (in the caller's unit of work):
    ``approvals`` is one :class:`~guichet.invoices.review.LineApproval` per priced line, or
    by default the claimed amounts. With a new IBAN it then awaits the second visa."""
    review.take(invoice, staff, invoice.version)
    if approvals is None:
        approvals = [review.LineApproval(line.amount) for line in review.claimed_lines(invoice)]
    return review.validate(invoice, staff, invoice.version, list(approvals))


def take_and_refuse(invoice, staff, code="missing_pieces", text=""):
    """A gestionnaire takes the invoice and refuses it with one of the office's default
    reasons (in the caller's unit of work)."""
    refusal_reasons.seed_defaults()
    review.take(invoice, staff, invoice.version)
    return review.refuse(invoice, staff, invoice.version, code, text)


def as_office(app, invoice_id, act, *args, **kwargs):
    """Runs ``act(invoice, *args, **kwargs)`` as the office would, in its own unit of work
    (the staff pages are not the subject here); returns what it returned."""
    with app.test_request_context(), unit_of_work():
        result = act(db.session.get(Invoice, invoice_id), *args, **kwargs)
    db.session.expire_all()
    return result
