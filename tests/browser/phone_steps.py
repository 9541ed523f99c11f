"""For the tests at phone width: invoices of every state made on the server side (as the person
and the office would have made them), and the measure of a page's width."""
from __future__ import annotations

from io import BytesIO
from types import SimpleNamespace

from werkzeug.datastructures import FileStorage

from tests.support.files import pdf_bytes
from tests.support.invoices import a_recent_day, take_and_ask_complement

PHONE_WIDTH = 390
PHONE = {"viewport": {"width": PHONE_WIDTH, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}

# what the office does, state by state (the staff pages are not the subject here)
OFFICE_STATES = ("submitted", "in_review", "needs_info", "accepted", "rejected", "paid")


def sent_standard_invoices(live, email: str, states=OFFICE_STATES) -> dict[str, int]:
    """One standard invoice of the person ``email`` (who logged in once) for each state in
    ``states`` (its supplier with a long name, a pièce): sent, then moved there as the office
    would, or for « draft » complete and not sent; {state: id}."""
    from decimal import Decimal

    from guichet.core.unit_of_work import unit_of_work
    from guichet.invoices import drafts, services
    from guichet.models import Invoice, User
    from guichet.models.banking import active_accounts
    from guichet.models.base import db
    from guichet.models.beneficiaries import beneficiaries_of

    made = {}
    with live.lock:
        for state in states:
            with live.app.test_request_context(), unit_of_work():
                user = db.session.query(User).filter_by(email=email).one()
                invoice = services.create_draft(user, "standard")
                day = a_recent_day()
                submitted = drafts.Submitted(
                    header={"supplier": "Physiothérapie et rééducation fonctionnelle du Littoral",
                            "supplier_invoice_number": "PRFL-2026-000481",
                            "invoice_date": day},
                    lines=[{"date": day, "label": "Séance de physiothérapie respiratoire",
                            "quantity": "9", "unit_price": "1234.55"}],
                    beneficiary=str(beneficiaries_of(user)[0].id),
                    bank_account=str(active_accounts(user)[0].id),
                    decision_number=_decision_of(user, "standard"))
                upload = FileStorage(BytesIO(pdf_bytes()), filename="facture-physio-mars.pdf",
                                     content_type="application/pdf")
                outcome = drafts.apply(invoice, user, submitted, drafts.Action(drafts.SAVE),
                                       [("supplier_invoice", upload)])
                assert not outcome.refusals, outcome.refusals
                made[state] = invoice.id
                if state == "draft":  # complete, with its pièce, not sent
                    continue
                services.submit(invoice, user, services.new_submit_token())
            if state in ("draft", "submitted"):
                continue
            with live.app.test_request_context(), unit_of_work():
                invoice = db.session.get(Invoice, made[state])
                if state == "needs_info":
                    staff = live.factory.user(email=f"gestion{invoice.id}@example.ch",
                                              role="reviewer")
                    take_and_ask_complement(invoice, staff)
                else:
                    invoice.status = state
                    if state in ("accepted", "paid"):
                        invoice.total_approved = Decimal("11111.00")
    return made


def _decision_of(user, type_key: str) -> str:
    from guichet.models import Decision
    from guichet.models.base import db
    return db.session.query(Decision).filter_by(navs13=user.navs13,
                                                invoice_type=type_key).first().number


def draft_ids(live, email: str, type_keys) -> dict[str, int]:
    """A new Brouillon of each type in ``type_keys``; {type: id}."""
    from guichet.core.unit_of_work import unit_of_work
    from guichet.invoices import services
    from guichet.models import User
    from guichet.models.base import db

    made = {}
    with live.lock:
        for key in type_keys:
            with live.app.test_request_context(), unit_of_work():
                user = db.session.query(User).filter_by(email=email).one()
                made[key] = services.create_draft(user, key).id
    return made


WIDER_THAN_THE_SCREEN = r"""() => {
  const width = document.documentElement.clientWidth;
  const name = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
    (typeof element.className === "string" && element.className.trim()
      ? "." + element.className.trim().split(/\s+/).join(".") : "");
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    const parent = element.parentElement && element.parentElement.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5 && !(parent && parent.right > width + 0.5)) {
      wide.push(name(element) + " (" + Math.round(box.right) + " px): " +
                (element.textContent || "").replace(/\s+/g, " ").trim().slice(0, 40));
    }
    // a part of the page that scrolls sideways on its own is as hard to read as the page
    const overflow = getComputedStyle(element).overflowX;
    if ((overflow === "auto" || overflow === "scroll") &&
        element.scrollWidth > element.clientWidth + 1) {
      wide.push(name(element) + " scrolls sideways (" + element.scrollWidth + " px in " +
                element.clientWidth + " px)");
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 5)};
}"""


def too_wide(page, width: int = PHONE_WIDTH) -> str | None:
    """None when the page fits the screen's width; else what sticks out."""
    measure = SimpleNamespace(**page.evaluate(WIDER_THAN_THE_SCREEN))
    if measure.scrollWidth == width and not measure.wide:
        return None
    return f"{measure.scrollWidth} px wide: " + "; ".join(measure.wide)
