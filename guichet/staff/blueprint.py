"""The office staff's blueprint (``/gestion``); each part of their work adds its views to it."""
from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/gestion")
