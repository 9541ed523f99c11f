"""Invoices in a real browser, with and without JavaScript: each of the five types from
« Mes demandes » to the receipt and its PDF, errors and the review page, a draft left and
resumed, and the deletion of a draft."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.invoice_steps import (HtmxWatch, add_child, answer, attach, attached, chf,
                                         days_in_last_month, download_pdf, fill, fill_all,
                                         header_is_prefilled, pdf_file, ready_account, redraw,
                                         refresh, review, send, start_invoice, total)
from tests.browser.steps import JS_ON_AND_OFF, log_in_with_sms, menu, see_page
from tests.support.invoices import a_recent_day, last_month

# each test here logs in: other files' tests must not run out of logins
pytestmark = pytest.mark.usefixtures("generous_login_limits")


@pytest.fixture
def htmx(page, js):
    return HtmxWatch(page, js)


def edit_path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url).split("#")[0].split("?")[0]


def receipt_and_pdf(page, check, htmx, name: str, amount: str, unconfirmed_first=False) -> str:
    """Review without problems, send (first without ticking « Je confirme… » when asked), the
    receipt and what happens next, its PDF, the sent invoice's page."""
    review(page, htmx)
    expect(page.get_by_text("Avant d'envoyer, complétez ceci")).to_have_count(0)
    expect(total(page)).to_contain_text(amount)
    check(f"{name} : vérifier, complet")
    receipt = send(page, check if unconfirmed_first else None)
    expect(page.get_by_role("heading", name="Et maintenant ?")).to_be_visible()
    expect(page.get_by_text("Centrale de compensation", exact=False)).to_be_visible()
    check(f"{name} : envoyée")
    download_pdf(page)
    page.get_by_role("link", name="Voir la demande").click()
    see_page(page, f"Demande {receipt}")
    expect(page.get_by_text("Envoyée", exact=True).first).to_be_visible()
    expect(total(page)).to_contain_text(amount)
    check(f"{name} : détail d'une demande envoyée")
    page.get_by_role("link", name="Mes demandes").first.click()
    see_page(page, "Mes demandes de remboursement")
    expect(page.get_by_role("link", name=receipt, exact=True)).to_be_visible()
    return receipt


@JS_ON_AND_OFF
def test_travel_by_car_with_a_meal(page, live, check, js, htmx, tmp_path):
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    expect(page.get_by_text("Aucune demande pour le moment")).to_be_visible()
    check("mes demandes, aucune facture")

    start_invoice(page, "deplacement")
    header_is_prefilled(page, user)
    check("déplacement, vide")
    path = edit_path(page)
    fill(page.get_by_label("N° de décision"), user.decisions["deplacement"])
    trip = page.get_by_role("group", name="Trajet 1")
    fill_all(trip, {"Date du trajet": a_recent_day(), "Départ": "Le Locle",
                    "Destination": "Neuchâtel", "Motif": "physiothérapie"})
    htmx.idle()
    expect(trip.get_by_label("Kilomètres parcourus (aller et retour)")).to_have_count(0)
    trip.get_by_label("Moyen de transport").select_option(label="Voiture privée")
    redraw(page, htmx)
    # the car asks for the kilometres, not for a fare
    expect(trip.get_by_label("Kilomètres parcourus (aller et retour)")).to_be_visible()
    expect(trip.get_by_label("Prix du billet ou de la course (CHF)")).to_have_count(0)
    if js:
        check.fragment("déplacement, formulaire redessiné (voiture)", path)
    fill_all(trip, {"Kilomètres parcourus (aller et retour)": "42",
                    "Heure de départ": "08:00", "Heure de retour": "14:00"})
    answer(trip, "La décision dit-elle déjà que votre handicap exige", "Non")
    answer(trip, "La présence d'un·e accompagnant·e était-elle nécessaire ?", "Non")
    refresh(page, htmx)
    expect(page.get_by_role("cell", name=chf("18.90"))).to_be_visible()
    expect(total(page)).to_contain_text(chf("30.40"))  # 42 km × 0.45 + the meal 11.50
    if js:
        check.fragment("déplacement, montants", path)
    piece = "Certificat médical attestant que le handicap exige ce moyen de transport"
    expect(page.get_by_role("heading", name=re.compile(re.escape(piece)))).to_be_visible()
    # the file input says why the pièce is needed
    expect(page.get_by_label(f"Joindre des fichiers : {piece}")).to_have_accessible_description(
        re.compile("votre décision ne le mentionne pas"))
    attach(page, htmx, piece, pdf_file(tmp_path, "certificat.pdf"))
    if js:
        check.fragment("déplacement, pièce jointe", path)
    receipt_and_pdf(page, check, htmx, "déplacement", chf("30.40"))


