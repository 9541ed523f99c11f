"""What a person does on the invoice pages, by visible labels and button names only.

With JavaScript on, the form saves itself on each change (htmx): the summary (Montants, Pièces)
is redrawn, structural choices redraw the whole form, a chosen file is uploaded at once. Without
it, the buttons « Recalculer », « Joindre les fichiers choisis » … send the whole form.
"""
from __future__ import annotations

import itertools
import re
from calendar import monthrange
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from playwright.sync_api import Page, expect

from tests.browser.steps import see_page
from tests.support.files import pdf_bytes
from tests.support.invoices import IBAN, last_month

TYPES = {
    "deplacement": "Frais de déplacement et de repas",
    "assistance": "Contribution d'assistance",
    "api_mineur": "Allocation pour impotent (API) — mineur·e",
    "moyens_auxiliaires": "Appareils auditifs et moyens auxiliaires",
    "standard": "Facture standard",
}
# decision numbers are unique in the register: each account gets its own
_case_numbers = itertools.count(7_000_001)


def days_in_last_month() -> int:
    month = last_month()
    return monthrange(month.year, month.month)[1]


def chf(amount) -> str:
    """As the app shows amounts: ``1'302.00 CHF``."""
    return f"{Decimal(amount):,.2f}".replace(",", "'") + " CHF"


def ready_account(live) -> SimpleNamespace:
    """A confirmed insured person with a confirmed IBAN and one register decision per type
    (the office's rates are in the database too)."""
    from guichet.invoices.rates import seed_default_rates
    from guichet.models import BankAccount, Decision, User, utcnow
    from guichet.models.base import db

    user = live.add_user(nom="Muster")
    numbers = {}
    with live.lock, live.app.app_context():
        seed_default_rates(db.session)
        row = db.session.query(User).filter_by(email=user.email).one()
        user.navs13 = row.navs13
        db.session.add(BankAccount(user_id=row.id, iban=IBAN, holder="Anna Muster",
                                   bank_name="UBS Switzerland AG", confirmed_at=utcnow()))
        for key in TYPES:
            digits = f"3242025{next(_case_numbers):07d}"
            numbers[key] = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
            db.session.add(Decision(
                navs13=row.navs13, number=digits, invoice_type=key,
                valid_from=date(2025, 1, 1),
                degree="moyenne" if key == "api_mineur" else None,
                monthly_amount=Decimal("3200.00") if key == "assistance" else None))
        db.session.commit()
    user.decisions = numbers
    return user


def car_trip_draft(row, decisions: dict):
    """A travel draft of ``row`` (a User, in the caller's unit of work): one car trip Le Locle →
    Neuchâtel, 42 km, the vehicle required, 08:00–14:00, complete and ready to send."""
    from guichet.invoices import services
    from tests.support.invoices import a_recent_day

    invoice = services.create_draft(row, "deplacement")
    invoice.decision_number = decisions["deplacement"].replace(" ", "")
    invoice.lines[0].data = {
        "date": a_recent_day(), "depart": "Le Locle", "destination": "Neuchâtel",
        "motif": "physiothérapie respiratoire", "transport": "car", "km": "42",
        "vehicle_required": "yes", "departure_time": "08:00", "return_time": "14:00",
        "nights": "0", "companion": "no"}
    return invoice


def add_child(live, user, born: date = date(2016, 7, 20), prenom: str = "Léo") -> str:
    """A child of ``user`` among the account's beneficiaries, to whom the register's API
    decision of ``user`` (made by :func:`ready_account`) then belongs; returns the child's
    name as the beneficiary list shows it."""
    from guichet.models import Decision, User
    from guichet.models.base import db
    from tests.support.invoices import add_child as add_child_row

    with live.lock, live.app.app_context():
        row = db.session.query(User).filter_by(email=user.email).one()
        child = add_child_row(row, born, prenom)
        digits = user.decisions["api_mineur"].replace(" ", "")
        db.session.query(Decision).filter_by(number=digits).one().navs13 = child.navs13
        db.session.commit()
        return child.display_name


