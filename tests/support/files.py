"""Test files built in memory: good and bad PDFs (pikepdf), photos with EXIF and GPS, PNGs,
decompression bombs, HEIC headers, HTML pages in disguise."""
from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

# The EICAR anti-virus test string, assembled so that this file itself is not flagged.
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")

GPS_LATITUDE = (46.0, 59.0, 30.0)  # Neuchâtel
GPS_LONGITUDE = (6.0, 55.0, 50.0)


# --- PDF ------------------------------------------------------------------------------------

def _new_pdf(pages: int = 1) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    return pdf


def _save(pdf: pikepdf.Pdf, **options) -> bytes:
    out = BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def pdf_bytes(pages: int = 1, text: str = "Facture 2026-001") -> bytes:
    """A valid small PDF with one line of text on each page."""
    pdf = _new_pdf(pages)
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                        BaseFont=Name.Helvetica))
    for page in pdf.pages:
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        page.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode())
    return _save(pdf)


def pdf_of_size(size: int) -> bytes:
    """A valid PDF of exactly ``size`` bytes (padding in an uncompressed content stream)."""
    pad = 0
    for _ in range(10):
        pdf = _new_pdf()
        pdf.pages[0].Contents = pdf.make_stream(b"%" + b"x" * pad + b"\n")
        data = _save(pdf, compress_streams=False)
        if len(data) == size:
            return data
        pad = max(pad + size - len(data), 0)
    raise ValueError(f"cannot build a PDF of {size} bytes")


def pdf_with_javascript(object_streams: bool = False) -> bytes:
    """/OpenAction running JavaScript; with ``object_streams`` it hides in a compressed
    object stream, so the raw bytes never show /JavaScript."""
    pdf = _new_pdf()
    pdf.Root.OpenAction = pdf.make_indirect(
        Dictionary(S=Name.JavaScript, JS=String("app.alert('bonjour');")))
    if object_streams:
        return _save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                     compress_streams=True)
    return _save(pdf)


def pdf_with_javascript_name_tree() -> bytes:
    """Document-level JavaScript in /Names /JavaScript."""
    pdf = _new_pdf()
    action = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("this.print();")))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), action])))
    return _save(pdf)


def pdf_with_link_javascript() -> bytes:
    """A link annotation whose /AA (additional action) runs JavaScript."""
    pdf = _new_pdf()
    annotation = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, 700, 200, 720]),
        AA=Dictionary(E=Dictionary(S=Name.JavaScript, JS=String("app.alert(1)")))))
    pdf.pages[0].Annots = Array([annotation])
    return _save(pdf)


def pdf_with_hex_escaped_javascript() -> bytes:
    """/J#61vaScript and /J#53 in the raw file: a byte search for /JavaScript misses them."""
    data = pdf_with_javascript()
    escaped = data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert b"/JavaScript" not in escaped
    return escaped  # offsets moved: qpdf repairs the cross-reference table


def pdf_with_launch() -> bytes:
    """/OpenAction that launches a program."""
    pdf = _new_pdf()
    pdf.Root.OpenAction = pdf.make_indirect(Dictionary(
        S=Name.Launch, F=String("C:\\Windows\\System32\\calc.exe"), NewWindow=True))
    return _save(pdf)


def pdf_with_embedded_file() -> bytes:
    """An attachment in /Names /EmbeddedFiles."""
    pdf = _new_pdf()
    pdf.attachments["note.txt"] = pikepdf.AttachedFileSpec(pdf, b"hello", filename="note.txt")
    return _save(pdf)


def pdf_with_file_attachment_annotation() -> bytes:
    """A /FileAttachment annotation on the page (no /EmbeddedFiles name tree)."""
    pdf = _new_pdf()
    filespec = pikepdf.AttachedFileSpec(pdf, b"MZ fake program", filename="setup.exe")
    annotation = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.FileAttachment, Rect=Array([72, 700, 90, 718]),
        FS=filespec.obj, Contents=String("setup.exe")))
    pdf.pages[0].Annots = Array([annotation])
    return _save(pdf)


def pdf_with_xfa() -> bytes:
    """An XFA form (which can carry scripts)."""
    pdf = _new_pdf()
    xfa = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'>"
                          b"<script>app.alert(1)</script></xdp:xdp>")
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=xfa)
    return _save(pdf)


def pdf_encrypted(user_password: str = "secret", owner_password: str = "owner") -> bytes:
    """Needs ``user_password`` to open; an empty one gives a PDF that opens but is encrypted
    (a permissions-only « owner » password)."""
    pdf = _new_pdf()
    return _save(pdf, encryption=pikepdf.Encryption(user=user_password, owner=owner_password))