@JS_ON_AND_OFF
def test_assistance_for_one_month(page, live, check, js, htmx, tmp_path):
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "assistance")
    header_is_prefilled(page, user)
    check("assistance, vide")
    fill(page.get_by_label("N° de décision"), user.decisions["assistance"])
    fill(page.get_by_label("Mois", exact=True), f"{last_month():%m.%Y}")
    assistant = page.get_by_role("group", name="Assistant·e 1")
    fill_all(assistant, {"Nom de l'assistant·e": "Marie Dupont", "Heures ordinaires": "10",
                         "Salaire brut (CHF)": "600.00"})
    fill(assistant.get_by_label("Heures qualifiées"), "2")
    refresh(page, htmx)
    # 10 h × 35.30 and 2 h × 52.95
    expect(total(page)).to_contain_text(chf("458.90"))
    # the decision's 3'200.00 a month, × 1.5 for one month
    expect(page.get_by_text(f"Il reste {chf('4341.10')} pour ce mois")).to_be_visible()
    attach(page, htmx, "Fiches de salaire des assistant·e·s pour le mois",
           pdf_file(tmp_path, "fiche-salaire.pdf"))
    receipt_and_pdf(page, check, htmx, "assistance", chf("458.90"))


@JS_ON_AND_OFF
def test_helplessness_allowance_for_a_minor(page, live, check, js, htmx, tmp_path):
    user = ready_account(live)
    child = add_child(live, user)
    log_in_with_sms(page, live, user)
    start_invoice(page, "api_mineur")
    check("API mineur·e, vide")
    path = edit_path(page)
    expect(page.get_by_text("Indiquez d'abord le mois")).to_be_visible()
    page.get_by_label("Bénéficiaire").select_option(label=child)
    htmx.idle()
    fill(page.get_by_label("N° de décision"), user.decisions["api_mineur"])
    htmx.idle()
    fill(page.get_by_label("Mois", exact=True), f"{last_month():%m.%Y}")
    htmx.idle()
    # no select per night: « Toutes les nuits à la maison ? », then only the periods away
    answer(page, "Toutes les nuits du mois à la maison ?", "Non")
    redraw(page, htmx)
    days = days_in_last_month()
    nights = page.get_by_role("region", name="Nuits du mois")
    expect(nights.get_by_role("combobox")).to_have_count(3)
    period = nights.get_by_role("group", name="Période 1 hors de la maison")
    second = last_month().replace(day=2)
    weekday = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
               "dimanche")[second.weekday()]
    expect(period.get_by_label("Du", exact=True).locator("option[value='2']")).to_have_text(
        re.compile(rf"^{weekday} 2 "))
    if js:
        check.fragment("API, nuits du mois", path)
    # one night at the hospital: a stay certificate helps, but is not required
    period.get_by_label("Du", exact=True).select_option("2")
    period.get_by_label("Au", exact=True).select_option("2")
    period.get_by_label("Lieu où l'enfant a passé ces nuits").select_option(
        label="À l'hôpital")
    refresh(page, htmx)
    expect(page.get_by_role("heading", name=re.compile("Attestation de séjour"))
           ).to_be_visible()
    # the decision's degree « moyenne »: 42.00 a night at home
    expect(total(page)).to_contain_text(chf(42 * (days - 1)))
    # the page no longer runs to thousands of pixels at 390 px
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    receipt_and_pdf(page, check, htmx, "API mineur·e", chf(42 * (days - 1)))


