"""The office changes a rate without a deploy: the new rate applies by the date of the cost."""
from datetime import date
from decimal import Decimal

from guichet.invoices.rates import DatabaseRateBook


def test_new_rate_from_a_date(runner, app):
    result = runner.invoke(args=["rates", "set", "deplacement.voiture_km", "0.50",
                                 "--from", "2027-01-01", "--source", "RAI art. 90 (révision)"])
    assert result.exit_code == 0, result.output
    book = DatabaseRateBook()
    assert book.amount("deplacement.voiture_km", date(2026, 12, 31)) == Decimal("0.45")
    assert book.amount("deplacement.voiture_km", date(2027, 1, 1)) == Decimal("0.50")
    listing = runner.invoke(args=["rates", "list"]).output
    assert "deplacement.voiture_km" in listing and "2027-01-01" in listing


def test_unknown_rate_or_bad_date_changes_nothing(runner, app):
    assert runner.invoke(args=["rates", "set", "inconnu", "1", "--from", "2027-01-01",
                               "--source", "x"]).exit_code != 0
    bad = runner.invoke(args=["rates", "set", "deplacement.voiture_km", "abc", "--from",
                              "2027-01-01", "--source", "x"])
    assert bad.exit_code != 0 and "illisible" in bad.output
    assert DatabaseRateBook().amount("deplacement.voiture_km", date(2030, 1, 1)) == \
        Decimal("0.45")
