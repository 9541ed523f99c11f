"""What Guichet read of the Swiss QR-bill on a pièce: the bill, its fingerprint (indexed: the
same supplier invoice claimed twice is a flag), and the person's answer to the offer to fill the
form from it

Revision ID: 1b2c3d4e5f60
Revises: d7e8f9a0b1c2
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1b2c3d4e5f60'
down_revision = 'd7e8f9a0b1c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachments') as batch:
        batch.add_column(sa.Column('qr_bill', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('bill_fingerprint', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('bill_answer', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('bill_filled', sa.JSON(), nullable=True))
        batch.create_index('ix_attachments_bill_fingerprint', ['bill_fingerprint'])


def downgrade():
    with op.batch_alter_table('attachments') as batch:
        batch.drop_index('ix_attachments_bill_fingerprint')
        batch.drop_column('bill_filled')
        batch.drop_column('bill_answer')
        batch.drop_column('bill_fingerprint')
        batch.drop_column('qr_bill')