@JS_ON_AND_OFF
def test_a_hearing_aid_for_one_ear(page, live, check, js, htmx, tmp_path):
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "moyens_auxiliaires")
    check("moyens auxiliaires, vide")
    path = edit_path(page)
    fill(page.get_by_label("N° de décision"), user.decisions["moyens_auxiliaires"])
    htmx.idle()
    page.get_by_label("De quoi s'agit-il ?").select_option(
        label="Appareil auditif pour une oreille (forfait)")
    redraw(page, htmx)
    expect(page.get_by_label("Date de votre précédent appareil")).to_be_visible()
    expect(page.get_by_label("Nombre d'appareils")).to_have_count(0)
    if js:
        check.fragment("moyens auxiliaires, formulaire redessiné", path)
    fill_all(page, {"Fournisseur": "Audition Plus SA", "Date de la facture": a_recent_day()})
    refresh(page, htmx)
    expect(total(page)).to_contain_text(chf("840.00"))
    attach(page, htmx, "Facture originale du fournisseur", pdf_file(tmp_path, "audition.pdf"))
    receipt_and_pdf(page, check, htmx, "moyens auxiliaires", chf("840.00"))


@JS_ON_AND_OFF
def test_a_standard_invoice_with_two_lines(page, live, check, js, htmx, tmp_path):
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "standard")
    check("facture standard, vide")
    path = edit_path(page)
    fill(page.get_by_label("N° de décision"), user.decisions["standard"])
    fill_all(page, {"Fournisseur": "Orthopédie Rochat",
                    "N° de la facture du fournisseur": "F-2026-118",
                    "Date de la facture": a_recent_day()})
    first = page.get_by_role("group", name="Ligne 1")
    fill_all(first, {"Date": a_recent_day(), "Libellé": "Semelles orthopédiques",
                     "Quantité": "2", "Prix unitaire (CHF)": "45.00"})
    refresh(page, htmx)
    expect(total(page)).to_contain_text(chf("90.00"))
    if js:
        check.fragment("standard, montants", path)

    # a second line, then removed again
    htmx.idle()
    page.get_by_role("button", name="Ajouter une ligne").click()
    second = page.get_by_role("group", name="Ligne 2")
    expect(second).to_be_visible()
    if js:
        htmx.idle()
        check.fragment("standard, ligne ajoutée", path)
    fill_all(second, {"Date": a_recent_day(), "Libellé": "Réglage", "Quantité": "1",
                      "Prix unitaire (CHF)": "12.30"})
    refresh(page, htmx)
    expect(total(page)).to_contain_text(chf("102.30"))
    second.get_by_role("button", name="Supprimer ligne 2").click()
    expect(page.get_by_role("group", name="Ligne 2")).to_have_count(0)
    htmx.idle()
    expect(total(page)).to_contain_text(chf("90.00"))

    attach(page, htmx, "Facture du fournisseur", pdf_file(tmp_path, "rochat.pdf"))
    if not js:
        page.get_by_role("button", name="Joindre les fichiers choisis").click()
        expect(attached(page, "rochat.pdf")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/modifier#attachment-\d+$"))  # at the new pièce
    receipt_and_pdf(page, check, htmx, "standard", chf("90.00"), unconfirmed_first=True)


@JS_ON_AND_OFF
def test_errors_then_a_draft_left_resumed_and_deleted(page, live, check, js, htmx, tmp_path):
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "standard")
    # a decision of another office and a date in the future: said next to each field
    fill(page.get_by_label("N° de décision"), "322 2025 0000001")
    fill_all(page, {"Fournisseur": "Orthopédie Rochat"})
    line = page.get_by_role("group", name="Ligne 1")
    next_year = f"15.01.{last_month().year + 2}"
    fill_all(line, {"Date": next_year, "Libellé": "Semelles", "Quantité": "2",
                    "Prix unitaire (CHF)": "45.00"})
    htmx.idle()
    if js:
        # each message comes next to its field as the person leaves it; nothing to press
        expect(page.get_by_role("button", name="Recalculer")).to_be_hidden()
    else:
        page.get_by_role("button", name="Recalculer").click()
        see_page(page, "Erreur : Facture standard — Brouillon", "Facture standard")
    decision = page.get_by_label("N° de décision")
    wrong_office = ("Ce numéro de décision n'est pas de l'Office AI du canton de "
                    "Neuchâtel (code 324).")
    expect(decision).to_have_accessible_description(re.compile(re.escape(wrong_office)))
    expect(line.get_by_text("La date ne peut pas être dans le futur.")).to_be_visible()
    if not js:
        expect(decision).to_have_attribute("aria-invalid", "true")
        expect(line.get_by_label("Date", exact=True)).to_have_attribute("aria-invalid", "true")
        # and listed at the top, with links to the fields
        summary = page.get_by_role("alert").filter(has_text="À corriger")
        expect(summary.get_by_role("link", name=re.compile("N° de décision"))).to_be_visible()
        expect(summary.get_by_role("link", name=re.compile("dans le futur"))).to_be_visible()
        check("facture standard, erreurs")

    # the review lists what is missing, with links back to the fields; no « Envoyer »
    review(page, htmx, incomplete=True)
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Avant d'envoyer, complétez ceci")
    expect(problems.get_by_role("link", name=re.compile("N° de décision"))).to_be_visible()
    expect(problems.get_by_role("link", name=re.compile("Pièce manquante"))).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer la demande")).to_have_count(0)
    check("facture standard, vérifier, incomplète")
    page.get_by_role("link", name="Modifier").click()
    see_page(page, "Erreur : Facture standard — Brouillon", "Facture standard")  # still

    # corrected, then left for the home page (saved by itself with JS, by the button without)
    fill(page.get_by_label("N° de décision"), user.decisions["standard"])
    fill(line.get_by_label("Date", exact=True), a_recent_day())
    fill(page.get_by_label("Remarque pour l'office"), "Deux paires, voir la facture.")
    if js:
        htmx.idle()
    else:
        page.get_by_role("button", name="Enregistrer le brouillon").last.click()
        expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()
    menu(page).get_by_role("link", name="Mes demandes").click()
    see_page(page, "Mes demandes de remboursement")
    check("mes demandes, un brouillon")

    page.get_by_role("link", name=re.compile("^Brouillon — continuer")).click()
    see_page(page, "Facture standard — Brouillon", "Facture standard")
    expect(page.get_by_label("N° de décision")).to_have_value(user.decisions["standard"])
    expect(page.get_by_label("Fournisseur", exact=True)).to_have_value("Orthopédie Rochat")
    line = page.get_by_role("group", name="Ligne 1")
    expect(line.get_by_label("Date", exact=True)).to_have_value(a_recent_day())
    expect(line.get_by_label("Libellé")).to_have_value("Semelles")
    expect(line.get_by_label("Quantité")).to_have_value("2")
    expect(page.get_by_label("Remarque pour l'office")).to_have_value(
        "Deux paires, voir la facture.")
    expect(total(page)).to_contain_text(chf("90.00"))

    page.get_by_role("link", name="Supprimer ce brouillon").click()
    see_page(page, "Supprimer le brouillon", "Supprimer ce brouillon ?")
    check("supprimer le brouillon")
    page.get_by_role("button", name="Oui, supprimer le brouillon").click()
    see_page(page, "Mes demandes de remboursement")
    expect(page.get_by_text("Le brouillon a été supprimé.")).to_be_visible()
    expect(page.get_by_text("Aucune demande pour le moment")).to_be_visible()


