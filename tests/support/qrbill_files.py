"""Test pièces carrying a Swiss QR-bill, made from its payload text: the QR code alone
(:func:`qr_image`), an A4 invoice PDF with the payment part at the bottom of one page
(:func:`bill_pdf`, :func:`codes_pdf` for codes on several pages), a phone photo of such a page
(:func:`bill_photo`), a PNG scan of it (:func:`bill_png`), and a PDF that takes minutes to
render (:func:`slow_pdf`).

The layout follows SIX's "Swiss Implementation Guidelines for the QR-bill" closely enough for
reading: the payment part is the bottom 105 mm of an A4 page, a 62 mm receipt on its left, and
the QR code (46 × 46 mm, error correction M, the Swiss cross of 7 × 7 mm in its middle) 67 mm
from the left edge and 17 mm below the top of the payment part. Everything is deterministic
(no clock, seeded noise), and the files are ordinary ones that the upload checks accept: a plain
reportlab PDF, a baseline JPEG, a PNG.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from functools import cache
from io import BytesIO
from pathlib import Path

import pikepdf
import reportlab
import segno
from pikepdf import Array, Dictionary, Name
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

#: The example of SIX's guidelines (QR reference, billing information), as printed there.
SIX_EXAMPLE = (
    "SPC\n0200\n1\nCH4431999123000889012\nS\nRobert Schneider AG\nRue du Lac\n1268\n2501\n"
    "Biel\nCH\n\n\n\n\n\n\n\n1949.75\nCHF\nS\nPia-Maria Rutschmann-Schnyder\n"
    "Grosse Marktgasse\n28\n9400\nRorschach\nCH\nQRR\n210000000003139471430009017\n"
    "Order of 15 June 2020\nEPD\n"
    "//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:0/40/0:30\n"
)

#: A hearing-aid supplier in Neuchâtel (accents in the creditor's town and the message),
#: creditor reference (SCOR), structured addresses.
NEUCHATEL_EXAMPLE = (
    "SPC\n0200\n1\nCH5800791123000889012\nS\nAudition Plus SA\nRue de la Gare\n3\n2000\n"
    "Neuchâtel\nCH\n\n\n\n\n\n\n\n1280.00\nCHF\nS\nHélène Dubois-Prêtre\nChemin des Écoliers\n"
    "12\n2300\nLa Chaux-de-Fonds\nCH\nSCOR\nRF18539007547034\nFacture 2026-0413 : appareils "
    "auditifs, réglage compris\nEPD\n"
)

#: Sizes on the page, in millimetres (SIX guidelines).
PAYMENT_PART_HEIGHT_MM = 105
RECEIPT_WIDTH_MM = 62
QR_SIZE_MM = 46
QR_LEFT_MM = 67
QR_BELOW_TOP_MM = 17
SWISS_CROSS_MM = 7

#: A page drawn as pixels (photos, PNG scans): A4 at 300 dpi.
PAGE_PIXELS = (2480, 3508)
_PX_PER_MM = PAGE_PIXELS[0] / 210
_VERA = Path(reportlab.__file__).with_name("fonts") / "Vera.ttf"

#: Where the extra codes of ``other_codes`` go on the bill's page (left, bottom in mm for the
#: PDF; they are 25 mm wide), in order: top right (a website), then below the invoice text.
_OTHER_CODE_SPOTS_MM = ((165, 262), (165, 120), (120, 120))
_OTHER_CODE_SIZE_MM = 25

_INVOICE_LINES = (
    "Facture 2026-0413",
    "Date : 15 juin 2026",
    "",
    "Désignation                                   Montant CHF",
    "Appareil auditif, oreille droite                  640.00",
    "Appareil auditif, oreille gauche                  640.00",
    "Réglage et contrôle                                 0.00",
    "",
    "Total                                            1280.00",
    "Payable dans les 30 jours.",
)


# --- the code ---------------------------------------------------------------------------------

def qr_symbol(text: str) -> segno.QRCode:
    """The QR code of a payload: error correction M (not raised), UTF-8 in byte mode, no ECI
    designator, as the SIX guidelines ask."""
    return segno.make(text, error="m", boost_error=False, encoding="utf-8", micro=False)


def _modules(text: str) -> list[list[bool]]:
    return [[bool(value) for value in row] for row in qr_symbol(text).matrix]


def qr_image(text: str, box_size: int = 8, border: int = 4, swiss_cross: bool = True
             ) -> Image.Image:
    """The QR code as a greyscale picture: ``box_size`` pixels per module, a quiet zone of
    ``border`` modules, and (``swiss_cross``) the Swiss cross in its middle, 7/46 of its
    width, the way a QR-bill prints it."""
    modules = _modules(text)
    count = len(modules)
    pixels = bytes(0 if dark else 255 for row in modules for dark in row)
    symbol = Image.frombytes("L", (count, count), pixels)
    side = (count + 2 * border) * box_size
    image = Image.new("L", (side, side), 255)
    image.paste(symbol.resize((count * box_size,) * 2, Image.Resampling.NEAREST),
                (border * box_size,) * 2)
    if swiss_cross:
        _draw_swiss_cross(ImageDraw.Draw(image), side / 2, side / 2,
                          count * box_size * SWISS_CROSS_MM / QR_SIZE_MM)
    return image


def _draw_swiss_cross(draw: ImageDraw.ImageDraw, centre_x: float, centre_y: float,
                      size: float) -> None:
    """The cross of a QR-bill, on an image: a black square with a white border and a white
    cross (arms 1/5 of the square's width plus a little)."""
    half = size / 2
    draw.rectangle((centre_x - half, centre_y - half, centre_x + half, centre_y + half),
                   fill=255)
    inner = half * 0.85
    draw.rectangle((centre_x - inner, centre_y - inner, centre_x + inner, centre_y + inner),
                   fill=0)
    arm, width = inner * 0.6, inner * 0.2
    draw.rectangle((centre_x - width, centre_y - arm, centre_x + width, centre_y + arm),
                   fill=255)
    draw.rectangle((centre_x - arm, centre_y - width, centre_x + arm, centre_y + width),
                   fill=255)


# --- PDF --------------------------------------------------------------------------------------

def bill_pdf(text: str | None, pages: int = 1, bill_page: int = -1,
             other_codes: Sequence[str] = (), swiss_cross: bool = True,
             qr_size_mm: float = QR_SIZE_MM) -> bytes:
    """An A4 invoice PDF (reportlab) of ``pages`` pages with some invoice text on each, and on
    page ``bill_page`` (an index: ``-1`` the last, ``0`` the first) the payment part with the
    QR code of ``text`` drawn as vectors, 46 × 46 mm (``qr_size_mm``, for a code printed too
    small). ``other_codes`` are more QR codes (e.g. a website's address) drawn on the same
    page, 25 mm wide, in its upper part and below the invoice text.
    ``text=None``: the same invoice without any QR code (nor ``other_codes``)."""
    if pages < 1:
        raise ValueError("a PDF has at least one page")
    bill_index = range(pages)[bill_page]
    page_codes: list[Sequence[str]] = [()] * pages
    if text is not None:
        page_codes[bill_index] = (text, *other_codes)
    return codes_pdf(page_codes, swiss_cross=swiss_cross, qr_size_mm=qr_size_mm)


def codes_pdf(page_codes: Sequence[Sequence[str]], swiss_cross: bool = True,
              qr_size_mm: float = QR_SIZE_MM) -> bytes:
    """An A4 invoice PDF with one page for each item of ``page_codes``: the invoice text, and
    the QR codes of its texts, the first in the payment part (46 mm, with the Swiss cross),
    the others (at most three) 25 mm wide in the upper part of the page."""
    out = BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True, pageCompression=1)
    pdf.setTitle("Facture 2026-0413")
    for number, codes in enumerate(page_codes, start=1):
        _draw_invoice_text(pdf, number, len(page_codes))
        if codes:
            _draw_payment_part(pdf, codes[0], swiss_cross, qr_size_mm)
        if len(codes) > 1 + len(_OTHER_CODE_SPOTS_MM):
            raise ValueError("at most four codes on a page")
        for spot, other in zip(_OTHER_CODE_SPOTS_MM, codes[1:], strict=False):
            _draw_qr_vector(pdf, other, spot[0] * mm, spot[1] * mm, _OTHER_CODE_SIZE_MM * mm,
                            swiss_cross=False)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def slow_pdf(operations: int = 300) -> bytes:
    """A small, valid PDF (under 1 kB, nothing the upload checks refuse) whose one page takes
    PDFium minutes to render: a function-based shading over the page whose PostScript
    function runs ``operations`` steps for every pixel (300: some 100 s for the reader)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    program = b"{ add 2 div " + b"dup mul sqrt " * operations + b"}"
    function = pdf.make_stream(program, FunctionType=4, Domain=Array([0, 1, 0, 1]),
                               Range=Array([0, 1]))
    shading = Dictionary(ShadingType=1, ColorSpace=Name.DeviceGray, Domain=Array([0, 1, 0, 1]),
                         Matrix=Array([595, 0, 0, 842, 0, 0]), Function=function)
    page = pdf.pages[0]
    page.Resources = Dictionary(Shading=Dictionary(S=pdf.make_indirect(shading)))
    page.Contents = pdf.make_stream(b"/S sh")
    out = BytesIO()
    pdf.save(out)
    return out.getvalue()


def _draw_invoice_text(pdf: canvas.Canvas, number: int, pages: int) -> None:
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(20 * mm, 275 * mm, "Audition Plus SA")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(20 * mm, 269 * mm, "Rue de la Gare 3, 2000 Neuchâtel")
    pdf.drawString(120 * mm, 255 * mm, "Madame Hélène Dubois-Prêtre")
    pdf.drawString(120 * mm, 250 * mm, "Chemin des Écoliers 12")
    pdf.drawString(120 * mm, 245 * mm, "2300 La Chaux-de-Fonds")
    pdf.setFont("Courier", 10)
    for row, line in enumerate(_INVOICE_LINES):
        pdf.drawString(20 * mm, (225 - 6 * row) * mm, line)
    pdf.setFont("Helvetica", 8)
    pdf.drawString(20 * mm, 112 * mm, f"Page {number} / {pages}")


def _draw_payment_part(pdf: canvas.Canvas, text: str, swiss_cross: bool,
                       qr_size_mm: float) -> None:
    top = PAYMENT_PART_HEIGHT_MM * mm
    pdf.setDash(2, 2)
    pdf.line(0, top, A4[0], top)
    pdf.line(RECEIPT_WIDTH_MM * mm, 0, RECEIPT_WIDTH_MM * mm, top)
    pdf.setDash()
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(5 * mm, top - 10 * mm, "Récépissé")
    pdf.drawString(67 * mm, top - 10 * mm, "Section paiement")
    pdf.setFont("Helvetica", 8)
    for row, line in enumerate(("Compte / Payable à", "CH58 0079 1123 0008 8901 2",
                                "Audition Plus SA", "Rue de la Gare 3", "2000 Neuchâtel")):
        pdf.drawString(5 * mm, top - (17 + 4 * row) * mm, line)
        pdf.drawString(118 * mm, top - (17 + 4 * row) * mm, line)
    pdf.drawString(67 * mm, top - 70 * mm, "Monnaie   Montant")
    pdf.drawString(67 * mm, top - 74 * mm, "CHF       1 280.00")
    size = qr_size_mm * mm
    _draw_qr_vector(pdf, text, QR_LEFT_MM * mm, top - QR_BELOW_TOP_MM * mm - size, size,
                    swiss_cross=swiss_cross)


def _draw_qr_vector(pdf: canvas.Canvas, text: str, left: float, bottom: float, size: float,
                    swiss_cross: bool) -> None:
    """The code as filled rectangles (a run of dark modules in a row is one rectangle), as
    QR-bill software prints it; ``size`` is the symbol's width without its quiet zone."""
    modules = _modules(text)
    count = len(modules)
    step = size / count
    pdf.setFillGray(0)
    path = pdf.beginPath()
    for row, values in enumerate(modules):
        column = 0
        while column < count:
            if not values[column]:
                column += 1
                continue
            start = column
            while column < count and values[column]:
                column += 1
            path.rect(left + start * step, bottom + (count - row - 1) * step,
                      (column - start) * step, step)
    pdf.drawPath(path, stroke=0, fill=1)
    if swiss_cross:
        _draw_swiss_cross_vector(pdf, left + size / 2, bottom + size / 2,
                                 size * SWISS_CROSS_MM / QR_SIZE_MM)