def pdf_truncated() -> bytes:
    """The first 100 bytes of a valid PDF: no pages can be recovered."""
    return pdf_bytes()[:100]


def pdf_garbage() -> bytes:
    """Starts like a PDF, is not one."""
    return b"%PDF-1.7\n" + b"\x00\x13 not really a pdf " * 20


# --- images ---------------------------------------------------------------------------------

def gps_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF with camera make and model, the time and a GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15"
    exif[ExifTags.Base.DateTime] = "2026:11:27 10:15:00"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = GPS_LONGITUDE
    return exif


def jpeg_with_gps(size: tuple[int, int] = (64, 48), orientation: int | None = 6) -> bytes:
    """A JPEG with EXIF (GPS included, orientation 6 = turn 90° clockwise), XMP, a comment
    and an ICC profile. Its left half is red and its right half blue."""
    width, height = size
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    out = BytesIO()
    image.save(out, "JPEG", quality=95, exif=gps_exif(orientation),
               comment=b"Photo prise chez Madame Muster",
               xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>Muster Anna</x:xmpmeta>",
               icc_profile=_srgb_profile())
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (32, 32), mode: str = "RGB") -> bytes:
    out = BytesIO()
    Image.new(mode, size, 128 if mode in ("L", "1") else (10, 200, 30)[: len(mode)]).save(
        out, "JPEG")
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (40, 30), mode: str = "RGB", metadata: bool = False) -> bytes:
    """A PNG; with ``metadata`` it carries text chunks and an eXIf chunk with GPS."""
    fill = {"RGB": (0, 128, 255), "RGBA": (0, 128, 255, 128), "L": 90, "1": 1, "P": 3}[mode]
    image = Image.new(mode, size, fill)
    options = {}
    if metadata:
        info = PngInfo()
        info.add_text("Author", "Anna Muster")
        info.add_text("Comment", "chez moi, Rue du Seyon 10")
        options.update(pnginfo=info, exif=gps_exif())
    out = BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def raw_png(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of any dimensions, a few kilobytes even for 20000 × 20000:
    the rows are zeros compressed on the fly."""
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    idat = b"".join(parts) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def png_with_bad_crc() -> bytes:
    data = bytearray(png_bytes())
    data[29] ^= 0xFF  # inside the IHDR CRC
    return bytes(data)


def jpeg_truncated() -> bytes:
    data = jpeg_bytes((256, 256))
    return data[: len(data) // 2]


def _srgb_profile() -> bytes:
    from PIL import ImageCms
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# --- other things people send ---------------------------------------------------------------

def html_page() -> bytes:
    """What a « facture.pdf » saved from a web mail sometimes is."""
    return (b"<!DOCTYPE html>\n<html lang=\"fr\"><head><title>Facture</title></head>"
            b"<body><h1>Facture 2026-001</h1><script>alert(1)</script></body></html>\n")


def heic_header(brand: bytes = b"heic") -> bytes:
    """The first bytes of an iPhone photo: an ISO-BMFF ``ftyp`` box with a HEIF brand."""
    ftyp = b"ftyp" + brand + b"\x00\x00\x00\x00" + b"mif1" + b"miaf" + brand
    box = struct.pack(">I", 4 + len(ftyp)) + ftyp
    return box + b"\x00\x00\x00\x22meta" + b"\x00" * 200


def mp4_header() -> bytes:
    ftyp = b"ftyp" + b"isom" + b"\x00\x00\x02\x00" + b"isomiso2avc1mp41"
    return struct.pack(">I", 4 + len(ftyp)) + ftyp + b"\x00" * 100


def zip_bytes() -> bytes:
    import zipfile
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("facture.pdf", pdf_bytes())
    return out.getvalue()


def empty_file() -> bytes:
    return b""


def mpo_bytes() -> bytes:
    """A multi-picture JPEG (MPO), as many phones write them (the second picture is a depth
    map or a preview), with EXIF and GPS."""
    first = Image.new("RGB", (40, 30), (200, 40, 40))
    second = Image.new("RGB", (40, 30), (40, 40, 200))
    out = BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second], exif=gps_exif())
    return out.getvalue()


def png16_bytes(size: tuple[int, int] = (20, 10)) -> bytes:
    """A 16-bit greyscale PNG (medical scans, some scanners)."""
    out = BytesIO()
    Image.new("I;16", size, 40000).save(out, "PNG")
    return out.getvalue()
