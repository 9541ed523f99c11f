"""Drafts keep their chosen beneficiary and IBAN in invoices.beneficiary_id and
invoices.bank_account_id (until now in the draft's fields, copied to the columns on sending)

For each draft, an id in its fields that names one of the owner's own rows still in use (a
beneficiary not removed; an IBAN confirmed and not removed) goes to its column and leaves the
fields; an empty one leaves the fields; any other (a choice that cannot be taken) stays in the
fields, where the application now keeps such a choice so that the form asks for another one.
Sent invoices already have the columns (set on sending) and are not touched.

Written with SQLAlchemy Core on table stubs of its own: it must not depend on the models.

Revision ID: d5e6f7a8b9c0
Revises: c4d5e6f7a8b9
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e6f7a8b9c0'
down_revision = 'c4d5e6f7a8b9'
branch_labels = None
depends_on = None

MAX_ROW_ID = 2**31 - 1

invoices = sa.table('invoices', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                    sa.column('status', sa.String), sa.column('fields', sa.JSON),
                    sa.column('beneficiary_id', sa.Integer),
                    sa.column('bank_account_id', sa.Integer))
beneficiaries = sa.table('beneficiaries', sa.column('id', sa.Integer),
                         sa.column('user_id', sa.Integer), sa.column('removed_at'))
bank_accounts = sa.table('bank_accounts', sa.column('id', sa.Integer),
                         sa.column('user_id', sa.Integer), sa.column('confirmed_at'),
                         sa.column('removed_at'))
CHOICES = (('beneficiary_id', beneficiaries), ('bank_account_id', bank_accounts))


def _row_id(raw):
    """An id as the form sent it (ASCII digits), or None."""
    text = str(raw or '')
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None


def _usable(connection, table):
    """(id, owner) of the rows a draft may choose."""
    query = sa.select(table.c.id, table.c.user_id).where(table.c.removed_at.is_(None))
    if 'confirmed_at' in table.c:
        query = query.where(table.c.confirmed_at.is_not(None))
    return {(row.id, row.user_id) for row in connection.execute(query)}


def _drafts(connection):
    return connection.execute(sa.select(
        invoices.c.id, invoices.c.user_id, invoices.c.fields, invoices.c.beneficiary_id,
        invoices.c.bank_account_id).where(invoices.c.status == 'draft')).all()


def upgrade():
    connection = op.get_bind()
    usable = {name: _usable(connection, table) for name, table in CHOICES}
    for draft in _drafts(connection):
        fields = dict(draft.fields or {})
        columns = {}
        for name, _table in CHOICES:
            if name not in fields:
                continue
            chosen = _row_id(fields[name])
            if chosen is not None and (chosen, draft.user_id) in usable[name]:
                columns[name] = chosen
                del fields[name]
            elif not fields[name]:
                del fields[name]
        if columns or fields != (draft.fields or {}):
            connection.execute(invoices.update().where(invoices.c.id == draft.id)
                               .values(fields=fields, **columns))


def downgrade():
    """The columns' ids go back into the drafts' fields (where the code before read them) and
    the columns are emptied again, as they were for drafts."""
    connection = op.get_bind()
    for draft in _drafts(connection):
        fields = dict(draft.fields or {})
        for name, _table in CHOICES:
            chosen = getattr(draft, name)
            fields[name] = str(chosen) if chosen is not None else fields.get(name, '')
        connection.execute(invoices.update().where(invoices.c.id == draft.id)
                           .values(fields=fields, beneficiary_id=None, bank_account_id=None))
