"""Parametrisation helpers shared by the test files."""
import pytest


def first_also_on_postgresql(cases, ids=None):
    """Every case runs on SQLite; only the first also on PostgreSQL (the others check input
    handling that does not depend on the database)."""
    ids = ids or [None] * len(cases)
    return [pytest.param(*(case if isinstance(case, tuple) else (case,)), id=ident,
                         marks=() if index == 0 else pytest.mark.sqlite_only)
            for index, (case, ident) in enumerate(zip(cases, ids))]
