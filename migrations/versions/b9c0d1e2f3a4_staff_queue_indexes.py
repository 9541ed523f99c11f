"""The staff queue's indexes: its tabs and filters read in the queue's order, its counts per
state, its searches by N° AVS and by name (the receipt number is already unique)

Revision ID: b9c0d1e2f3a4
Revises: a8b9c0d1e2f3
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b9c0d1e2f3a4'
down_revision = 'a8b9c0d1e2f3'
branch_labels = None
depends_on = None

ORDER = ['queue_rank', 'queue_since', 'id']
INDEXES = [
    ('ix_invoices_status_queue', ['status', *ORDER]),
    ('ix_invoices_assignee_queue', ['assignee_id', *ORDER]),
    ('ix_invoices_type_queue', ['invoice_type', *ORDER]),
    ('ix_invoices_status_assignee', ['status', 'assignee_id']),
    ('ix_invoices_subject_navs13', ['subject_navs13']),
    ('ix_invoices_subject_name_key', ['subject_name_key']),
    ('ix_invoices_holder_name_key', ['holder_name_key']),
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
