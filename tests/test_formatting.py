"""The template filters (guichet.core.formatting.init_filters): every page, fragment and PDF
shows amounts, sizes, masked numbers, decision numbers and Swiss dates the same way, through one
filter each."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest

from guichet.core.formatting import FILTERS, format_decision_number, once_per_page

ACCOUNT = SimpleNamespace(iban="CH9300762011623852957", holder="Anna Muster", bank_name=None)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("template, values, shown", [
    ("{{ x|chf }}", {"x": Decimal("1234.5")}, "1'234.50 CHF"),
    ("{{ x|chf }}", {"x": -1234567}, "-1'234'567.00 CHF"),
    ("{{ x|size }}", {"x": 1536 * 1024}, "1,5 Mo"),
    ("{{ x|size }}", {"x": 1}, "1 octet"),
    ("{{ x|navs13_masked }}", {"x": "7561234567897"}, "756.****.****.97"),
    ("{{ x|iban_masked }}", {"x": "CH9300762011623852957"}, "CH93 **** **** **** *295 7"),
    ("{{ x|account_label }}", {"x": ACCOUNT},
     "CH93 **** **** **** *295 7 — Anna Muster (banque inconnue)"),
    ("{{ x|decision_number }}", {"x": "32420250001234"}, "324 2025 0001234"),
    ("{{ x|decision_number }}", {"x": "324.2025.12"}, "324.2025.12"),
    ("{{ x|swiss_date }}", {"x": datetime(2026, 11, 27, 23, 30, tzinfo=timezone.utc)},
     "28.11.2026"),
    ("{{ x|swiss_date }}", {"x": date(2026, 1, 5)}, "05.01.2026"),
    ("{{ x|swiss_datetime }}", {"x": datetime(2026, 11, 27, 13, 5, tzinfo=timezone.utc)},
     "27.11.2026 à 14:05"),
])
def test_each_filter_is_registered_for_every_template(app, template, values, shown):
    with app.test_request_context():
        assert unescape(app.jinja_env.from_string(template).render(**values)) == shown


@pytest.mark.sqlite_only
def test_the_filters_escape_what_they_show(app):
    """A holder's name is the person's text: it is escaped like any other value."""
    account = SimpleNamespace(iban="CH9300762011623852957", holder="<b>Anna</b>",
                              bank_name="UBS")
    with app.test_request_context():
        html = app.jinja_env.from_string("{{ x|account_label }}").render(x=account)
    assert "<b>" not in html and "&lt;b&gt;Anna&lt;/b&gt;" in html


@pytest.mark.sqlite_only
@pytest.mark.parametrize("path", ["/", "/compte/beneficiaires/", "/compte/iban/", "/demandes/"])
def test_no_formatter_is_handed_to_templates_in_a_context(app, path):
    """Templates reach the formatters as filters only: no global, and no value a context
    processor of the app or of the page's blueprint adds, is one of them."""
    formatters = {id(function) for function in FILTERS.values()}
    with app.test_request_context(path):
        context = {}
        app.update_template_context(context)
    assert not formatters & {id(value) for value in context.values()}
    assert not formatters & {id(value) for value in app.jinja_env.globals.values()}


@pytest.mark.parametrize("given, shown", [
    ("32420250001234", "324 2025 0001234"), ("", ""), (None, ""),
    ("3242025000123", "3242025000123"),          # 13 digits: as typed
    ("324-2025-00012", "324-2025-00012"),        # 14 characters, not 14 digits: as typed
])
def test_a_decision_number_is_grouped_only_when_it_has_its_14_digits(given, shown):
    assert format_decision_number(given) == shown


def test_once_per_page_works_each_answer_out_once():
    calls = []
    label = once_per_page(lambda key: calls.append(key) or key.upper())
    assert [label("a"), label("b"), label("a"), label("a")] == ["A", "B", "A", "A"]
    assert calls == ["a", "b"]
