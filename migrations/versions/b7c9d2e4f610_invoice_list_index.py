"""one index for a person's invoice list, newest first (replaces the user_id index)

Revision ID: b7c9d2e4f610
Revises: a1b2c3d4e5f6
Create Date: 2026-11-27 10:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7c9d2e4f610'
down_revision = 'a1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_user_list', ['user_id', 'created_at', 'id'],
                              unique=False)
        batch_op.drop_index('ix_invoices_user_id')


def downgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_user_id', ['user_id'], unique=False)
        batch_op.drop_index('ix_invoices_user_list')
