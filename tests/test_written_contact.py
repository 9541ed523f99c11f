"""Beside the office's phone number, a written way to reach it (issue 8, item 6): the e-mail
address from the configuration and the Procom relay service for deaf persons."""
import pytest

from tests.support.page import page_text

PROCOM = '<a href="https://www.procom-deaf.ch/">www.procom-deaf.ch</a>'


@pytest.mark.parametrize("path", ["/", "/connexion", "/confidentialite", "/nulle-part"])
def test_every_page_with_the_phone_offers_a_written_contact(client, path):
    response = client.get(path)
    body = response.get_data(as_text=True)
    assert "032 910 71 00" in page_text(response)
    assert '<a href="mailto:guichet@ai-ne.example">guichet@ai-ne.example</a>' in body
    assert PROCOM in body
    assert "Personnes sourdes ou malentendantes : le service de relais Procom" in page_text(
        response)


@pytest.mark.config(CONTACT_EMAIL="ecrire@office.example")
def test_the_address_comes_from_the_configuration(client, hx_client):
    assert "mailto:ecrire@office.example" in client.get("/connexion").get_data(as_text=True)
    fragment = hx_client.get("/nulle-part").get_data(as_text=True)
    assert "<html" not in fragment and "mailto:ecrire@office.example" in fragment


def test_a_notice_mail_gives_the_address_too(logged_in, mailbox):
    logged_in.post("/compte/email", data={"email": "neu@example.ch",
                                          "current_password": "velo rouge sous la pluie 7"})
    [notice] = mailbox.to(logged_in.user.email)
    assert "ou écrivez-nous à guichet@ai-ne.example" in notice.text
