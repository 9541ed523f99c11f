"""The account's creditor number (NIF) from the Centrale de compensation, and disabled staff
accounts; the day and amount an invoice was paid

Revision ID: e2f3a4b5c6d7
Revises: d1e2f3a4b5c6
Create Date: 2026-12-01 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2f3a4b5c6d7'
down_revision = 'd1e2f3a4b5c6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('nif', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('disabled_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('invoices') as batch:
        batch.add_column(sa.Column('paid_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('paid_amount', sa.Numeric(precision=12, scale=2),
                                   nullable=True))


def downgrade():
    with op.batch_alter_table('invoices') as batch:
        batch.drop_column('paid_amount')
        batch.drop_column('paid_on')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('disabled_at')
        batch.drop_column('nif')
