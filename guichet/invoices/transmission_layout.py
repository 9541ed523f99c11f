"""The layout of the transmission PDFs' own pages (reportlab platypus): an invoice laid out like
the official IV invoice forms, and a batch's cover. The facts come from
:class:`~.transmission_pdf.TransmissionView`; this module only places them.

Why not the invoice PDF's xhtml2pdf template: a batch has 500 invoices and xhtml2pdf took about
125 ms for one such page (it lays out each table cell as a small document of its own, and reads
the fonts again at every call), platypus about a fifth of it (``bench/batch_pdf.py``). The look
follows the invoice PDF (``templates/invoices/pdf.html``): DejaVu Sans, the office's blue.

Every text that comes from people (names, addresses, labels typed by the insured person) is
escaped before it goes into a paragraph: platypus reads a small markup language.
"""
from __future__ import annotations

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from flask import current_app
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)

from guichet.core.formatting import format_decision_number
from guichet.core.i18n import gettext as _
from guichet.core.i18n import local_date, local_datetime, ngettext
from guichet.core.money import format_chf

from .pdf import FONT_DIR

FONT, BOLD = "GuichetSans", "GuichetSans-Bold"
BLUE = colors.HexColor("#00558c")
PALE = colors.HexColor("#e8f1f8")
GREY = colors.HexColor("#7a7a7a")
MUTED = colors.HexColor("#4a4a4a")
INK = colors.HexColor("#1b1b1b")
MARGIN = 1.4 * cm
BOTTOM = 1.9 * cm  # the page numbers are written there afterwards


def _fonts() -> None:
    """DejaVu Sans (every letter of the names the office meets: Ć, ễ …), registered once."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT,
                                      boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", base, fontSize=7.5, leading=9, textColor=MUTED),
        "label": ParagraphStyle("label", base, fontSize=6.5, leading=8, textColor=MUTED),
        "value": ParagraphStyle("value", base, fontSize=9.5, leading=11.5),
        "big": ParagraphStyle("big", base, fontName=BOLD, fontSize=12, leading=14.5),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT),
        "office": ParagraphStyle("office", base, fontName=BOLD, fontSize=11, leading=13.5,
                                 textColor=BLUE),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=14, leading=17,
                                spaceBefore=4, spaceAfter=1),
        "section": ParagraphStyle("section", base, fontName=BOLD, fontSize=9.5, leading=12,
                                  textColor=colors.white, backColor=BLUE, borderPadding=(2, 3),
                                  spaceBefore=8, spaceAfter=2),
        "head": ParagraphStyle("head", base, fontName=BOLD, fontSize=8, leading=10),
        "num": ParagraphStyle("num", base, alignment=TA_RIGHT),
        "numbold": ParagraphStyle("numbold", base, fontName=BOLD, alignment=TA_RIGHT),
    }


def _e(text) -> str:
    return escape(str(text if text is not None else ""))


_GRID = [("GRID", (0, 0), (-1, -1), 0.5, GREY), ("VALIGN", (0, 0), (-1, -1), "TOP"),
         ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
         ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]


class _Page:
    """Builds the flowables of one document with its styles and width."""

    def __init__(self):
        _fonts()
        self.s = _styles()
        self.width = 595.2756 - 2 * MARGIN
        self.story: list = []

    def p(self, text: str, style: str = "base") -> Paragraph:
        return Paragraph(text, self.s[style])

    def field(self, label, value, style: str = "value") -> list:
        """A form's box: its label small, its value below."""
        return [self.p(_e(label), "label"), self.p(_e(value) if value else "—", style)]

    def section(self, title) -> None:
        self.story.append(self.p(_e(title), "section"))

    def grid(self, rows: list[list], widths: list[float], header: bool = False,
             extra: list | None = None) -> None:
        style = list(_GRID)
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), PALE))
        table = Table(rows, colWidths=[self.width * w for w in widths], repeatRows=1 if header
                      else 0, hAlign="LEFT")
        table.setStyle(TableStyle(style + (extra or [])))
        self.story.append(table)

    def build(self, title: str) -> bytes:
        out = io.BytesIO()
        document = SimpleDocTemplate(out, pagesize=(595.2756, 841.8898), leftMargin=MARGIN,
                                     rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=BOTTOM,
                                     title=title, author=current_app.config["OFFICE_NAME"],
                                     creator="Guichet", invariant=1, pageCompression=1)
        document.build(self.story)
        return out.getvalue()


