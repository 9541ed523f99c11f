"""Flags with their reasons: the pièces' SHA-256 indexed (a pièce already sent with another
invoice is flagged), and the flags stored as codes before become {"code", "reason"}

Revision ID: c0d1e2f3a4b5
Revises: b9c0d1e2f3a4
Create Date: 2026-12-01 15:30:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0d1e2f3a4b5'
down_revision = 'b9c0d1e2f3a4'
branch_labels = None
depends_on = None

# The only flag an invoice type stored as a bare code before (aids, the six-year rule), and
# the words the person's page said about it.
OLD_REASONS = {"six_year_rule": "Moins de 6 ans depuis le précédent appareil : l'office "
                                "vérifiera si un nouvel appareil peut être remboursé."}


def _rows(connection):
    invoices = sa.table("invoices", sa.column("id", sa.Integer), sa.column("flags", sa.JSON),
                        sa.column("flagged", sa.Boolean))
    return invoices, connection.execute(sa.select(invoices.c.id, invoices.c.flags)).all()


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)
    connection = op.get_bind()
    invoices, rows = _rows(connection)
    for invoice_id, flags in rows:
        flags = json.loads(flags) if isinstance(flags, str) else flags
        if not flags or not any(isinstance(flag, str) for flag in flags):
            continue
        new = [flag if isinstance(flag, dict) else
               {"code": flag, "reason": OLD_REASONS.get(flag, flag)} for flag in flags]
        connection.execute(invoices.update().where(invoices.c.id == invoice_id)
                           .values(flags=new, flagged=True))


def downgrade():
    connection = op.get_bind()
    invoices, rows = _rows(connection)
    for invoice_id, flags in rows:
        flags = json.loads(flags) if isinstance(flags, str) else flags
        if flags:
            connection.execute(invoices.update().where(invoices.c.id == invoice_id).values(
                flags=[flag["code"] if isinstance(flag, dict) else flag for flag in flags]))
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
