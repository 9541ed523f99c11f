"""Operator commands: ``flask --app guichet register|staff|outbox|rates|complements|audit|purge|
storage|demo``."""
from __future__ import annotations

import functools
import sys
from datetime import date
from decimal import Decimal, InvalidOperation

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from guichet.core.unit_of_work import unit_of_work
from guichet.models import STAFF_ROLES


def in_unit_of_work(command):
    """A command is one unit of work, as a request is: it commits once at the end, and an
    error (a ``ClickException`` included) keeps nothing."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        with unit_of_work():
            return command(*args, **kwargs)
    return run


class CommandGroup(AppGroup):
    """Commands that run in the app context and in a unit of work of their own
    (``units=False`` for a command that opens its own units, like the outbox worker)."""

    def command(self, *args, units: bool = True, **kwargs):
        decorate = super().command(*args, **kwargs)
        return lambda command: decorate(in_unit_of_work(command) if units else command)


register_cli = CommandGroup("register", help="Le registre des assuré·e·s.")
staff_cli = CommandGroup("staff", help="Les comptes du personnel.")
outbox_cli = CommandGroup("outbox", help="Les e-mails et SMS en attente.")
rates_cli = CommandGroup("rates", help="Les taux datés (forfaits, tarifs) appliqués aux factures.")
complements_cli = CommandGroup("complements", help="Les compléments demandés aux assuré·e·s.")
audit_cli = CommandGroup("audit", help="Le journal d'audit.")
storage_cli = CommandGroup("storage", help="Les fichiers des pièces justificatives.")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Dit ce qui serait supprimé, sans rien supprimer.")
@click.option("--today", "today", default=None, help="Date du jour (AAAA-MM-JJ ; par défaut : "
              "aujourd'hui à Neuchâtel).")
@with_appcontext
def purge(dry_run, today):
    """Supprime ce que Guichet ne doit plus garder (LPD art. 6) ; à lancer chaque jour."""
    from guichet.invoices.retention import purge as run_purge
    from guichet.invoices.retention import purge_moment
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise click.ClickException("Date illisible (AAAA-MM-JJ).") from None
    with unit_of_work():  # the files go once the rows' deletion is committed
        plan = run_purge(purge_moment(day), dry_run=dry_run)
    for line in plan.lines():  # once stored
        click.echo(line)


@storage_cli.command("check")
@click.option("--min-age", default=3600, show_default=True, type=click.IntRange(min=0),
              help="Âge minimal (secondes) d'un fichier sans ligne pour le dire orphelin : un "
                   "envoi en cours n'est pas encore enregistré.")
def storage_check(min_age):
    """Vérifie l'empreinte SHA-256 de chaque pièce, et liste les fichiers manquants et
    orphelins ; code de sortie 1 si quelque chose ne va pas."""
    from guichet.uploads.integrity import check_storage
    report = check_storage(min_age=min_age)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        click.get_current_context().exit(1)


@audit_cli.command("reads")
@click.option("--staff", "staff_email", required=True,
              help="Adresse e-mail du membre du personnel.")
@click.option("--from", "start", required=True, help="Premier jour (AAAA-MM-JJ, inclus).")
@click.option("--to", "end", required=True, help="Dernier jour (AAAA-MM-JJ, inclus).")
@click.option("--csv", "as_csv", is_flag=True, help="Sortie CSV (séparateur « ; »).")
def audit_reads(staff_email, start, end, as_csv):
    """Les personnes dont ce membre du personnel a lu les données (LPD art. 24)."""
    from guichet.staff import audit_reads as reads
    try:
        report = reads.reads_by(staff_email, reads.parse_day(start, "--from"),
                                reads.parse_day(end, "--to"))
    except reads.AuditQueryRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    if as_csv:
        click.echo(reads.as_csv(report), nl=False)
    else:
        for line in reads.as_text(report):
            click.echo(line)


@rates_cli.command("list")
def rates_list():
    """Affiche les taux et leurs périodes de validité."""
    from guichet.invoices.rates import all_rates
    for rate in all_rates():
        until = rate.valid_to.isoformat() if rate.valid_to else "…"
        click.echo(f"{rate.key:40} {rate.valid_from.isoformat()} → {until:10} "
                   f"{rate.amount:>9} CHF  ({rate.source})")


@rates_cli.command("set")
@click.argument("key")
@click.argument("amount")
@click.option("--from", "valid_from", required=True, help="Date d'entrée en vigueur (AAAA-MM-JJ).")
@click.option("--source", required=True, help="Base légale, par exemple « RAI art. 39f ».")
def rates_set(key, amount, valid_from, source):
    """Nouveau taux dès une date ; le taux précédent s'arrête la veille."""
    from guichet.invoices.rates import RateChangeRefused, change_rate
    try:
        start = date.fromisoformat(valid_from)
        value = Decimal(amount)
    except (ValueError, InvalidOperation):
        raise click.ClickException("Date (AAAA-MM-JJ) ou montant illisible.") from None
    try:
        rate = change_rate(key, value, start, source)
    except RateChangeRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"{key} : {rate.amount} CHF dès le {start.isoformat()}.")


