"""The five invoice types: their own fields and lines, as data the form and the PDF read.

Drafts keep what the person typed as text (so nothing is lost while it is incomplete); the
pricing module reads those texts into typed values and computes the amounts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .computations import DAY_PLACES, TRANSPORTS

TEXT, DATE, TIME, MONEY, NUMBER, INTEGER, SELECT, YESNO, MONTH, TEXTAREA = (
    "text", "date", "time", "money", "number", "integer", "select", "yesno", "month", "textarea")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: object
    kind: str = TEXT
    hint: object = None
    choices: tuple[tuple[str, object], ...] = ()
    optional: bool = False
    width: str | None = None
    # Shown only when another field of the same line/header has one of these values.
    show_if: tuple[str, tuple[str, ...]] | None = None
    # Changing it changes which fields are shown: the form is redrawn.
    structural: bool = False
    max_length: int = 200

    def visible(self, values: dict) -> bool:
        if self.show_if is None:
            return True
        other, accepted = self.show_if
        return values.get(other, "") in accepted


@dataclass(frozen=True)
class InvoiceType:
    key: str
    label: object
    description: object
    fields: tuple[FieldSpec, ...] = ()
    line_fields: tuple[FieldSpec, ...] = ()
    line_label: object = None
    lines_title: object = None
    add_line_label: object = None
    fixed_lines: bool = False  # lines made by the server (e.g. one per day of a month)
    examples: tuple[object, ...] = field(default_factory=tuple)

    @property
    def has_lines(self) -> bool:
        return bool(self.line_fields)


TRANSPORT_CHOICES = tuple(TRANSPORTS.items())
FARE_TRANSPORTS = ("public", "taxi", "other")

TRAVEL = InvoiceType(
    key="deplacement", label=_l("Frais de déplacement et de repas"),
    description=_l("Trajets pour une mesure ou un traitement : billets, kilomètres en voiture, "
                   "repas et nuits hors du domicile."),
    line_label=_l("Trajet"), lines_title=_l("Trajets"), add_line_label=_l("Ajouter un trajet"),
    line_fields=(
        FieldSpec("date", _l("Date du trajet"), DATE, hint=_l("JJ.MM.AAAA"), width="short"),
        FieldSpec("depart", _l("Départ"), hint=_l("Localité de départ"), max_length=100),
        FieldSpec("destination", _l("Destination"), max_length=100),
        FieldSpec("motif", _l("Motif"), hint=_l("La mesure ou le lieu de traitement, par exemple "
                                              "« physiothérapie à Neuchâtel »."),
                  max_length=200),
        FieldSpec("transport", _l("Moyen de transport"), SELECT, choices=TRANSPORT_CHOICES,
                  structural=True),
        FieldSpec("fare", _l("Prix du billet ou de la course (CHF)"), MONEY, width="short",
                  hint=_l("Le montant payé, par exemple 12.40."),
                  show_if=("transport", FARE_TRANSPORTS)),
        FieldSpec("km", _l("Kilomètres parcourus (aller et retour)"), NUMBER, width="short",
                  show_if=("transport", ("car",))),
        FieldSpec("vehicle_required", _l("La décision dit-elle déjà que votre handicap exige "
                                         "la voiture ou le taxi ?"), YESNO,
                  hint=_l("Sinon, joignez un certificat médical."),
                  show_if=("transport", ("car", "taxi"))),
        FieldSpec("departure_time", _l("Heure de départ"), TIME, hint=_l("HH:MM"),
                  width="short"),
        FieldSpec("return_time", _l("Heure de retour"), TIME, hint=_l("HH:MM"), width="short"),
        FieldSpec("nights", _l("Nuits hors du domicile"), INTEGER, width="short", optional=True,
                  hint=_l("0 si vous êtes rentré·e le jour même.")),
        FieldSpec("companion", _l("Un·e accompagnant·e était-il nécessaire ?"), YESNO),
    ))

ASSISTANCE = InvoiceType(
    key="assistance", label=_l("Contribution d'assistance"),
    description=_l("Les heures de vos assistant·e·s pour un mois (une facture par mois)."),
    line_label=_l("Assistant·e"), lines_title=_l("Assistant·e·s"), add_line_label=_l("Ajouter un·e assistant·e"),
    fields=(
        FieldSpec("month", _l("Mois"), MONTH, hint=_l("MM.AAAA, par exemple 10.2026"),
                  width="short"),
        FieldSpec("monthly_amount", _l("Montant mensuel selon votre décision (CHF)"), MONEY,
                  width="short", optional=True,
                  hint=_l("Seulement si l'office ne le connaît pas déjà : le montant de la "
                          "décision enregistrée à l'office fait foi.")),
        FieldSpec("eleven_months", _l("Votre décision prévoit-elle 11 mois par an "
                                      "(art. 39g RAI) ?"), YESNO, optional=True),
    ),
    line_fields=(
        FieldSpec("name", _l("Nom de l'assistant·e"), max_length=100),
        FieldSpec("ordinary_hours", _l("Heures ordinaires"), NUMBER, width="short"),
        FieldSpec("qualified_hours", _l("Heures qualifiées"), NUMBER, width="short",
                  optional=True, hint=_l("Seulement si la décision en prévoit.")),
        FieldSpec("nights", _l("Nuits"), INTEGER, width="short", optional=True),
        FieldSpec("gross_salary", _l("Salaire brut (CHF)"), MONEY, width="short"),
        FieldSpec("sick_days_paid", _l("Jours de salaire maintenu pour maladie"), INTEGER,
                  width="short", optional=True,
                  hint=_l("Au-delà de 3 jours, joignez un certificat médical.")),
    ))

DAY_CHOICES = tuple(DAY_PLACES.items())

DEGREE_CHOICES = (("faible", _l("Faible")), ("moyenne", _l("Moyenne")), ("grave", _l("Grave")))
SUPPLEMENT_CHOICES = (("aucun", _l("Aucun")), ("4h", _l("Au moins 4 heures par jour")),
                      ("6h", _l("Au moins 6 heures par jour")),
                      ("8h", _l("Au moins 8 heures par jour")))

API_MINOR = InvoiceType(
    key="api_mineur", label=_l("Allocation pour impotent (API) — mineur·e"),
    description=_l("Les nuits passées à la maison pendant un mois."),
    line_label=_l("Nuit"), lines_title=_l("Nuits du mois"), fixed_lines=True,
    fields=(
        FieldSpec("month", _l("Mois"), MONTH, hint=_l("MM.AAAA, par exemple 10.2026"),
                  width="short", structural=True),
        FieldSpec("degree", _l("Degré d'impotence selon la décision"), SELECT,
                  choices=DEGREE_CHOICES, optional=True,
                  hint=_l("Le degré de la décision enregistrée à l'office fait foi.")),
        FieldSpec("supplement", _l("Supplément pour soins intenses selon la décision"), SELECT,
                  choices=SUPPLEMENT_CHOICES, optional=True),
    ),
    line_fields=(
        FieldSpec("place", _l("Où l'enfant a-t-il passé la nuit ?"), SELECT,
                  choices=DAY_CHOICES),
    ))

AID_KIND_CHOICES = (
    ("une_oreille", _l("Appareil auditif pour une oreille (forfait)")),
    ("deux_oreilles", _l("Appareils auditifs pour deux oreilles (forfait)")),
    ("piles", _l("Piles pour appareils auditifs (forfait annuel)")),
    ("reparation_electronique", _l("Réparation électronique d'un appareil")),
    ("reparation_autre", _l("Autre réparation d'un appareil")),
    ("autre_moyen", _l("Autre moyen auxiliaire")))
DEVICE_KINDS = ("une_oreille", "deux_oreilles")
REPAIR_KINDS = ("reparation_electronique", "reparation_autre")

AIDS = InvoiceType(
    key="moyens_auxiliaires", label=_l("Appareils auditifs et moyens auxiliaires"),
    description=_l("Appareils auditifs, piles, réparations et autres moyens auxiliaires."),
    fields=(
        FieldSpec("kind", _l("De quoi s'agit-il ?"), SELECT, choices=AID_KIND_CHOICES,
                  structural=True),
        FieldSpec("supplier", _l("Fournisseur"), max_length=120,
                  show_if=("kind", DEVICE_KINDS + REPAIR_KINDS + ("autre_moyen",))),
        FieldSpec("invoice_date", _l("Date de la facture"), DATE, hint=_l("JJ.MM.AAAA"),
                  width="short"),
        FieldSpec("devices", _l("Nombre d'appareils"), INTEGER, width="short",
                  show_if=("kind", ("piles",))),
        FieldSpec("device_purchase_date", _l("Date d'achat de l'appareil réparé"), DATE,
                  hint=_l("JJ.MM.AAAA — l'appareil doit avoir plus d'un an."), width="short",
                  show_if=("kind", REPAIR_KINDS)),
        FieldSpec("previous_device_date", _l("Date de votre précédent appareil"), DATE,
                  hint=_l("JJ.MM.AAAA, si vous en avez déjà eu un."), width="short",
                  optional=True, show_if=("kind", DEVICE_KINDS)),
        FieldSpec("description", _l("Description du moyen auxiliaire"), max_length=200,
                  show_if=("kind", ("autre_moyen",))),
        FieldSpec("supplier_amount", _l("Montant de la facture du fournisseur (CHF)"), MONEY,
                  width="short", show_if=("kind", ("autre_moyen",))),
    ))

STANDARD = InvoiceType(
    key="standard", label=_l("Facture standard"),
    description=_l("Tout autre frais couvert par une décision de l'office."),
    line_label=_l("Ligne"), lines_title=_l("Lignes de la facture"), add_line_label=_l("Ajouter une ligne"),
    fields=(
        FieldSpec("supplier", _l("Fournisseur"), max_length=120),
        FieldSpec("supplier_invoice_number", _l("N° de la facture du fournisseur"),
                  max_length=60),
        FieldSpec("invoice_date", _l("Date de la facture"), DATE, hint=_l("JJ.MM.AAAA"),
                  width="short"),
    ),
    line_fields=(
        FieldSpec("date", _l("Date"), DATE, hint=_l("JJ.MM.AAAA"), width="short"),
        FieldSpec("label", _l("Libellé"), max_length=200),
        FieldSpec("quantity", _l("Quantité"), NUMBER, width="short"),
        FieldSpec("unit_price", _l("Prix unitaire (CHF)"), MONEY, width="short"),
    ))

INVOICE_TYPES = {t.key: t for t in (TRAVEL, ASSISTANCE, API_MINOR, AIDS, STANDARD)}


def invoice_type(key: str) -> InvoiceType:
    return INVOICE_TYPES[key]
