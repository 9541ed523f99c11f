"""The reduction reasons become a list the administrators keep, beside the refusal reasons:
a ``kind`` on ``refusal_reasons`` (refusal or reduction), codes unique within a list, and the
reduction reasons the code held until now, with their codes (old decisions refer to them)

Revision ID: b5c6d7e8f9a0
Revises: c6d7e8f9a0b1
Create Date: 2026-12-01 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5c6d7e8f9a0'
down_revision = 'c6d7e8f9a0b1'
branch_labels = None
depends_on = None

# A copy, as they were when this revision was written (tests/test_migrations.py checks it
# against guichet.invoices.refusal_reasons.DEFAULT_REDUCTION_REASONS).
REDUCTION_REASONS = [
    ("above_rate", "Au-delà du tarif ou du forfait applicable"),
    ("not_covered", "Frais non couverts par la décision"),
    ("cap_reached", "Plafond mensuel ou annuel atteint"),
    ("missing_piece", "Pièce justificative manquante ou illisible"),
    ("already_paid", "Déjà remboursé"),
    ("other", "Autre motif"),
]

reasons = sa.table('refusal_reasons', sa.column('kind', sa.String), sa.column('code', sa.String),
                   sa.column('label', sa.String), sa.column('position', sa.Integer),
                   sa.column('active', sa.Boolean))


def upgrade():
    with op.batch_alter_table('refusal_reasons') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=12), server_default='refusal',
                                   nullable=False))
        batch.drop_constraint('uq_refusal_reasons_code', type_='unique')
        batch.create_unique_constraint('uq_refusal_reasons_kind', ['kind', 'code'])
    op.bulk_insert(reasons, [{"kind": "reduction", "code": code, "label": label,
                              "position": position, "active": True}
                             for position, (code, label) in enumerate(REDUCTION_REASONS)])


def downgrade():
    op.execute(reasons.delete().where(reasons.c.kind != 'refusal'))
    with op.batch_alter_table('refusal_reasons') as batch:
        batch.drop_constraint('uq_refusal_reasons_kind', type_='unique')
        batch.create_unique_constraint('uq_refusal_reasons_code', ['code'])
        batch.drop_column('kind')
