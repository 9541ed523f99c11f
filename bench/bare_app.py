"""The references: a bare Flask app served by gunicorn in the same run as Guichet.

    gunicorn -w 2 -b 127.0.0.1:8001 --chdir bench bare_app:app

  GET /       ``hello``: what Flask and gunicorn cost with nothing else (the poll's reference)
  GET /table  a 50-row Jinja table in a layout with header and footer, of the size and shape of
              Guichet's home list (~20 kB: links, formatted amounts and dates, status labels,
              autoescaping), from data built once at import: no database, no session. The
              realistic ceiling for a page of this size on the machine (the pages' reference).
"""
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, render_template

app = Flask(__name__)  # templates from bench/templates/

STATUSES = [("paid", "Payée", "Le montant a été versé sur votre compte.", ""),
            ("accepted", "Acceptée", "L'office a validé votre demande.",
             "Le paiement suit dans les prochains jours."),
            ("submitted", "Envoyée", "L'office a reçu votre demande.",
             "Un·e gestionnaire l'examinera bientôt."),
            ("in_review", "En cours d'examen", "Un·e gestionnaire examine votre demande.", ""),
            ("rejected", "Refusée", "Les frais ne sont pas couverts par la décision.",
             "Voyez le détail pour en connaître la raison.")]
TYPES = ["Frais de déplacement et de repas", "Facture standard", "Appareils auditifs et moyens "
         "auxiliaires", "Contribution d'assistance", "Allocation pour impotent (mineur)"]
NAMES = ["Hélène Jeanneret", "Lina Jeanneret"]


def _rows(count: int = 50) -> list[dict]:
    rng = random.Random(7)
    day = date(2026, 11, 20)
    rows = []
    for n in range(count):
        status, label, meaning, next_step = rng.choice(STATUSES)
        claimed = Decimal(rng.randint(1_000, 400_000)) / 100
        rows.append({
            "id": 49_000 - n * 37, "receipt": f"NE-2026-{4_800 - n * 11:06d}",
            "type": rng.choice(TYPES), "person": rng.choice(NAMES), "sent": day,
            "claimed": claimed,
            "approved": claimed if status in ("paid", "accepted") else
            (Decimal(0) if status == "rejected" else None),
            "status": status, "label": label, "hint": f"{meaning} {next_step}".strip()})
        day -= timedelta(days=rng.randint(1, 5))
    return rows


ROWS = _rows()


@app.template_filter("chf")
def chf(amount: Decimal) -> str:
    """1'234.50 CHF, as Guichet writes amounts."""
    value = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, cents = f"{value:.2f}".split(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    return "'".join([whole, *groups]) + f".{cents} CHF"


@app.template_filter("day")
def day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


@app.route("/")
def hello():
    return "hello"


@app.route("/table")
def table():
    return render_template("bare_table.html", rows=ROWS, user_name="Hélène Jeanneret")