@register_cli.command("import")
@click.argument("csv_file", type=click.File("rb"))
def register_import(csv_file):
    """Importe le registre (CSV : navs13,nom,prenom,date_naissance)."""
    from guichet.register.imports import BadRegisterFile, import_register
    try:
        report = import_register(csv_file.read())
    except BadRegisterFile as exc:
        raise click.ClickException(exc.refusal()) from None
    _print_report(report)


@register_cli.command("import-decisions")
@click.argument("csv_file", type=click.File("rb"))
def register_import_decisions(csv_file):
    """Importe les décisions (CSV : navs13,numero_decision,type_facture,valable_du,valable_au,
    degre,montant_mensuel)."""
    from guichet.invoices.decision_import import import_decisions
    from guichet.register.imports import BadRegisterFile
    try:
        report = import_decisions(csv_file.read())
    except BadRegisterFile as exc:
        raise click.ClickException(exc.refusal()) from None
    _print_report(report)


def _print_report(report) -> None:
    for line in report.lines():  # the same words as the administrators' import page
        click.echo(line)


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(STAFF_ROLES), required=True)
@click.option("--name", default="", help="Prénom et nom.")
def staff_create(email, role, name):
    """Crée le premier compte du personnel (les suivants sont invités par un administrateur) ;
    mot de passe lu sur l'entrée standard."""
    from guichet.staff.services import StaffAccountRefused, create_staff_account
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else click.prompt(
        "Mot de passe", hide_input=True, confirmation_prompt=True)
    try:
        account = create_staff_account(email, role, password, name)
    except StaffAccountRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Compte {role} créé pour {account.user.email}.")
    click.echo("Ajoutez ce compte à l'application d'authentification :")
    click.echo(account.provisioning_uri)


@staff_cli.command("demo-code")
@click.argument("email")
def staff_demo_code(email):
    """Code actuel de l'application d'authentification d'un compte de démonstration."""
    from guichet.demo import current_demo_code
    code = current_demo_code(email)
    if code is None:
        raise click.ClickException("Seuls les comptes du personnel de démonstration (flask demo) "
                                   "ont un code affichable ; les autres sont dans l'application "
                                   "de la personne.")
    click.echo(code)


@outbox_cli.command("run", units=False)  # one unit per message
@click.option("--once", is_flag=True, help="Un seul passage, puis s'arrête.")
@click.option("--interval", default=15.0, show_default=True, help="Secondes entre deux passages.")
def outbox_run(once, interval):
    """Envoie les messages en attente et réessaie ceux qui ont échoué."""
    import time

    from guichet.messaging import deliver_due
    while True:
        sent, failed = deliver_due()
        if sent or failed or once:
            click.echo(f"{sent} envoyé(s), {failed} en échec (nouvel essai plus tard).")
        if once:
            return
        time.sleep(interval)


@complements_cli.command("remind")
@click.option("--today", "today", default=None, help="Date du jour (AAAA-MM-JJ ; par défaut : "
              "aujourd'hui à Neuchâtel).")
def complements_remind(today):
    """Rappelle les compléments attendus (avant l'échéance et une fois échus) ; à lancer
    chaque jour."""
    from guichet.invoices.reminders import send_reminders
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise click.ClickException("Date illisible (AAAA-MM-JJ).") from None
    for line in send_reminders(day).lines():
        click.echo(line)


@click.command("demo")
@with_appcontext
def demo():
    """Base de démonstration : schéma à jour, registre et comptes d'essai."""
    from guichet.demo import load_demo
    with unit_of_work():
        lines = load_demo()
    for line in lines:  # once stored
        click.echo(line)


def init_cli(app: Flask) -> None:
    for group in (register_cli, staff_cli, outbox_cli, rates_cli, complements_cli,
                  audit_cli, storage_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo)
    app.cli.add_command(purge)
