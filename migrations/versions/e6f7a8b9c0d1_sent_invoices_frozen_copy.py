"""invoices.frozen: what a sent invoice's documents show from other records, kept at sending
(the account holder and address, beneficiary, IBAN with holder and bank, decision number, the
lines as priced), so that later changes of the profile, the beneficiary or the IBAN no longer
change a sent invoice's page, receipt and PDF

Invoices already sent get their copy from the records as they are now (the best that is left
of how they were): the account holder, the chosen beneficiary and IBAN (the owner's own rows
only), and the decision number. Their lines are not priced here (that needs the application's
rules and rates): the application keeps computing those for such invoices, as it did before.

Written with SQLAlchemy Core on table stubs of its own: it must not depend on the models.

Revision ID: e6f7a8b9c0d1
Revises: d5e6f7a8b9c0
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6f7a8b9c0d1'
down_revision = 'd5e6f7a8b9c0'
branch_labels = None
depends_on = None

invoices = sa.table('invoices', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                    sa.column('status', sa.String), sa.column('fields', sa.JSON),
                    sa.column('beneficiary_id', sa.Integer),
                    sa.column('bank_account_id', sa.Integer), sa.column('iban', sa.String),
                    sa.column('decision_number', sa.String), sa.column('frozen', sa.JSON))
users = sa.table('users', *(sa.column(name) for name in (
    'id', 'nom', 'prenom', 'navs13', 'date_naissance', 'civilite', 'rue', 'npa', 'localite',
    'pays')))
beneficiaries = sa.table('beneficiaries', *(sa.column(name) for name in (
    'id', 'user_id', 'nom', 'prenom', 'navs13', 'date_naissance')))
bank_accounts = sa.table('bank_accounts', *(sa.column(name) for name in (
    'id', 'user_id', 'iban', 'holder', 'bank_name')))

PERSON = ('nom', 'prenom', 'navs13', 'date_naissance')
ADDRESS = ('civilite', 'rue', 'npa', 'localite', 'pays')


def _person(row, names):
    """As the application writes it (guichet.invoices.view.frozen_copy)."""
    if row is None:
        return None
    data = {name: getattr(row, name) or '' for name in names}
    born = row.date_naissance
    data['date_naissance'] = (born.isoformat() if hasattr(born, 'isoformat')
                              else str(born)[:10]) if born else None
    return data


def _by_id(connection, table):
    return {row.id: row for row in connection.execute(sa.select(table))}


def upgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen', sa.JSON(), nullable=True))
    connection = op.get_bind()
    sent = connection.execute(sa.select(invoices).where(invoices.c.status != 'draft')).all()
    if not sent:
        return
    owners, persons, accounts = (_by_id(connection, table)
                                 for table in (users, beneficiaries, bank_accounts))
    for invoice in sent:
        person = persons.get(invoice.beneficiary_id)
        account = accounts.get(invoice.bank_account_id)
        if person is not None and person.user_id != invoice.user_id:
            person = None
        if account is not None and (account.user_id != invoice.user_id
                                    or invoice.iban and account.iban != invoice.iban):
            account = None
        connection.execute(invoices.update().where(invoices.c.id == invoice.id).values(frozen={
            'owner': _person(owners.get(invoice.user_id), PERSON + ADDRESS),
            'beneficiary': _person(person, PERSON),
            'account': {'iban': account.iban, 'holder': account.holder,
                        'bank_name': account.bank_name} if account is not None else None,
            'decision_number': invoice.decision_number
            or (invoice.fields or {}).get('decision_number') or '',
        }))


def downgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('frozen')