def invoice_pages(t) -> bytes:
    """The invoice's own pages (``t``: a TransmissionView)."""
    page = _Page()
    config = current_app.config
    view = t.view
    right = [f'<font size="6.5" color="#4a4a4a">{_e(_("N° de reçu"))}</font> '
             f'<font name="{BOLD}" size="12">{_e(t.receipt_number)}</font>']
    if t.batch is not None:
        right.append(f'<font size="6.5" color="#4a4a4a">{_e(_("Lot de transmission"))}</font> '
                     f'<b>{_e(t.batch.number)}</b> ({_e(local_date(t.batch.created_on))})')
    head = Table([[[page.p(_e(config["OFFICE_NAME"]), "office"),
                    page.p(_e(_("Facture à l'assurance-invalidité — transmise à la Centrale "
                                "de compensation")), "small")],
                   page.p("<br/>".join(right), "right")]],
                 colWidths=[page.width * 0.55, page.width * 0.45], hAlign="LEFT")
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    page.story += [head, page.p(_e(t.type_label), "title"), page.p(_e(_(
        "Présentation selon la formule AI %(form)s. Envoyée par l'assuré·e le %(when)s.",
        form=t.form, when=local_datetime(view.submitted_at))), "small")]

    insured = t.insured
    page.section(_("Assuré·e"))
    page.grid([[page.field(_("N° AVS"), t.navs13), page.field(_("Nom, prénom"), insured.name),
                page.field(_("Date de naissance"), local_date(insured.born))],
               [page.field(_("N° de décision"), format_decision_number(view.decision_number)),
                page.field(_("Prestation"), t.type_label), ""]],
              [0.3, 0.4, 0.3], extra=[("SPAN", (1, 1), (2, 1))])

    creditor = t.creditor
    page.section(_("Créancier·ère (titulaire du compte)"))
    who = (_("Nom, prénom (l'assuré·e)") if t.creditor_is_insured
           else _("Nom, prénom (représentant·e légal·e)"))
    holder = t.iban_holder + (f" ({t.bank})" if t.bank else "") if t.iban_holder else ""
    nif = (_("NIF : %(nif)s", nif=t.nif) if t.nif else
           _("NIF : — (premier paiement : la Centrale de compensation l'attribue)"))
    page.grid([[page.field(who, creditor.name), page.field(_("Adresse"), creditor.address)],
               [page.field(_("IBAN"), t.iban), page.field(_("Titulaire du compte"), holder)],
               [page.field(_("N° de créancier (NIF)"), nif), ""]],
              [0.5, 0.5], extra=[("SPAN", (0, 2), (1, 2))])

    if view.details:
        page.section(_("Indications de la facture"))
        page.grid([[page.p(_e(d.label), "head"), page.p(_e(d.value))] for d in view.details],
                  [0.35, 0.65], extra=[("BACKGROUND", (0, 0), (0, -1), PALE)])
    if view.type.has_lines and view.declared_lines:
        page.section(view.type.lines_title)
        rows = []
        for line in view.declared_lines:
            answers = " · ".join(f"{_e(a.label)} : {_e(a.value)}" for a in line.answers)
            rows.append([page.p(_e(line.title), "head"), page.p(answers or "—", "small")])
        page.grid(rows, [0.14, 0.86])

    page.section(_("Prestations facturées"))
    rows = [[page.p(_e(text), "head") for text in (
        _("Code tarifaire"), _("Prestation"), _("Demandé"), _("Validé"),
        _("Motif de la réduction"))]]
    for line in t.lines:
        rows.append([page.p(_e(line.tariff_code or "—")), page.p(_e(line.label)),
                     page.p(_e(format_chf(line.claimed)), "num"),
                     page.p(_e(format_chf(line.approved)), "numbold" if line.reduced else "num"),
                     page.p(_e(line.reason) if line.reduced else
                            f'<font color="#4a4a4a">{_e(_("montant demandé accepté"))}</font>')])
    if not t.lines:
        rows.append([page.p(_e(_("Aucune ligne."))), "", "", "", ""])
    rows.append(["", page.p(_e(_("Total")), "head"),
                 page.p(_e(format_chf(t.total_claimed)), "numbold"),
                 page.p(_e(format_chf(t.total_approved)), "numbold"), ""])
    page.grid(rows, [0.1, 0.34, 0.14, 0.14, 0.28], header=True)

    visa = t.visa
    page.section(_("Visa de l'office AI"))
    first = [page.p(_e(_("Visa")), "label"), page.p(_e(visa.by if visa else "—"), "value")]
    if visa and visa.at:
        first.append(page.p(_e(_("le %(date)s", date=local_date(visa.at))), "small"))
    second = [page.p(_e(_("Second visa")), "label"),
              page.p(_e(visa.second_by if visa and visa.second_by else _("non requis")),
                     "value")]
    if visa and visa.second_at:
        second.append(page.p(_e(_("le %(date)s", date=local_date(visa.second_at))), "small"))
    total = [page.p(_e(_("Montant validé")), "label"),
             page.p(_e(format_chf(t.total_approved)), "big"),
             page.p(_e(_("montant demandé : %(amount)s", amount=format_chf(t.total_claimed))),
                    "small")]
    visa_table = Table([[first, second, total]], colWidths=[page.width * w for w in
                                                              (0.34, 0.33, 0.33)], hAlign="LEFT")
    visa_table.setStyle(TableStyle(_GRID))
    page.story.append(KeepTogether([page.story.pop(), visa_table]))

    page.section(_("Pièces justificatives (pages suivantes)"))
    rows = [[page.p(_e(text), "head") for text in (_("Document"), _("Fichier"),
                                                   _("Dans ce PDF"))]]
    for piece in t.pieces:
        shown = (_e(ngettext("%(num)d page", "%(num)d pages", piece.pages)) if piece.pages
                 else f"<b>{_e(piece.missing)}</b>")
        rows.append([page.p(_e(piece.group)), page.p(_e(piece.filename)), page.p(shown)])
    if not t.pieces:
        rows.append([page.p(_e(_("Aucune pièce jointe."))), "", ""])
    page.grid(rows, [0.34, 0.40, 0.26], header=True)
    return page.build(t.receipt_number)


