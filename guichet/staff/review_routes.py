"""The review screen of one invoice: its view, pièces, history, notes (part 2 fills it)."""
from guichet.core.access import staff_required

from .blueprint import bp
from .review_page import render_review, staff_invoice_or_404


@bp.route("/demandes/<int:invoice_id>")
@staff_required
def show_invoice(invoice_id: int):
    """The review screen; 404 for a draft or an unknown id."""
    return render_review(staff_invoice_or_404(invoice_id))
