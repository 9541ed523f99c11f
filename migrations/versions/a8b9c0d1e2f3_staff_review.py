"""The office's review: who took an invoice, the queue's order and search keys, flags, the
gestionnaires' decisions with the second visa, staff notes, the refusal reasons (seeded), the
complement's author and reminders

Revision ID: a8b9c0d1e2f3
Revises: f7a8b9c0d1e2
Create Date: 2026-12-01 14:30:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8b9c0d1e2f3'
down_revision = 'f7a8b9c0d1e2'
branch_labels = None
depends_on = None

# The ranks of guichet.models.invoices, as they were when this migration was written.
RANK_SENT, RANK_COMPLEMENT_WAITING, RANK_DONE = 2, 4, 9

REFUSAL_REASONS = [
    ("no_decision", "Aucune décision de l'office ne couvre ces frais."),
    ("outside_decision", "Les frais sont hors de la période ou du genre de prestations couverts "
                         "par la décision."),
    ("not_covered", "Ces frais ne sont pas à la charge de l'assurance-invalidité."),
    ("duplicate", "Ces frais ont déjà été demandés ou remboursés."),
    ("missing_pieces", "Les pièces justificatives nécessaires n'ont pas été reçues."),
    ("complement_not_received", "Le complément demandé n'a pas été reçu dans le délai."),
    ("other", "Autre motif (précisé ci-dessous)."),
]


_NAME_JOINERS = re.compile(r"[\-\u2010-\u2015\u2212'\u2018\u2019\u02bc\u0060\u00b4]")


def name_key(nom, prenom):
    """guichet.core.identifiers.normalize_name_for_match("nom prénom"), as it was when this
    migration was written: no case, accents, hyphens or apostrophes."""
    text = unicodedata.normalize("NFKD", f"{nom or ''} {prenom or ''}")
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_NAME_JOINERS.sub(" ", text).split()) or None


def upgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('queue_rank', sa.SmallInteger(),
                                      server_default=sa.text(str(RANK_DONE)), nullable=False))
        batch_op.add_column(sa.Column('queue_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('flagged', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('subject_navs13', sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column('subject_name_key', sa.String(length=201), nullable=True))
        batch_op.add_column(sa.Column('holder_name_key', sa.String(length=201), nullable=True))
        batch_op.create_foreign_key('fk_invoices_assignee_id_users', 'users', ['assignee_id'],
                                    ['id'])
        batch_op.create_index('ix_invoices_queue', ['queue_rank', 'queue_since', 'id'],
                              unique=False)
    with op.batch_alter_table('complement_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reminded_before_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminded_overdue_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key('fk_complement_requests_requested_by_users', 'users',
                                    ['requested_by'], ['id'])
    op.create_table(
        'review_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=12), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=False),
        sa.Column('total_approved', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('line_amounts', sa.JSON(), nullable=False),
        sa.Column('reason_code', sa.String(length=30), nullable=True),
        sa.Column('reason_text', sa.Text(), nullable=False),
        sa.Column('visa_reasons', sa.JSON(), nullable=False),
        sa.Column('visa_by', sa.Integer(), nullable=True),
        sa.Column('visa_at', sa.DateTime(), nullable=True),
        sa.Column('visa_outcome', sa.String(length=12), nullable=True),
        sa.Column('visa_note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['decided_by'], ['users.id']),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['visa_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_decisions_invoice_id'), ['invoice_id'],
                              unique=False)
    op.create_table(
        'staff_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('staff_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_notes_invoice_id'), ['invoice_id'],
                              unique=False)
    reasons = op.create_table(
        'refusal_reasons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=30), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'))
    op.bulk_insert(reasons, [{"code": code, "label": label, "position": position, "active": True}
                             for position, (code, label) in enumerate(REFUSAL_REASONS)])
    _fill_queue_of_invoices_already_sent()


def _fill_queue_of_invoices_already_sent():
    """Invoices sent before: their place in the queue and their search keys."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT i.id, i.status, i.submitted_at, b.navs13, b.nom, b.prenom, u.nom, u.prenom "
        "FROM invoices i JOIN users u ON u.id = i.user_id "
        "LEFT JOIN beneficiaries b ON b.id = i.beneficiary_id "
        "WHERE i.status != 'draft'")).all()
    for (invoice_id, status, submitted_at, navs13, nom, prenom, holder_nom,
         holder_prenom) in rows:
        rank = {"submitted": RANK_SENT, "in_review": RANK_SENT,
                "needs_info": RANK_COMPLEMENT_WAITING}.get(status, RANK_DONE)
        bind.execute(sa.text(
            "UPDATE invoices SET queue_rank = :rank, queue_since = :since, "
            "subject_navs13 = :navs13, subject_name_key = :subject, holder_name_key = :holder "
            "WHERE id = :id"),
            {"rank": rank, "since": submitted_at, "navs13": navs13,
             "subject": name_key(nom, prenom), "holder": name_key(holder_nom, holder_prenom),
             "id": invoice_id})


def downgrade():
    op.drop_table('refusal_reasons')
    with op.batch_alter_table('staff_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_notes_invoice_id'))
    op.drop_table('staff_notes')
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_decisions_invoice_id'))
    op.drop_table('review_decisions')
    with op.batch_alter_table('complement_requests', schema=None) as batch_op:
        batch_op.drop_constraint('fk_complement_requests_requested_by_users',
                                 type_='foreignkey')
        batch_op.drop_column('reminded_overdue_at')
        batch_op.drop_column('reminded_before_at')
        batch_op.drop_column('requested_by')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_queue')
        batch_op.drop_constraint('fk_invoices_assignee_id_users', type_='foreignkey')
        batch_op.drop_column('holder_name_key')
        batch_op.drop_column('subject_name_key')
        batch_op.drop_column('subject_navs13')
        batch_op.drop_column('flagged')
        batch_op.drop_column('queue_since')
        batch_op.drop_column('queue_rank')
        batch_op.drop_column('assigned_at')
        batch_op.drop_column('assignee_id')
