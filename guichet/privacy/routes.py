"""« Mes données »: the insured person downloads everything Guichet holds about them."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from guichet.core.access import insured_required
from guichet.core.audit import record

from .export import export_user_data

bp = Blueprint("privacy", __name__, url_prefix="/compte/mes-donnees")


@bp.route("/")
@insured_required
def overview():
    """What is kept, and the download link."""
    return render_template("privacy/overview.html")


@bp.route("/guichet-mes-donnees.json")
@insured_required
def download():
    """All the account's data as a JSON file (download)."""
    data = export_user_data(current_user)
    record("data_exported", object_type="user", object_id=current_user.id)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="guichet-mes-donnees.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
