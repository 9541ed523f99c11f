"""The gestionnaires' verbs on an invoice: take, release, reassign, complement, validate, refuse, second visa."""
from .blueprint import bp  # noqa: F401
