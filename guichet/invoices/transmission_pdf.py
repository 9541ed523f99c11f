"""The transmission PDFs: one PDF per validated invoice for the Centrale de compensation (the
ZAS takes no collective invoices), laid out like the official IV invoice forms (300.001 hearing
aids, 300.003 the others), and the batch PDF (a cover page, then every invoice PDF in order).

An invoice's PDF: its own pages (reportlab platypus, :mod:`.transmission_layout`: office,
batch, receipt, N° AVS, N° de décision, the beneficiary, the creditor with address, IBAN,
account holder and NIF, the lines with their tariff code, claimed and approved amounts and
reduction reasons, the « Visa de l'office AI »), then its pièces appended: PDFs as received
(pages copied), images as A4 pages; then « Page 3 / 7 » written over every page (a
reportlab overlay merged with pikepdf). In the batch PDF every page also carries the batch
number and its page in the batch.

Which pièces are appended: only those the virus scanner found clean, whose file is still there
with the SHA-256 of its row, and that open (pikepdf for PDFs, Pillow for images). The upload
checks already refused encrypted, scripted and unparsable files; a pièce that still cannot be
read (a file damaged on disk, a PDF qpdf cannot copy) is listed on the invoice's own page with
the reason it is missing, never appended, and never stops the batch. Copied pages lose their
page and annotation actions (scripts) all the same.

Identical bytes at every call for the same data: reportlab's ``invariant`` mode, no dates in
the document information, pikepdf's ``deterministic_id``, fixed names for the overlays, and
the batch's file ID computed from its content (:mod:`.pdf_join`).

Memory: the batch renders each invoice into a temporary file (its pièces opened, copied and
closed with it), releases the invoice's rows, then joins the files one at a time
(:class:`~.pdf_join.PdfJoiner`). 500 invoices with 2 pièces each: ~30 s, ~150 MB peak of
which ~125 MB is the application itself (``bench/batch_pdf.py``).
"""
from __future__ import annotations

import hashlib
import io
import logging
import shutil
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import pikepdf
from flask import current_app
from PIL import Image
from reportlab.pdfgen import canvas as rl_canvas
from sqlalchemy import inspect as sa_inspect

from guichet.core.i18n import gettext as _
from guichet.core.money import to_amount
from guichet.models import Attachment, Invoice
from guichet.models.base import db
from guichet.uploads.scanner import CLEAN, INFECTED, PENDING
from guichet.uploads.scanner import is_configured as scanner_configured
from guichet.uploads.storage import InvalidStoredName, open_stored

from .pdf_join import PdfJoiner, footer_content
from .staff_view import StaffInvoiceView
from .transmission_layout import cover_pages, invoice_pages
from .types import aids

log = logging.getLogger(__name__)

#: The official form each type's layout follows (the others: 300.003).
FORMS = {aids.KEY: "300.001"}
DEFAULT_FORM = "300.003"

A4 = (595.2756, 841.8898)  # points
IMAGE_MARGIN = 36.0        # half an inch around an image pièce
FOOTER_ROOM = 40.0         # an image pièce leaves the footer's height free at the bottom
PDF_TYPE = "application/pdf"
IMAGE_TYPES = ("image/jpeg", "image/png")
PRODUCER = "Guichet — Office AI"


# --- what one invoice's PDF shows -------------------------------------------------------------

@dataclass(frozen=True)
class TransmissionLine:
    """A priced line as the office decided it, with its tariff code on the official form."""

    label: str
    tariff_code: str | None
    claimed: Decimal
    approved: Decimal
    reason: str  # the reduction's reason and the gestionnaire's text; "" when not reduced

    @property
    def reduced(self) -> bool:
        return self.approved < self.claimed


@dataclass(frozen=True)
class Visa:
    """The « Visa de l'office AI »: who validated and when, the second visa if one was
    required, and the approved total."""

    by: str
    at: datetime | None
    second_by: str | None
    second_at: datetime | None
    total_approved: Decimal | None


@dataclass
class PieceEntry:
    """A pièce of the invoice: appended (``pages`` > 0), or why not (``missing``)."""

    group: str
    filename: str
    content_type: str
    pages: int = 0
    missing: str = ""
    #: the opened pièce while the invoice's PDF is assembled (not kept afterwards)
    pdf: pikepdf.Pdf | None = field(default=None, repr=False)


