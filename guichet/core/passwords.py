"""Password rules and password hashing.

Rules follow current guidance (NIST SP 800-63B, NCSC): a long minimum length,
any character allowed, no composition rules ("one digit, one symbol..."), but
refusal of well-known passwords and of passwords built from the person's own
identifiers (e-mail address, AVS number).

Passwords are compared and hashed after Unicode NFC normalisation, so that the
same password typed on systems that compose accents differently (macOS
vs. Windows, for "é") is the same password.

Hashing uses Argon2id through argon2-cffi. Its parameters are module-wide and
set once at start-up with :func:`configure_hasher` (tests make them cheap).
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from .i18n import lazy_gettext as _l

__all__ = [
    "MIN_LENGTH",
    "MAX_LENGTH",
    "PasswordPolicy",
    "check_password",
    "configure_hasher",
    "hash_password",
    "verify_password",
    "needs_rehash",
    "dummy_verify",
]

MIN_LENGTH = 12
MAX_LENGTH = 256


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _key(text: str) -> str:
    """Case-insensitive comparison form of a password or identifier."""
    return _nfc(text).casefold()


# --- Rules ---------------------------------------------------------------------------

@functools.cache
def common_passwords() -> frozenset[str]:
    """The list of well-known passwords shipped in ``guichet/data``, read once."""
    text = (importlib.resources.files("guichet") / "data" / "common_passwords.txt").read_text(
        encoding="utf-8"
    )
    return frozenset(_key(line.strip()) for line in text.splitlines() if line.strip())


# Separators people put inside an AVS number; removed from the password before
# looking for the 13 digits, so "756.1234.5678.97" and "7561234567897" are both found.
_NAVS_SEPARATORS = re.compile(r"[\s.\-]+")
_NON_DIGITS = re.compile(r"[^0-9]")


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must satisfy; :meth:`check` lists what is wrong."""

    min_length: int = MIN_LENGTH
    max_length: int = MAX_LENGTH

    def check(
        self, password: str, *, email: str | None = None, navs13: str | None = None
    ) -> list:
        """Return French messages explaining what is wrong (empty list: accepted).

        Length counts Unicode code points after NFC normalisation, so an
        accented letter or an emoji counts as one character.
        """
        password = _nfc(password or "")
        errors = []
        if len(password) < self.min_length:
            errors.append(_l(
                "Le mot de passe doit compter au moins %(min)d caractères.",
                min=self.min_length,
            ))
        elif len(password) > self.max_length:
            errors.append(_l(
                "Le mot de passe ne doit pas dépasser %(max)d caractères.",
                max=self.max_length,
            ))
        if password and _is_common(password):
            errors.append(_l(
                "Ce mot de passe est trop courant : choisissez-en un autre, "
                "par exemple une phrase de plusieurs mots."
            ))
        if email and _contains_email(password, email):
            errors.append(_l("Le mot de passe ne doit pas contenir votre adresse e-mail."))
        if navs13 and _contains_navs13(password, navs13):
            errors.append(_l("Le mot de passe ne doit pas contenir votre N° AVS."))
        return errors


_DEFAULT_POLICY = PasswordPolicy()


def check_password(
    password: str, *, email: str | None = None, navs13: str | None = None
) -> list:
    """Check ``password`` against the default :class:`PasswordPolicy`.

    Returns a list of French messages (lazy strings); empty means accepted.
    """
    return _DEFAULT_POLICY.check(password, email=email, navs13=navs13)


def _is_common(password: str) -> bool:
    """Well-known password, or one character / short chunk repeated
    ("aaaaaaaaaaaa", "abcabcabcabc", "ab12ab12ab12")."""
    key = _key(password)
    if key in common_passwords():
        return True
    return any(
        len(key) % size == 0 and key == key[:size] * (len(key) // size)
        for size in range(1, 5)
        if len(key) > size
    )


def _contains_email(password: str, email: str) -> bool:
    """True if the password contains the whole address, or its local part
    when that part is long enough (4+ characters) to be meaningful."""
    key = _key(password)
    address = _key(email.strip())
    if address and address in key:
        return True
    local = address.rpartition("@")[0] if "@" in address else ""
    return len(local) >= 4 and local in key


def _contains_navs13(password: str, navs13: str) -> bool:
    """True if the 13 digits of the AVS number appear in the password,
    whatever separators (dots, spaces, dashes) are used around them."""
    digits = _NON_DIGITS.sub("", navs13)
    if len(digits) != 13:
        return False
    return digits in _NAVS_SEPARATORS.sub("", password)


# --- Hashing -------------------------------------------------------------------------

class _Hasher:
    """An Argon2id hasher plus a lazily made hash used by :func:`dummy_verify`."""

    def __init__(self, hasher: argon2.PasswordHasher):
        self.hasher = hasher
        self._dummy_hash: str | None = None
        self._lock = threading.Lock()

    def dummy_hash(self) -> str:
        # Made on first use (hashing at import would slow every start-up) with
        # this hasher's parameters, so a dummy verify costs as much as a real one.
        if self._dummy_hash is None:
            with self._lock:
                if self._dummy_hash is None:
                    self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(32))
        return self._dummy_hash


_current = _Hasher(argon2.PasswordHasher())  # RFC 9106 low-memory profile


def configure_hasher(
    time_cost: int | None = None,
    memory_cost: int | None = None,
    parallelism: int | None = None,
) -> None:
    """Set the Argon2id parameters used for new hashes.

    ``memory_cost`` is in KiB. Parameters left to ``None`` take argon2-cffi's
    RFC 9106 low-memory defaults (time_cost=3, memory_cost=65536, parallelism=4).
    Existing hashes stay verifiable; :func:`needs_rehash` tells which to renew.
    """
    default = argon2.profiles.RFC_9106_LOW_MEMORY
    global _current
    _current = _Hasher(argon2.PasswordHasher(
        time_cost=default.time_cost if time_cost is None else time_cost,
        memory_cost=default.memory_cost if memory_cost is None else memory_cost,
        parallelism=default.parallelism if parallelism is None else parallelism,
        hash_len=default.hash_len,
        salt_len=default.salt_len,
        type=argon2.Type.ID,
    ))


def hash_password(password: str) -> str:
    """Argon2id hash (PHC string ``$argon2id$...``) of the NFC-normalised password."""
    return _current.hasher.hash(_nfc(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches ``password_hash``.

    Never raises for a wrong password or a missing / malformed hash: those
    are simply ``False``.
    """
    if not password_hash or password is None:
        return False
    try:
        return _current.hasher.verify(password_hash, _nfc(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with other parameters than the current ones
    (to be replaced after the next successful login). A malformed hash also
    needs replacing."""
    try:
        return _current.hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def dummy_verify(password: str) -> None:
    """Spend the time of one verification when there is no account to check.

    Called on login with an unknown identifier, so that the response time
    does not reveal whether an account exists.
    """
    hasher = _current
    try:
        hasher.hasher.verify(hasher.dummy_hash(), _nfc(password or ""))
    except (VerificationError, InvalidHashError):
        pass
