"""The accessibility statement (eCH-0059): its conformity status, the obstacles still known, the
date of the last check, a written way to report an obstacle (the configured e-mail address, not
only the phone) and where to turn next; linked from the footer of every page."""
from __future__ import annotations

import re

import pytest

from tests.support.page import page_text


def section(text: str, heading: str, next_heading: str | None) -> str:
    start = text.index(heading)
    return text[start:text.index(next_heading, start)] if next_heading else text[start:]


@pytest.mark.config(CONTACT_EMAIL="accessibilite@ai-ne.example")
def test_the_statement_says_how_accessible_guichet_is_and_how_to_report_an_obstacle(client):
    response = client.get("/accessibilite")
    assert response.status_code == 200
    body, text = response.get_data(as_text=True), page_text(response)
    assert "<h1>Déclaration d'accessibilité</h1>" in body

    status = section(text, "État de conformité", "Ce qui est vérifié")
    assert "Partiellement conforme." in status and "eCH-0059" in status
    assert "WCAG 2.1 au niveau AA" in status
    assert re.search(r'<time datetime="2026-12-01">01\.12\.2026</time>', body)

    limits = section(text, "Obstacles connus", "Signaler un obstacle")
    assert "PDF des demandes ne sont pas balisés" in limits and "reçu HTML" in limits
    assert "30 minutes sans activité" in limits
    assert len(re.findall(r"<li>", body[body.index("Obstacles connus"):body.index(
        "Signaler un obstacle")])) >= 4

    feedback = section(text, "Signaler un obstacle", "Si notre réponse ne vous satisfait pas")
    assert "accessibilite@ai-ne.example" in feedback
    assert re.search(r'<a href="mailto:accessibilite@ai-ne\.example\?subject=[^"]+">'
                     r"accessibilite@ai-ne\.example</a>", body)
    assert "Nous vous répondons par écrit" in feedback

    escalation = section(text, "Si notre réponse ne vous satisfait pas", None)
    assert "direction de l'office" in escalation
    assert "Office fédéral des assurances sociales (OFAS)" in escalation
    assert "ne remplace pas une opposition" in escalation


@pytest.mark.parametrize("path, status", [("/", 200), ("/connexion", 200),
                                          ("/inscription", 200), ("/nulle-part", 404)])
def test_every_page_links_to_the_statement_from_its_footer(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    footer = re.search(r'<footer class="site-footer">(.*?)</footer>',
                       response.get_data(as_text=True), re.S)[1]
    assert '<a href="/accessibilite">Accessibilité</a>' in footer


def test_the_footer_links_to_the_statement_once_logged_in_too(ready):
    for path in ("/demandes/", "/compte/"):
        footer = re.search(r'<footer class="site-footer">(.*?)</footer>',
                           ready.get(path).get_data(as_text=True), re.S)[1]
        assert '<a href="/accessibilite">Accessibilité</a>' in footer
