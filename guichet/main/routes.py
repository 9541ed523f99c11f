"""Public pages."""
from datetime import date

from flask import Blueprint, current_app, render_template

from guichet.core.access import public

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index():
    """What Guichet is for, with « S'inscrire » and « Connexion »."""
    return render_template("main/index.html")


# The day the statement was last checked against the service (say what changed when moving it).
ACCESSIBILITY_CHECKED_ON = date(2026, 12, 1)


@bp.route("/accessibilite")
@public
def accessibility():
    """The accessibility statement (eCH-0059): conformity, known limitations, the last check,
    how to report an obstacle in writing and where to turn if the answer does not help."""
    config = current_app.config
    return render_template("main/accessibility.html", checked_on=ACCESSIBILITY_CHECKED_ON,
                           idle_minutes=int(config["SESSION_IDLE_TIMEOUT"].total_seconds() // 60),
                           contact_email=config.get("CONTACT_EMAIL", "guichet@ai-ne.example"))
