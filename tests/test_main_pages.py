"""The way in: the public page, where a logged-in person lands, the browser's icon, and the
links that lead to every part of « Mon compte »."""
from __future__ import annotations

import re

from tests.support.page import page_text


def test_the_public_page_is_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "S'inscrire" in page_text(response) and "Connexion" in page_text(response)


def test_an_insured_person_opening_the_address_lands_on_their_invoices(logged_in):
    response = logged_in.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/demandes/"
    assert "Mes demandes de remboursement" in page_text(logged_in.get("/", follow_redirects=True))


def test_staff_opening_the_address_land_on_their_dashboard(staff_client):
    response = staff_client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/gestion/"


def test_the_browser_finds_an_icon(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    icon.close()
    page = client.get("/connexion").get_data(as_text=True)
    links = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert links[0] == "/favicon.ico"
    svg = client.get(links[1])
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.data.startswith(b"<svg")
    svg.close()


def test_my_data_is_linked_from_my_account(logged_in):
    page = logged_in.get("/compte/").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">Voir et télécharger mes données</a>', page)
    assert link and link.group(1) == "/compte/mes-donnees/"
    assert "Télécharger mes données" in page_text(logged_in.get(link.group(1)))
