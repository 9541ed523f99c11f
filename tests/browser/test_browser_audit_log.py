"""An administrator reads the audit log from the administration page, with JavaScript on and off:
filters it (a day typed wrong first, explained), pages on, downloads the filtered entries as CSV
and reads them back; no full IBAN on the page or in the file; the page fits a phone's width;
axe-core and vnu check each page."""
from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.phone_steps import PHONE_WIDTH, too_wide
from tests.browser.steps import JS_ON_AND_OFF, enter_code, log_in, menu, see_page

pytestmark = pytest.mark.usefixtures("generous_login_limits")

IBAN = "CH5604835012345678009"
_runs = itertools.count(1)


def log_entries(live, object_id: str, count: int) -> None:
    """``count`` validations of one invoice id, a minute apart in January 2026, and one
    refusal of it; one validation of another invoice."""
    from guichet.models import AuditEntry
    from guichet.models.base import db
    start = datetime(2026, 1, 14, 9, tzinfo=timezone.utc)
    with live.lock, live.app.app_context():
        for minute in range(count):
            db.session.add(AuditEntry(action="invoice_validated", object_type="invoice",
                                      object_id=object_id, at=start + timedelta(minutes=minute),
                                      detail={"total_approved": f"{minute}.00"}))
        db.session.add(AuditEntry(action="invoice_refused", object_type="invoice",
                                  object_id=object_id, at=start,
                                  detail={"note": f"ancien IBAN {IBAN}"}))
        db.session.add(AuditEntry(action="invoice_validated", object_type="invoice",
                                  object_id=object_id + "0", at=start))
        db.session.commit()


@JS_ON_AND_OFF
def test_an_administrator_filters_the_log_and_downloads_it(page, live, check, js):
    run = next(_runs)
    object_id = f"9{run}{'1' if js else '2'}7"
    log_entries(live, object_id, 55)
    secret = pyotp.random_base32()
    admin = live.add_user(role="admin", totp_secret=secret,
                          email=f"journal-{'js' if js else 'nojs'}-{run}@office.example.ch")
    page.goto("/")
    log_in(page, admin.email)
    enter_code(page, pyotp.TOTP(secret).now())
    menu(page).get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Journal d'audit").click()
    see_page(page, "Journal d'audit")
    check("le journal d'audit")

    filters = page.get_by_role("search", name="Filtrer le journal")
    filters.get_by_label("Action").select_option(label="Demande validée")
    filters.get_by_label("N° de l'objet").fill(object_id)
    filters.get_by_label(re.compile("^Du")).fill("32.01.2026")
    filters.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Du : ")
    check("le journal d'audit, jour illisible")

    filters = page.get_by_role("search", name="Filtrer le journal")
    filters.get_by_label(re.compile("^Du")).fill("14.01.2026")
    filters.get_by_label(re.compile("^Au")).fill("14.01.2026")
    filters.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("50 entrées affichées, les plus récentes d'abord. D'autres suivent."))\
        .to_be_visible()
    rows = page.locator("table.audit-table tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text("14.01.2026 à 10:54")  # 09:54 UTC, newest first
    expect(rows.first).to_contain_text("Demande validée")
    expect(rows.first).to_contain_text(f"Demande n° {object_id}")
    check("le journal d'audit, filtré")

    page.get_by_role("link", name="Entrées plus anciennes →").click()
    expect(rows).to_have_count(5)
    expect(rows.last).to_contain_text("14.01.2026 à 10:00")
    expect(filters.get_by_label("N° de l'objet")).to_have_value(object_id)
    check("le journal d'audit, page suivante")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger ces entrées en CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("journal-audit-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:5] == ["date", "heure", "auteur", "role", "action"]
    assert len(table) == 1 + 55  # the whole filter, not the page
    assert {row[7] for row in table[1:]} == {object_id}
    assert table[1][:2] == ["14.01.2026", "10:54:00"] and table[-1][1] == "10:00:00"

    # the refusal, with an IBAN slipped into its detail, shows masked only
    filters = page.get_by_role("search", name="Filtrer le journal")
    filters.get_by_label("Action").select_option(label="Demande refusée")
    filters.get_by_role("button", name="Filtrer").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("CH56 **** **** **** *800 9")
    assert IBAN not in page.content()
    check("le journal d'audit, refus")

    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    assert too_wide(page) is None, too_wide(page)