# --- the editor with htmx: requests in turn, focus after each swap, honest words -------------

JS_ONLY = pytest.mark.parametrize("js", [pytest.param(True, id="js")])


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement ? document.activeElement.id : ''")


def live_region(page):
    return page.locator("#invoice-live")


@pytest.fixture
def slow_saves(monkeypatch):
    """Each save of a draft takes 0.4 s between reading the draft and writing it (a busy
    server): an autosave and a submit sent together would both read the same version."""
    import time

    from guichet.invoices import drafts
    original = drafts.save_draft

    def slow(invoice, submitted):
        time.sleep(0.4)
        original(invoice, submitted)

    def start():
        monkeypatch.setattr(drafts, "save_draft", slow)
    return start


@JS_ONLY
def test_typing_then_pressing_review_at_once_reaches_the_review(page, live, check, js, htmx,
                                                                  slow_saves):
    """The click that leaves the field sends its autosave and the submit at once: the submit
    waits for the autosave (hx-sync), carries every field, and the review shows them."""
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "standard")
    fill(page.get_by_label("N° de décision"), user.decisions["standard"])
    htmx.idle()
    slow_saves()
    page.get_by_label("Fournisseur", exact=True).fill("Orthopédie Rochat")  # still in the field
    page.get_by_label("N° de la facture du fournisseur").fill("F-2026-118")
    page.get_by_role("button", name="Vérifier et envoyer").click()
    see_page(page, "Erreur : Vérifier avant d'envoyer", "Vérifier avant d'envoyer")
    expect(page.get_by_text("Orthopédie Rochat")).to_be_visible()
    expect(page.get_by_text("F-2026-118")).to_be_visible()
    check("vérifier, envoyé pendant un enregistrement automatique")


