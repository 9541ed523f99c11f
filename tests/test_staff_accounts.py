"""« Personnel » (issue 10): administrators invite staff by e-mail, the invited person enrolls
(password, then the authenticator app) and logs in; roles change, accounts are disabled (their
sessions end at once) and re-enabled, authenticators reset; the guards (oneself, the last
administrator); every action audited, never with the token or the secret; dead links refused."""
from __future__ import annotations

import html as html_module
import re
import threading
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from guichet.core.unit_of_work import unit_of_work
from guichet.models import AuditEntry, AuthSession, StaffInvitation, User, utcnow
from guichet.models.base import db
from guichet.staff import accounts
from tests.support.accounts import PASSWORD, app_code, start_login
from tests.support.databases import count
from tests.support.staff_accounts import (ENROLL_PATH, choose_password, confirm_app,
                                          enrollment_link, key_on_page, pending_invitation)

LIST = "/gestion/personnel"
NEW_PASSWORD = "classeur vert du mardi 42"
WRONG_LOGIN = "E-mail ou mot de passe incorrect."


def invite(admin_client, email="lea.nouvelle@office.example.ch", role="reviewer", **extra):
    data = {"invite-prenom": "Léa", "invite-nom": "Nouvelle", "invite-email": email,
            "invite-role": role, **extra}
    return admin_client.post(LIST, data=data)


def shown(response) -> str:
    """The page's HTML with its entities read (« n'est » rather than « n&#39;est »)."""
    return html_module.unescape(response.get_data(as_text=True))


def audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


