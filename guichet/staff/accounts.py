"""« Personnel »: the office's staff accounts as administrators keep them. Invite by e-mail
(verification/staff_links.py makes and e-mails the link), change the role, disable (every
session ends at once) and re-enable, reset the authenticator app (a new enrollment link, the
password kept).

Guards: an administrator changes neither their own role nor their own account here, and the
last active administrator is never demoted or disabled (checked with the administrators' rows
locked, so that two administrators demoting each other at once cannot both succeed). Every
action is audited, never with the token or the secret. Nothing here commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.sessions import revoke_all
from guichet.models import ROLE_ADMIN, STAFF_ROLES, AuditEntry, User, utcnow
from guichet.models.base import db
from guichet.models.staff_invitation import KIND_ACCOUNT, KIND_AUTHENTICATOR, StaffInvitation
from guichet.verification import staff_links
from guichet.verification.staff_links import role_label

ACTIVE, DISABLED, INVITED, EXPIRED, APP_PENDING = (
    "active", "disabled", "invited", "expired", "app_pending")


class AccountActionRefused(Exception):
    """Nothing was changed; the message (French) says why."""


@dataclass
class StaffRow:
    """One line of « Personnel »: an account, or an invitation not yet accepted."""

    name: str
    email: str
    role: str
    state: str
    last_login: datetime | None = None
    user: User | None = None
    invitation: StaffInvitation | None = None  # the invitation, or the open enrollment link

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    @property
    def state_label(self) -> str:
        return {ACTIVE: _("Actif"), DISABLED: _("Désactivé"), INVITED: _("Invité·e"),
                EXPIRED: _("Invitation expirée"),
                APP_PENDING: _("Application à configurer")}[self.state]


def staff_rows() -> list[StaffRow]:
    """Every staff account (active first, by name), then the invitations still pending or
    expired (not withdrawn)."""
    users = db.session.scalars(select(User).where(User.role.in_(STAFF_ROLES)).order_by(
        User.disabled_at.is_not(None), User.nom, User.prenom, User.email)).all()
    ids = [user.id for user in users]
    last_logins = dict(db.session.execute(
        select(AuditEntry.actor_id, func.max(AuditEntry.at))
        .where(AuditEntry.action == "login", AuditEntry.actor_id.in_(ids))
        .group_by(AuditEntry.actor_id)).all()) if ids else {}
    open_links = {link.user_id: link for link in db.session.scalars(
        select(StaffInvitation).where(StaffInvitation.kind == KIND_AUTHENTICATOR,
                                      StaffInvitation.user_id.in_(ids),
                                      StaffInvitation.used_at.is_(None),
                                      StaffInvitation.revoked_at.is_(None))
        .order_by(StaffInvitation.id))} if ids else {}
    rows = []
    for user in users:
        state = (DISABLED if not user.is_active else
                 APP_PENDING if not user.has_authenticator else ACTIVE)
        rows.append(StaffRow(user.display_name, user.email, user.role, state,
                             last_logins.get(user.id), user=user,
                             invitation=open_links.get(user.id)))
    invitations = db.session.scalars(select(StaffInvitation).where(
        StaffInvitation.kind == KIND_ACCOUNT, StaffInvitation.used_at.is_(None),
        StaffInvitation.revoked_at.is_(None)).order_by(StaffInvitation.created_at)).all()
    for invitation in invitations:
        rows.append(StaffRow(invitation.display_name, invitation.email, invitation.role,
                             EXPIRED if invitation.is_expired else INVITED,
                             invitation=invitation))
    return rows


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise AccountActionRefused(_("Choisissez l'un des rôles proposés."))


def invite_staff(actor: User, email: str, role: str, prenom: str | None,
                 nom: str | None) -> StaffInvitation:
    """E-mails an invitation; refused when the address has an account or a pending
    invitation (an expired one is withdrawn and replaced)."""
    email = email.strip().lower()
    _check_role(role)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountActionRefused(_("Un compte existe déjà pour cette adresse."))
    if staff_links.open_invitation_for(email) is not None:
        raise AccountActionRefused(_("Une invitation est déjà en cours pour cette adresse : "
                                     "renvoyez-la depuis la liste si besoin."))
    for expired in db.session.scalars(select(StaffInvitation).where(
            StaffInvitation.email == email, StaffInvitation.kind == KIND_ACCOUNT,
            StaffInvitation.used_at.is_(None), StaffInvitation.revoked_at.is_(None))):
        staff_links.revoke(expired)
    invitation = staff_links.invite(email, role, prenom, nom, invited_by=actor)
    record("staff_invited", actor=actor, object_type="staff_invitation",
           object_id=invitation.id, role=role)
    return invitation


def _pending(invitation: StaffInvitation) -> None:
    if (invitation.kind != KIND_ACCOUNT or invitation.used_at is not None
            or invitation.revoked_at is not None):
        raise AccountActionRefused(_("Cette invitation a déjà été acceptée ou retirée."))


def resend_invitation(actor: User, invitation: StaffInvitation) -> None:
    """A new link (the previous one stops working), valid again for the whole delay."""
    _pending(invitation)
    if db.session.scalar(select(User.id).where(User.email == invitation.email)) is not None:
        raise AccountActionRefused(_("Un compte existe déjà pour cette adresse."))
    staff_links.resend(invitation)
    record("staff_invitation_resent", actor=actor, object_type="staff_invitation",
           object_id=invitation.id)


def revoke_invitation(actor: User, invitation: StaffInvitation) -> None:
    _pending(invitation)
    staff_links.revoke(invitation)
    record("staff_invitation_revoked", actor=actor, object_type="staff_invitation",
           object_id=invitation.id)


def _not_self(actor: User, user: User, message: str) -> None:
    if actor.id == user.id:
        raise AccountActionRefused(message)


def _keep_an_administrator(user: User) -> None:
    """Refused when ``user`` is the only active administrator (their rows locked first)."""
    if not (user.is_admin and user.is_active):
        return
    admins = db.session.scalars(select(User.id).where(
        User.role == ROLE_ADMIN, User.disabled_at.is_(None)).with_for_update()).all()
    if [admin for admin in admins if admin != user.id] == []:
        raise AccountActionRefused(_("C'est le dernier compte administrateur actif : nommez "
                                     "d'abord un·e autre administrateur·trice."))


def change_role(actor: User, user: User, role: str) -> bool:
    """The new role (False when it is the same)."""
    _check_role(role)
    _not_self(actor, user, _("Vous ne pouvez pas changer votre propre rôle : demandez-le à "
                             "un·e autre administrateur·trice."))
    if user.role == role:
        return False
    if role != ROLE_ADMIN:
        _keep_an_administrator(user)
    previous, user.role = user.role, role
    record("staff_role_changed", actor=actor, object_type="user", object_id=user.id,
           before=previous, after=role)
    return True


def disable(actor: User, user: User) -> bool:
    """The account can no longer log in; every session of it ends at once (its next request is
    logged out), and its open enrollment links die. False when it was disabled already."""
    _not_self(actor, user, _("Vous ne pouvez pas désactiver votre propre compte."))
    if not user.is_active:
        return False
    _keep_an_administrator(user)
    user.disabled_at = utcnow()
    revoke_all(user)
    staff_links.revoke_links_of(user)
    record("staff_disabled", actor=actor, object_type="user", object_id=user.id)
    return True


def enable(actor: User, user: User) -> bool:
    """The account may log in again, with its password and its app."""
    if user.is_active:
        return False
    user.disabled_at = None
    record("staff_enabled", actor=actor, object_type="user", object_id=user.id)
    return True


def reset_authenticator(actor: User, user: User) -> StaffInvitation:
    """Clears the app's secret and ends every session; the person receives a link to enroll a
    new app (their password stays). Sent again, it replaces the previous link."""
    _not_self(actor, user, _("Vous ne pouvez pas réinitialiser votre propre application ici : "
                             "demandez-le à un·e autre administrateur·trice."))
    if not user.is_active:
        raise AccountActionRefused(_("Ce compte est désactivé : réactivez-le d'abord."))
    user.totp_secret = user.totp_pending_secret = None
    user.totp_last_step = user.totp_confirmed_at = None
    revoke_all(user)
    link = staff_links.send_authenticator_link(user, sent_by=actor)
    record("staff_authenticator_reset", actor=actor, object_type="user", object_id=user.id)
    return link
