"""seed the default dated rates (RAI, OMAI) so a fresh database can price invoices

Revision ID: a1b2c3d4e5f6
Revises: 0ea25cdd2b03
Create Date: 2026-11-27 08:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

import guichet.models.types


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f6'
down_revision = '0ea25cdd2b03'
branch_labels = None
depends_on = None


def upgrade():
    from guichet.invoices.rates import seed_default_rates
    session = Session(bind=op.get_bind())
    seed_default_rates(session)
    session.flush()


def downgrade():
    op.execute(sa.text("DELETE FROM rates"))
