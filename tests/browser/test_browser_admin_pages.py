"""An administrator keeps the office's data from the browser, with JavaScript on and off: uploads
the register (an empty try refused and explained, then a file with a bad line) and reads the
report; adds a rate from a date (a date too early refused on its field); adds a reduction reason
and retires it. axe-core and vnu check each page; the pages reflow at 390 px."""
from __future__ import annotations

import re
from datetime import date

import pyotp
import pytest
from playwright.sync_api import expect

from guichet.core.i18n import today_in_zurich
from tests.browser.steps import JS_ON_AND_OFF, enter_code, log_in, menu, see_page
from tests.support.accounts import navs_with_check

pytestmark = pytest.mark.usefixtures("generous_login_limits")


def rates_in_database(live) -> None:
    from guichet.invoices.rates import seed_default_rates
    from guichet.models.base import db
    with live.lock, live.app.app_context():
        seed_default_rates(db.session)
        db.session.commit()


def log_in_as_admin(page, live, js: bool, who: str) -> None:
    secret = pyotp.random_base32()
    admin = live.add_user(role="admin", totp_secret=secret,
                          email=f"admin-{who}-{'js' if js else 'nojs'}@office.example.ch")
    page.goto("/")
    log_in(page, admin.email)
    enter_code(page, pyotp.TOTP(secret).now())
    menu(page).get_by_role("link", name="Administration").click()
    see_page(page, "Administration de l'office")


def fits_a_phone(page) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.set_viewport_size(size)


@JS_ON_AND_OFF
def test_an_administrator_uploads_the_register_and_reads_the_report(page, live, check, js,
                                                                    tmp_path):
    log_in_as_admin(page, live, js, "register")
    page.get_by_role("link", name="Registre et décisions (import CSV)").click()
    see_page(page, "Registre et décisions")
    check("l'import du registre et des décisions")
    fits_a_phone(page)

    register = page.locator("#register-import-form")
    register.get_by_role("button", name="Importer le registre").click()
    expect(page.get_by_role("alert")).to_contain_text("Choisissez le fichier CSV.")
    check("l'import du registre, aucun fichier")

    base = 500000000 + (1 if js else 11)
    good = [navs_with_check(f"{base + n:09d}") for n in range(2)]
    wrong_check_digit = good[1][:-1] + str((int(good[1][-1]) + 1) % 10)
    csv = tmp_path / "registre.csv"
    csv.write_text("navs13;nom;prenom;date_naissance\n"
                   f"{good[0]};Muster;Anna;15.03.1985\n"
                   f"{good[1]};Ćosić;Marko;1979-11-02\n"
                   f"{wrong_check_digit};Faux;Chiffre;1985-03-15\n", encoding="utf-8")
    page.locator("#register-import-form").get_by_label("Fichier CSV").set_input_files(str(csv))
    page.locator("#register-import-form").get_by_role("button", name="Importer le registre").click()
    report = page.locator("#import-report")
    expect(report.get_by_role("heading", name="Rapport de l'import du registre")).to_be_visible()
    expect(report).to_contain_text(
        "2 ajoutée(s), 0 mise(s) à jour, 0 inchangée(s), 1 ligne(s) refusée(s).")
    expect(report.get_by_role("listitem")).to_have_count(1)
    expect(report.get_by_role("listitem")).to_contain_text(re.compile(r"^ligne 4 : "))
    check("l'import du registre, son rapport")
    fits_a_phone(page)

    # the same file again: nothing changes
    page.locator("#register-import-form").get_by_label("Fichier CSV").set_input_files(str(csv))
    page.locator("#register-import-form").get_by_role("button", name="Importer le registre").click()
    expect(page.locator("#import-report")).to_contain_text(
        "0 ajoutée(s), 0 mise(s) à jour, 2 inchangée(s), 1 ligne(s) refusée(s).")


@JS_ON_AND_OFF
def test_an_administrator_adds_a_rate_from_a_date(page, live, check, js):
    rates_in_database(live)
    log_in_as_admin(page, live, js, "rates")
    page.get_by_role("link", name="Taux et forfaits").click()
    see_page(page, "Taux et forfaits")
    check("les taux")
    fits_a_phone(page)

    # each run its own rate, so that the two runs (same database) do not depend on each other
    key, label = (("deplacement.nuit", "Nuit hors du domicile") if js else
                  ("deplacement.repas_plus_8h", "Repas (viatique), absence de plus de 8 heures"))
    form = page.locator("#rate-form")
    form.get_by_label("Taux").select_option(label=f"{label} ({key})")
    form.get_by_label("Nouveau montant (CHF)").fill("40.00")
    form.get_by_label("En vigueur dès le").fill("01.01.1990")
    form.get_by_label("Base légale").fill("RAI art. 90 (révision)")
    form.get_by_role("button", name="Enregistrer le taux").click()
    expect(page.get_by_role("alert")).to_contain_text("La date doit suivre le début du taux")
    check("les taux, date refusée")

    start = date(today_in_zurich().year + 1, 1, 1)
    page.locator("#rate-form").get_by_label("En vigueur dès le").fill(f"{start:%d.%m.%Y}")
    page.locator("#rate-form").get_by_role("button", name="Enregistrer le taux").click()
    expect(page.get_by_text(f"Nouveau taux enregistré : {label}, 40.00 CHF dès le "
                            f"{start:%d.%m.%Y}.")).to_be_visible()
    section = page.locator(f'[id="rate-{key}"]')
    expect(section).to_contain_text(f"dès le {start:%d.%m.%Y}")
    expect(section).to_contain_text("40.00 CHF")
    expect(section).to_contain_text("RAI art. 90 (révision)")
    check("les taux, nouveau taux")
    fits_a_phone(page)


@JS_ON_AND_OFF
def test_an_administrator_retires_a_reduction_reason(page, live, check, js):
    log_in_as_admin(page, live, js, "reasons")
    page.get_by_role("link", name="Motifs de réduction").click()
    see_page(page, "Motifs de réduction")
    check("les motifs de réduction")

    label = "Tarif cantonal de référence" + (" (JS)" if js else "")
    page.locator("#add-reason-form").get_by_label("Motif").fill(label)
    page.locator("#add-reason-form").get_by_role("button", name="Ajouter").click()
    last = page.locator("ol.reason-list > li").last
    expect(last.get_by_label("Motif")).to_have_value(label)
    last.get_by_role("button", name=f"Désactiver : {label}").click()
    expect(page.get_by_text("Motif désactivé : il n'est plus proposé pour les nouvelles "
                            "validations.")).to_be_visible()
    retired = page.locator("ol.reason-list > li").last
    expect(retired).to_contain_text("Désactivé")
    expect(retired.get_by_role("button", name=f"Réactiver : {label}")).to_be_visible()
    check("les motifs de réduction, motif désactivé")
    fits_a_phone(page)
