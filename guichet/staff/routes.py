"""The office staff's area: the queue, the review screen, decisions, the person's file, the
transmission batches and the administrators' pages. Importing this module registers every view
on :data:`bp`."""
from . import (account_routes, admin_routes, audit_log_routes, batch_routes,  # noqa: F401
               decision_routes, import_routes, person_routes, queue_routes, rate_routes,
               review_routes)
from .blueprint import bp

__all__ = ["bp"]
