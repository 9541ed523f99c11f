"""The audit log (security.md 21): who, role, action, object, UTC time and IP for logins, SMS
events and refusals; append-only; no password, code or full AVS number in it or in the logs."""
from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from guichet.models import AuditEntry, utcnow
from guichet.models.audit import AppendOnlyError
from guichet.models.base import db
from tests.support.accounts import PASSWORD, a_wrong_code, registration_form

IP = "203.0.113.7"


def entries(action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()


def test_login_and_sms_events_say_who_what_when_and_from_where(app, factory, sms):
    user = factory.user()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = IP
    client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    code = sms.last_code(user.phone)
    client.post("/connexion/code", data={"code": a_wrong_code(code)})
    client.post("/connexion/code", data={"code": code})
    actions = [e.action for e in entries()]
    for action in ("login_password_ok", "sms_sent", "sms_code_refused", "sms_code_accepted",
                   "login"):
        assert action in actions, action
    for entry in entries():
        assert entry.actor_id == user.id, entry.action
        assert entry.actor_role == "insured", entry.action
        assert entry.ip == IP, entry.action
        assert entry.at.tzinfo is not None
        assert abs(utcnow() - entry.at) < timedelta(minutes=1)
    [login] = entries("login")
    assert (login.object_type, login.object_id) == ("user", str(user.id))


def test_failed_logins_are_recorded(app, factory):
    user = factory.user()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = IP
    client.post("/connexion", data={"email": user.email, "password": "pas le bon du tout"})
    client.post("/connexion", data={"email": "inconnu@example.ch", "password": "x" * 12})
    wrong, unknown = entries("login_failed")
    assert (wrong.actor_id, wrong.actor_role, wrong.ip) == (user.id, "insured", IP)
    assert (unknown.actor_id, unknown.ip) == (None, IP)
    assert "inconnu@example.ch" not in json.dumps(unknown.detail or {})


def test_access_refusals_are_recorded(app, logged_in):
    logged_in.environ_base["REMOTE_ADDR"] = IP
    assert logged_in.get("/gestion/").status_code == 404
    [refusal] = entries("access_refused")
    assert (refusal.actor_id, refusal.actor_role, refusal.ip) == (logged_in.user.id, "insured", IP)
    assert refusal.object_id == "staff.show_queue"


def test_audit_entries_cannot_be_changed_or_deleted(app, factory):
    factory.user()
    db.session.add(AuditEntry(action="test", ip=IP))
    db.session.commit()
    [entry] = entries("test")
    entry.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    [entry] = entries("test")
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert [e.action for e in entries()] == ["test"]


def test_no_secret_in_audit_entries_or_logs(app, factory, sms, mailbox, caplog):
    caplog.set_level(logging.DEBUG)
    person = factory.person()
    navs = person.navs13
    client = app.test_client()
    client.post("/inscription", data=registration_form(
        person, navs13=f"{navs[:3]}.{navs[3:7]}.{navs[7:11]}.{navs[11:]}"))
    code = sms.last_code("+41795551234")
    client.post("/connexion/code", data={"code": "123 456" if code != "123456" else "654321"})
    client.post("/connexion/code", data={"code": code})
    client.post("/compte/mot-de-passe", data={"current_password": "faux mot de passe",
                                              "password": "x", "password_confirm": "x"})
    client.post("/compte/portable", data={"mobile": "079 777 88 99",
                                          "current_password": PASSWORD})
    client.post("/deconnexion")
    stranger = app.test_client()
    stranger.post("/connexion", data={"email": "lea@example.ch", "password": "mot de passe faux"})
    stranger.post("/inscription", data=registration_form(
        person, email="x@example.ch", mobile="079 111 22 33", nom="Autre", prenom="Eva",
        date_naissance="01.01.1990", rue="Rue 1"))
    codes = [sms.last_code(number) for number in ("+41795551234", "+41797778899")]

    audit_text = json.dumps([{column: str(getattr(e, column)) for column in
                              ("actor_id", "actor_role", "action", "object_type", "object_id",
                               "ip", "detail")} for e in entries()])
    assert len(entries()) > 8
    for secret in [PASSWORD, "mot de passe faux", "faux mot de passe", navs, navs[3:],
                   *codes]:
        assert secret not in audit_text, secret
        assert secret not in caplog.text, secret
