"""Dated rates and where to read them.

The rate in force on the date of a cost applies: each rate is a row with a
``key`` (``"deplacement.voiture_km"``), a validity period and an amount in CHF.
The office edits the rows as data (table ``rates``); :data:`DEFAULT_RATES`
holds the figures known when this code was written, with their legal source,
and :func:`seed_default_rates` writes the missing ones to the database.

Computations ask a :class:`RateBook` for amounts; :class:`DatabaseRateBook`
reads the ``rates`` table, :class:`StaticRateBook` holds rows in memory.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, runtime_checkable

from sqlalchemy import select

from guichet.core.money import to_amount
from guichet.models.base import db
from guichet.models.rates import Rate

__all__ = [
    "RateRow",
    "DEFAULT_RATES",
    "MissingRate",
    "RateBook",
    "StaticRateBook",
    "DatabaseRateBook",
    "seed_default_rates",
    "api_mineur_daily_rate",
]


@dataclass(frozen=True)
class RateRow:
    """One dated rate: ``amount`` CHF from ``valid_from`` to ``valid_to`` (both included;
    ``valid_to=None`` means "until further notice")."""

    key: str
    valid_from: date
    valid_to: date | None
    amount: Decimal
    label: str
    source: str

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    @classmethod
    def of(cls, row) -> RateRow:
        """A ``RateRow`` from any object with the same attributes (e.g. a ``Rate`` model)."""
        return cls(key=row.key, valid_from=row.valid_from, valid_to=row.valid_to,
                   amount=to_amount(row.amount), label=row.label, source=row.source)


def api_mineur_daily_rate(max_monthly_pension: str | int | Decimal, percent: int) -> Decimal:
    """Daily API rate for a minor: ``percent`` % of the maximum AVS pension, divided by 30,
    rounded half-up to the centime (LAI art. 42ter)."""
    return to_amount(Decimal(max_monthly_pension) * percent / 100 / 30)


_RAI_90 = "RAI art. 90"
_RAI_39F = "RAI art. 39f"
_LAI_42TER = "LAI art. 42ter / RAI art. 39"
_OMAI_507 = "OMAI annexe 5.07"

_SINCE_1992 = date(1992, 1, 1)
_SINCE_2011_07 = date(2011, 7, 1)   # flat rates for hearing aids (OMAI annexe 5.07)
_YEAR_2024 = (date(2024, 1, 1), date(2024, 12, 31))
_SINCE_2025 = (date(2025, 1, 1), None)


def _row(key: str, period: tuple[date, date | None], amount: str | Decimal, label: str,
         source: str) -> RateRow:
    return RateRow(key=key, valid_from=period[0], valid_to=period[1],
                   amount=to_amount(amount), label=label, source=source)


def _api_mineur_rows(period: tuple[date, date | None], max_pension: str) -> list[RateRow]:
    pension = f"CHF {max_pension} par mois"
    degrees = [
        ("faible", 20, "API mineur·e — impotence faible, par jour"),
        ("moyenne", 50, "API mineur·e — impotence moyenne, par jour"),
        ("grave", 80, "API mineur·e — impotence grave, par jour"),
        ("supplement_4h", 40, "API mineur·e — supplément pour soins intenses (4 h), par jour"),
        ("supplement_6h", 70, "API mineur·e — supplément pour soins intenses (6 h), par jour"),
        ("supplement_8h", 100, "API mineur·e — supplément pour soins intenses (8 h), par jour"),
    ]
    return [
        _row(f"api_mineur.{name}", period,
             api_mineur_daily_rate(max_pension.replace("'", ""), percent),
             f"{label} ({percent} % de la rente maximale de {pension}, ÷ 30)", _LAI_42TER)
        for name, percent, label in degrees
    ]


_SINCE_1992_OPEN = (_SINCE_1992, None)
_SINCE_2011_OPEN = (_SINCE_2011_07, None)

#: The rates known to the code, with their legal source. The database is the reference once
#: seeded; the office changes rates there, without a deploy.
DEFAULT_RATES: tuple[RateRow, ...] = (
    # Frais de déplacement et de repas — unchanged since 1992.
    _row("deplacement.voiture_km", _SINCE_1992_OPEN, "0.45",
         "Voiture privée, par kilomètre", _RAI_90),
    _row("deplacement.repas_5_8h", _SINCE_1992_OPEN, "11.50",
         "Repas (viatique), absence de 5 à 8 heures", _RAI_90),
    _row("deplacement.repas_plus_8h", _SINCE_1992_OPEN, "19.00",
         "Repas (viatique), absence de plus de 8 heures", _RAI_90),
    _row("deplacement.nuit", _SINCE_1992_OPEN, "37.50",
         "Nuit hors du domicile", _RAI_90),
    # Contribution d'assistance.
    _row("assistance.heure", _YEAR_2024, "34.30",
         "Contribution d'assistance, par heure", _RAI_39F),
    _row("assistance.heure_qualifiee", _YEAR_2024, "51.50",
         "Contribution d'assistance, par heure (qualifications particulières)", _RAI_39F),
    _row("assistance.nuit_max", _YEAR_2024, "164.40",
         "Contribution d'assistance, forfait de nuit maximal", _RAI_39F),
    _row("assistance.heure", _SINCE_2025, "35.30",
         "Contribution d'assistance, par heure", _RAI_39F),
    _row("assistance.heure_qualifiee", _SINCE_2025, "52.95",
         "Contribution d'assistance, par heure (qualifications particulières)", _RAI_39F),
    _row("assistance.nuit_max", _SINCE_2025, "169.10",
         "Contribution d'assistance, forfait de nuit maximal", _RAI_39F),
    # Allocation pour impotent, mineur·e — from the maximum AVS pension.
    *_api_mineur_rows(_YEAR_2024, "2'450"),
    *_api_mineur_rows(_SINCE_2025, "2'520"),
    # Appareils auditifs et moyens auxiliaires.
    _row("moyens_auxiliaires.appareil_une_oreille", _SINCE_2011_OPEN, "840",
         "Appareil auditif, une oreille (forfait)", _OMAI_507),
    _row("moyens_auxiliaires.appareil_deux_oreilles", _SINCE_2011_OPEN, "1650",
         "Appareils auditifs, deux oreilles (forfait)", _OMAI_507),
    _row("moyens_auxiliaires.piles_par_appareil_an", _SINCE_2011_OPEN, "40",
         "Piles, par appareil et par année (forfait)", _OMAI_507),
    _row("moyens_auxiliaires.reparation_electronique", _SINCE_2011_OPEN, "200",
         "Réparation de l'électronique d'un appareil auditif (forfait)", _OMAI_507),
    _row("moyens_auxiliaires.reparation_autre", _SINCE_2011_OPEN, "130",
         "Autre réparation d'un appareil auditif (forfait)", _OMAI_507),
)


class MissingRate(LookupError):
    """No rate ``key`` is in force on ``on``; the message is French, for staff and logs."""

    def __init__(self, key: str, on: date):
        self.key = key
        self.on = on
        super().__init__(
            f"Aucun taux « {key} » n'est en vigueur le {on:%d.%m.%Y}. "
            "L'administration doit saisir ce taux avant que le montant puisse être calculé.")


@runtime_checkable
class RateBook(Protocol):
    def amount(self, key: str, on: date) -> Decimal:
        """The amount of rate ``key`` in force on ``on``; raises :class:`MissingRate`."""
        ...


def _in_force(rows: Iterable[RateRow], key: str, on: date) -> RateRow:
    """The row in force on ``on``; when periods overlap, the most recent ``valid_from`` wins."""
    candidates = [row for row in rows if row.in_force(on)]
    if not candidates:
        raise MissingRate(key, on)
    return max(candidates, key=lambda row: row.valid_from)


class StaticRateBook:
    """Rates held in memory (tests, previews). Defaults to :data:`DEFAULT_RATES`."""

    def __init__(self, rows: Iterable = DEFAULT_RATES):
        self._by_key: dict[str, list[RateRow]] = {}
        for row in rows:
            row = row if isinstance(row, RateRow) else RateRow.of(row)
            self._by_key.setdefault(row.key, []).append(row)

    def row(self, key: str, on: date) -> RateRow:
        return _in_force(self._by_key.get(key, ()), key, on)

    def amount(self, key: str, on: date) -> Decimal:
        return self.row(key, on).amount


class DatabaseRateBook:
    """Rates read from the ``rates`` table; each key is read once per instance, so make one
    instance per request or computation (edits by the office show up in the next one)."""

    def __init__(self, session=None):
        self._session = db.session if session is None else session
        self._cache: dict[str, list[RateRow]] = {}

    def _rows(self, key: str) -> list[RateRow]:
        if key not in self._cache:
            found = self._session.scalars(select(Rate).where(Rate.key == key))
            self._cache[key] = [RateRow.of(rate) for rate in found]
        return self._cache[key]

    def row(self, key: str, on: date) -> RateRow:
        return _in_force(self._rows(key), key, on)

    def amount(self, key: str, on: date) -> Decimal:
        return self.row(key, on).amount


def seed_default_rates(session) -> int:
    """Add the :data:`DEFAULT_RATES` rows that are not in the table yet (same key and
    ``valid_from``); rows already there, possibly edited by the office, are left alone.
    Flushes but does not commit. Returns how many rows were added."""
    present = {(key, start)
               for key, start in session.execute(select(Rate.key, Rate.valid_from))}
    added = 0
    for row in DEFAULT_RATES:
        if (row.key, row.valid_from) in present:
            continue
        session.add(Rate(key=row.key, valid_from=row.valid_from, valid_to=row.valid_to,
                         amount=row.amount, label=row.label, source=row.source))
        present.add((row.key, row.valid_from))
        added += 1
    if added:
        session.flush()
    return added