def cover_pages(batch, rows, listed: Decimal, control_sum: Decimal, total_pages: int) -> bytes:
    """The batch's cover: its number, date, count, control sum and pages, then each invoice
    (position, receipt number, insured person, type, approved amount, its pages)."""
    page = _Page()
    config = current_app.config
    page.story += [page.p(_e(config["OFFICE_NAME"]), "office"),
                   page.p(_e(_("Transmission à la Centrale de compensation")), "small"),
                   page.p(_e(_("Lot de transmission %(number)s", number=batch.number)), "title")]
    figures = Table([[page.field(_("Date du lot"), local_date(batch.created_on)),
                      page.field(_("Nombre de factures"), str(batch.count), "big"),
                      page.field(_("Somme de contrôle (montants validés)"),
                                 format_chf(control_sum), "big"),
                      page.field(_("Pages"), str(total_pages))]],
                    colWidths=[page.width * w for w in (0.22, 0.22, 0.36, 0.20)], hAlign="LEFT")
    figures.setStyle(TableStyle(_GRID))
    page.story += [Spacer(1, 4), figures, Spacer(1, 3), page.p(_e(_(
        "Chaque facture suit avec sa propre pagination, son visa et ses pièces "
        "justificatives.")), "small")]
    page.section(_("Factures du lot"))
    base, num = page.s["base"], page.s["num"]
    data = [[page.p(_e(text), "head") for text in (
        _("N°"), _("N° de reçu"), _("Assuré·e"), _("Prestation"), _("Montant validé"),
        _("Pages"))]]
    for row in rows:
        data.append([str(row.position), row.receipt_number, Paragraph(_e(row.insured), base),
                     Paragraph(_e(row.type_label), page.s["small"]),
                     Paragraph(_e(format_chf(row.amount)), num),
                     f"{row.first_page}–{row.last_page}"])
    data.append(["", "", Paragraph(_e(_("Total (%(count)s factures)", count=len(rows))),
                                   page.s["head"]), "",
                 Paragraph(_e(format_chf(listed)), page.s["numbold"]), ""])
    page.grid(data, [0.07, 0.18, 0.29, 0.2, 0.15, 0.11], header=True,
              extra=[("FONTNAME", (0, 1), (-1, -1), FONT), ("FONTSIZE", (0, 1), (-1, -1), 8.5),
                     ("ALIGN", (0, 1), (0, -1), "RIGHT"), ("ALIGN", (5, 1), (5, -1), "RIGHT")])
    return page.build(batch.number)
