"""The administrators upload the register and the decisions (CSV) from the browser: the same
import, rules and report as the command line (one formatter, the same words), importing twice
changes nothing, a bad file (not text, wrong header, too large, empty, none) is refused with a
French reason and changes nothing, each import and refusal is audited with counts and never a
N° AVS; only administrators reach the page."""
from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from guichet.models import AuditEntry, Decision, RegisteredPerson
from guichet.models.base import db
from tests.support.accounts import navs_with_check
from tests.support.databases import count
from tests.support.files import pdf_bytes, png_bytes
from tests.support.page import page_text
from tests.support.params import first_also_on_postgresql

PAGE = "/gestion/registre"
REGISTER_URL, DECISIONS_URL = f"{PAGE}/personnes", f"{PAGE}/decisions"
NAVS_A, NAVS_B, NAVS_C = (navs_with_check(f"{n:09d}") for n in (400000001, 400000002, 400000003))
BAD_CHECK_DIGIT = NAVS_B[:-1] + str((int(NAVS_B[-1]) + 1) % 10)

REGISTER = ("navs13;nom;prenom;date_naissance\n"
            f"{NAVS_A};Muster;Anna;1985-03-15\n"
            f"{NAVS_B};Ćosić;Marko;02.11.1979\n"
            f"{BAD_CHECK_DIGIT};Faux;Chiffre;1985-03-15\n"
            f"{NAVS_C};Sans;Date;31.02.1985\n").encode()


