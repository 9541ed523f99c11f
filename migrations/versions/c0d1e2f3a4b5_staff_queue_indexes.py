"""The staff queue's indexes: its tabs and filters read in the queue's order, its counts per
state, its searches by N° AVS and by name (the receipt number is already unique)

Revision ID: c0d1e2f3a4b5
Revises: b9c0d1e2f3a4
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0d1e2f3a4b5'
# after the flags' migration, which was given the same revision id b9c0d1e2f3a4 in parallel
down_revision = 'b9c0d1e2f3a4'
branch_labels = None
depends_on = None

ORDER = ['queue_rank', 'queue_since', 'id']
INDEXES = [
    ('ix_invoices_status_queue', ['status', *ORDER]),
    ('ix_invoices_assignee_queue', ['assignee_id', *ORDER]),
    ('ix_invoices_type_queue', ['invoice_type', *ORDER]),
    ('ix_invoices_status_assignee', ['status', 'assignee_id']),
    # a search finds its page's rows in the index alone (key, state, place in the queue),
    # then reads only those rows: a common surname matches thousands of invoices
    ('ix_invoices_subject_navs13', ['subject_navs13', 'status', *ORDER]),
    ('ix_invoices_subject_name_key', ['subject_name_key', 'status', *ORDER]),
    ('ix_invoices_holder_name_key', ['holder_name_key', 'status', *ORDER]),
]


def upgrade():
    for name, columns in INDEXES:
        op.create_index(name, 'invoices', columns, unique=False)
    # few invoices are flagged: a partial index holds only them, in the queue's order
    op.create_index('ix_invoices_flagged_queue', 'invoices', ORDER, unique=False,
                    sqlite_where=sa.text('flagged'), postgresql_where=sa.text('flagged'))


def downgrade():
    op.drop_index('ix_invoices_flagged_queue', table_name='invoices')
    for name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name='invoices')