@JS_ONLY
def test_a_choice_that_redraws_the_form_then_review_at_once(page, live, check, js, htmx,
                                                            slow_saves):
    """The means of transport redraws the whole form; « Vérifier et envoyer » pressed while
    that answer is on its way waits for it, is not lost with the redrawn button, and saves."""
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "deplacement")
    htmx.idle()
    slow_saves()
    trip = page.get_by_role("group", name="Trajet 1")
    trip.get_by_label("Moyen de transport").select_option(label="Voiture privée")
    page.get_by_role("button", name="Vérifier et envoyer").click()
    see_page(page, "Erreur : Vérifier avant d'envoyer", "Vérifier avant d'envoyer")
    page.get_by_role("link", name="Modifier").click()
    see_page(page, "Frais de déplacement et de repas — Brouillon",
             "Frais de déplacement et de repas")
    expect(page.get_by_role("group", name="Trajet 1").get_by_label("Moyen de transport")
           ).to_have_value("car")


@JS_ONLY
def test_focus_and_the_live_region_after_each_swap(page, live, check, js, htmx, tmp_path):
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "deplacement")
    path = edit_path(page)
    htmx.idle()
    page.get_by_role("button", name="Ajouter un trajet").click()
    expect(page.get_by_role("group", name="Trajet 2")).to_be_visible()
    htmx.idle()
    expect(live_region(page)).to_have_text("Trajet 2 ajouté")
    assert focused_id(page) == "lines-1-date"
    expect(page.get_by_role("group", name="Trajet 2").get_by_label("Date du trajet")
           ).to_be_focused()
    check.fragment("déplacement, trajet ajouté", path)

    page.get_by_role("button", name="Supprimer trajet 2").click()
    expect(page.get_by_role("group", name="Trajet 2")).to_have_count(0)
    htmx.idle()
    expect(live_region(page)).to_have_text("Trajet supprimé")
    expect(page.get_by_role("heading", name="Trajets")).to_be_focused()
    # the next Tab goes on in the form, not to « Supprimer ce brouillon »
    page.keyboard.press("Tab")
    assert focused_id(page) == "lines-0-date"

    files = page.get_by_label("Joindre des fichiers : Autres pièces (facultatif)")
    files.focus()  # as a keyboard user reaches it before choosing (set_input_files does not)
    files.set_input_files(pdf_file(tmp_path, "quittance.pdf"))
    expect(attached(page, "quittance.pdf")).to_be_visible()
    htmx.idle()
    expect(live_region(page)).to_have_text("quittance.pdf jointe")
    # chosen, hence joined at once: focus stays on the file input
    assert focused_id(page) == "files-other"
    page.get_by_role("button", name="Joindre les fichiers choisis").click()
    htmx.idle()
    expect(live_region(page)).to_contain_text("Aucun nouveau fichier à joindre")
    assert focused_id(page) == "upload-button"

    attached(page, "quittance.pdf").click()
    expect(attached(page, "quittance.pdf")).to_have_count(0)
    htmx.idle()
    expect(live_region(page)).to_have_text("quittance.pdf retirée")
    expect(page.get_by_role("heading", name="Pièces justificatives")).to_be_focused()
    check.fragment("déplacement, pièce retirée", path)


