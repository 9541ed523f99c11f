"""« Bénéficiaires et décisions »: the holder is one, others must be in the register."""
from datetime import date

from sqlalchemy import select

from guichet.models import Beneficiary, Decision, SavedDecision
from guichet.models.base import db
from tests.support.accounts import login
from tests.support.page import page_text


def test_holder_is_listed_and_a_child_in_the_register_can_be_added(logged_in, factory):
    page = page_text(logged_in.get("/compte/beneficiaires/"))
    assert "Vous-même" in page
    child = factory.person(nom="Muster", prenom="Léo", born=date(2015, 5, 1))
    response = logged_in.post("/compte/beneficiaires/", data={
        "navs13": child.navs13, "nom": "muster", "prenom": "Léo", "date_naissance": "01.05.2015",
        "relation": "child"})
    assert response.status_code == 303
    page = page_text(logged_in.get("/compte/beneficiaires/"))
    assert "Léo Muster" in page and "Votre enfant" in page
    assert child.navs13 not in page  # AVS numbers are masked


def test_person_not_in_register_is_refused_with_a_clear_message(logged_in, factory):
    child = factory.person(nom="Muster", born=date(2015, 5, 1))
    response = logged_in.post("/compte/beneficiaires/", data={
        "navs13": child.navs13, "nom": "Autre", "prenom": "Léo", "date_naissance": "01.05.2015",
        "relation": "child"})
    assert response.status_code == 422
    assert "ne correspondent à aucun bénéficiaire" in page_text(response)
    assert db.session.scalars(select(Beneficiary).where(
        Beneficiary.navs13 == child.navs13)).first() is None


def test_decision_number_saved_checked_and_removed(logged_in):
    logged_in.get("/compte/beneficiaires/")
    holder = db.session.scalars(select(Beneficiary)).one()
    url = f"/compte/beneficiaires/{holder.id}/decisions"
    prefix = f"d{holder.id}-"
    bad = logged_in.post(url, data={prefix + "number": "322 2025 0001234"})
    assert bad.status_code == 422
    assert "n'est pas de l'Office AI du canton de Neuchâtel (code 324)" in page_text(bad)
    ok = logged_in.post(url, data={prefix + "number": "324.2025.0001234",
                                   prefix + "description": "Transports thérapie"})
    assert ok.status_code == 303
    assert "324 2025 0001234 — Transports thérapie" in page_text(
        logged_in.get("/compte/beneficiaires/"))
    saved = db.session.scalars(select(SavedDecision)).one()
    assert saved.number == "32420250001234"
    assert logged_in.post(f"{url}/{saved.id}/supprimer").status_code == 303
    assert db.session.scalars(select(SavedDecision)).all() == []


def test_someone_else_s_beneficiary_answers_404(client, factory, sms, logged_in):
    logged_in.get("/compte/beneficiaires/")
    holder = db.session.scalars(select(Beneficiary)).one()
    other = factory.user()
    login(client, other, sms)
    assert client.post(f"/compte/beneficiaires/{holder.id}/decisions",
                       data={f"d{holder.id}-number": "32420250001234"}).status_code == 404
    assert client.post(f"/compte/beneficiaires/{holder.id}/supprimer").status_code == 404


def test_import_decisions_cli(runner, tmp_path, factory):
    person = factory.person()
    path = tmp_path / "decisions.csv"
    path.write_text(
        "navs13;numero_decision;type_facture;valable_du;valable_au;degre;montant_mensuel\n"
        f"{person.navs13};324 2025 0000001;deplacement;01.01.2025;;;\n"
        f"{person.navs13};32420250000002;assistance;2025-01-01;31.12.2026;;3'000.00\n"
        f"{person.navs13};32420250000003;api_mineur;2025-01-01;;moyenne;\n"
        f"{person.navs13};32220250000004;standard;2025-01-01;;;\n"
        f"{person.navs13};32420250000005;inconnu;2025-01-01;;;\n", encoding="utf-8")
    result = runner.invoke(args=["register", "import-decisions", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 ajoutée(s)" in result.output and "2 ligne(s) refusée(s)" in result.output
    assert "ligne 5" in result.output and "ligne 6 : type de facture inconnu" in result.output
    again = runner.invoke(args=["register", "import-decisions", str(path)])
    assert "0 ajoutée(s), 0 mise(s) à jour, 3 inchangée(s)" in again.output


def test_import_decisions_reads_the_degree_and_its_supplement(runner, tmp_path, factory):
    person = factory.person()
    path = tmp_path / "decisions.csv"
    path.write_text(
        "navs13,numero_decision,type_facture,valable_du,valable_au,degre,montant_mensuel\n"
        f"{person.navs13},32420250000011,api_mineur,2025-01-01,,Moyenne + 4h,\n"
        f"{person.navs13},32420250000012,api_mineur,2025-01-01,,grave,\n"
        f"{person.navs13},32420250000013,api_mineur,2025-01-01,,moyen,\n"
        f"{person.navs13},32420250000014,api_mineur,2025-01-01,,grave+5h,\n", encoding="utf-8")
    result = runner.invoke(args=["register", "import-decisions", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 ajoutée(s)" in result.output
    assert "ligne 4 : degré inconnu" in result.output
    assert "ligne 5 : degré inconnu" in result.output
    assert sorted(db.session.scalars(select(Decision.degree))) == ["grave", "moyenne+4h"]
