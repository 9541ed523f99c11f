"""Tests for guichet.invoices.rates: the default rates, dated look-ups, and the database book."""
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select

from guichet.invoices.rate_book import MissingRate, RateBook, RateRow
from guichet.invoices.rates import (DatabaseRateBook, RateChangeRefused, StaticRateBook,
                                    change_rate, seed_default_rates)
from guichet.invoices.types import default_rates
from guichet.invoices.types.api_minor import daily_rate
from guichet.models import Rate
from guichet.models.base import db

D = Decimal


# --- Default rates ----------------------------------------------------------------------------

@pytest.mark.parametrize("key, on, expected", [
    ("deplacement.voiture_km", date(1992, 1, 1), "0.45"),
    ("deplacement.voiture_km", date(2025, 6, 1), "0.45"),
    ("deplacement.repas_5_8h", date(2025, 6, 1), "11.50"),
    ("deplacement.repas_plus_8h", date(2025, 6, 1), "19.00"),
    ("deplacement.nuit", date(2025, 6, 1), "37.50"),
    ("assistance.heure", date(2024, 12, 31), "34.30"),
    ("assistance.heure", date(2025, 1, 1), "35.30"),
    ("assistance.heure_qualifiee", date(2024, 1, 1), "51.50"),
    ("assistance.heure_qualifiee", date(2025, 1, 1), "52.95"),
    ("assistance.nuit_max", date(2024, 6, 30), "164.40"),
    ("assistance.nuit_max", date(2030, 1, 1), "169.10"),
    ("api_mineur.faible", date(2025, 1, 1), "16.80"),
    ("api_mineur.moyenne", date(2025, 1, 1), "42.00"),
    ("api_mineur.grave", date(2025, 1, 1), "67.20"),
    ("api_mineur.supplement_4h", date(2025, 1, 1), "33.60"),
    ("api_mineur.supplement_6h", date(2025, 1, 1), "58.80"),
    ("api_mineur.supplement_8h", date(2025, 1, 1), "84.00"),
    # 2024: maximum pension CHF 2'450
    ("api_mineur.faible", date(2024, 12, 31), "16.33"),
    ("api_mineur.moyenne", date(2024, 12, 31), "40.83"),
    ("api_mineur.grave", date(2024, 12, 31), "65.33"),
    ("api_mineur.supplement_4h", date(2024, 12, 31), "32.67"),
    ("api_mineur.supplement_6h", date(2024, 12, 31), "57.17"),
    ("api_mineur.supplement_8h", date(2024, 12, 31), "81.67"),
    ("moyens_auxiliaires.appareil_une_oreille", date(2025, 1, 1), "840.00"),
    ("moyens_auxiliaires.appareil_deux_oreilles", date(2025, 1, 1), "1650.00"),
    ("moyens_auxiliaires.piles_par_appareil_an", date(2025, 1, 1), "40.00"),
    ("moyens_auxiliaires.reparation_electronique", date(2025, 1, 1), "200.00"),
    ("moyens_auxiliaires.reparation_autre", date(2025, 1, 1), "130.00"),
])
def test_default_rates_in_force(key, on, expected):
    assert StaticRateBook().amount(key, on) == D(expected)


@pytest.mark.parametrize("pension, percent, expected", [
    ("2520", 20, "16.80"), ("2520", 100, "84.00"), ("2450", 50, "40.83"), ("2450", 40, "32.67"),
    (2450, 70, "57.17"),
])
def test_api_mineur_daily_rate_is_percent_of_max_pension_over_30(pension, percent, expected):
    assert daily_rate(pension, percent) == D(expected)


def test_default_rates_are_well_formed():
    seen = set()
    for row in default_rates():
        assert isinstance(row.amount, Decimal) and row.amount.as_tuple().exponent == -2
        assert row.amount > 0
        assert row.label and len(row.label) <= 200
        assert row.source and len(row.source) <= 120
        assert len(row.key) <= 60
        assert row.valid_to is None or row.valid_to >= row.valid_from
        assert (row.key, row.valid_from) not in seen   # the table's unique constraint
        seen.add((row.key, row.valid_from))


