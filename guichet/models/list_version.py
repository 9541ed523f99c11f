"""``users.list_version`` moves with every change to a person's invoices or beneficiaries.

The home page's list and its polling compare this one number instead of reading all of the
person's invoices. Every flush that adds, changes or deletes an ``Invoice`` or a ``Beneficiary``
adds one to its owner's number, in the same transaction. The application writes invoices and
beneficiaries through the ORM only; a bulk write in SQL must move the number itself.
"""
from __future__ import annotations

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from .beneficiaries import Beneficiary
from .invoices import Invoice
from .user import User

LISTED = (Invoice, Beneficiary)


@event.listens_for(Session, "after_flush")
def _move_list_versions(session: Session, _flush_context) -> None:
    owners = set()
    for changed in (*session.new, *session.dirty, *session.deleted):
        if isinstance(changed, LISTED):
            owner = inspect(changed).dict.get("user_id")  # never loads anything
            if owner is not None:
                owners.add(owner)
    if owners:
        users = User.__table__
        session.connection().execute(update(users).where(users.c.id.in_(sorted(owners)))
                                     .values(list_version=users.c.list_version + 1))
