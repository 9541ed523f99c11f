"""The test databases: SQLite always, PostgreSQL when GUICHET_TEST_POSTGRES_URL names a server
(each database test then runs on both); counting what is in them."""
import os

from sqlalchemy import func, select

from guichet.models.base import db

POSTGRES_URL = os.environ.get("GUICHET_TEST_POSTGRES_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def count(model) -> int:
    """How many rows the table of ``model`` holds."""
    return db.session.scalar(select(func.count()).select_from(model))
