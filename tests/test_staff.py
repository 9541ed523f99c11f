"""Tests for guichet.staff.services: staff accounts as the operator command makes them."""
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from guichet.core.passwords import verify_password
from guichet.models import User
from guichet.models.base import db
from guichet.staff.services import StaffAccountRefused, create_staff_account
from tests.support.databases import count

PASSWORD = "gestion des factures 2026"


def test_a_staff_account_is_confirmed_and_gets_its_own_totp_secret(app):
    first = create_staff_account(" Claire.Gestion@AI-NE.example ", "reviewer", PASSWORD,
                                 "Claire Gestion")
    second = create_staff_account("marc@ai-ne.example", "admin", PASSWORD)
    db.session.commit()

    user = db.session.scalar(select(User).where(User.email == "claire.gestion@ai-ne.example"))
    assert user is first.user
    assert (user.role, user.prenom, user.nom) == ("reviewer", "Claire", "Gestion")
    assert user.email_confirmed_at is not None and user.phone is None
    assert verify_password(user.password_hash, PASSWORD)
    query = parse_qs(urlsplit(first.provisioning_uri).query)
    assert query["secret"] == [user.totp_secret] and query["issuer"] == ["Guichet Office AI"]
    assert second.user.totp_secret != user.totp_secret
    assert (second.user.prenom, second.user.nom) == (None, None)


@pytest.mark.parametrize("email, role, password, message", [
    ("GESTION@example.ch", "reviewer", PASSWORD, "Un compte existe déjà pour cette adresse."),
    ("nouveau@example.ch", "insured", PASSWORD, "Rôle inconnu : insured"),
    ("nouveau@example.ch", "admin", "court", "au moins 12 caractères"),
    ("nouveau@example.ch", "admin", "nouveau@example.ch 2026", "adresse e-mail"),
], ids=["duplicate", "insured-role", "short-password", "password-with-email"])
def test_a_refused_staff_account_writes_nothing(app, factory, email, role, password, message):
    factory.user(email="gestion@example.ch")
    with pytest.raises(StaffAccountRefused, match=message):
        create_staff_account(email, role, password)
    db.session.commit()
    assert count(User) == 1
    assert db.session.scalar(select(User.role)) == "insured"