def test_default_rates_carry_their_legal_source():
    book = StaticRateBook()
    assert book.row("deplacement.voiture_km", date(2025, 1, 1)).source == "RAI art. 90"
    assert book.row("assistance.heure", date(2025, 1, 1)).source == "RAI art. 39f"
    assert "LAI art. 42ter" in book.row("api_mineur.grave", date(2025, 1, 1)).source
    assert book.row("moyens_auxiliaires.piles_par_appareil_an",
                    date(2025, 1, 1)).source == "OMAI annexe 5.07"


# --- Dated look-up ----------------------------------------------------------------------------

def _row(key, start, end, amount):
    return RateRow(key, start, end, D(amount), "Taux", "Source")


def test_valid_to_is_included_and_the_next_row_takes_over():
    book = StaticRateBook([_row("k", date(2024, 1, 1), date(2024, 12, 31), "1.00"),
                           _row("k", date(2025, 1, 1), None, "2.00")])
    assert book.amount("k", date(2024, 12, 31)) == D("1.00")
    assert book.amount("k", date(2025, 1, 1)) == D("2.00")


def test_overlapping_rows_the_most_recent_start_wins():
    book = StaticRateBook([_row("k", date(2020, 1, 1), None, "1.00"),
                           _row("k", date(2025, 3, 1), None, "1.50")])
    assert book.amount("k", date(2025, 2, 28)) == D("1.00")
    assert book.amount("k", date(2025, 3, 1)) == D("1.50")


@pytest.mark.parametrize("key, on", [
    ("deplacement.voiture_km", date(1991, 12, 31)),   # before the first rate
    ("assistance.heure", date(2023, 12, 31)),
    ("inconnu.taux", date(2025, 1, 1)),
])
def test_missing_rate_is_a_lookup_error_with_a_french_message(key, on):
    with pytest.raises(MissingRate) as excinfo:
        StaticRateBook().amount(key, on)
    assert isinstance(excinfo.value, LookupError)
    assert excinfo.value.key == key and excinfo.value.on == on
    assert f"Aucun taux « {key} » n'est en vigueur le {on:%d.%m.%Y}" in str(excinfo.value)


def test_gap_between_rows_is_missing():
    book = StaticRateBook([_row("k", date(2024, 1, 1), date(2024, 6, 30), "1.00"),
                           _row("k", date(2024, 8, 1), None, "2.00")])
    with pytest.raises(MissingRate):
        book.amount("k", date(2024, 7, 15))


def test_static_book_accepts_rows_with_the_same_attributes():
    row = SimpleNamespace(key="k", valid_from=date(2025, 1, 1), valid_to=None, amount="3.5",
                          label="Taux", source="Source")
    assert StaticRateBook([row]).amount("k", date(2025, 5, 1)) == D("3.50")


def test_books_satisfy_the_protocol():
    assert isinstance(StaticRateBook(), RateBook)
    assert isinstance(DatabaseRateBook(session=object()), RateBook)


# --- Database ---------------------------------------------------------------------------------

def _count():
    return db.session.scalar(select(func.count()).select_from(Rate))


def test_seed_then_look_up_in_the_database(app):
    db.session.execute(delete(Rate))  # the app fixture seeds them, as the migrations do
    db.session.commit()
    assert _count() == 0
    assert seed_default_rates(db.session) == len(default_rates())
    db.session.commit()
    assert _count() == len(default_rates())

    book = DatabaseRateBook()
    assert book.amount("deplacement.voiture_km", date(2025, 3, 3)) == D("0.45")
    assert book.amount("assistance.heure", date(2024, 12, 31)) == D("34.30")
    assert book.amount("assistance.heure", date(2025, 1, 1)) == D("35.30")
    amount = book.amount("api_mineur.moyenne", date(2025, 1, 1))
    assert amount == D("42.00") and isinstance(amount, Decimal)
    assert book.row("assistance.nuit_max", date(2025, 1, 1)).source == "RAI art. 39f"
    with pytest.raises(MissingRate):
        book.amount("assistance.heure", date(2023, 1, 1))
    with pytest.raises(MissingRate):
        book.amount("inconnu.taux", date(2025, 1, 1))


