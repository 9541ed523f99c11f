"""The queue's searches read their page from the index alone: the indexes on the N° AVS and
on the two name keys also hold the state and the place in the queue (key, status,
queue_rank, queue_since, id), so that a search by a common surname (thousands of invoices)
reads no table row but the 50 it shows; and a state with a type (« Envoyée », « Facture
standard ») is read in the queue's order

Revision ID: d1e2f3a4b5c6
Revises: c0d1e2f3a4b5
Create Date: 2026-12-02 15:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd1e2f3a4b5c6'
down_revision = 'c0d1e2f3a4b5'
branch_labels = None
depends_on = None

KEYS = [('ix_invoices_subject_navs13', 'subject_navs13'),
        ('ix_invoices_subject_name_key', 'subject_name_key'),
        ('ix_invoices_holder_name_key', 'holder_name_key')]
ORDER = ['status', 'queue_rank', 'queue_since', 'id']


def upgrade():
    for name, column in KEYS:
        op.drop_index(name, table_name='invoices')
        op.create_index(name, 'invoices', [column, *ORDER], unique=False)
    op.create_index('ix_invoices_status_type_queue', 'invoices',
                    ['status', 'invoice_type', 'queue_rank', 'queue_since', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_invoices_status_type_queue', table_name='invoices')
    for name, column in reversed(KEYS):
        op.drop_index(name, table_name='invoices')
        op.create_index(name, 'invoices', [column], unique=False)
