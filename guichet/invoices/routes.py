"""« Mes demandes de remboursement »."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..access import insured_required
from ..auth.forms import EmptyForm

bp = Blueprint("invoices", __name__, url_prefix="/demandes")


@bp.route("/")
@insured_required
def list_invoices():
    """The insured person's invoices; tells what is missing before a first invoice can be sent."""
    return render_template("invoices/list.html", user=current_user, invoices=[],
                           form=EmptyForm())