def user_by(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def flash_on_list(client) -> str:
    return shown(client.get(LIST))


def log_in_with_next_code(client, user, secret):
    """Password, then the app's next code (the current one may have served a moment ago)."""
    start_login(client, user)
    response = client.post("/connexion/code", data={"code": app_code(secret)})
    assert response.status_code == 303 and response.headers["Location"] == "/gestion/"


def enrolled(client, admin_client, mailbox, email="lea.nouvelle@office.example.ch",
             role="reviewer") -> tuple[User, str]:
    """Invited, then enrolled from the link: (the account, its app's secret)."""
    assert invite(admin_client, email, role).status_code == 303
    link = enrollment_link(mailbox, email)
    choose_password(client, link)
    secret = confirm_app(client, link)
    return user_by(email), secret


# --- invite → enroll → log in ---------------------------------------------------------------

def test_an_invited_reviewer_enrolls_and_logs_in(app, admin_client, client, mailbox):
    response = invite(admin_client)
    assert response.status_code == 303 and response.headers["Location"] == LIST
    page = flash_on_list(admin_client)
    assert "Invitation envoyée à lea.nouvelle@office.example.ch." in page
    assert "Léa Nouvelle" in page and "Invité·e" in page

    [mail] = mailbox.to("lea.nouvelle@office.example.ch")
    assert mail.subject == "Votre compte du personnel sur Guichet"
    assert "avec le rôle « Gestionnaire »" in mail.text and "72 heures" in mail.text
    link = enrollment_link(mailbox, "lea.nouvelle@office.example.ch")
    token = link.removeprefix(ENROLL_PATH)
    invitation = db.session.scalar(select(StaffInvitation))
    assert token not in (invitation.token_hash, invitation.pending_totp_secret)
    assert invitation.invited_by_id == admin_client.user.id
    [invited] = audit("staff_invited")
    assert invited.actor_id == admin_client.user.id and invited.detail == {"role": "reviewer"}
    assert user_by("lea.nouvelle@office.example.ch") is None  # nothing usable yet

    first = client.get(link)
    assert first.status_code == 200
    html = shown(first)
    assert "Étape 1 sur 2" in html and "lea.nouvelle@office.example.ch" in html
    choose_password(client, link)
    assert user_by("lea.nouvelle@office.example.ch") is None  # the app is not confirmed yet

    app_page = client.get(link + "/application")
    html = shown(app_page)
    assert app_page.status_code == 200 and "Étape 2 sur 2" in html
    svg = re.search(r'<figure class="qr"><svg[^>]*class="qr-code".*?</svg></figure>', html,
                    re.S)
    assert svg and "<title>Code QR à lire avec votre application" in svg.group(0)
    secret = key_on_page(html)
    assert len(secret) == 32

    wrong = client.post(link + "/application", data={"code": "000000"})
    assert wrong.status_code == 422 and "Ce code n'est pas valable" in shown(wrong)
    assert confirm_app(client, link) == secret
    landing = shown(client.get("/connexion"))
    assert "Votre compte est prêt." in landing

    user = user_by("lea.nouvelle@office.example.ch")
    assert (user.role, user.prenom, user.nom) == ("reviewer", "Léa", "Nouvelle")
    assert user.totp_secret == secret and user.email_confirmed_at is not None
    assert user.is_active and user.phone is None
    db.session.refresh(invitation)
    assert invitation.used_at is not None and invitation.user_id == user.id
    assert invitation.pending_password_hash is None and invitation.pending_totp_secret is None
    [enrolled_entry] = audit("staff_account_enrolled")
    assert enrolled_entry.actor_id == user.id

    # then a normal staff login: the password and the app's next code
    start_login(client, user)
    response = client.post("/connexion/code", data={"code": app_code(secret)})
    assert response.status_code == 303 and response.headers["Location"] == "/gestion/"
    assert client.get("/gestion/").status_code == 200
    page = flash_on_list(admin_client)
    assert "Actif" in page and "Aucune connue" not in page.split("Léa Nouvelle")[1]

    # the link served once
    assert client.get(link).status_code == 400
    assert client.get(link + "/application").status_code == 400


def test_the_password_step_keeps_the_policy_and_asks_it_twice(app, admin_client, client,
                                                              mailbox):
    invite(admin_client)
    link = enrollment_link(mailbox, "lea.nouvelle@office.example.ch")
    for password, confirm, message in [
            ("court", "court", "au moins 12 caractères"),
            ("lea.nouvelle@office.example.ch 1", "lea.nouvelle@office.example.ch 1",
             "adresse e-mail"),
            (NEW_PASSWORD, NEW_PASSWORD + "x", "Les deux mots de passe ne sont pas identiques"),
            ("", "", "Ce champ est obligatoire.")]:
        response = client.post(link, data={"password": password, "password_confirm": confirm})
        html = shown(response)
        assert response.status_code == 422, (password, html)
        assert 'class="error-summary"' in html and message in html
    assert db.session.scalar(select(StaffInvitation.pending_password_hash)) is None
    # without the password, the app's step sends back to it
    response = client.get(link + "/application")
    assert response.status_code == 303 and response.headers["Location"] == link


def test_the_app_step_belongs_to_the_browser_that_chose_the_password(app, admin_client,
                                                                     client, mailbox):
    invite(admin_client)
    link = enrollment_link(mailbox, "lea.nouvelle@office.example.ch")
    choose_password(client, link)
    other = app.test_client()
    response = other.get(link + "/application")
    assert response.status_code == 303 and response.headers["Location"] == link
    assert other.post(link + "/application", data={"code": "123456"}).status_code == 303
    assert user_by("lea.nouvelle@office.example.ch") is None


GARBAGE = ["x", "a" * 300, "..%2F..%2Fetc", "ça-ne-va-pas-du-tout-çaçaçaçaçaçaça",
           "0" * 43, "%00" * 10, "AAAA" * 11]


@pytest.mark.parametrize("token", GARBAGE)
def test_garbage_tokens_are_refused_without_an_error(client, token):
    for path in (ENROLL_PATH + token, ENROLL_PATH + token + "/application"):
        for method in ("GET", "POST"):
            response = client.open(path, method=method, data={"code": "123456",
                                                              "password": NEW_PASSWORD,
                                                              "password_confirm": NEW_PASSWORD})
            assert response.status_code in (400, 404), (path, method, response.status_code)
            if response.status_code == 400:
                assert "Ce lien n'est plus valable" in shown(response)
    assert count(User) == 0


def test_expired_revoked_and_forged_links_are_refused(app, client, factory):
    expired = pending_invitation("vieux@office.example.ch", hours=-1)
    revoked = pending_invitation("retire@office.example.ch", revoked_at=utcnow())
    used = pending_invitation("servi@office.example.ch", used_at=utcnow())
    live = pending_invitation("vivant@office.example.ch")
    forged = live.token[:-2] + ("AA" if not live.token.endswith("AA") else "BB")
    for token in (expired.token, revoked.token, used.token, forged):
        assert client.get(ENROLL_PATH + token).status_code == 400, token
        assert client.post(ENROLL_PATH + token, data={
            "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}).status_code == 400
    assert client.get(ENROLL_PATH + live.token).status_code == 200
    # an address that got an account meanwhile: the invitation no longer works
    factory.user(email="vivant@office.example.ch")
    assert client.get(ENROLL_PATH + live.token).status_code == 400
    assert count(User) == 1


def test_an_invitation_past_its_72_hours_no_longer_works(app, admin_client, client, mailbox):
    invite(admin_client)
    link = enrollment_link(mailbox, "lea.nouvelle@office.example.ch")
    invitation = db.session.scalar(select(StaffInvitation))
    assert invitation.expires_at - invitation.sent_at == timedelta(hours=72)
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(link).status_code == 400
    assert "Invitation expirée" in flash_on_list(admin_client)


def test_resend_gives_a_new_link_and_kills_the_old_one_revoke_kills_it(app, admin_client,
                                                                       client, mailbox):
    invite(admin_client)
    first = enrollment_link(mailbox, "lea.nouvelle@office.example.ch")
    choose_password(client, first)
    invitation = db.session.scalar(select(StaffInvitation))
    response = admin_client.post(f"{LIST}/invitations/{invitation.id}/renvoyer")
    assert response.status_code == 303
    assert len(mailbox.to("lea.nouvelle@office.example.ch")) == 2
    second = enrollment_link(mailbox, "lea.nouvelle@office.example.ch")
    assert second != first
    assert client.get(first).status_code == 400
    # a resent link starts over: the password chosen with the old one is forgotten
    response = client.get(second + "/application")
    assert response.status_code == 303 and response.headers["Location"] == second
    assert client.get(second).status_code == 200
    [resent] = audit("staff_invitation_resent")
    assert resent.actor_id == admin_client.user.id and resent.object_id == str(invitation.id)

    response = admin_client.post(f"{LIST}/invitations/{invitation.id}/retirer")
    assert response.status_code == 303
    assert "retirée" in flash_on_list(admin_client)
    assert client.get(second).status_code == 400
    [revoked] = audit("staff_invitation_revoked")
    assert revoked.actor_id == admin_client.user.id
    # withdrawn: neither resent nor withdrawn again
    admin_client.post(f"{LIST}/invitations/{invitation.id}/renvoyer")
    assert "déjà été acceptée ou retirée" in flash_on_list(admin_client)
    assert len(mailbox.to("lea.nouvelle@office.example.ch")) == 2


def test_an_address_with_an_account_or_a_pending_invitation_is_refused(app, admin_client,
                                                                       factory, mailbox):
    factory.user(email="anna@example.ch")
    response = invite(admin_client, "Anna@Example.ch")
    html = shown(response)
    assert response.status_code == 422 and "Un compte existe déjà pour cette adresse." in html
    assert 'class="error-summary"' in html
    assert invite(admin_client).status_code == 303
    response = invite(admin_client)
    assert response.status_code == 422
    assert "Une invitation est déjà en cours" in shown(response)
    response = invite(admin_client, "autre@office.example.ch", role="insured")
    assert response.status_code == 422
    assert "Choisissez l'un des rôles proposés." in shown(response)
    response = invite(admin_client, "pas-une-adresse")
    assert response.status_code == 422
    assert count(StaffInvitation) == 1
    assert len(mailbox.to("anna@example.ch")) == 0


def test_the_list_shows_each_account_with_its_role_state_and_last_login(
        app, admin_client, staff_client, staff_login, factory):
    transmission = staff_login("transmission", "trans@office.example.ch")
    disabled = factory.user(email="parti@office.example.ch", role="reviewer",
                            totp_secret=pyotp.random_base32(), prenom="Paul", nom="Parti",
                            disabled_at=utcnow())
    pending_invitation("invite@office.example.ch", role="admin", prenom="Ines", nom="Vitée")
    html = flash_on_list(admin_client)
    for email in ("admin@example.ch", "gestion@example.ch", "trans@office.example.ch",
                  "parti@office.example.ch", "invite@office.example.ch"):
        assert email in html
    cards = re.findall(r'<li class="staff-account staff-account--(\w+)">(.*?)</li>', html, re.S)
    states = {re.search(r"<dd>([^<]+@[^<]+)</dd>", card).group(1): state
              for state, card in cards}
    assert states == {"admin@example.ch": "active", "gestion@example.ch": "active",
                      "trans@office.example.ch": "active", "parti@office.example.ch": "disabled",
                      "invite@office.example.ch": "invited"}
    assert "Gestionnaire, transmission à la CdC" in html and "Administrateur·trice" in html
    assert "Paul Parti" in html and "Désactivé" in html and "Ines Vitée" in html
    assert "C'est votre compte" in html
    assert transmission.user.id and disabled.id
    # only administrators
    assert staff_client.get(LIST).status_code == 403
    assert transmission.get(LIST).status_code == 403


# --- disable, re-enable ---------------------------------------------------------------------

def test_disabling_ends_the_sessions_at_once_and_refuses_the_login(app, admin_client,
                                                                   staff_client, client):
    reviewer = staff_client.user
    assert staff_client.get("/gestion/").status_code == 200
    response = admin_client.post(f"{LIST}/{reviewer.id}/desactiver")
    assert response.status_code == 303
    assert "ses sessions sont terminées" in flash_on_list(admin_client)

    # the next request of the open session is logged out
    response = staff_client.get("/gestion/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    assert db.session.scalar(select(count_open(reviewer.id))) == 0
    [entry] = audit("staff_disabled")
    assert entry.actor_id == admin_client.user.id and entry.object_id == str(reviewer.id)

    # the password is refused with the usual message, nothing says the account is disabled
    response = client.post("/connexion", data={"email": reviewer.email, "password": PASSWORD})
    html = shown(response)
    assert response.status_code == 422 and WRONG_LOGIN in html and "désactivé" not in html
    assert audit("login_failed")[-1].detail == {"reason": "disabled"}

    # re-enabled: the same password and app work again
    assert admin_client.post(f"{LIST}/{reviewer.id}/reactiver").status_code == 303
    assert "réactivé" in flash_on_list(admin_client)
    assert user_by(reviewer.email).is_active
    [enabled] = audit("staff_enabled")
    assert enabled.actor_id == admin_client.user.id
    log_in_with_next_code(client, user_by(reviewer.email), reviewer.totp_secret)


def count_open(user_id: int):
    from sqlalchemy import func
    return select(func.count()).select_from(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)).scalar_subquery()


def test_a_session_of_a_disabled_account_is_refused_even_if_not_revoked(app, staff_client):
    """Belt and braces: should a session row escape the revocation, the account's state still
    logs it out."""
    user = db.session.get(User, staff_client.user.id)
    user.disabled_at = utcnow()
    db.session.commit()
    response = staff_client.get("/gestion/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


# --- the authenticator ----------------------------------------------------------------------

def test_resetting_the_authenticator_sends_a_link_for_a_new_app(app, admin_client, staff_client,
                                                               client, mailbox):
    reviewer = staff_client.user
    old_secret = reviewer.totp_secret
    response = admin_client.post(f"{LIST}/{reviewer.id}/application")
    assert response.status_code == 303
    assert "Application de" in flash_on_list(admin_client)
    user = user_by(reviewer.email)
    assert user.totp_secret is None and user.password_hash == reviewer.password_hash
    assert staff_client.get("/gestion/").status_code == 302  # its sessions ended
    [entry] = audit("staff_authenticator_reset")
    assert entry.actor_id == admin_client.user.id and entry.object_id == str(reviewer.id)
    assert "Application à configurer" in flash_on_list(admin_client)

    # no login meanwhile (the usual message)
    response = client.post("/connexion", data={"email": reviewer.email, "password": PASSWORD})
    assert response.status_code == 422 and WRONG_LOGIN in shown(response)

    [mail] = mailbox.to(reviewer.email)
    assert mail.subject == "Votre application d'authentification pour Guichet"
    assert "Votre mot de passe reste le même." in mail.text
    link = enrollment_link(mailbox, reviewer.email)
    response = client.get(link)  # straight to the app's step: the password is kept
    assert response.status_code == 303 and response.headers["Location"] == link + "/application"
    page = shown(client.get(link + "/application"))
    assert "Votre mot de passe" in page and "Étape 1" not in page
    secret = key_on_page(page)
    assert secret != old_secret

    # the link alone is not enough: the password of the account is asked
    response = client.post(link + "/application", data={
        "current_password": "pas le bon mot de passe", "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 422
    assert "Ce n'est pas le mot de passe de votre compte." in shown(response)
    assert user_by(reviewer.email).totp_secret is None
    confirm_app(client, link, current_password=PASSWORD)
    assert "Votre application d'authentification est configurée." in shown(client.get(
        "/connexion"))
    user = user_by(reviewer.email)
    assert user.totp_secret == secret
    assert audit("staff_authenticator_enrolled")[0].actor_id == user.id
    assert client.get(link).status_code == 400

    # the old app no longer works, the new one does
    start_login(client, user)
    response = client.post("/connexion/code", data={"code": app_code(old_secret)})
    assert response.status_code == 422
    log_in_with_next_code(app.test_client(), user, secret)


def test_a_second_reset_replaces_the_first_link(app, admin_client, staff_client, client,
                                                 mailbox):
    reviewer = staff_client.user
    admin_client.post(f"{LIST}/{reviewer.id}/application")
    first = enrollment_link(mailbox, reviewer.email)
    assert "Renvoyer le lien de l'application" in flash_on_list(admin_client)
    admin_client.post(f"{LIST}/{reviewer.id}/application")
    second = enrollment_link(mailbox, reviewer.email)
    assert first != second
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 303
    # disabling kills the link too
    admin_client.post(f"{LIST}/{reviewer.id}/desactiver")
    assert client.get(second).status_code == 400
    # and a disabled account gets no reset
    admin_client.post(f"{LIST}/{reviewer.id}/application")
    assert "réactivez-le d'abord" in flash_on_list(admin_client)
    assert len(mailbox.to(reviewer.email)) == 2


# --- roles and guards -----------------------------------------------------------------------

def test_an_administrator_changes_a_role(app, admin_client, staff_client):
    reviewer = staff_client.user
    prefix = f"s{reviewer.id}"
    response = admin_client.post(f"{LIST}/{reviewer.id}/role",
                                 data={f"{prefix}-role": "transmission"})
    assert response.status_code == 303
    assert "Rôle de" in flash_on_list(admin_client)
    assert user_by(reviewer.email).role == "transmission"
    [entry] = audit("staff_role_changed")
    assert entry.actor_id == admin_client.user.id and entry.object_id == str(reviewer.id)
    assert entry.detail == {"before": "reviewer", "after": "transmission"}
    # the change holds from the person's next request
    assert staff_client.get(LIST).status_code == 403
    admin_client.post(f"{LIST}/{reviewer.id}/role", data={f"{prefix}-role": "admin"})
    assert staff_client.get(LIST).status_code == 200

    # the same role: nothing to record; an unknown role: the page with the error
    admin_client.post(f"{LIST}/{reviewer.id}/role", data={f"{prefix}-role": "admin"})
    assert "reste le même" in flash_on_list(admin_client)
    response = admin_client.post(f"{LIST}/{reviewer.id}/role", data={f"{prefix}-role": "insured"})
    assert response.status_code == 422
    assert 'class="error-summary"' in shown(response)
    assert len(audit("staff_role_changed")) == 2
    assert user_by(reviewer.email).role == "admin"


def test_an_administrator_neither_demotes_nor_disables_nor_resets_themselves(app, admin_client,
                                                                            mailbox):
    me = admin_client.user
    admin_client.post(f"{LIST}/{me.id}/role", data={f"s{me.id}-role": "reviewer"})
    assert "Vous ne pouvez pas changer votre propre rôle" in flash_on_list(admin_client)
    admin_client.post(f"{LIST}/{me.id}/desactiver")
    assert "Vous ne pouvez pas désactiver votre propre compte." in flash_on_list(admin_client)
    admin_client.post(f"{LIST}/{me.id}/application")
    assert "Vous ne pouvez pas réinitialiser votre propre application" in flash_on_list(
        admin_client)
    user = user_by(me.email)
    assert (user.role, user.is_active, user.totp_secret) == ("admin", True, me.totp_secret)
    assert audit("staff_role_changed") == audit("staff_disabled") == []
    assert mailbox.to(me.email) == []
    assert admin_client.get(LIST).status_code == 200


def test_the_last_active_administrator_is_never_demoted_nor_disabled(app, factory):
    only = factory.user(email="seul@office.example.ch", role="admin", totp_secret="A" * 32)
    other = factory.user(email="autre@office.example.ch", role="reviewer", totp_secret="B" * 32)
    gone = factory.user(email="parti@office.example.ch", role="admin", totp_secret="C" * 32,
                        disabled_at=utcnow())
    with unit_of_work():
        for action in (lambda: accounts.change_role(other, only, "reviewer"),
                       lambda: accounts.disable(other, only)):
            with pytest.raises(accounts.AccountActionRefused, match="dernier compte "
                                                                    "administrateur actif"):
                action()
    assert user_by(only.email).role == "admin" and user_by(only.email).is_active
    # with a second active administrator, it may be done
    with unit_of_work():
        accounts.enable(only, db.session.get(User, gone.id))
    with unit_of_work():
        assert accounts.change_role(db.session.get(User, gone.id),
                                    db.session.get(User, only.id), "reviewer")
    assert user_by(only.email).role == "reviewer"


# --- the audit, the command line ------------------------------------------------------------

def test_no_audit_entry_holds_a_token_or_a_secret(app, admin_client, staff_client, client,
                                                  mailbox):
    user, secret = enrolled(client, admin_client, mailbox)
    admin_client.post(f"{LIST}/{staff_client.user.id}/application")
    tokens = [enrollment_link(mailbox, email).removeprefix(ENROLL_PATH)
              for email in (user.email, staff_client.user.email)]
    words = [secret, *tokens]
    for invitation in db.session.scalars(select(StaffInvitation)):
        words.append(invitation.token_hash)
    entries = db.session.scalars(select(AuditEntry)).all()
    assert {entry.action for entry in entries} >= {
        "staff_invited", "staff_invitation_password_chosen", "staff_account_enrolled",
        "staff_authenticator_reset"}
    for entry in entries:
        text = f"{entry.object_id} {entry.detail}"
        assert not any(word in text for word in words), entry.action


def test_the_command_line_makes_only_the_first_administrator(app, runner):
    def create(email):
        return runner.invoke(args=["staff", "create", email, "--role", "admin"],
                             input="gestion des factures 2026\n")
    assert create("premier@office.example.ch").exit_code == 0
    result = create("second@office.example.ch")
    assert result.exit_code == 1
    assert "invitez les autres membres du personnel" in result.output
    assert user_by("second@office.example.ch") is None


def test_two_administrators_demoting_each_other_at_once_leave_one(app, factory):
    """The guard locks the administrators' rows: the second demotion waits for the first,
    then finds itself the last administrator's (PostgreSQL; SQLite writes one at a time)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    first = factory.user(email="un@office.example.ch", role="admin", totp_secret="A" * 32)
    second = factory.user(email="deux@office.example.ch", role="admin", totp_secret="B" * 32)
    demoted_once, release, outcome = threading.Event(), threading.Event(), {}

    def demote(actor_id, target_id, name, hold=False):
        with app.app_context():
            try:
                with unit_of_work():
                    accounts.change_role(db.session.get(User, actor_id),
                                         db.session.get(User, target_id), "reviewer")
                    if hold:  # keeps its locks until told
                        demoted_once.set()
                        release.wait(10)
                outcome[name] = "done"
            except accounts.AccountActionRefused:
                outcome[name] = "refused"
            finally:
                db.session.remove()

    one = threading.Thread(target=demote, args=(first.id, second.id, "one", True))
    one.start()
    assert demoted_once.wait(10)
    two = threading.Thread(target=demote, args=(second.id, first.id, "two"))
    two.start()
    two.join(0.5)
    assert two.is_alive()  # waiting for the first one's locks
    release.set()
    one.join(10)
    two.join(10)
    assert outcome == {"one": "done", "two": "refused"}
    db.session.expire_all()
    assert db.session.scalars(select(User.email).where(User.role == "admin")).all() == [
        "un@office.example.ch"]