def _draw_swiss_cross_vector(pdf: canvas.Canvas, centre_x: float, centre_y: float,
                             size: float) -> None:
    half = size / 2
    inner = half * 0.85
    arm, width = inner * 0.6, inner * 0.2
    pdf.setFillGray(1)
    pdf.rect(centre_x - half, centre_y - half, size, size, stroke=0, fill=1)
    pdf.setFillGray(0)
    pdf.rect(centre_x - inner, centre_y - inner, 2 * inner, 2 * inner, stroke=0, fill=1)
    pdf.setFillGray(1)
    pdf.rect(centre_x - width, centre_y - arm, 2 * width, 2 * arm, stroke=0, fill=1)
    pdf.rect(centre_x - arm, centre_y - width, 2 * arm, 2 * width, stroke=0, fill=1)
    pdf.setFillGray(0)


# --- the page as pixels -----------------------------------------------------------------------

def _font(size: int) -> ImageFont.FreeTypeFont:
    """Bitstream Vera, shipped with reportlab (it has the accents Pillow's default lacks)."""
    return ImageFont.truetype(str(_VERA), size)


def bill_page_image(text: str | None, other_codes: Sequence[str] = (),
                    swiss_cross: bool = True) -> Image.Image:
    """The invoice page with its payment part as a greyscale picture, A4 at 300 dpi
    (2480 × 3508): what a scanner gives. ``text=None``: no code on it. (Drawn once for each
    set of arguments; each call returns its own copy.)"""
    return _page_image(text, tuple(other_codes), swiss_cross).copy()


