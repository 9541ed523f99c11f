"""Receipt numbers (NE-2026-000123 — office prefix, year of sending, a counter per year) and
what the receipt tells the person about what happens next."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from guichet.core.i18n import ZURICH
from guichet.core.i18n import gettext as _
from guichet.core.iban import mask_iban
from guichet.models import ReceiptCounter
from guichet.models.base import db


def next_receipt_number(now: datetime) -> str:
    """Takes the next number for the year of ``now`` (Swiss time), locking the counter row."""
    prefix = current_app.config.get("RECEIPT_PREFIX", "NE")
    year = now.astimezone(ZURICH).year
    counter = db.session.scalar(select(ReceiptCounter).where(
        ReceiptCounter.prefix == prefix, ReceiptCounter.year == year).with_for_update())
    if counter is None:
        counter = ReceiptCounter(prefix=prefix, year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return f"{prefix}-{year}-{counter.last:06d}"


def next_steps(iban: str | None = None) -> list[str]:
    """What happens after sending, in the order it happens: who examines it and how long it
    usually takes (``INVOICE_PROCESSING_DAYS``, the office's own figure), who pays and where to,
    and how to contest a refusal (the office issues a formal decision on request). The
    confirmation page names the IBAN (masked); the e-mail does not."""
    account = (_("sur l'IBAN %(iban)s", iban=mask_iban(iban)) if iban
               else _("sur l'IBAN indiqué dans la demande"))
    return [
        _("L'office examine votre demande, en général dans les %(days)s jours. S'il lui manque "
          "un document, il vous le demande dans Guichet ; vous recevez un e-mail à chaque "
          "étape.", days=current_app.config["INVOICE_PROCESSING_DAYS"]),
        _("Si la demande est validée, la Centrale de compensation, qui paie pour l'AI, verse le "
          "montant %(account)s.", account=account),
        _("Si elle est refusée, l'office vous en donne la raison. Si vous n'êtes pas d'accord, "
          "demandez-lui une décision formelle : elle indique comment la contester."),
    ]