def test_seeding_twice_inserts_nothing(app):
    seed_default_rates(db.session)
    db.session.commit()
    assert seed_default_rates(db.session) == 0
    db.session.commit()
    assert _count() == len(default_rates())


def test_seeding_keeps_the_office_edits_and_restores_missing_rows(app):
    seed_default_rates(db.session)
    db.session.commit()
    km = db.session.scalar(select(Rate).where(Rate.key == "deplacement.voiture_km"))
    km.amount = D("0.70")
    db.session.delete(db.session.scalar(select(Rate).where(Rate.key == "deplacement.nuit")))
    db.session.commit()

    assert seed_default_rates(db.session) == 1
    db.session.commit()
    book = DatabaseRateBook()
    assert book.amount("deplacement.voiture_km", date(2025, 1, 1)) == D("0.70")
    assert book.amount("deplacement.nuit", date(2025, 1, 1)) == D("37.50")


def test_database_book_caches_per_instance(app):
    db.session.add(Rate(key="k", valid_from=date(2025, 1, 1), valid_to=None, amount=D("1.00"),
                        label="Taux", source="Source"))
    db.session.commit()
    book = DatabaseRateBook()
    assert book.amount("k", date(2025, 1, 1)) == D("1.00")

    db.session.add(Rate(key="k", valid_from=date(2025, 6, 1), valid_to=None, amount=D("2.00"),
                        label="Taux", source="Source"))
    db.session.commit()
    assert book.amount("k", date(2025, 7, 1)) == D("1.00")              # this instance's view
    assert DatabaseRateBook().amount("k", date(2025, 7, 1)) == D("2.00")  # a new one sees it


# --- The office changes a rate (``flask rates set``) ------------------------------------------

def rows(key: str) -> list[tuple]:
    return [(rate.valid_from, rate.valid_to, rate.amount, rate.label, rate.source)
            for rate in db.session.scalars(select(Rate).where(Rate.key == key)
                                           .order_by(Rate.valid_from))]


def test_a_new_rate_ends_the_one_that_starts_last_the_day_before(app):
    label = "Contribution d'assistance, par heure"
    change_rate("assistance.heure", D("36.1"), date(2026, 1, 1), "RAI art. 39f (2026)")
    db.session.commit()
    assert rows("assistance.heure") == [
        (date(2024, 1, 1), date(2024, 12, 31), D("34.30"), label, "RAI art. 39f"),
        (date(2025, 1, 1), date(2025, 12, 31), D("35.30"), label, "RAI art. 39f"),
        (date(2026, 1, 1), None, D("36.10"), label, "RAI art. 39f (2026)"),
    ]
    book = DatabaseRateBook()
    assert book.amount("assistance.heure", date(2025, 12, 31)) == D("35.30")
    assert book.amount("assistance.heure", date(2026, 1, 1)) == D("36.10")


@pytest.mark.parametrize("key, amount, valid_from, source, message", [
    ("inconnu", "1", date(2027, 1, 1), "RAI", "Taux inconnu : inconnu"),
    ("assistance.heure", "36", date(2025, 1, 1), "RAI", "doit suivre le début"),
    ("assistance.heure", "36", date(2024, 6, 1), "RAI", "doit suivre le début"),  # before 2025
    ("assistance.heure", "-1", date(2027, 1, 1), "RAI", "Montant hors limites"),
    ("assistance.heure", "NaN", date(2027, 1, 1), "RAI", "Montant hors limites"),
    ("assistance.heure", "1E+10", date(2027, 1, 1), "RAI", "Montant hors limites"),
    ("assistance.heure", "36", date(2027, 1, 1), " ", "base légale"),
    ("assistance.heure", "36", date(2027, 1, 1), "R" * 121, "base légale"),
], ids=["unknown-key", "same-start", "earlier-start", "negative", "nan", "too-large",
        "no-source", "long-source"])
def test_a_rate_change_that_breaks_a_rule_changes_nothing(app, key, amount, valid_from, source,
                                                          message):
    before = rows("assistance.heure")
    with pytest.raises(RateChangeRefused, match=message):
        change_rate(key, D(amount), valid_from, source)
    db.session.commit()
    assert rows("assistance.heure") == before
    assert rows("inconnu") == []
