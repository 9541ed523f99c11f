"""The blueprint of the login side; its views live in ``routes`` and ``authenticator_routes``."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