class HtmxWatch:
    """Counts the htmx requests in flight, to wait until the page is calm again."""

    def __init__(self, page: Page, js: bool):
        self.page, self.js, self.pending = page, js, 0
        if js:
            page.on("request", self._started)
            page.on("requestfinished", self._ended)
            page.on("requestfailed", self._ended)

    @staticmethod
    def _is_htmx(request) -> bool:
        return request.headers.get("hx-request") == "true"

    def _started(self, request):
        if self._is_htmx(request):
            self.pending += 1

    def _ended(self, request):
        if self._is_htmx(request):
            self.pending -= 1

    def idle(self, timeout_ms: int = 10_000) -> None:
        """No htmx request in flight (for a few moments), no swap under way."""
        if not self.js:
            return
        calm, waited = 0, 0
        while calm < 3:
            calm = calm + 1 if self.pending <= 0 else 0
            self.page.wait_for_timeout(40)
            waited += 40
            assert waited < timeout_ms, "htmx requests still in flight"
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def fill(field, value: str) -> None:
    """Types a value and leaves the field (with JavaScript, this is when it saves)."""
    field.fill(value)
    field.blur()


def fill_all(scope, values: dict, exact: bool = True) -> None:
    for label, value in values.items():
        fill(scope.get_by_label(label, exact=exact), value)


def answer(scope, question: str, choice: str) -> None:
    scope.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def start_invoice(page: Page, type_key: str) -> None:
    """From « Mes demandes »: one of the five buttons; a Brouillon opens."""
    label = TYPES[type_key]
    page.get_by_role("region", name="Nouvelle demande : quel type de facture ?").get_by_role(
        "button", name=label, exact=True).click()
    see_page(page, f"{label} — Brouillon", label)


def header_is_prefilled(page: Page, user) -> None:
    expect(page.get_by_label("Bénéficiaire").locator("option:checked")).to_contain_text(
        "Muster")
    expect(page.get_by_label("IBAN pour le remboursement").locator("option:checked")
           ).not_to_have_text("— Choisir —")


def redraw(page: Page, htmx: HtmxWatch) -> None:
    """After a choice that changes the form: htmx redraws it; without JS, « Recalculer »."""
    if htmx.js:
        htmx.idle()
    else:
        htmx.page.get_by_role("button", name="Recalculer").click()
        page.wait_for_load_state()


def refresh(page: Page, htmx: HtmxWatch) -> None:
    """The amounts brought up to date: by themselves with JS, with « Recalculer » without."""
    redraw(page, htmx)


def total(page: Page):
    return page.get_by_role("row", name=re.compile("Total demandé"))


def pdf_file(tmp_path, name: str):
    path = tmp_path / name
    path.write_bytes(pdf_bytes(text=name))
    return path


def attach(page: Page, htmx: HtmxWatch, piece: str, path) -> None:
    """Chooses a file for a pièce: uploaded at once with JS (it then appears in the list);
    without JS it goes with the next button pressed."""
    page.get_by_label(f"Joindre des fichiers : {piece}", exact=True).set_input_files(path)
    if htmx.js:
        expect(attached(page, path.name)).to_be_visible()
        htmx.idle()


def attached(page: Page, filename: str):
    """A file listed under its pièce (with its « Retirer » button)."""
    return page.get_by_role("button", name=f"Retirer {filename}", exact=True)


def review(page: Page, htmx: HtmxWatch, incomplete: bool = False) -> None:
    """« Vérifier et envoyer »; an incomplete invoice's review is titled « Erreur : … »."""
    htmx.idle()
    page.get_by_role("button", name="Vérifier et envoyer").click()
    see_page(page, ("Erreur : " if incomplete else "") + "Vérifier avant d'envoyer",
             "Vérifier avant d'envoyer")


CONFIRM = "Je confirme que ces informations sont exactes"


def send(page: Page, check=None) -> str:
    """Ticks « Je confirme… » and presses « Envoyer la demande » on the review page; returns
    the receipt number. With ``check``, first presses it without ticking: the review comes
    back, saying the box must be ticked (and that page is checked)."""
    expect(page.get_by_role("alert")).to_have_count(0)
    if check is not None:
        page.get_by_role("button", name="Envoyer la demande").click()
        see_page(page, "Erreur : Vérifier avant d'envoyer", "Vérifier avant d'envoyer")
        expect(page.get_by_role("alert")).to_contain_text(
            f"{CONFIRM} : Cochez cette case pour pouvoir envoyer la demande.")
        check("vérifier, case de confirmation non cochée")
    page.get_by_role("checkbox", name=CONFIRM).check()
    page.get_by_role("button", name="Envoyer la demande").click()
    see_page(page, "Demande envoyée")
    receipt = page.locator(".receipt")
    expect(receipt).to_have_text(re.compile(r"^NE-\d{4}-\d{6}$"))
    return receipt.inner_text()


def download_pdf(page: Page, link: str = "Télécharger le PDF de la demande") -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF"), data[:20]
    return data