class TransmissionView:
    """One validated invoice as its transmission PDF shows it: the staff's presentation
    (:class:`~.staff_view.StaffInvoiceView`, identifiers in full) and what the form adds."""

    def __init__(self, invoice: Invoice, batch_header=None, kept: bool = True):
        self.invoice = invoice
        self.batch = batch_header
        # what the batch kept of the records that may change (transmission_copy), if any
        self.kept = (invoice.transmission_copy or {}) if kept else {}
        self.staff = StaffInvoiceView(invoice)
        self.view = self.staff.view
        self.receipt_number = invoice.receipt_number or ""
        self.type_label = self.view.type_label
        self.form = FORMS.get(invoice.invoice_type, DEFAULT_FORM)

    @property
    def insured(self):
        """The insured person: the beneficiary (the holder's own file without one)."""
        return self.staff.beneficiary or self.staff.holder

    @property
    def navs13(self) -> str:
        """The insured person's N° AVS in full (``756.1234.5678.97``)."""
        return self.insured.navs13

    @property
    def creditor(self):
        """The account holder (the insured person or the legal representative)."""
        return self.staff.holder

    @property
    def creditor_is_insured(self) -> bool:
        beneficiary = self.staff.beneficiary
        return beneficiary is None or beneficiary.navs13 == self.staff.holder.navs13

    @property
    def iban(self) -> str:
        return self.staff.iban

    @property
    def iban_holder(self) -> str:
        return self.staff.iban_holder

    @property
    def bank(self) -> str:
        return self.staff.iban_bank

    @property
    def nif(self) -> str | None:
        """The creditor number the Centrale de compensation gave the account (``None``: not
        known yet, the first payment gives it): as it was when the batch was built."""
        if "nif" in self.kept:
            return self.kept["nif"]
        return (self.staff.holder_account.nif or "").strip() or None

    @cached_property
    def _decision(self):
        """The standing validation (the latest decision row, accepted)."""
        decisions = self.staff.decisions
        last = decisions[-1] if decisions else None
        return last if last is not None and last.accepted else None

    @cached_property
    def lines(self) -> list[TransmissionLine]:
        """Each priced line: its tariff code, claimed and approved amounts, the reduction's
        reason. Without a standing validation the approved amounts read 0.00 (none is
        assumed)."""
        kind = self.view.type
        rows = self.invoice.lines
        header = self.invoice.fields or {}

        def code(index: int) -> str | None:
            if kind.tariff_code is None:
                return None
            return kind.tariff_code(header, rows[index].data if index < len(rows) else {})

        decided = self._decision.lines if self._decision is not None else []
        kept_reasons = self.kept.get("reasons")
        found = []
        for index, line in enumerate(self.view.lines):
            item = decided[index] if index < len(decided) else None
            reason = item.reason if item is not None else ""
            if kept_reasons is not None and index < len(kept_reasons):
                reason = kept_reasons[index]
            found.append(TransmissionLine(
                str(line.label), code(index), to_amount(line.amount),
                item.approved if item is not None else Decimal("0.00"), reason))
        return found

    @property
    def total_claimed(self) -> Decimal:
        return self.invoice.total_claimed

    @cached_property
    def visa(self) -> Visa | None:
        facts = self._decision
        if facts is None:
            return None
        row = facts.decision
        return Visa(by=self.kept.get("visa_by", facts.decided_by), at=row.decided_at,
                    second_by=self.kept.get("second_visa_by", facts.visa_by)
                    if facts.visa_confirmed else None,
                    second_at=row.visa_at if facts.visa_confirmed else None,
                    total_approved=row.total_approved)

    @property
    def total_approved(self) -> Decimal:
        visa = self.visa
        if visa is not None and visa.total_approved is not None:
            return visa.total_approved
        return self.invoice.total_approved or Decimal("0.00")

    @cached_property
    def pieces(self) -> list[PieceEntry]:
        """Every file of the invoice, by the document it stands for (not yet opened)."""
        return [PieceEntry(str(group.label), file.filename, file.content_type)
                for group in self.view.pieces_shown for file in group.files]

    @cached_property
    def attachments(self) -> list[Attachment]:
        return [file for group in self.view.pieces_shown for file in group.files]


# --- pièces ------------------------------------------------------------------------------------

