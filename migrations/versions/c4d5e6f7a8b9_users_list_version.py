"""users.list_version: one number that moves with every change to a person's invoices or
beneficiaries (the home page's list compares it instead of reading the invoices)

Revision ID: c4d5e6f7a8b9
Revises: b7c9d2e4f610
Create Date: 2026-11-27 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d5e6f7a8b9'
down_revision = 'b7c9d2e4f610'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_version', sa.Integer(), server_default=sa.text('0'),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('list_version')
