"""The office staff's area: the queue, the review screen, decisions, the person's file and the
administrators' lists. Importing this module registers every view on :data:`bp`."""
from . import audit_log_routes  # noqa: F401
from . import (admin_routes, decision_routes, person_routes, queue_routes,  # noqa: F401
               review_routes)
from . import account_routes  # noqa: F401  (« Personnel »: staff accounts, issue 10)
from . import import_routes, rate_routes  # noqa: F401  (administrators: CSV imports, rates)
from .blueprint import bp

__all__ = ["bp"]
