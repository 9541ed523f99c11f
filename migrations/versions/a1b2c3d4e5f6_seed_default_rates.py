"""seed the default dated rates (RAI, OMAI) so a fresh database can price invoices

Revision ID: a1b2c3d4e5f6
Revises: 0ea25cdd2b03
Create Date: 2026-11-27 08:00:00

The rows are written out here, as they stood when this revision was made: a migration must give
the same database whatever the application code says later (the office changes rates as data,
and the invoice types declare new ones in code: neither rewrites history).
"""
from datetime import date
from decimal import Decimal

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f6'
down_revision = '0ea25cdd2b03'
branch_labels = None
depends_on = None

rates = sa.table(
    "rates",
    sa.column("key", sa.String(60)),
    sa.column("valid_from", sa.Date()),
    sa.column("valid_to", sa.Date()),
    sa.column("amount", sa.Numeric(12, 2)),
    sa.column("label", sa.String(200)),
    sa.column("source", sa.String(120)),
)

# (key, valid_from, valid_to, amount in CHF, legal source,
#  label)
DEFAULT_RATES = [
    ("deplacement.voiture_km", "1992-01-01", None, "0.45", "RAI art. 90",
     "Voiture privée, par kilomètre"),
    ("deplacement.repas_5_8h", "1992-01-01", None, "11.50", "RAI art. 90",
     "Repas (viatique), absence de 5 à 8 heures"),
    ("deplacement.repas_plus_8h", "1992-01-01", None, "19.00", "RAI art. 90",
     "Repas (viatique), absence de plus de 8 heures"),
    ("deplacement.nuit", "1992-01-01", None, "37.50", "RAI art. 90",
     "Nuit hors du domicile"),
    ("assistance.heure", "2024-01-01", "2024-12-31", "34.30", "RAI art. 39f",
     "Contribution d'assistance, par heure"),
    ("assistance.heure_qualifiee", "2024-01-01", "2024-12-31", "51.50", "RAI art. 39f",
     "Contribution d'assistance, par heure (qualifications particulières)"),
    ("assistance.nuit_max", "2024-01-01", "2024-12-31", "164.40", "RAI art. 39f",
     "Contribution d'assistance, forfait de nuit maximal"),
    ("assistance.heure", "2025-01-01", None, "35.30", "RAI art. 39f",
     "Contribution d'assistance, par heure"),
    ("assistance.heure_qualifiee", "2025-01-01", None, "52.95", "RAI art. 39f",
     "Contribution d'assistance, par heure (qualifications particulières)"),
    ("assistance.nuit_max", "2025-01-01", None, "169.10", "RAI art. 39f",
     "Contribution d'assistance, forfait de nuit maximal"),
    ("api_mineur.faible", "2024-01-01", "2024-12-31", "16.33", "LAI art. 42ter / RAI art. 39",
     "API mineur·e — impotence faible, par jour (20 % de la rente maximale de CHF 2'450 par mois,"
     " ÷ 30)"),
    ("api_mineur.moyenne", "2024-01-01", "2024-12-31", "40.83", "LAI art. 42ter / RAI art. 39",
     "API mineur·e — impotence moyenne, par jour (50 % de la rente maximale de CHF 2'450 par "
     "mois, ÷ 30)"),
    ("api_mineur.grave", "2024-01-01", "2024-12-31", "65.33", "LAI art. 42ter / RAI art. 39",
     "API mineur·e — impotence grave, par jour (80 % de la rente maximale de CHF 2'450 par mois, "
     "÷ 30)"),
    ("api_mineur.supplement_4h", "2024-01-01", "2024-12-31", "32.67",
     "LAI art. 42ter / RAI art. 39",
     "API mineur·e — supplément pour soins intenses (4 h), par jour (40 % de la rente maximale de"
     " CHF 2'450 par mois, ÷ 30)"),
    ("api_mineur.supplement_6h", "2024-01-01", "2024-12-31", "57.17",
     "LAI art. 42ter / RAI art. 39",
     "API mineur·e — supplément pour soins intenses (6 h), par jour (70 % de la rente maximale de"
     " CHF 2'450 par mois, ÷ 30)"),
    ("api_mineur.supplement_8h", "2024-01-01", "2024-12-31", "81.67",
     "LAI art. 42ter / RAI art. 39",
     "API mineur·e — supplément pour soins intenses (8 h), par jour (100 % de la rente maximale "
     "de CHF 2'450 par mois, ÷ 30)"),
    ("api_mineur.faible", "2025-01-01", None, "16.80", "LAI art. 42ter / RAI art. 39",
     "API mineur·e — impotence faible, par jour (20 % de la rente maximale de CHF 2'520 par mois,"
     " ÷ 30)"),
    ("api_mineur.moyenne", "2025-01-01", None, "42.00", "LAI art. 42ter / RAI art. 39",
     "API mineur·e — impotence moyenne, par jour (50 % de la rente maximale de CHF 2'520 par "
     "mois, ÷ 30)"),
    ("api_mineur.grave", "2025-01-01", None, "67.20", "LAI art. 42ter / RAI art. 39",
     "API mineur·e — impotence grave, par jour (80 % de la rente maximale de CHF 2'520 par mois, "
     "÷ 30)"),
    ("api_mineur.supplement_4h", "2025-01-01", None, "33.60", "LAI art. 42ter / RAI art. 39",
     "API mineur·e — supplément pour soins intenses (4 h), par jour (40 % de la rente maximale de"
     " CHF 2'520 par mois, ÷ 30)"),
    ("api_mineur.supplement_6h", "2025-01-01", None, "58.80", "LAI art. 42ter / RAI art. 39",
     "API mineur·e — supplément pour soins intenses (6 h), par jour (70 % de la rente maximale de"
     " CHF 2'520 par mois, ÷ 30)"),
    ("api_mineur.supplement_8h", "2025-01-01", None, "84.00", "LAI art. 42ter / RAI art. 39",
     "API mineur·e — supplément pour soins intenses (8 h), par jour (100 % de la rente maximale "
     "de CHF 2'520 par mois, ÷ 30)"),
    ("moyens_auxiliaires.appareil_une_oreille", "2011-07-01", None, "840.00", "OMAI annexe 5.07",
     "Appareil auditif, une oreille (forfait)"),
    ("moyens_auxiliaires.appareil_deux_oreilles", "2011-07-01", None, "1650.00", "OMAI annexe 5.07",
     "Appareils auditifs, deux oreilles (forfait)"),
    ("moyens_auxiliaires.piles_par_appareil_an", "2011-07-01", None, "40.00", "OMAI annexe 5.07",
     "Piles, par appareil et par année (forfait)"),
    ("moyens_auxiliaires.reparation_electronique", "2011-07-01", None, "200.00", "OMAI annexe 5.07",
     "Réparation de l'électronique d'un appareil auditif (forfait)"),
    ("moyens_auxiliaires.reparation_autre", "2011-07-01", None, "130.00", "OMAI annexe 5.07",
     "Autre réparation d'un appareil auditif (forfait)"),
]


def upgrade():
    op.bulk_insert(rates, [
        {"key": key, "valid_from": date.fromisoformat(valid_from),
         "valid_to": date.fromisoformat(valid_to) if valid_to else None,
         "amount": Decimal(amount), "label": label, "source": source}
        for key, valid_from, valid_to, amount, source, label in DEFAULT_RATES])


def downgrade():
    op.execute(sa.text("DELETE FROM rates"))