def upload(client, url: str, content: bytes, name: str = "registre.csv"):
    prefix = "register" if url == REGISTER_URL else "decisions"
    return client.post(url, data={f"{prefix}-file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def report_of(response) -> list[str]:
    """The report's sentence and refused lines, as the page shows them."""
    body = response.get_data(as_text=True)
    section = re.search(r'<section class="import-report".*?</section>', body, re.S)
    assert section, "no report on the page"
    summary = re.search(r'<p class="import-report__summary">(.*?)</p>', section.group(0), re.S)
    refused = re.findall(r"<li>(.*?)</li>", section.group(0), re.S)
    return [html.unescape(" ".join(text.split())) for text in [summary.group(1), *refused]]


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def test_the_administration_index_links_to_the_imports(admin_client):
    assert f'href="{PAGE}"' in admin_client.get("/gestion/administration").get_data(as_text=True)
    page = admin_client.get(PAGE)
    assert page.status_code == 200
    text = page_text(page)
    assert "Registre des assuré·e·s" in text and "Décisions de l'office" in text
    assert "navs13, nom, prenom, date_naissance" in text
    assert 'enctype="multipart/form-data"' in page.get_data(as_text=True)


def test_an_upload_of_the_register_shows_the_report_and_twice_changes_nothing(app,
                                                                              admin_client):
    first = upload(admin_client, REGISTER_URL, REGISTER)
    assert first.status_code == 200
    lines = report_of(first)
    assert lines[0] == "2 ajoutée(s), 0 mise(s) à jour, 0 inchangée(s), 2 ligne(s) refusée(s)."
    assert lines[1].startswith("ligne 4 : ") and "N° AVS n'est pas valable" in lines[1]
    assert lines[2].startswith("ligne 5 : ") and "Cette date n'existe pas" in lines[2]
    assert "Rapport de l'import du registre" in page_text(first)
    people = {person.navs13: person for person in db.session.scalars(select(RegisteredPerson))}
    assert set(people) == {NAVS_A, NAVS_B}
    assert (people[NAVS_B].nom, people[NAVS_B].date_naissance) == ("Ćosić", date(1979, 11, 2))

    again = upload(admin_client, REGISTER_URL, REGISTER)
    assert report_of(again)[0] == ("0 ajoutée(s), 0 mise(s) à jour, 2 inchangée(s), "
                                   "2 ligne(s) refusée(s).")
    assert count(RegisteredPerson) == 2

    changed = REGISTER.replace(b"Muster;Anna", b"Muster-Keller;Anna")
    assert report_of(upload(admin_client, REGISTER_URL, changed))[0].startswith(
        "0 ajoutée(s), 1 mise(s) à jour, 1 inchangée(s)")
    assert db.session.scalar(select(RegisteredPerson.nom).where(
        RegisteredPerson.navs13 == NAVS_A)) == "Muster-Keller"


def test_the_page_s_report_is_the_command_line_s_word_for_word(app, admin_client, runner,
                                                               tmp_path):
    path = tmp_path / "registre.csv"
    path.write_bytes(REGISTER)
    assert runner.invoke(args=["register", "import", str(path)]).exit_code == 0
    command = runner.invoke(args=["register", "import", str(path)])  # now: all unchanged
    page = upload(admin_client, REGISTER_URL, REGISTER)
    assert report_of(page) == command.output.strip().splitlines()

    decisions = (f"navs13,numero_decision,type_facture,valable_du,valable_au,degre,"
                 f"montant_mensuel\n{NAVS_A},32420250000001,deplacement,2025-01-01,,,\n"
                 f"{NAVS_A},32420250000005,inconnu,2025-01-01,,,\n").encode()
    path.write_bytes(decisions)
    command = runner.invoke(args=["register", "import-decisions", str(path)])
    assert command.exit_code == 0
    db.session.execute(Decision.__table__.delete())
    db.session.commit()
    page = upload(admin_client, DECISIONS_URL, decisions, "decisions.csv")
    assert report_of(page) == command.output.strip().splitlines()


def test_an_upload_of_the_decisions_shows_its_report(app, admin_client, factory):
    person = factory.person()
    content = (
        "navs13;numero_decision;type_facture;valable_du;valable_au;degre;montant_mensuel\n"
        f"{person.navs13};324 2025 0000001;deplacement;01.01.2025;;;\n"
        f"{person.navs13};32420250000002;assistance;2025-01-01;31.12.2026;;3'000.00\n"
        f"{person.navs13};32420250000005;inconnu;2025-01-01;;;\n").encode()
    response = upload(admin_client, DECISIONS_URL, content, "decisions.csv")
    assert response.status_code == 200
    lines = report_of(response)
    assert lines[0] == "2 ajoutée(s), 0 mise(s) à jour, 0 inchangée(s), 1 ligne(s) refusée(s)."
    assert lines[1].startswith("ligne 4 : type de facture inconnu")
    assert "Rapport de l'import des décisions" in page_text(response)
    assert sorted(db.session.scalars(select(Decision.number))) == ["32420250000001",
                                                                   "32420250000002"]
    again = upload(admin_client, DECISIONS_URL, content, "decisions.csv")
    assert report_of(again)[0].startswith("0 ajoutée(s), 0 mise(s) à jour, 2 inchangée(s)")


def test_each_import_is_audited_with_its_counts_and_no_avs_number(app, admin_client):
    upload(admin_client, REGISTER_URL, REGISTER)
    upload(admin_client, REGISTER_URL, REGISTER)
    entries = audit("register_imported")
    assert [entry.detail for entry in entries] == [
        {"created": 2, "updated": 0, "unchanged": 0, "refused": 2},
        {"created": 0, "updated": 0, "unchanged": 2, "refused": 2}]
    assert all(entry.actor_id == admin_client.user.id and entry.actor_role == "admin"
               and entry.object_type == "register" for entry in entries)
    every = " ".join(f"{entry.object_id} {entry.detail}" for entry in db.session.scalars(
        select(AuditEntry)))
    for navs in (NAVS_A, NAVS_B, NAVS_C, BAD_CHECK_DIGIT):
        assert navs not in every and navs[3:] not in every


@pytest.mark.parametrize("content, reason", first_also_on_postgresql([
    (bytes(range(256)) * 4, "ce n'est pas un fichier texte (UTF-8 ou Windows-1252)"),
    (b"navs13;nom;prenom\n7561234567897;Muster;Anna\n", "colonnes manquantes : date_naissance"),
    (b"nom,prenom\nMuster,Anna\n", "colonnes manquantes : navs13, date_naissance"),
    (png_bytes(), "ce n'est pas un fichier"),
    (pdf_bytes(), "colonnes manquantes"),
    (b"", "le fichier est vide"),
    (b"x" * 3000, "le fichier dépasse"),
], ids=["not-text", "missing-column", "other-columns", "image", "pdf", "empty", "too-large"]))
@pytest.mark.config(REGISTER_IMPORT_MAX_BYTES=2048)
def test_a_bad_file_is_refused_with_its_reason_and_changes_nothing(app, admin_client, content,
                                                                    reason):
    response = upload(admin_client, REGISTER_URL, content)
    assert response.status_code == 422
    text = page_text(response)
    assert "Veuillez corriger ce qui suit" in text
    assert "Fichier refusé : " in text and reason in text, text
    assert 'href="#register-file"' in response.get_data(as_text=True)
    assert count(RegisteredPerson) == 0
    [entry] = audit("register_import_refused")
    assert entry.actor_id == admin_client.user.id
    assert reason.split(" (")[0] in entry.detail["reason"]
    assert audit("register_imported") == []


@pytest.mark.config(REGISTER_IMPORT_MAX_BYTES=2048)
def test_a_bad_decisions_file_or_no_file_changes_nothing(app, admin_client):
    response = upload(admin_client, DECISIONS_URL, REGISTER, "registre.csv")
    assert response.status_code == 422
    assert "colonnes manquantes : numero_decision, type_facture, valable_du" in page_text(response)
    assert 'href="#decisions-file"' in response.get_data(as_text=True)
    none = admin_client.post(REGISTER_URL, data={}, content_type="multipart/form-data")
    assert none.status_code == 422 and "Choisissez le fichier CSV." in page_text(none)
    assert count(Decision) == 0 and count(RegisteredPerson) == 0
    assert len(audit("decisions_import_refused")) == 1
    # a request far above the limit: refused before it is read
    huge = upload(admin_client, REGISTER_URL, b"x" * 200_000)
    assert huge.status_code == 413 and count(RegisteredPerson) == 0


def test_the_imports_are_for_admins_only(app, staff_client, ready):
    assert staff_client.get(PAGE).status_code == 403
    assert upload(staff_client, REGISTER_URL, REGISTER).status_code == 403
    assert upload(staff_client, DECISIONS_URL, REGISTER).status_code == 403
    assert ready.get(PAGE).status_code == 404
    assert upload(ready, REGISTER_URL, REGISTER).status_code == 404
    assert count(RegisteredPerson) == 1  # the insured person's own entry, nothing imported
