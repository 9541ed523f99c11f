"""Adding and removing payout IBANs. A new IBAN needs the password and a second factor: none
more when the session proved one a few minutes ago (the login code), else a code by SMS or from
the authenticator app."""
from __future__ import annotations

from sqlalchemy import select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.iban import PayoutIban, mask_iban
from guichet.models import AuthSession, BankAccount, User, utcnow
from guichet.models.base import db
from guichet.models.codes import PURPOSE_IBAN
from guichet.verification.codes import SendResult, issue_code
from guichet.verification.credentials import notify_old_address
from guichet.verification.second_factor import StepUp, begin_step_up, check_second_factor


def pending_account(user: User) -> BankAccount | None:
    return db.session.scalars(select(BankAccount).where(
        BankAccount.user_id == user.id, BankAccount.confirmed_at.is_(None),
        BankAccount.removed_at.is_(None)).order_by(BankAccount.id.desc())).first()


class AlreadyListed(ValueError):
    """This IBAN is already one of the account's IBANs."""


def request_new_iban(user: User, auth_session: AuthSession, iban: PayoutIban,
                     holder: str) -> StepUp:
    """Keeps the IBAN waiting for the second factor; adds it at once when the session is fresh,
    else sends an SMS code when that is the person's way (a refused send leaves it waiting: the
    code page says when a code can be asked)."""
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
    step = begin_step_up(user, auth_session, PURPOSE_IBAN, _iban_code_action())
    if step.fresh:
        _add(user, existing)
    return step


def resend_iban_code(user: User, auth_session: AuthSession) -> SendResult:
    return issue_code(auth_session, user.phone, PURPOSE_IBAN, _iban_code_action())


def _iban_code_action() -> str:
    return _("pour confirmer l'ajout d'un IBAN")


def confirm_new_iban(user: User, auth_session: AuthSession, method: str | None,
                     code: str) -> BankAccount | None:
    account = pending_account(user)
    if account is None or not check_second_factor(user, auth_session, PURPOSE_IBAN, method,
                                                   code):
        return None
    _add(user, account)
    return account


def _add(user: User, account: BankAccount) -> None:
    account.confirmed_at = utcnow()
    notify_old_address(user, "iban_added")
    record("iban_added", actor=user, object_type="bank_account", object_id=account.id,
           iban=mask_iban(account.iban))


def remove_iban(user: User, account_id: int) -> BankAccount | None:
    account = db.session.get(BankAccount, account_id)
    if account is None or account.user_id != user.id or account.removed_at is not None:
        return None
    account.removed_at = utcnow()
    record("iban_removed", actor=user, object_type="bank_account", object_id=account.id)
    return account

