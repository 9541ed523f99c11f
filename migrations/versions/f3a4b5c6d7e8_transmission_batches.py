"""Transmission batches for the Centrale de compensation, their yearly counter, the invoice's
batch, and the payment list's lines waiting for a decision

Revision ID: f3a4b5c6d7e8
Revises: b5c6d7e8f9a0
Create Date: 2026-12-01 17:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a4b5c6d7e8'
down_revision = 'b5c6d7e8f9a0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'transmission_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=24), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('control_sum', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('transmitted_on', sa.Date(), nullable=True),
        sa.Column('transmitted_by', sa.Integer(), nullable=True),
        sa.Column('paid_on', sa.Date(), nullable=True),
        sa.Column('paid_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.ForeignKeyConstraint(['transmitted_by'], ['users.id']),
        sa.ForeignKeyConstraint(['paid_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'))
    op.create_table(
        'batch_counters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('prefix', sa.String(length=4), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('prefix', 'year'))
    op.create_table(
        'payment_issues',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=True),
        sa.Column('receipt_number', sa.String(length=40), nullable=False),
        sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('paid_on', sa.Date(), nullable=True),
        sa.Column('nif', sa.String(length=20), nullable=True),
        sa.Column('problem', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by', sa.Integer(), nullable=True),
        sa.Column('resolution', sa.String(length=12), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['transmission_batches.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.ForeignKeyConstraint(['resolved_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('payment_issues') as batch:
        batch.create_index(batch.f('ix_payment_issues_batch_id'), ['batch_id'], unique=False)
    with op.batch_alter_table('invoices') as batch:
        batch.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_invoices_batch_id_transmission_batches',
                                 'transmission_batches', ['batch_id'], ['id'])
        batch.create_index(batch.f('ix_invoices_batch_id'), ['batch_id'], unique=False)


def downgrade():
    with op.batch_alter_table('invoices') as batch:
        batch.drop_index(batch.f('ix_invoices_batch_id'))
        batch.drop_constraint('fk_invoices_batch_id_transmission_batches', type_='foreignkey')
        batch.drop_column('batch_id')
    with op.batch_alter_table('payment_issues') as batch:
        batch.drop_index(batch.f('ix_payment_issues_batch_id'))
    op.drop_table('payment_issues')
    op.drop_table('batch_counters')
    op.drop_table('transmission_batches')