@cache
def _page_image(text: str | None, other_codes: tuple[str, ...],
                swiss_cross: bool) -> Image.Image:
    image = Image.new("L", PAGE_PIXELS, 255)
    draw = ImageDraw.Draw(image)

    def at(x_mm: float, y_mm_from_top: float) -> tuple[float, float]:
        return x_mm * _PX_PER_MM, y_mm_from_top * _PX_PER_MM

    draw.text(at(20, 20), "Audition Plus SA", fill=0, font=_font(60))
    draw.text(at(20, 27), "Rue de la Gare 3, 2000 Neuchâtel", fill=0, font=_font(40))
    for row, line in enumerate(("Madame Hélène Dubois-Prêtre", "Chemin des Écoliers 12",
                                "2300 La Chaux-de-Fonds")):
        draw.text(at(120, 40 + 5 * row), line, fill=0, font=_font(40))
    for row, line in enumerate(_INVOICE_LINES):
        draw.text(at(20, 70 + 6 * row), line, fill=0, font=_font(40))
    top = 297 - PAYMENT_PART_HEIGHT_MM
    draw.line((0, top * _PX_PER_MM, PAGE_PIXELS[0], top * _PX_PER_MM), fill=0, width=3)
    draw.line((RECEIPT_WIDTH_MM * _PX_PER_MM, top * _PX_PER_MM, RECEIPT_WIDTH_MM * _PX_PER_MM,
               PAGE_PIXELS[1]), fill=0, width=3)
    draw.text(at(5, top + 5), "Récépissé", fill=0, font=_font(48))
    draw.text(at(67, top + 5), "Section paiement", fill=0, font=_font(48))
    for row, line in enumerate(("Compte / Payable à", "CH58 0079 1123 0008 8901 2",
                                "Audition Plus SA", "Rue de la Gare 3", "2000 Neuchâtel")):
        draw.text(at(5, top + 15 + 4 * row), line, fill=0, font=_font(32))
        draw.text(at(118, top + 15 + 4 * row), line, fill=0, font=_font(32))
    draw.text(at(67, top + 70), "Monnaie   Montant", fill=0, font=_font(32))
    draw.text(at(67, top + 74), "CHF       1 280.00", fill=0, font=_font(32))
    if text is not None:
        _paste_code(image, text, QR_LEFT_MM, top + QR_BELOW_TOP_MM, QR_SIZE_MM, swiss_cross)
        for spot, other in zip(_OTHER_CODE_SPOTS_MM, other_codes, strict=False):
            x_mm, bottom_mm = spot
            _paste_code(image, other, x_mm, 297 - bottom_mm - _OTHER_CODE_SIZE_MM,
                        _OTHER_CODE_SIZE_MM, swiss_cross=False)
    return image