def _open_piece(entry: PieceEntry, attachment: Attachment) -> None:
    """Opens the pièce for appending (``entry.pdf``, ``entry.pages``), or says why it is not
    appended (``entry.missing``)."""
    # Without a scanner every pièce stays « en attente » for good: the gestionnaire saw it and
    # validated the invoice, so it goes with it. With one, only what it found clean, unless
    # the office says otherwise.
    unscanned_ok = attachment.scan_status == PENDING and (
        not scanner_configured() or current_app.config.get("TRANSMISSION_APPEND_UNSCANNED"))
    if attachment.scan_status != CLEAN and not unscanned_ok:
        entry.missing = (_("non jointe : l'antivirus l'a signalée") if
                         attachment.scan_status == INFECTED else
                         _("non jointe : analyse antivirus pas encore faite"))
        return
    try:
        data = open_stored(attachment.stored_name).read_bytes()
    except (FileNotFoundError, InvalidStoredName, OSError):
        entry.missing = _("non jointe : fichier introuvable")
        return
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        entry.missing = _("non jointe : le fichier ne correspond plus à son empreinte")
        return
    try:
        if attachment.content_type == PDF_TYPE:
            pdf = pikepdf.open(io.BytesIO(data))
            _defuse(pdf)
        elif attachment.content_type in IMAGE_TYPES:
            pdf = _image_page(data)
        else:
            entry.missing = _("non jointe : type de fichier non pris en charge")
            return
        pages = len(pdf.pages)
    except Exception as error:  # noqa: BLE001 — any unreadable file is reported, not raised
        log.warning("pièce %s not appended: %s", attachment.id, error)
        entry.missing = _("non jointe : fichier illisible")
        return
    if pages == 0:
        pdf.close()
        entry.missing = _("non jointe : fichier sans page")
        return
    entry.pdf, entry.pages = pdf, pages


#: Actions a copied page must not carry (the upload refuses such PDFs; a file stored before
#: a check existed, or one that slipped through, loses them here).
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/ResetForm",
                   "/Rendition", "/Movie", "/Sound", "/RichMediaExecute"}


def _defuse(pdf: pikepdf.Pdf) -> None:
    """Removes from the pièce's pages what could run in a viewer: the pages' and the
    annotations' additional actions (/AA), and annotations' active actions."""
    for page in pdf.pages:
        if "/AA" in page.obj:
            del page.obj["/AA"]
        for annotation in page.obj.get("/Annots", None) or []:
            if not isinstance(annotation, pikepdf.Dictionary):
                continue
            if "/AA" in annotation:
                del annotation["/AA"]
            action = annotation.get("/A")
            if isinstance(action, pikepdf.Dictionary) and str(action.get("/S")) in \
                    _ACTIVE_ACTIONS:
                del annotation["/A"]


