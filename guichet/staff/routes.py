"""The office staff's area (the review work comes with the invoices)."""
from flask import Blueprint, render_template

from guichet.core.access import staff_required

bp = Blueprint("staff", __name__, url_prefix="/gestion")


@bp.route("/")
@staff_required
def dashboard():
    return render_template("staff/dashboard.html")
