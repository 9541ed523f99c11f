"""Rendering the review screen, for its own view and for the decision views that answer with
the fresh state (a conflict, a refused decision)."""
from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from guichet.models import Invoice
from guichet.models.base import db
from guichet.models.invoices import STATUS_DRAFT

from .decision_context import actions_context


def staff_invoice_or_404(invoice_id: int) -> Invoice:
    """A sent invoice (staff never see drafts): 404 otherwise."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.status == STATUS_DRAFT:
        abort(404)
    return invoice


def render_review(invoice: Invoice, status: int = 200, **extra):
    """The review screen of ``invoice`` (``extra``: a message, a form with its errors …)."""
    return render_template("staff/review.html", invoice=invoice,
                           actions=actions_context(invoice, current_user, **extra),
                           **extra), status
