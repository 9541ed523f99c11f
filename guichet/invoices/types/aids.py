"""Appareils auditifs et moyens auxiliaires (OMAI annexe 5.07): one claim per invoice.

Hearing aids are flat rates (one ear, both ears) at most every 6 years — a device claimed sooner
is flagged for staff, not refused; batteries a flat rate per device and year (no receipt);
repairs a flat rate for a device older than one year; any other aid the supplier's invoice.
Pièce: the supplier's original invoice, except for batteries.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from guichet.core.i18n import gettext as _
from guichet.core.i18n import lazy_gettext as _l
from guichet.core.i18n import today_in_zurich
from guichet.core.money import to_amount
from guichet.invoices.rate_book import RateBook, RateRow

from .amounts import Charge, Errors, InvalidClaim, LineResult, exact, flat_charge, optional_exact
from .base import (DATE, DATE_HINT, INTEGER, MONEY, SELECT, Claim, EarlierInvoice, FieldSpec, Flag,
                   InvoiceType, Requirement)
from .days import add_years, day_text, not_future
from .supplier_bill import BillFill, SupplierBill, header_from_bill

KEY = "moyens_auxiliaires"

ONE_EAR = "une_oreille"
TWO_EARS = "deux_oreilles"
BATTERIES = "piles"
ELECTRONICS_REPAIR = "reparation_electronique"
OTHER_REPAIR = "reparation_autre"
OTHER_AID = "autre_moyen"
AID_KINDS = {
    ONE_EAR: _l("Appareil auditif, une oreille"),
    TWO_EARS: _l("Appareils auditifs, deux oreilles"),
    BATTERIES: _l("Piles pour appareils auditifs"),
    ELECTRONICS_REPAIR: _l("Réparation de l'électronique d'un appareil auditif"),
    OTHER_REPAIR: _l("Autre réparation d'un appareil auditif"),
    OTHER_AID: _l("Autre moyen auxiliaire"),
}
DEVICE_KINDS = (ONE_EAR, TWO_EARS)
REPAIR_KINDS = (ELECTRONICS_REPAIR, OTHER_REPAIR)
DEVICE_RENEWAL_YEARS = 6
REPAIR_MINIMUM_AGE_YEARS = 1
MAX_DEVICES = 2
#: The flag staff see when a device is claimed less than six years after the previous one.
SIX_YEAR_FLAG = "six_year_rule"

_OMAI_507 = "OMAI annexe 5.07"
_SINCE_2011_07 = (date(2011, 7, 1), None)   # flat rates for hearing aids
_RATE_KEYS = {
    ONE_EAR: "moyens_auxiliaires.appareil_une_oreille",
    TWO_EARS: "moyens_auxiliaires.appareil_deux_oreilles",
    BATTERIES: "moyens_auxiliaires.piles_par_appareil_an",
    ELECTRONICS_REPAIR: "moyens_auxiliaires.reparation_electronique",
    OTHER_REPAIR: "moyens_auxiliaires.reparation_autre",
}
RATES = tuple(RateRow.for_period(_RATE_KEYS[kind], _SINCE_2011_07, amount, label, _OMAI_507)
              for kind, amount, label in (
    (ONE_EAR, "840", "Appareil auditif, une oreille (forfait)"),
    (TWO_EARS, "1650", "Appareils auditifs, deux oreilles (forfait)"),
    (BATTERIES, "40", "Piles, par appareil et par année (forfait)"),
    (ELECTRONICS_REPAIR, "200", "Réparation de l'électronique d'un appareil auditif (forfait)"),
    (OTHER_REPAIR, "130", "Autre réparation d'un appareil auditif (forfait)"),
))

#: The tariff codes of the official form 300.001 (hearing aids), per kind; batteries are
#: 909.06 for one device and 909.07 for two (:func:`tariff_code`); any other aid has none.
TARIFF_CODES = {ONE_EAR: "909.01", TWO_EARS: "909.02", ELECTRONICS_REPAIR: "909.04",
                OTHER_REPAIR: "909.05"}
BATTERY_TARIFF_CODES = {1: "909.06", 2: "909.07"}


def tariff_code(header: dict, line: dict | None = None) -> str | None:
    """The form's tariff code of the claim (its one line), from the stored texts of the
    header (``kind``, ``devices``); ``None`` for another aid or an unknown kind."""
    kind = (header or {}).get("kind")
    if kind == BATTERIES:
        try:
            devices = int(str((header or {}).get("devices") or "1").strip())
        except ValueError:
            return None
        return BATTERY_TARIFF_CODES.get(devices)
    return TARIFF_CODES.get(kind)


# --- What a claim is worth --------------------------------------------------------------------

@dataclass(frozen=True)
class AidClaim:
    """``cost_date`` is the date of the supplier's invoice (or of the purchase of batteries):
    its rates apply. ``devices`` counts hearing aids for batteries (one year per device)."""

    kind: str
    cost_date: date
    devices: int = 1
    device_purchase_date: date | None = None
    supplier_amount: Decimal | None = None
    previous_device_claim_date: date | None = None
    description: str = ""


@dataclass(frozen=True)
class AidResult:
    """``six_year_rule`` is true when a device is claimed less than six years after the
    previous one: staff decide, the claim is not refused."""

    lines: tuple[LineResult, ...]
    total: Decimal
    six_year_rule: bool


def _aid_pricing_errors(claim: AidClaim) -> Errors:
    errors: Errors = {}
    if claim.kind not in AID_KINDS:
        return {"kind": _("Choisissez ce qui est demandé.")}
    if claim.kind == BATTERIES and not 1 <= claim.devices <= MAX_DEVICES:
        errors["devices"] = _("Indiquez le nombre d'appareils auditifs (1 ou 2).")
    if claim.kind in REPAIR_KINDS:
        bought = claim.device_purchase_date
        if bought is None:
            errors["device_purchase_date"] = _("Indiquez la date d'achat de l'appareil réparé.")
        elif claim.cost_date < add_years(bought, REPAIR_MINIMUM_AGE_YEARS):
            errors["device_purchase_date"] = _(
                "Une réparation n'est prise en charge que pour un appareil de plus d'un an ; "
                "cet appareil a été acheté le %(day)s.", day=day_text(bought))
    if claim.kind == OTHER_AID:
        amount = optional_exact(claim.supplier_amount, "supplier_amount")
        if amount is None or amount <= 0:
            errors["supplier_amount"] = _("Indiquez le montant de la facture du fournisseur "
                                          "en CHF (plus de 0 CHF).")
    return errors


def six_year_rule_applies(claim: AidClaim) -> bool:
    """A hearing aid claimed less than 6 years after the previous one (flag for staff)."""
    previous = claim.previous_device_claim_date
    return (claim.kind in DEVICE_KINDS and previous is not None
            and claim.cost_date < add_years(previous, DEVICE_RENEWAL_YEARS))


def six_year_flag(claim: AidClaim) -> Flag:
    """The flag staff see when :func:`six_year_rule_applies`: both dates and the renewal
    date."""
    previous = claim.previous_device_claim_date
    return Flag(SIX_YEAR_FLAG, _(
        "Appareil auditif facturé le %(day)s, moins de %(years)d ans après le précédent "
        "(%(previous)s) : un nouvel appareil est pris en charge en principe dès le %(renewal)s.",
        day=day_text(claim.cost_date), years=DEVICE_RENEWAL_YEARS, previous=day_text(previous),
        renewal=day_text(add_years(previous, DEVICE_RENEWAL_YEARS))))


def validate_aid(claim: AidClaim, today: date | None = None) -> Errors:
    today = today or today_in_zurich()
    errors: Errors = {}
    if claim.cost_date is None:
        return {"cost_date": _("Indiquez la date de la facture.")}
    not_future(errors, "cost_date", claim.cost_date, today,
               _("La date de la facture ne peut pas être dans le futur."))
    if claim.device_purchase_date is not None and claim.device_purchase_date > claim.cost_date:
        errors["device_purchase_date"] = _("La date d'achat de l'appareil doit précéder "
                                           "celle de la réparation.")
    for field, message in _aid_pricing_errors(claim).items():
        errors.setdefault(field, message)
    return errors


def compute_aid(claim: AidClaim, *, rates: RateBook) -> AidResult:
    errors = _aid_pricing_errors(claim)
    if errors:
        raise InvalidClaim(errors)
    label = str(AID_KINDS[claim.kind])
    if claim.kind == OTHER_AID:
        charge = Charge(_("Facture du fournisseur"), to_amount(exact(claim.supplier_amount,
                                                                     "supplier_amount")))
    elif claim.kind == BATTERIES:
        charge = flat_charge(_("Forfait annuel par appareil"), claim.devices,
                             _RATE_KEYS[claim.kind], claim.cost_date, rates)
    else:
        charge = flat_charge(_("Forfait"), 1, _RATE_KEYS[claim.kind], claim.cost_date, rates)
    line = LineResult.of((day_text(claim.cost_date), label, claim.description.strip()),
                         [charge])
    return AidResult(lines=(line,), total=line.amount,
                     six_year_rule=six_year_rule_applies(claim))


# --- Pièces -----------------------------------------------------------------------------------

def aid_requirements(kind: str | None) -> list[Requirement]:
    """The supplier's original invoice, except for batteries (a flat rate, no receipt).
    ``kind`` is ``AidClaim.kind``; ``None`` (not chosen yet) asks for the invoice."""
    if kind == BATTERIES:
        return []
    return [Requirement(
        "supplier_invoice", _("Facture originale du fournisseur"),
        _("Le forfait ou le montant remboursé se fonde sur la facture du fournisseur."))]


def fill_from_bill(bill: SupplierBill, header: dict, lines: list[dict]) -> BillFill:
    """The supplier, the invoice's number and date; the amount only for « Autre moyen
    auxiliaire » (the others are flat rates: the bill's amount is not asked)."""
    written = header_from_bill(bill)
    if header.get("kind") == OTHER_AID:
        written["supplier_amount"] = f"{bill.amount:.2f}"
    return BillFill(header=written)


# --- The form and its evaluation --------------------------------------------------------------

def price(claim: Claim) -> None:
    """The claim described in the header; a device is compared with the previous one (typed,
    or claimed on an earlier invoice) for the six-year rule."""
    result = claim.result
    header = claim.header
    kind = header.get("kind")
    result.requirements = aid_requirements(kind)
    if not kind:
        return
    aid = AidClaim(
        kind=kind, cost_date=header.get("invoice_date"), devices=header.get("devices", 1),
        device_purchase_date=header.get("device_purchase_date"),
        supplier_amount=header.get("supplier_amount"),
        previous_device_claim_date=_previous_device(claim),
        description=header.get("description", ""))
    errors = claim.reportable(validate_aid(aid), header)
    if kind == BATTERIES and aid.cost_date is not None:
        earlier = _batteries_of_the_year(claim, aid.cost_date.year)
        if earlier is not None:
            errors.setdefault("kind", _(
                "Les piles sont remboursées par un forfait annuel : une demande de piles pour "
                "%(year)d a déjà été envoyée (%(receipt)s).", year=aid.cost_date.year,
                receipt=earlier.receipt_number or "—"))
    for name, message in errors.items():
        result.header_errors.setdefault(name if name != "cost_date" else "invoice_date", message)
    if errors or aid.cost_date is None:
        return
    computed = compute_aid(aid, rates=claim.rates)
    result.priced_lines = list(computed.lines)
    result.total = computed.total
    if computed.six_year_rule:
        result.flags.append(six_year_flag(aid))
        result.notes.append(_("Moins de 6 ans depuis le précédent appareil : l'office "
                              "vérifiera si un nouvel appareil peut être remboursé."))


def _batteries_of_the_year(claim: Claim, year: int) -> EarlierInvoice | None:
    """An earlier claim for batteries of the same calendar year (the flat rate is yearly)."""
    return next((earlier for earlier in claim.earlier_invoices()
                 if earlier.header.get("kind") == BATTERIES
                 and getattr(earlier.header.get("invoice_date"), "year", None) == year), None)


def _previous_device(claim: Claim) -> date | None:
    """The latest of the previous device's date as typed and the invoice dates of devices
    claimed on earlier invoices."""
    typed = claim.header.get("previous_device_date")
    dates = [typed] if typed else []
    for earlier in claim.earlier_invoices():
        if earlier.header.get("kind") in DEVICE_KINDS and earlier.header.get("invoice_date"):
            dates.append(earlier.header["invoice_date"])
    return max(dates) if dates else None


AID_KIND_CHOICES = (
    (ONE_EAR, _l("Appareil auditif pour une oreille (forfait)")),
    (TWO_EARS, _l("Appareils auditifs pour deux oreilles (forfait)")),
    (BATTERIES, _l("Piles pour appareils auditifs (forfait annuel)")),
    (ELECTRONICS_REPAIR, _l("Réparation électronique d'un appareil")),
    (OTHER_REPAIR, _l("Autre réparation d'un appareil")),
    (OTHER_AID, _l("Autre moyen auxiliaire")))

TYPE = InvoiceType(
    key=KEY, label=_l("Appareils auditifs et moyens auxiliaires"),
    description=_l("Appareils auditifs, piles, réparations et autres moyens auxiliaires."),
    price=price, rates=RATES, tariff_code=tariff_code, fill_from_bill=fill_from_bill,
    bill_pieces=("supplier_invoice",),
    fields=(
        FieldSpec("kind", _l("De quoi s'agit-il ?"), SELECT, choices=AID_KIND_CHOICES,
                  structural=True),
        FieldSpec("supplier", _l("Fournisseur"), max_length=120,
                  show_if=("kind", DEVICE_KINDS + REPAIR_KINDS + (OTHER_AID,))),
        FieldSpec("supplier_invoice_number", _l("N° de la facture du fournisseur"),
                  max_length=60, optional=True,
                  show_if=("kind", DEVICE_KINDS + REPAIR_KINDS + (OTHER_AID,))),
        FieldSpec("invoice_date", _l("Date de la facture"), DATE, hint=DATE_HINT,
                  width="short"),
        FieldSpec("devices", _l("Nombre d'appareils"), INTEGER, width="short",
                  show_if=("kind", (BATTERIES,))),
        FieldSpec("device_purchase_date", _l("Date d'achat de l'appareil réparé"), DATE,
                  hint=_l("%(format)s — l'appareil doit avoir plus d'un an.", format=DATE_HINT), width="short",
                  show_if=("kind", REPAIR_KINDS), within_decision=False),
        FieldSpec("previous_device_date", _l("Date de votre précédent appareil"), DATE,
                  hint=_l("%(format)s, si vous en avez déjà eu un.", format=DATE_HINT), width="short",
                  optional=True, show_if=("kind", DEVICE_KINDS), within_decision=False),
        FieldSpec("description", _l("Description du moyen auxiliaire"), max_length=200,
                  show_if=("kind", (OTHER_AID,))),
        FieldSpec("supplier_amount", _l("Montant de la facture du fournisseur (CHF)"), MONEY,
                  width="short", show_if=("kind", (OTHER_AID,))),
    ))