def _png_passthrough(data: bytes) -> tuple[int, int, str, bytes] | None:
    """(width, height, "L" or "RGB", the zlib data) of an 8-bit grey or RGB PNG without
    interlacing: its compressed rows go into the PDF as they are (FlateDecode with the PNG
    predictor), never decoded; ``None`` for any other PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    position, idat, header = 8, [], None
    while position + 8 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None or len(header) != 13 or not idat:
        return None
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    depth, colour, interlace = header[8], header[9], header[12]
    if depth != 8 or interlace != 0 or colour not in (0, 2):
        return None
    return width, height, "L" if colour == 0 else "RGB", b"".join(idat)


def _image_page(data: bytes) -> pikepdf.Pdf:
    """A JPEG or PNG as one A4 page (portrait, or landscape for a wide picture), fitted within
    the margins with the footer's room left free, never enlarged past 150 dpi. A JPEG in RGB or
    grey goes in as it is (DCTDecode: nothing decoded); anything else is decoded once."""
    parameters = None
    passthrough = _png_passthrough(data)
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if image.format == "JPEG" and image.mode in ("RGB", "L"):
            stream_data, filter_, mode = data, pikepdf.Name.DCTDecode, image.mode
        elif passthrough is not None:
            width, height, mode, stream_data = passthrough
            filter_ = pikepdf.Name.FlateDecode
            parameters = pikepdf.Dictionary(Predictor=15, Colors=1 if mode == "L" else 3,
                                            BitsPerComponent=8, Columns=width)
        else:
            flat = image.convert("RGBA") if "A" in image.getbands() or image.mode == "P" \
                else image
            if flat.mode == "RGBA":  # transparency over white, as a viewer shows it
                background = Image.new("RGB", flat.size, (255, 255, 255))
                background.paste(flat, mask=flat.getchannel("A"))
                flat = background
            flat = flat.convert("L" if flat.mode in ("L", "1", "I", "I;16") else "RGB")
            stream_data, filter_, mode = zlib.compress(flat.tobytes(), 6), \
                pikepdf.Name.FlateDecode, flat.mode
    page_w, page_h = A4 if height >= width else (A4[1], A4[0])
    box_w, box_h = page_w - 2 * IMAGE_MARGIN, page_h - 2 * IMAGE_MARGIN - FOOTER_ROOM
    scale = min(box_w / width, box_h / height, 72 / 150)
    draw_w, draw_h = width * scale, height * scale
    x = (page_w - draw_w) / 2
    y = FOOTER_ROOM + IMAGE_MARGIN + (box_h - draw_h) / 2
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(page_w, page_h))
    picture = pdf.make_stream(stream_data)
    picture.Type, picture.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    picture.Width, picture.Height, picture.BitsPerComponent = width, height, 8
    picture.ColorSpace = pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB
    picture.Filter = filter_
    if parameters is not None:
        picture.DecodeParms = parameters
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=picture))
    page.Contents = pdf.make_stream(
        f"q {draw_w:.3f} 0 0 {draw_h:.3f} {x:.3f} {y:.3f} cm /Im0 Do Q".encode("ascii"))
    return pdf


def _usable(entry: PieceEntry) -> bool:
    """Whether every page of the opened pièce can really be written (qpdf reads a PDF's
    content only when writing: a damaged stream shows only then)."""
    try:
        test = pikepdf.new()
        test.pages.extend(entry.pdf.pages)
        test.save(io.BytesIO())
        test.close()
        return True
    except Exception as error:  # noqa: BLE001
        log.warning("pièce %s cannot be copied: %s", entry.filename, error)
        return False


# --- page numbers --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Footer:
    """What is written at the bottom of one of an invoice's pages: the left text (office,
    receipt, batch) and the right one (« Page 3 / 7 »)."""

    left: str
    right: str


def _box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


def _overlay(pdf: pikepdf.Pdf, footers: list[Footer]) -> None:
    """Writes each footer (the invoice's line: its left text and « Page i / n ») over its
    page: a reportlab document of the same page sizes, each page merged in as a form
    XObject."""
    buffer = io.BytesIO()
    sheet = rl_canvas.Canvas(buffer, invariant=1, pageCompression=1)
    boxes = [_box(page) for page in pdf.pages]
    y, size, margin = 18.0, 7.5, 28.0
    for (_x, _y, width, height), footer in zip(boxes, footers):
        sheet.setPageSize((width, height))
        sheet.setFont("Helvetica", size)
        for text, right in ((footer.left, False), (footer.right, True)):
            if not text:
                continue
            text_width = sheet.stringWidth(text, "Helvetica", size)
            x = width - margin - text_width if right else margin
            sheet.setFillColorRGB(1, 1, 1)
            sheet.rect(x - 2, y - 2, text_width + 4, size + 3, stroke=0, fill=1)
            sheet.setFillColorRGB(0.1, 0.1, 0.1)
            sheet.drawString(x, y, text)
        sheet.showPage()
    sheet.save()
    overlay = pikepdf.open(io.BytesIO(buffer.getvalue()))
    for page, over, (x, y, _width, _height) in zip(pdf.pages, overlay.pages, boxes):
        _stamp(pdf, page, over, pikepdf.Name("/GuichetPage"), x, y)
    overlay.close()


def _stamp(pdf: pikepdf.Pdf, page: pikepdf.Page, over: pikepdf.Page, name: pikepdf.Name,
           x: float, y: float) -> None:
    """Draws ``over`` (a page of another document) over ``page`` as a form XObject of a fixed
    name (pikepdf's ``add_overlay`` picks random names: the bytes would change every time);
    the page's own content is wrapped in q/Q so that its graphics state cannot leak."""
    form = pdf.copy_foreign(over.as_form_xobject())
    page.add_resource(form, pikepdf.Name.XObject, name, replace_existing=True)
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    page.contents_add(pdf.make_stream(
        f"Q\nq 1 0 0 1 {x:.4f} {y:.4f} cm {name} Do Q\n".encode("ascii")))


def _ascii(text: str) -> str:
    """The footer's standard font (Helvetica, not embedded) has Latin-1 at most."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _save(pdf: pikepdf.Pdf, out: BinaryIO, title: str) -> None:
    """Writes the document with a fixed information dictionary (no dates) and an ID computed
    from its content: the same data gives the same bytes."""
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(title),
                                                       Producer=pikepdf.String(PRODUCER)))
    pdf.save(out, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)


# --- one invoice -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RenderedInvoice:
    """What the batch keeps of an invoice once its PDF is written."""

    receipt_number: str
    insured: str
    type_label: str
    total_approved: Decimal
    pages: int


def _assemble(view: TransmissionView) -> tuple[pikepdf.Pdf, list[pikepdf.Pdf]]:
    """The invoice's pages (own pages, then the appended pièces), numbered; and the sources
    that must stay open until the document is saved (qpdf reads their content then)."""
    own = pikepdf.open(io.BytesIO(invoice_pages(view)))
    document = pikepdf.new()
    document.pages.extend(own.pages)
    for entry in view.pieces:
        if entry.pdf is not None:
            document.pages.extend(entry.pdf.pages)
    total = len(document.pages)
    left = _ascii(" · ".join(part for part in (
        current_app.config["OFFICE_NAME"], view.receipt_number,
        _("Lot %(number)s", number=view.batch.number) if view.batch is not None else "")
        if part))
    _overlay(document, [Footer(left, _ascii(_("Page %(n)s / %(total)s", n=n, total=total)))
                        for n in range(1, total + 1)])
    return document, [own]


def _write(out: BinaryIO, invoice: Invoice, batch_header) -> RenderedInvoice:
    """Writes the invoice's PDF to ``out`` (seekable, empty). A pièce that opened but whose
    content cannot be written is found, left out (listed as unreadable) and the PDF made
    again."""
    view = TransmissionView(invoice, batch_header)
    for entry, attachment in zip(view.pieces, view.attachments):
        _open_piece(entry, attachment)
    try:
        while True:
            document, sources = _assemble(view)
            try:
                _save(document, out, view.receipt_number)
                pages = len(document.pages)
                break
            except Exception:  # noqa: BLE001 — which pièce(s) cannot be written?
                bad = [entry for entry in view.pieces
                       if entry.pdf is not None and not _usable(entry)]
                if not bad:
                    raise
                for entry in bad:
                    entry.pdf.close()
                    entry.pdf, entry.pages = None, 0
                    entry.missing = _("non jointe : fichier illisible")
                out.seek(0)
                out.truncate()
            finally:
                document.close()
                for source in sources:
                    source.close()
    finally:
        for entry in view.pieces:
            if entry.pdf is not None:
                entry.pdf.close()
                entry.pdf = None
    insured = view.insured
    return RenderedInvoice(view.receipt_number, insured.name, view.type_label,
                           view.total_approved, pages)


def transmission_copy(invoice: Invoice) -> dict:
    """What the batch keeps (``invoices.transmission_copy``) of the records its PDFs read
    that may change later: the creditor's NIF (recorded at a later payment, it belongs on the
    later invoices only), the names of the gestionnaires of the visa, the reductions' reasons
    (an administrator may rename one). The rest comes from the copy kept at sending and the
    decision, which do not change; the office's name is configuration."""
    view = TransmissionView(invoice, kept=False)
    visa = view.visa
    return {"nif": view.nif, "visa_by": visa.by if visa else None,
            "second_visa_by": visa.second_by if visa else None,
            "reasons": [line.reason for line in view.lines]}


def write_invoice_pdf(out: BinaryIO, invoice: Invoice, batch_header=None) -> None:
    """Writes the transmission PDF of one validated invoice to ``out``: its own pages, its
    pièces, « Page i / n » on every page; with ``batch_header`` (``number``, ``created_on``,
    ``count``, ``control_sum``) the batch's number in its header and footer. Nothing is
    written to ``out`` unless the whole PDF could be made."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        _write(spool, invoice, batch_header)
        spool.seek(0)
        shutil.copyfileobj(spool, out)


# --- the batch -------------------------------------------------------------------------------

def iter_invoices(invoice_ids: Iterable[int]) -> Iterator[Invoice]:
    """The invoices of these ids, one at a time (for :func:`write_batch_pdf`: a batch of 500
    never has all its invoices and their rows loaded at once)."""
    for invoice_id in invoice_ids:
        invoice = db.session.get(Invoice, invoice_id)
        if invoice is not None:
            yield invoice


def _release(invoice: Invoice) -> None:
    """Forgets what was loaded for this invoice (its lines, pièces, history), unless it has
    changes not yet written: the caller's object reloads what it needs."""
    state = sa_inspect(invoice)
    if state.session is not None and not state.modified and invoice not in db.session.dirty:
        db.session.expire(invoice)


def write_batch_pdf(out: BinaryIO, batch_header, invoices: Iterable[Invoice]) -> None:
    """Writes the batch PDF to ``out``: a cover page (office, batch number, date, count,
    control sum of the approved amounts, each receipt number with its amount and its pages in
    the batch), then each invoice's transmission PDF in the order given; every page also says
    « Lot NE-LOT-2026-0007 · page 57 / 1503 ».

    The invoices are rendered first (into a temporary folder: about the final PDF's size),
    then the PDF is written to ``out`` as it is joined: should that fail, ``out`` holds a
    beginning; write to a temporary file and serve it once this returns."""
    with tempfile.TemporaryDirectory(prefix="guichet-batch-") as folder:
        rendered: list[tuple[Path, RenderedInvoice]] = []
        for index, invoice in enumerate(invoices):
            path = Path(folder) / f"{index:05d}.pdf"
            with path.open("wb") as handle:
                rendered.append((path, _write(handle, invoice, batch_header)))
            _release(invoice)
        summaries = [summary for _path, summary in rendered]
        listed = to_amount(sum((s.total_approved for s in summaries), Decimal("0")))
        if len(summaries) != batch_header.count or listed != to_amount(batch_header.control_sum):
            log.warning("batch %s: %d invoices for %s listed, header says %d for %s",
                        batch_header.number, len(summaries), listed, batch_header.count,
                        batch_header.control_sum)
        cover = _cover(batch_header, summaries, listed)
        total = len(cover.pages) + sum(summary.pages for summary in summaries)
        number = _("Lot %(number)s", number=batch_header.number)
        shown = iter(range(1, total + 1))

        def footers(source: pikepdf.Pdf) -> list[bytes]:
            return [footer_content(_("%(batch)s · page %(n)s / %(total)s", batch=number,
                                     n=next(shown), total=total), _box(page))
                    for page in source.pages]

        joiner = PdfJoiner(out)
        with cover:
            joiner.add(cover, footers(cover))
        for path, _summary in rendered:
            # read through a file stream, one file at a time (pdf_join: never all at once)
            with pikepdf.open(path, access_mode=pikepdf.AccessMode.stream) as source:
                joiner.add(source, footers(source))
        joiner.finish(batch_header.number, PRODUCER)


@dataclass(frozen=True)
class CoverRow:
    position: int
    receipt_number: str
    insured: str
    type_label: str
    amount: Decimal
    first_page: int
    last_page: int


def _cover(batch_header, summaries: list[RenderedInvoice], listed: Decimal) -> pikepdf.Pdf:
    """The cover pages, each invoice's pages in the batch on its row: laid out with a guess of
    its own length (one page per 30 rows), once more if the guess was wrong."""
    guess = max(1, -(-len(summaries) // 30))
    for attempt in range(3):
        rows, page = [], guess + 1
        for position, summary in enumerate(summaries, start=1):
            rows.append(CoverRow(position, summary.receipt_number, summary.insured,
                                 summary.type_label, summary.total_approved, page,
                                 page + summary.pages - 1))
            page += summary.pages
        cover = pikepdf.open(io.BytesIO(cover_pages(
            batch_header, rows, listed, to_amount(batch_header.control_sum), page - 1)))
        if len(cover.pages) == guess or attempt == 2:
            return cover
        guess = len(cover.pages)
        cover.close()
    raise AssertionError("unreachable")


__all__ = ["write_invoice_pdf", "write_batch_pdf", "iter_invoices", "TransmissionView"]
