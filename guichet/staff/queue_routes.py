"""The queue (``/gestion/``): the invoices to work on, most urgent first."""
from flask import render_template

from guichet.core.access import staff_required

from .blueprint import bp


@bp.route("/")
@staff_required
def dashboard():
    return render_template("staff/dashboard.html")
