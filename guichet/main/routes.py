"""Public pages."""
from flask import Blueprint, render_template

from guichet.core.access import public

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index():
    """What Guichet is for, with « S'inscrire » and « Connexion »."""
    return render_template("main/index.html")


@bp.route("/accessibilite")
@public
def accessibility():
    return render_template("main/accessibility.html")
