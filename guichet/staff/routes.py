"""The office staff's area: the queue, the review screen, decisions, the person's file and the
administrators' lists. Importing this module registers every view on :data:`bp`."""
from . import (admin_routes, batch_routes, decision_routes, person_routes, queue_routes,  # noqa: F401
               review_routes)
from .blueprint import bp

__all__ = ["bp"]
