"""« Personnel » (administrators only): the staff accounts and invitations, the invitation form,
and one plain POST form per action (role, disable, re-enable, reset the app, resend or withdraw
an invitation), each answering 303 back to the list with a flash; a form with errors shows the
list again with its error summary (422)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from guichet.core.access import admin_required
from guichet.core.i18n import gettext as _
from guichet.models import STAFF_ROLES, User
from guichet.models.base import db
from guichet.models.staff_invitation import StaffInvitation

from . import accounts
from .account_forms import InviteStaffForm, StaffRoleForm
from .blueprint import bp


def _page(status: int = 200, invite_form=None, role_forms=None):
    rows = accounts.staff_rows()
    forms = role_forms or {}
    for row in rows:
        if row.user is not None:
            forms.setdefault(row.user.id, StaffRoleForm(formdata=None, prefix=f"s{row.user.id}",
                                                        data={"role": row.user.role}))
    hours = int(current_app.config["STAFF_INVITATION_MAX_AGE"].total_seconds() // 3600)
    return render_template("staff/accounts.html", rows=rows, role_forms=forms, hours=hours,
                           invite_form=invite_form or InviteStaffForm(formdata=None,
                                                                      prefix="invite")), status


def _back(message: str, category: str = "success"):
    flash(message, category)
    return redirect(url_for("staff.list_staff_accounts"), 303)


def _staff_or_404(staff_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == staff_id,
                                                User.role.in_(STAFF_ROLES)))
    if user is None:
        abort(404)
    return user


def _carry_out(action, message: str, unchanged: str | None = None):
    """Runs ``action()``; its refusal becomes the flash (nothing changed)."""
    try:
        changed = action()
    except accounts.AccountActionRefused as refused:
        return _back(str(refused), "error")
    return _back(message if changed is not False or unchanged is None else unchanged)


@bp.route("/personnel")
@admin_required
def list_staff_accounts():
    """The staff accounts (name, e-mail, role, state, last login) and the invitations."""
    return _page()


@bp.route("/personnel", methods=["POST"])
@admin_required
def invite_staff():
    """E-mails an invitation (303 back); 422 with the errors."""
    form = InviteStaffForm(prefix="invite")
    if not form.validate():
        return _page(422, invite_form=form)
    try:
        accounts.invite_staff(current_user, form.email.data, form.role.data, form.prenom.data,
                              form.nom.data)
    except accounts.AccountActionRefused as refused:
        form.email.errors = [str(refused)]
        return _page(422, invite_form=form)
    return _back(_("Invitation envoyée à %(email)s.", email=form.email.data))


@bp.route("/personnel/<int:staff_id>/role", methods=["POST"])
@admin_required
def change_staff_role(staff_id: int):
    user = _staff_or_404(staff_id)
    form = StaffRoleForm(prefix=f"s{user.id}")
    if not form.validate():
        return _page(422, role_forms={user.id: form})
    return _carry_out(lambda: accounts.change_role(current_user, user, form.role.data),
                      _("Rôle de %(name)s changé.", name=user.display_name),
                      _("Le rôle de %(name)s reste le même.", name=user.display_name))


@bp.route("/personnel/<int:staff_id>/desactiver", methods=["POST"])
@admin_required
def disable_staff_account(staff_id: int):
    """Disables the account: its sessions end now."""
    user = _staff_or_404(staff_id)
    return _carry_out(lambda: accounts.disable(current_user, user),
                      _("Compte de %(name)s désactivé : ses sessions sont terminées.",
                        name=user.display_name))


@bp.route("/personnel/<int:staff_id>/reactiver", methods=["POST"])
@admin_required
def enable_staff_account(staff_id: int):
    user = _staff_or_404(staff_id)
    return _carry_out(lambda: accounts.enable(current_user, user),
                      _("Compte de %(name)s réactivé.", name=user.display_name))


@bp.route("/personnel/<int:staff_id>/application", methods=["POST"])
@admin_required
def reset_staff_authenticator(staff_id: int):
    """Clears the app, ends the sessions, e-mails a link to enroll a new one."""
    user = _staff_or_404(staff_id)
    return _carry_out(lambda: accounts.reset_authenticator(current_user, user),
                      _("Application de %(name)s réinitialisée : un lien pour en configurer une "
                        "nouvelle lui a été envoyé.", name=user.display_name))


def _invitation_or_404(invitation_id: int) -> StaffInvitation:
    return db.get_or_404(StaffInvitation, invitation_id)


@bp.route("/personnel/invitations/<int:invitation_id>/renvoyer", methods=["POST"])
@admin_required
def resend_staff_invitation(invitation_id: int):
    """A new link (the previous one stops working)."""
    invitation = _invitation_or_404(invitation_id)
    return _carry_out(lambda: accounts.resend_invitation(current_user, invitation),
                      _("Invitation renvoyée à %(email)s.", email=invitation.email))


@bp.route("/personnel/invitations/<int:invitation_id>/retirer", methods=["POST"])
@admin_required
def revoke_staff_invitation(invitation_id: int):
    invitation = _invitation_or_404(invitation_id)
    return _carry_out(lambda: accounts.revoke_invitation(current_user, invitation),
                      _("Invitation à %(email)s retirée : son lien ne fonctionne plus.",
                        email=invitation.email))