@JS_ON_AND_OFF
def test_update_buttons_and_a_piece_filed_under_its_document(page, live, check, js, htmx,
                                                             tmp_path):
    """Without scripts « Mettre à jour » next to the means of transport brings the page back
    at that question with what it calls for; a ticket attached before it was asked for is
    filed under the tickets. With scripts the same happens by itself, and neither the update
    buttons nor « Recalculer » are shown."""
    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "deplacement")
    path = edit_path(page)
    trip = page.get_by_role("group", name="Trajet 1")
    update = trip.get_by_role("button", name=re.compile("^Mettre à jour"))
    if js:
        expect(update).to_be_hidden()
        expect(page.get_by_role("button", name="Recalculer")).to_be_hidden()
    else:
        expect(update).to_be_visible()
        expect(page.get_by_role("button", name="Recalculer")).to_be_visible()
    # a ticket first, before the trip says it was by train: it goes to « Autres pièces »
    attach(page, htmx, "Autres pièces (facultatif)", pdf_file(tmp_path, "billet.pdf"))
    if not js:
        page.get_by_role("button", name="Joindre les fichiers choisis").click()
        expect(attached(page, "billet.pdf")).to_be_visible()
    fill_all(trip, {"Date du trajet": a_recent_day(), "Départ": "Le Locle",
                    "Destination": "Neuchâtel", "Motif": "physiothérapie",
                    "Heure de départ": "08:00", "Heure de retour": "11:00"})
    answer(trip, "La présence d'un·e accompagnant·e était-elle nécessaire ?", "Non")
    trip.get_by_label("Moyen de transport").select_option(label="Transports publics (2e classe)")
    if js:
        htmx.idle()
    else:
        update.click()
        expect(page).to_have_url(re.compile("/modifier#lines-0-transport$"))
        expect(trip.get_by_label("Moyen de transport")).to_be_in_viewport()
    fill(trip.get_by_label("Prix du billet ou de la course (CHF)"), "12.40")
    refresh(page, htmx)
    tickets = "Billets ou quittances de transports publics"
    expect(page.get_by_role("heading", name=re.compile(tickets))).to_be_visible()
    # « Autres pièces » holds the ticket: say which document it is (on a phone too)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.get_by_label("Ce fichier est (billet.pdf)").select_option(label=tickets)
    page.get_by_role("button", name="Classer billet.pdf").click()
    if js:
        htmx.idle()
        expect(live_region(page)).to_have_text("billet.pdf classée")
        expect(page.get_by_text(re.compile(r"^billet\.pdf \("))).to_be_focused()
        check.fragment("déplacement, pièce classée", path)
    else:
        expect(page).to_have_url(re.compile(r"/modifier#attachment-\d+$"))
        check("déplacement, pièce classée")
    group = page.locator(".piece-group").filter(has=page.get_by_role(
        "heading", name=re.compile(tickets)))
    expect(group.get_by_text(re.compile(r"^billet\.pdf \("))).to_be_visible()
    expect(page.get_by_label("Ce fichier est (billet.pdf)")).to_have_count(0)


@JS_ON_AND_OFF
def test_the_page_says_what_is_true_about_leaving_it(page, live, check, js, htmx):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    user = ready_account(live)
    log_in_with_sms(page, live, user)
    start_invoice(page, "standard")
    expect(page.get_by_text("vous pouvez quitter cette page à tout moment")).to_have_count(0)
    before_leaving = page.get_by_text("Enregistrez le brouillon avant de quitter cette page")
    fill(page.get_by_label("Fournisseur", exact=True), "Orthopédie Rochat")
    if js:
        htmx.idle()
        expect(before_leaving).to_be_hidden()
        now = datetime.now(ZoneInfo("Europe/Zurich"))
        times = "|".join(f"{moment:%H:%M}" for moment in (now - timedelta(minutes=1), now))
        expect(page.locator("#invoice-saved")).to_have_text(re.compile(f"^Enregistré à ({times})$"))
        expect(page.locator("#invoice-saved")).to_be_visible()
    else:
        expect(before_leaving).to_be_visible()
        expect(page.get_by_text(re.compile("^Enregistré à"))).to_be_hidden()
