"""Numbers in URLs beyond what the database holds (``/gestion/lots/99999999999999999999``):
every route with an id, for an administrator and for an insured person, answers « not
found », never a 500 (the database would refuse such a number)."""
from __future__ import annotations

import pytest
from flask import url_for

from tests.support.batches import a_batch

HUGE = 2**31  # one beyond PostgreSQL's integer


def urls_with_ids(app) -> list[tuple[str, str]]:
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.arguments and all(
                    type(rule._converters[name]).__name__ == "DatabaseId"
                    for name in rule.arguments):
                url = url_for(rule.endpoint, **{name: HUGE for name in rule.arguments})
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    found.append((method, url))
    return found


@pytest.mark.parametrize("who", ["admin_client", "ready"])
def test_ids_too_large_for_the_database_are_not_found(app, request, who):
    client = request.getfixturevalue(who)
    urls = urls_with_ids(app)
    assert len(urls) > 40
    for method, url in urls:
        response = client.open(url, method=method, data={})
        assert response.status_code == 404, (method, url, response.status_code)


def test_ids_the_database_holds_still_reach_their_page(app, factory, admin_client):
    batch = a_batch(factory)
    assert admin_client.get(f"/gestion/lots/{batch.id}").status_code == 200
    assert admin_client.get(f"/gestion/lots/{2**31 - 1}").status_code == 404  # the largest
