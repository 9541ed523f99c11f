"""A form that comes back with errors says so first: the browser tab's title begins with
« Erreur : », the first skip link leads to the list of errors, and that list (right after the
page's heading) takes the focus as the page opens, without JavaScript too (autofocus). A page
without errors says none of this."""
from __future__ import annotations

import re

import pytest

from tests.support.invoices import complete_standard, new_invoice, send
from tests.support.page import text_of


def title(response) -> str:
    return text_of(re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S)[1])


def says_errors_first(response) -> None:
    body = response.get_data(as_text=True)
    assert title(response).startswith("Erreur : "), title(response)
    skip_links = re.findall(r'<a class="skip-link" href="([^"]+)">([^<]+)</a>', body)
    assert skip_links[0] == ("#error-summary", "Aller à la liste des erreurs"), skip_links
    summaries = re.findall(r'<div class="error-summary"[^>]*>', body)
    assert len(summaries) == 1 and 'id="error-summary"' in summaries[0], summaries
    assert " autofocus" in summaries[0] and 'tabindex="-1"' in summaries[0]
    assert body.count("autofocus") == 1


def says_no_error(response) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert not title(response).startswith("Erreur"), title(response)
    assert 'error-summary' not in body and "autofocus" not in body
    assert "Aller à la liste des erreurs" not in body


def summary_right_after_the_heading(response) -> None:
    body = response.get_data(as_text=True)
    after_h1 = body[body.index("</h1>") + 5:]
    assert re.match(r'\s*(<p[^>]*>[^<]*</p>\s*)?<div class="error-summary"', after_h1), \
        after_h1[:300]


VISITOR_FORMS = [
    ("/connexion", {"email": "", "password": ""}),
    ("/inscription", {"email": "pas-une-adresse"}),
    ("/mot-de-passe-oublie", {"email": ""}),
]


@pytest.mark.parametrize("path, data", VISITOR_FORMS)
def test_a_visitor_form_that_comes_back_with_errors_says_so_first(client, path, data):
    says_no_error(client.get(path))
    response = client.post(path, data=data)
    assert response.status_code in (200, 422)
    says_errors_first(response)
    summary_right_after_the_heading(response)


ACCOUNT_FORMS = [
    ("/compte/email", {"email": "pas-une-adresse", "password": ""}),
    ("/compte/portable", {"mobile": "032 910 71 00", "password": ""}),
    ("/compte/mot-de-passe", {"current_password": "", "password": "", "password_confirm": ""}),
    ("/compte/iban/", {"iban": "CH00 0000", "holder": ""}),
]


@pytest.mark.parametrize("path, data", ACCOUNT_FORMS)
def test_an_account_form_that_comes_back_with_errors_says_so_first(logged_in, path, data):
    says_no_error(logged_in.get(path))
    response = logged_in.post(path, data=data)
    assert response.status_code in (200, 422)
    says_errors_first(response)


@pytest.mark.parametrize("path, data", [
    ("/compte/", {"nom": "", "npa": "x"}),
    ("/compte/beneficiaires/", {"navs13": "123", "nom": "", "prenom": "",
                                "date_naissance": "", "relation": "child"}),
])
def test_the_forms_further_down_a_page_say_so_first_too(logged_in, path, data):
    says_no_error(logged_in.get(path))
    says_errors_first(logged_in.post(path, data=data))


def test_the_code_page_with_a_wrong_code_says_so_first(client, factory, sms):
    from tests.support.accounts import a_wrong_code, start_login
    user = factory.user()
    start_login(client, user)
    says_no_error(client.get("/connexion/code"))
    response = client.post("/connexion/code", data={"code": a_wrong_code(sms.last_code(
        user.phone))})
    says_errors_first(response)
    summary_right_after_the_heading(response)


def test_an_incomplete_invoice_at_the_review_says_so_first(ready):
    invoice_id = new_invoice(ready, "standard")
    response = ready.get(f"/demandes/{invoice_id}/verifier")
    says_errors_first(response)
    summary_right_after_the_heading(response)
    complete = complete_standard(ready)
    says_no_error(ready.get(f"/demandes/{complete}/verifier"))


def test_an_unanswered_complement_says_so_first(app, ready, factory):
    from tests.support.invoices import ask_for_complement
    invoice_id = complete_standard(ready)
    send(ready, invoice_id)
    ask_for_complement(app, invoice_id, factory)
    says_no_error(ready.get(f"/demandes/{invoice_id}"))
    response = ready.post(f"/demandes/{invoice_id}/complement", data={"message": ""})
    assert response.status_code == 422
    says_errors_first(response)


def test_an_error_message_alone_puts_erreur_in_the_title(app, ready):
    from guichet.models import User
    from guichet.models.base import db
    user = db.session.get(User, ready.user.id)
    user.email_confirmed_at = None
    db.session.commit()
    response = ready.post("/demandes/nouvelle", data={"type": "standard"},
                          follow_redirects=True)
    assert title(response).startswith("Erreur : Mes demandes")
    assert re.search(r'<p class="flash flash--error" tabindex="-1">Confirmez d', response
                     .get_data(as_text=True))
    assert not title(ready.get("/demandes/")).startswith("Erreur")
