"""The audit log page (``/gestion/journal``) for the administrators: newest first, filtered by
staff member, action, object and Swiss days (both included), a page at a time by keyset; the
CSV export of the filtered entries (UTF-8, ``;``, formula cells neutralised), itself audited;
no full N° AVS or IBAN anywhere, even one that slipped into a detail."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from guichet.models import AuditEntry
from guichet.models.base import db
from guichet.staff import audit_log
from tests.support.page import page_text, summary_links

IBAN = "CH5604835012345678009"
NAVS = "7561234567897"


def entry(action="invoice_taken", actor=None, at=None, object_type="invoice", object_id="1",
          **detail) -> AuditEntry:
    row = AuditEntry(actor_id=actor.id if actor else None, actor_role=actor.role if actor else None,
                     action=action, object_type=object_type,
                     object_id=str(object_id) if object_id is not None else None,
                     at=at or datetime.now(timezone.utc), detail=detail or None)
    db.session.add(row)
    db.session.commit()
    return row


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def shown_ids(response) -> list[int]:
    return [int(found) for found in re.findall(r'id="audit-entry-(\d+)"',
                                               response.get_data(as_text=True))]


def read_csv(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_only_administrators_read_the_log(app, staff_client, staff_login):
    for role in ("reviewer", "transmission"):
        client = staff_client if role == "reviewer" else staff_login(role, "t@office.example.ch")
        assert client.get("/gestion/journal").status_code == 403
        assert client.get("/gestion/journal.csv").status_code == 403
    assert app.test_client().get("/gestion/journal").status_code == 302


def test_the_administration_index_links_to_the_log(admin_client):
    page = admin_client.get("/gestion/administration").get_data(as_text=True)
    assert 'href="/gestion/journal"' in page


def test_newest_first_with_french_labels_and_unknown_codes_as_they_are(admin_client,
                                                                      staff_client):
    staff = staff_client.user
    old = entry("invoice_validated", staff, utc(2026, 1, 5, 9), object_id="41")
    new = entry("batch_frobnicated", staff, utc(2026, 1, 6, 9), object_type="batch",
                object_id="7")
    page = admin_client.get("/gestion/journal?du=05.01.2026&au=06.01.2026")
    assert page.status_code == 200
    assert shown_ids(page) == [new.id, old.id]
    text = page_text(page)
    assert "Demande validée" in text and "Demande n° 41" in text
    assert "batch_frobnicated" in text and "batch n° 7" in text
    assert "06.01.2026 à 10:00" in text  # Swiss time
    assert "(gestionnaire)" in text
    # an action the table does not know is offered by the filter once the log holds it
    assert '<option value="batch_frobnicated">batch_frobnicated</option>' in page.get_data(
        as_text=True)


def test_filters_by_staff_member_action_and_object(admin_client, staff_client,
                                                   second_staff_client):
    first, second = staff_client.user, second_staff_client.user
    a = entry("invoice_taken", first, object_id="5")
    b = entry("invoice_taken", second, object_id="5")
    c = entry("invoice_refused", first, object_id="6")
    d = entry("sms_sent", None, object_type="auth_session", object_id="5")
    ours = {a.id, b.id, c.id, d.id}

    def ids(query):
        response = admin_client.get("/gestion/journal?" + query)
        assert response.status_code == 200, query
        return [found for found in shown_ids(response) if found in ours]

    assert ids(f"membre={first.id}") == [c.id, a.id]
    assert ids("action=invoice_taken") == [b.id, a.id]
    assert ids("objet=invoice&objet_id=5") == [b.id, a.id]
    assert ids("objet_id=5") == [d.id, b.id, a.id]
    assert ids(f"membre={first.id}&action=invoice_taken") == [a.id]
    assert ids("membre=aucun&objet=auth_session") == [d.id]
    # the selects offer the staff, every known action, and the object types
    page = admin_client.get("/gestion/journal").get_data(as_text=True)
    assert f'<option value="{first.id}">' in page
    assert '<option value="invoice_destroyed">Demande détruite' in page
    assert '<option value="invoice">Demande</option>' in page
    assert page.index("Bénéficiaire ajouté·e") < page.index("Budget SMS")  # accents ignored


def test_days_are_swiss_days_both_included(admin_client):
    late = entry(at=utc(2026, 3, 31, 21, 30))      # 31.03 at 23:30 in Zurich
    next_day = entry(at=utc(2026, 3, 31, 22, 30))  # 01.04 at 00:30 in Zurich
    before = entry(at=utc(2026, 3, 29, 12))

    def ids(query):
        return [found for found in shown_ids(admin_client.get("/gestion/journal?" + query))
                if found in {late.id, next_day.id, before.id}]

    assert ids("du=31.03.2026&au=31.03.2026") == [late.id]
    assert ids("du=01.04.2026&au=01.04.2026") == [next_day.id]
    assert ids("du=30.03.2026&au=2026-04-01") == [next_day.id, late.id]
    assert ids("au=30.03.2026") == [before.id]


def test_a_bad_day_is_explained_and_filters_nothing(admin_client):
    response = admin_client.get("/gestion/journal?du=32.13.2026&au=01.01.2026")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    links = summary_links(page)
    assert links and links[0][0] == "#du"
    response = admin_client.get("/gestion/journal?du=02.01.2026&au=01.01.2026")
    assert summary_links(response.get_data(as_text=True))[0][0] == "#au"
    response = admin_client.get("/gestion/journal?action=nope")
    assert "Choisissez une valeur de la liste." in page_text(response)


def test_keyset_pages_of_fifty_newest_first(admin_client):
    start = utc(2025, 6, 1, 8)
    made = [entry("queue_searched", at=start + timedelta(minutes=i // 2), object_id=str(i))
            for i in range(120)]  # pairs with the same moment: the id breaks the tie
    expected = [row.id for row in sorted(made, key=lambda row: (row.at, row.id), reverse=True)]
    seen, url = [], "/gestion/journal?action=queue_searched"
    for _page in range(5):
        response = admin_client.get(url)
        ids = shown_ids(response)
        seen += ids
        match = re.search(r'href="([^"]*apres=\d+[^"]*)" rel="next"',
                          response.get_data(as_text=True))
        if not match:
            break
        url = match[1].replace("&amp;", "&")
        assert "action=queue_searched" in url  # the filter follows the pages
    assert [len(chunk) for chunk in (seen[:50], seen[50:100], seen[100:])] == [50, 50, 20]
    assert seen == expected


def test_full_avs_numbers_and_ibans_never_show(admin_client, staff_client):
    slipped = entry("identity_corrected", staff_client.user, object_type="user",
                    object_id=NAVS, navs13=NAVS, note=f"ancien 756.1234.5678.97, IBAN {IBAN}",
                    nested={"list": ["CH56 0483 5012 3456 7800 9"]})
    page = admin_client.get("/gestion/journal?action=identity_corrected")
    body = page.get_data(as_text=True)
    assert slipped.id in shown_ids(page)
    for secret in (NAVS, "756.1234.5678.97", IBAN, "CH56 0483 5012 3456 7800 9",
                   "5012345678"):
        assert secret not in body
    assert "756.****.****.97" in body and "CH56 **** **** **** *800 9" in body
    export = admin_client.get("/gestion/journal.csv?action=identity_corrected")
    text = export.get_data().decode("utf-8")
    for secret in (NAVS, "756.1234.5678.97", IBAN, "CH56 0483 5012 3456 7800 9"):
        assert secret not in text
    assert "756.****.****.97" in text


@pytest.mark.parametrize("text, masked", [
    ("7561234567897", "756.****.****.97"),
    ("n° 756 1234 5678 97.", "n° 756.****.****.97."),
    ("ch5604835012345678009", "CH56 **** **** **** *800 9"),
    ("LI21 0881 0000 2324 013A A", "LI21 **** **** **** *13A A"),
    ("12345678901234567", "12345678901234567"),   # no AVS, no IBAN: as it is
    ("17561234567897", "17561234567897"),         # digits around: not an AVS number
])
def test_mask_text(text, masked):
    assert audit_log.mask_text(text) == masked


def test_the_csv_holds_the_filtered_entries_neutralised_and_the_export_is_audited(
        admin_client, staff_client):
    staff = staff_client.user
    entry("invoice_note_added", staff, utc(2026, 2, 3, 10), object_id="9",
          note="=HYPERLINK(\"http://evil\")")
    entry("invoice_note_added", staff, utc(2026, 2, 3, 11), object_id="10", note="@SUM(A1)")
    entry("invoice_note_added", staff, utc(2026, 1, 3, 11), object_id="11")  # outside
    entry("refusal_reason_added", admin_client.user, utc(2026, 2, 3, 12), object_type="x",
          object_id="-1+2")
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    response = admin_client.get("/gestion/journal.csv?du=03.02.2026&au=03.02.2026")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = read_csv(response)
    assert rows[0] == audit_log.CSV_HEADER
    assert [row[7] for row in rows[1:]] == ["'-1+2", "10", "9"]
    assert rows[1][4] == "Motif de refus ajouté" and rows[1][5] == "refusal_reason_added"
    assert rows[3][:2] == ["03.02.2026", "11:00:00"]
    assert rows[3][2] == staff.email and rows[3][3] == "reviewer"
    assert rows[3][9].startswith('{"note": "=HYPERLINK')  # inside JSON: not a formula start
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    db.session.expire_all()
    exports = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "audit_log_exported")).all()
    assert len(exports) == 1 and exports[0].actor_id == admin_client.user.id
    assert exports[0].detail == {"filters": {"du": "03.02.2026", "au": "03.02.2026"}}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before + 1


def test_a_long_export_streams_every_entry(app, admin_client):
    made = [entry("queue_searched", object_id=str(i)) for i in range(25)]
    chunks = list(audit_log.csv_rows(audit_log.LogFilter(action="queue_searched"), db.engine,
                                     batch=10))
    assert len(chunks) == 1 + 3  # the header, then batches of 10, 10 and 5
    rows = list(csv.reader(io.StringIO("".join(chunks)[1:]), delimiter=";"))
    assert sorted(int(row[7]) for row in rows[1:]) == sorted(int(r.object_id) for r in made)


def test_reading_the_page_is_not_logged(admin_client):
    admin_client.get("/gestion/journal")
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert admin_client.get("/gestion/journal").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_every_action_the_code_writes_reads_in_french():
    """Each ``record("…")`` in the code has its French label on the page (the page would
    otherwise show the bare code)."""
    import re
    from pathlib import Path

    import guichet
    from guichet.staff.audit_log import ACTION_LABELS
    written = set()
    for source in Path(guichet.__file__).parent.rglob("*.py"):
        written |= set(re.findall(r'\brecord\(\s*"([a-z_]+)"', source.read_text()))
    assert len(written) > 60
    assert sorted(written - set(ACTION_LABELS)) == []
