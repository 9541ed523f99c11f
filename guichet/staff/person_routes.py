"""The insured person's file, and the identity corrections only the office may make (part 6)."""
from flask import abort

from guichet.core.access import staff_required

from .blueprint import bp


@bp.route("/personnes/<int:user_id>")
@staff_required
def show_person(user_id: int):
    abort(404)
