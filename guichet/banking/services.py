"""Adding and removing payout IBANs. A new IBAN needs the password and a fresh SMS code."""
from __future__ import annotations

from sqlalchemy import select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.iban import PayoutIban, mask_iban
from guichet.models import AuthSession, BankAccount, User, utcnow
from guichet.models.base import db
from guichet.models.codes import PURPOSE_IBAN
from guichet.verification.codes import SendResult, check_code, issue_code
from guichet.verification.credentials import notify_old_address


def pending_account(user: User) -> BankAccount | None:
    return db.session.scalars(select(BankAccount).where(
        BankAccount.user_id == user.id, BankAccount.confirmed_at.is_(None),
        BankAccount.removed_at.is_(None)).order_by(BankAccount.id.desc())).first()


class AlreadyListed(ValueError):
    """This IBAN is already one of the account's IBANs."""


def request_new_iban(user: User, auth_session: AuthSession, iban: PayoutIban,
                     holder: str) -> SendResult:
    """Keeps the IBAN waiting and sends an SMS code to the account's mobile."""
    existing = db.session.scalar(select(BankAccount).where(
        BankAccount.user_id == user.id, BankAccount.iban == iban.compact))
    if existing is not None and existing.confirmed_at and existing.removed_at is None:
        raise AlreadyListed()
    for waiting in db.session.scalars(select(BankAccount).where(
            BankAccount.user_id == user.id, BankAccount.confirmed_at.is_(None),
            BankAccount.removed_at.is_(None), BankAccount.iban != iban.compact)):
        waiting.removed_at = utcnow()
    if existing is None:
        existing = BankAccount(user_id=user.id, iban=iban.compact)
        db.session.add(existing)
    existing.holder, existing.bank_name = holder, iban.bank_name
    existing.confirmed_at = existing.removed_at = None
    db.session.flush()
    record("iban_requested", actor=user, object_type="bank_account", object_id=existing.id)
    return issue_code(auth_session, user.phone, PURPOSE_IBAN,
                      _("pour confirmer l'ajout d'un IBAN"))


def confirm_new_iban(user: User, auth_session: AuthSession, code: str) -> BankAccount | None:
    account = pending_account(user)
    if account is None or check_code(auth_session, PURPOSE_IBAN, code) is None:
        return None
    account.confirmed_at = utcnow()
    notify_old_address(user, "iban_added")
    record("iban_added", actor=user, object_type="bank_account", object_id=account.id,
           iban=mask_iban(account.iban))
    return account


def remove_iban(user: User, account_id: int) -> BankAccount | None:
    account = db.session.get(BankAccount, account_id)
    if account is None or account.user_id != user.id or account.removed_at is not None:
        return None
    account.removed_at = utcnow()
    record("iban_removed", actor=user, object_type="bank_account", object_id=account.id)
    return account

