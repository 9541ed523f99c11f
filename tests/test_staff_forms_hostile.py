"""Every form of the office's administration and transmission pages survives hostile input
(security.md 13): each form found on those pages, as an administrator sees them, is sent with
every field filled with oversized, control-character, formula, invalid-UTF-8 or nonsense values
(and a binary file in each file field). The answer is French, never a 500."""
from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest

from tests.support.batches import build, validated
from tests.support.people import sent_invoice

HOSTILE_VALUES = ["x" * 5000, "\x00\x01\x1b[31m", "=HYPERLINK(\"http://evil\")", "-1",
                  "99999999999999999999", "2147483648", "31.02.2026", "<script>alert(1)</script>",
                  "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"), ""]
BINARY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


class FormFinder(HTMLParser):
    """The POST forms of a page: (action, [(name, type)])."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = (attrs.get("action") or "", [])
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea"):
            name = attrs.get("name")
            if name and name != "csrf_token":
                self._current[1].append((name, attrs.get("type") or tag))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms_of(html: str):
    finder = FormFinder()
    finder.feed(html)
    return finder.forms


@pytest.fixture
def pages(app, ready, factory, admin_client):
    """The pages to read the forms from: the administration's, a batch (transmitted, with its
    payment form), the list of batches and the form of a new one."""
    sent_invoice(ready)
    owner = factory.user(email="hostile.owner@example.ch")
    builder = factory.user(email="hostile.lots@example.ch", role="transmission")
    validated(owner, builder, 2)
    batch = build(app, builder)
    validated(owner, builder, 1)  # one left for « Nouveau lot »
    transmitted = admin_client.post(f"/gestion/lots/{batch.id}/transmis",
                                    data={"transmitted_on": "01.12.2026"})
    assert transmitted.status_code in (303, 422)
    return ["/gestion/personnel", "/gestion/registre", "/gestion/taux",
            "/gestion/motifs-de-refus", "/gestion/motifs-de-reduction", "/gestion/journal",
            "/gestion/lots", "/gestion/lots/nouveau", f"/gestion/lots/{batch.id}",
            f"/gestion/personnes/{owner.id}"]


def test_every_administration_form_survives_hostile_values(app, pages, admin_client):
    sent = 0
    for url in pages:
        page = admin_client.get(url)
        assert page.status_code == 200, url
        for action, fields in forms_of(page.get_data(as_text=True)):
            if "/deconnexion" in action:
                continue
            for value in HOSTILE_VALUES:
                data = {}
                for name, kind in fields:
                    data[name] = ((io.BytesIO(BINARY), "liste.csv") if kind == "file"
                                  else value)
                response = admin_client.post(action or url, data=data,
                                             content_type="multipart/form-data")
                sent += 1
                assert response.status_code < 500, (url, action, value[:20])
                if response.status_code in (200, 422):
                    assert "Erreur interne" not in response.get_data(as_text=True)
    assert sent > 100
