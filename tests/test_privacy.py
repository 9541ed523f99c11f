"""« Mes données »: the insured person can export everything the account holds."""
import json

from sqlalchemy import select

from guichet.models import AuditEntry, Invoice
from guichet.models.base import db
from tests.support.accounts import login


def test_export_contains_account_invoices_and_is_audited(logged_in):
    logged_in.post("/demandes/nouvelle", data={"type": "standard"})
    page = logged_in.get("/compte/mes-donnees/")
    assert "Télécharger mes données" in page.get_data(as_text=True)
    response = logged_in.get("/compte/mes-donnees/guichet-mes-donnees.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.data)
    assert data["account"]["email"] == logged_in.user.email
    assert data["account"]["navs13"] == logged_in.user.navs13
    [invoice] = data["invoices"]
    assert invoice["invoice_type"] == "standard" and invoice["status"] == "draft"
    assert invoice["history"][0]["message"]
    assert db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "data_exported")).one().actor_id == logged_in.user.id


def test_export_holds_only_the_requesting_person_s_data(client, factory, sms, logged_in):
    logged_in.post("/demandes/nouvelle", data={"type": "standard"})
    other = factory.user()
    login(client, other, sms)
    data = json.loads(client.get("/compte/mes-donnees/guichet-mes-donnees.json").data)
    assert data["account"]["email"] == other.email
    assert data["invoices"] == []
    assert db.session.scalars(select(Invoice)).one().user_id == logged_in.user.id