def _paste_code(page: Image.Image, text: str, left_mm: float, top_mm: float, size_mm: float,
                swiss_cross: bool) -> None:
    symbol = qr_image(text, box_size=1, border=0, swiss_cross=False)
    side = round(size_mm * _PX_PER_MM)
    left, top = round(left_mm * _PX_PER_MM), round(top_mm * _PX_PER_MM)
    page.paste(symbol.resize((side, side), Image.Resampling.NEAREST), (left, top))
    if swiss_cross:
        _draw_swiss_cross(ImageDraw.Draw(page), left + side / 2, top + side / 2,
                          side * SWISS_CROSS_MM / QR_SIZE_MM)


def bill_png(text: str | None, other_codes: Sequence[str] = ()) -> bytes:
    """A greyscale PNG of the page at 300 dpi (:func:`bill_page_image`), as a scanner saves
    it."""
    out = BytesIO()
    bill_page_image(text, other_codes).save(out, format="PNG")
    return out.getvalue()


def bill_photo(text: str | None, rotate: float = 7, blur: float = 1.0, scale: float = 1 / 3,
               quality: int = 60, grey: bool = True, megapixels: float | None = None,
               noise: bool = True, other_codes: Sequence[str] = (), seed: int = 1,
               fill: float = 0.9) -> bytes:
    """A JPEG as a phone sends a photo of the invoice page: the page (:func:`bill_page_image`)
    turned by ``rotate`` degrees (counter-clockwise) on a darker table, brought to its size,
    blurred (Gaussian, ``blur`` pixels of the photo), with sensor noise (``noise``, seeded by
    ``seed``) and saved at JPEG ``quality``; in colour (slightly yellow paper, dark blue ink)
    unless ``grey``.

    Its size: without ``megapixels``, the page at ``scale`` times its 300 dpi size (1/3: the
    page about 830 pixels wide, a photo sent through a messenger; the 46 mm code is then about
    180 pixels, 2.6 pixels per module for the SIX example); with ``megapixels`` (e.g. 12), a
    4:3 photo of that many pixels (4000 × 3000) with the page filling ``fill`` (90 %) of its
    height."""
    page = bill_page_image(text, other_codes)
    if not grey:
        page = _coloured(page)
    table = 110 if grey else (120, 100, 80)
    turned = page.rotate(rotate, resample=Image.Resampling.BICUBIC, expand=True,
                         fillcolor=table)
    if megapixels is None:
        size = (round(turned.width * scale), round(turned.height * scale))
        photo = turned.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    else:
        photo = _framed(turned, megapixels, table, fill)
    if blur:
        photo = photo.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        photo = _noisy(photo, random.Random(seed))
    out = BytesIO()
    photo.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _coloured(page: Image.Image) -> Image.Image:
    """Grey page → RGB: white becomes warm paper, black a dark blue ink."""
    red = page.point(lambda value: 30 + value * (250 - 30) // 255)
    green = page.point(lambda value: 35 + value * (244 - 35) // 255)
    blue = page.point(lambda value: 90 + value * (225 - 90) // 255)
    return Image.merge("RGB", (red, green, blue))


def _framed(turned: Image.Image, megapixels: float, table, fill: float) -> Image.Image:
    """The turned page in a 4:3 frame of ``megapixels``, oriented like the page, ``fill`` of
    its height."""
    long_side = round((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    short_side = round(long_side * 3 / 4)
    frame_size = ((short_side, long_side) if turned.height >= turned.width
                  else (long_side, short_side))
    factor = min(fill * frame_size[1] / turned.height, 0.95 * frame_size[0] / turned.width)
    page = turned.resize((round(turned.width * factor), round(turned.height * factor)),
                         Image.Resampling.BILINEAR)
    frame = Image.new(turned.mode, frame_size, table)
    frame.paste(page, ((frame_size[0] - page.width) // 2, (frame_size[1] - page.height) // 2))
    return frame


def _noisy(photo: Image.Image, rng: random.Random, amplitude: int = 12) -> Image.Image:
    """Uniform noise of ± ``amplitude`` grey levels on every pixel (same on each channel)."""
    noise = Image.frombytes("L", photo.size, rng.randbytes(photo.width * photo.height))
    noise = noise.point(lambda value: value * 2 * amplitude // 255)
    if photo.mode != "L":
        noise = Image.merge(photo.mode, [noise] * len(photo.getbands()))
    return ImageChops.add(photo, noise, scale=1.0, offset=-amplitude)
