"""What a transmission batch keeps of the records its PDFs read that may change later
(the creditor's NIF, the visa's names, the reductions' reasons)

Revision ID: d7e8f9a0b1c2
Revises: f3a4b5c6d7e8
Create Date: 2026-12-01 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e8f9a0b1c2'
down_revision = 'f3a4b5c6d7e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoices') as batch:
        batch.add_column(sa.Column('transmission_copy', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('invoices') as batch:
        batch.drop_column('transmission_copy')
