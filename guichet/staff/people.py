"""The insured person's file as the office reads it, and the identity corrections that only the
office may make (N° AVS, nom, prénom, date de naissance: the person cannot change them).

Reading a file shows the full N° AVS and IBAN: each reading is in the audit log with the
person's id (``audit reads`` answers whose data a staff member read). A correction is checked
against the register as a registration is, applied to the account, to its « self » beneficiary
entry and to the queue's search keys of the person's sent invoices (their frozen copy keeps the
identity as it was sent), audited by field name, and the person gets a notice by e-mail.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from guichet.core.audit import record
from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.identifiers import format_navs13, mask_phone
from guichet.core.web import external_url
from guichet.invoices.lifecycle import write_search_keys
from guichet.invoices.status import status_info
from guichet.invoices.types import INVOICE_TYPES
from guichet.messaging import queue_email
from guichet.models import BankAccount, Beneficiary, Decision, Invoice, User
from guichet.models.base import db
from guichet.models.beneficiaries import RELATION_SELF
from guichet.models.invoices import STATUS_DRAFT, STATUS_VISA_PENDING
from guichet.register.lookup import find_in_register

#: The identity the person cannot change, by field, as its name reads (audit, e-mail, page).
IDENTITY_FIELDS = {
    "navs13": _l("N° AVS"),
    "nom": _l("Nom"),
    "prenom": _l("Prénom"),
    "date_naissance": _l("Date de naissance"),
}

RELATION_LABELS = {
    "self": _l("Titulaire du compte"),
    "child": _l("Enfant"),
    "ward": _l("Personne sous curatelle"),
    "other": _l("Autre"),
}


def format_iban(compact: str) -> str:
    """The full IBAN in groups of four (the person's file only: lists show it masked)."""
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


@dataclass(frozen=True)
class AccountRow:
    """One IBAN of the person, with when it was added, confirmed and removed."""

    iban: str
    holder: str
    bank_name: str | None
    created_at: datetime
    confirmed_at: datetime | None
    removed_at: datetime | None


@dataclass(frozen=True)
class BeneficiaryRow:
    display_name: str
    navs13: str
    date_naissance: date
    relation: str
    created_at: datetime
    removed_at: datetime | None


@dataclass(frozen=True)
class PersonFile:
    """What the person's page shows: identity, contact, invoices, beneficiaries, IBANs and the
    register's decisions for them and their beneficiaries."""

    person: User
    navs13: str
    phone: str
    invoices: list[Invoice]
    beneficiaries: list[BeneficiaryRow]
    accounts: list[AccountRow]
    decisions: list[Decision]
    names_by_navs: dict[str, str]

    @staticmethod
    def type_label(key: str) -> str:
        kind = INVOICE_TYPES.get(key)
        return str(kind.label) if kind is not None else key

    @staticmethod
    def status_label(status: str) -> str:
        """The state as the office reads it (« Second visa attendu » is the office's own)."""
        if status == STATUS_VISA_PENDING:
            return _("Second visa attendu")
        return str(status_info(status).label)

    @staticmethod
    def relation_label(relation: str) -> str:
        return str(RELATION_LABELS.get(relation, relation))


def insured_person(user_id: int) -> User | None:
    """The insured account of that id; ``None`` for staff accounts and unknown ids."""
    person = db.session.get(User, user_id)
    if person is None or person.is_staff:
        return None
    return person


def view_person(staff: User, person: User) -> PersonFile:
    """The person's file for ``staff``; the reading is audited with the person's id."""
    record("staff_viewed_person", actor=staff, object_type="user", object_id=person.id,
           person_id=person.id)
    return person_file(person)


def person_file(person: User) -> PersonFile:
    invoices = list(db.session.scalars(
        select(Invoice).where(Invoice.user_id == person.id, Invoice.status != STATUS_DRAFT)
        .order_by(Invoice.submitted_at.desc(), Invoice.id.desc())))
    beneficiaries = list(db.session.scalars(
        select(Beneficiary).where(Beneficiary.user_id == person.id)
        .order_by(Beneficiary.relation != RELATION_SELF, Beneficiary.id)))
    accounts = list(db.session.scalars(
        select(BankAccount).where(BankAccount.user_id == person.id).order_by(BankAccount.id)))
    names = {b.navs13: b.display_name for b in beneficiaries}
    if person.navs13:
        names[person.navs13] = person.display_name
    decisions = list(db.session.scalars(
        select(Decision).where(Decision.navs13.in_(list(names)))
        .order_by(Decision.valid_from.desc(), Decision.id))) if names else []
    return PersonFile(
        person=person,
        navs13=format_navs13(person.navs13) if person.navs13 else "",
        phone=mask_phone(person.phone) if person.phone else "",
        invoices=invoices,
        beneficiaries=[BeneficiaryRow(b.display_name, format_navs13(b.navs13),
                                      b.date_naissance, b.relation, b.created_at, b.removed_at)
                       for b in beneficiaries],
        accounts=[AccountRow(format_iban(a.iban), a.holder, a.bank_name, a.created_at,
                             a.confirmed_at, a.removed_at) for a in accounts],
        decisions=decisions,
        names_by_navs=names)


# --- correcting the identity ------------------------------------------------------------------

@dataclass(frozen=True)
class IdentityCorrection:
    """The identity as the office corrects it (the N° AVS as 13 digits), and why."""

    navs13: str
    nom: str
    prenom: str
    date_naissance: date
    reason: str


class CorrectionRefused(ValueError):
    """Nothing was corrected; ``message`` (French) says why, ``field`` which field of the form
    it is about."""

    def __init__(self, message: str, field: str = "navs13"):
        super().__init__(message)
        self.message = message
        self.field = field


def correct_identity(staff: User, person: User, correction: IdentityCorrection) -> list[str]:
    """Applies ``correction`` to ``person`` and returns the names of the fields changed.
    Raises :class:`CorrectionRefused` (nothing written) when nothing changes, when the register
    has no entry with that N° AVS, nom and date de naissance, or when another account (or
    another beneficiary of this one) holds that N° AVS."""
    changed = [name for name in IDENTITY_FIELDS
               if getattr(person, name) != getattr(correction, name)]
    if not changed:
        raise CorrectionRefused(_("Ces données sont celles du dossier : il n'y a rien à "
                                  "corriger."), "navs13")
    if find_in_register(correction.navs13, correction.nom, correction.date_naissance) is None:
        raise CorrectionRefused(_(
            "Aucune personne du registre de l'office n'a ce N° AVS, ce nom et cette date de "
            "naissance : vérifiez-les sur une pièce officielle (l'identité corrigée doit "
            "figurer au registre, comme à l'inscription)."), "navs13")
    holder = db.session.scalar(select(Beneficiary).where(
        Beneficiary.user_id == person.id, Beneficiary.relation == RELATION_SELF))
    if "navs13" in changed:
        _check_navs_is_free(person, holder, correction.navs13)
    for name in IDENTITY_FIELDS:
        setattr(person, name, getattr(correction, name))
        if holder is not None:
            setattr(holder, name, getattr(correction, name))
    db.session.flush()
    _rewrite_search_keys(person)
    record("identity_corrected", actor=staff, object_type="user", object_id=person.id,
           person_id=person.id, fields=changed, reason=correction.reason)
    queue_email(person.email, "identity_corrected",
                subject=_("Votre identité a été corrigée dans Guichet"),
                fields=[str(IDENTITY_FIELDS[name]) for name in changed],
                url=external_url("account.profile"))
    return changed


def _check_navs_is_free(person: User, holder: Beneficiary | None, navs13: str) -> None:
    other = db.session.scalar(select(User.id).where(User.navs13 == navs13,
                                                    User.id != person.id))
    if other is not None:
        raise CorrectionRefused(_(
            "Un autre compte Guichet est ouvert avec ce N° AVS : une personne n'a qu'un "
            "compte. Vérifiez le numéro ou clarifiez d'abord l'autre compte."), "navs13")
    listed = select(Beneficiary.id).where(Beneficiary.user_id == person.id,
                                          Beneficiary.navs13 == navs13)
    if holder is not None:
        listed = listed.where(Beneficiary.id != holder.id)
    if db.session.scalar(listed) is not None:
        raise CorrectionRefused(_(
            "Ce N° AVS est celui d'un·e autre bénéficiaire de ce compte : vérifiez le numéro."),
            "navs13")


def _rewrite_search_keys(person: User) -> None:
    """The queue finds the sent invoices under the corrected identity (their frozen copy,
    what their documents show, stays as sent)."""
    invoices = db.session.scalars(select(Invoice).where(Invoice.user_id == person.id,
                                                        Invoice.status != STATUS_DRAFT))
    for invoice in invoices:
        beneficiary = (db.session.get(Beneficiary, invoice.beneficiary_id)
                       if invoice.beneficiary_id is not None else None)
        write_search_keys(invoice, person, beneficiary)


def record_nif(staff: User, person: User, nif: str) -> None:
    """Records or corrects the creditor number (NIF) the Centrale de compensation gave the
    account's holder; audited with the previous one's presence (never the numbers)."""
    if person.nif == nif:
        return
    record("nif_recorded", actor=staff, object_type="user", object_id=person.id,
           source="staff", replaced=person.nif is not None)
    person.nif = nif
