"""Public pages, and the way in: a logged-in person opening ``/`` goes to their own space."""
from flask import Blueprint, current_app, redirect, render_template, send_from_directory, url_for
from flask_login import current_user

from guichet.core.access import public

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index():
    """What Guichet is for, with « S'inscrire » and « Connexion »; someone logged in is sent to
    their space instead (staff: « Gestion »; insured persons: « Mes demandes »)."""
    if current_user.is_authenticated:
        space = "staff.show_queue" if current_user.is_staff else "invoices.list_invoices"
        return redirect(url_for(space))
    return render_template("main/index.html")


@bp.route("/accessibilite")
@public
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/favicon.ico")
@public
def favicon():
    """The icon browsers ask for at this address whatever the page says (the pages name the
    SVG one too)."""
    return send_from_directory(current_app.static_folder, "img/favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)
