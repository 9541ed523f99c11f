"""The office's decisions through the staff pages, as a gestionnaire's browser would post them
(each form read from the review screen: its version, its prefilled values), and the records
a decision needs (the refusal reasons, an IBAN already paid to)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from guichet.core.unit_of_work import unit_of_work
from guichet.invoices import refusal_reasons
from guichet.models import BankAccount, Invoice, utcnow
from guichet.models.base import db
from guichet.models.invoices import STATUS_PAID
from tests.support.invoices import complete_standard, read_form, send

#: form id on the review screen → the URL it posts to (after /gestion/demandes/<id>/)
ACTIONS = {"take-form": "prendre", "release-form": "liberer", "reassign-form": "reattribuer",
           "validate-form": "valider", "refuse-form": "refuser",
           "complement-form": "complement", "visa-form": "visa", "send-back-form": "renvoyer"}


def seed_refusal_reasons(app) -> None:
    """The default reasons (the migration seeds them; the tests' schema is made without it)."""
    with app.test_request_context(), unit_of_work():
        refusal_reasons.seed_defaults()


def known_iban(user) -> None:
    """Makes the person's IBAN old and already paid to: no second visa for « IBAN nouveau »."""
    account = db.session.scalars(select(BankAccount).where(BankAccount.user_id == user.id)).first()
    account.created_at = account.confirmed_at = utcnow() - timedelta(days=400)
    db.session.add(Invoice(user_id=user.id, invoice_type="standard", status=STATUS_PAID,
                           iban=account.iban, receipt_number=f"NE-2020-{user.id:06d}",
                           submitted_at=utcnow() - timedelta(days=300)))
    db.session.commit()


def sent_invoice(client, amount: str = "87.35") -> int:
    """A standard invoice the insured ``client`` sent; returns its id."""
    invoice_id = complete_standard(client, amount=amount)
    send(client, invoice_id)
    return invoice_id


def review_url(invoice_id: int) -> str:
    return f"/gestion/demandes/{invoice_id}"


def review_html(client, invoice_id: int) -> str:
    response = client.get(review_url(invoice_id))
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def form_of(html: str, form_id: str) -> dict[str, str]:
    values = read_form(html, form_id).values
    assert values, f"no form {form_id} on the page"
    return values


def press(client, invoice_id: int, form_id: str, changes: dict | None = None,
          html: str | None = None, **kwargs):
    """Reads ``form_id`` from the review screen (or from ``html``, a page loaded earlier),
    changes some fields and posts it."""
    values = form_of(html if html is not None else review_html(client, invoice_id), form_id)
    return client.post(f"{review_url(invoice_id)}/{ACTIONS[form_id]}",
                       data={**values, **(changes or {})}, **kwargs)


def take(client, invoice_id: int):
    response = press(client, invoice_id, "take-form")
    assert response.status_code == 303, response.status_code
    return response


def validate(client, invoice_id: int, changes: dict | None = None, **kwargs):
    return press(client, invoice_id, "validate-form",
                 {"action": "validate", **(changes or {})}, **kwargs)
