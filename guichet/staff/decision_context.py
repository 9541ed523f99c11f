"""What the review screen's decision forms need (part 4 fills it)."""
from __future__ import annotations


def actions_context(invoice, staff, **extra) -> dict:
    return {}
