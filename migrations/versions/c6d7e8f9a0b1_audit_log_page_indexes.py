"""The audit log page reads the log newest first, a page at a time (keyset on at, id),
filtered by staff member, action or object: one index per filter, in that order (the
object's id first: it is asked alone too)

Revision ID: c6d7e8f9a0b1
Revises: a4b5c6d7e8f9
Create Date: 2026-12-01 17:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c6d7e8f9a0b1'
down_revision = 'a4b5c6d7e8f9'
branch_labels = None
depends_on = None

INDEXES = [('ix_audit_entries_actor_at', ['actor_id', 'at', 'id']),
           ('ix_audit_entries_action_at', ['action', 'at', 'id']),
           ('ix_audit_entries_object_at', ['object_id', 'object_type', 'at', 'id'])]


def upgrade():
    for name, columns in INDEXES:
        op.create_index(name, 'audit_entries', columns, unique=False)


def downgrade():
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name='audit_entries')
