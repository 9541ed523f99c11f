"""Tests for guichet.core.passwords: password rules and Argon2id hashing."""

import unicodedata

import pytest

from guichet.core import passwords
from guichet.core.passwords import (PasswordPolicy, check_password, configure_hasher, dummy_verify,
                                    hash_password, needs_rehash, verify_password)

GOOD = "vélo rouge sous la pluie"

TOO_SHORT = "Le mot de passe doit compter au moins 12 caractères."
TOO_LONG = "Le mot de passe ne doit pas dépasser 256 caractères."
TOO_COMMON = (
    "Ce mot de passe est trop courant : choisissez-en un autre, "
    "par exemple une phrase de plusieurs mots."
)
HAS_EMAIL = "Le mot de passe ne doit pas contenir votre adresse e-mail."
HAS_NAVS = "Le mot de passe ne doit pas contenir votre N° AVS."


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    """Cheap Argon2 parameters for tests; whatever hasher was set before
    (e.g. by the application's test configuration) is put back afterwards."""
    monkeypatch.setattr(passwords, "_current", passwords._current)
    configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)


def messages(password, **kwargs):
    return [str(m) for m in check_password(password, **kwargs)]


# --- Length -----------------------------------------------------------------------------

@pytest.mark.parametrize("password, ok", [
    ("", False),
    ("x7Kp2mQ9vL4", False),            # 11 characters
    ("x7Kp2mQ9vL4z", True),            # 12 characters
    ("é" * 5 + "x7Kp2mQ", True),       # 12 code points, more bytes
    ("e\u0301" * 5 + "x7Kp2mQ", True),  # decomposed é: 12 after NFC, 17 before
    ("".join(chr(0x4E00 + i) for i in range(12)), True),
    ("a1b2c3d4e5f6" * 21 + "g7h8", True),     # 256 characters
    ("a1b2c3d4e5f6" * 21 + "g7h8i", False),   # 257 characters
])
def test_length_limits(password, ok):
    assert (TOO_SHORT not in messages(password) and TOO_LONG not in messages(password)) is ok


def test_length_messages():
    assert messages("court") == [TOO_SHORT]
    assert messages("a1b2c3d4e5f6" * 22) == [TOO_LONG]


def test_length_is_counted_after_nfc():
    decomposed = "e\u0301" * 6  # 12 code points, 6 characters after NFC
    assert unicodedata.normalize("NFC", decomposed) == "é" * 6
    assert TOO_SHORT in messages(decomposed)


@pytest.mark.parametrize("password", [
    "🐱🐶🦊🐻🐼🐨🐯🦁🐮🐷🐸🐵",
    "j'aime les 🍫 et les 🧀 suisses",
    "Grüezi mitenand, wie gaht's?",
    "пароль очень длинный",
    "     spaces   everywhere   ",
    GOOD,
])
def test_any_unicode_is_accepted(password):
    assert messages(password) == []


def test_no_composition_rules():
    assert messages("only lower case letters here") == []


# --- Common passwords ----------------------------------------------------------------------

@pytest.mark.parametrize("password", [
    "motdepasse123",
    "MotDePasse123",
    "AZERTYUIOP123",
    "azertyuiop123",
    "123456789012",
    "password1234",
    "Password1234",
    "qwertzuiop12",
    "qwertyuiop123",
    "1q2w3e4r5t6y",
    "aaaaaaaaaaaa",          # one character repeated
    "abcabcabcabc",          # a short chunk repeated
    "ab12ab12ab12ab12",
])
def test_common_passwords_refused(password):
    assert messages(password) == [TOO_COMMON]


def test_common_password_list_is_shipped_and_large():
    common = passwords.common_passwords()
    assert len([p for p in common if len(p) >= 12]) >= 1000
    assert all(p == p.casefold() for p in common)


# --- Personal identifiers ---------------------------------------------------------------------

@pytest.mark.parametrize("password, email, refused", [
    ("jean.dupont@example.ch!!", "jean.dupont@example.ch", True),
    ("JEAN.DUPONT@EXAMPLE.CH!!", "Jean.Dupont@Example.ch", True),
    ("mon jean.dupont adoré", "jean.dupont@example.ch", True),     # local part
    ("bonjour AnnA la neige", "anna@example.ch", True),             # local part, 4 chars
    ("bonjour max la neige", "max@example.ch", False),              # local part too short
    ("max@example.ch tous les jours", "max@example.ch", True),      # whole address
    (GOOD, "jean.dupont@example.ch", False),
])
def test_email_in_password(password, email, refused):
    assert (HAS_EMAIL in messages(password, email=email)) is refused


@pytest.mark.parametrize("password, navs13, refused", [
    ("mon avs 7561234567897 !", "756.1234.5678.97", True),
    ("mon avs 756.1234.5678.97 !", "7561234567897", True),
    ("mon avs 756 1234 5678 97 !", "7561234567897", True),
    ("mon avs 756123456789 !", "7561234567897", False),
    (GOOD, "7561234567897", False),
    ("mon avs 7561234567897 !", "", False),
    ("mon avs 7561234567897 !", "pas un numéro", False),
])
def test_navs13_in_password(password, navs13, refused):
    assert (HAS_NAVS in messages(password, navs13=navs13)) is refused


def test_several_problems_are_all_reported():
    found = messages("anna", email="anna@example.ch")
    assert found == [TOO_SHORT, HAS_EMAIL]


def test_custom_policy():
    policy = PasswordPolicy(min_length=16)
    found = [str(m) for m in policy.check("x7Kp2mQ9vL4z")]
    assert found == ["Le mot de passe doit compter au moins 16 caractères."]


# --- Hashing ------------------------------------------------------------------------------

def test_hash_and_verify():
    stored = hash_password(GOOD)
    assert stored.startswith("$argon2id$")
    assert "m=1024,t=1,p=1" in stored
    assert verify_password(stored, GOOD)
    assert not verify_password(stored, GOOD + " ")
    assert not verify_password(stored, GOOD.upper())


def test_hashes_are_salted():
    assert hash_password(GOOD) != hash_password(GOOD)


def test_verify_is_insensitive_to_unicode_composition():
    nfd = unicodedata.normalize("NFD", GOOD)
    assert nfd != GOOD
    assert verify_password(hash_password(GOOD), nfd)
    assert verify_password(hash_password(nfd), GOOD)


@pytest.mark.parametrize("stored", [None, "", "not a hash", "$argon2id$v=19$m=1024,t=1,p=1$xx$yy",
                                    "$2b$12$abcdefghijklmnopqrstuv"])
def test_verify_never_raises_on_bad_hash(stored):
    assert verify_password(stored, GOOD) is False


def test_rehash_after_parameter_change():
    stored = hash_password(GOOD)
    assert not needs_rehash(stored)
    configure_hasher(time_cost=2, memory_cost=1024, parallelism=1)
    assert needs_rehash(stored)
    assert verify_password(stored, GOOD)  # old hashes keep working
    renewed = hash_password(GOOD)
    assert "t=2" in renewed
    assert not needs_rehash(renewed)


def test_malformed_hash_needs_rehash():
    assert needs_rehash("not a hash")


def test_default_parameters_are_rfc9106_low_memory():
    configure_hasher()
    params = passwords._current.hasher
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)


def test_dummy_verify_uses_current_parameters():
    dummy_verify("anything at all")  # returns quietly
    assert "m=1024,t=1,p=1" in passwords._current.dummy_hash()
    configure_hasher(time_cost=2, memory_cost=2048, parallelism=1)
    dummy_verify("anything at all")
    assert "m=2048,t=2,p=1" in passwords._current.dummy_hash()
