"""Checks one uploaded pièce justificative and returns a clean copy, or refuses it.

Only PDF, JPEG and PNG are accepted. The type comes from the content (magic bytes), never from
the name, and is confirmed by a real parse: pikepdf for PDF, Pillow for images. PDFs that could
run something (JavaScript, launch actions, embedded files, XFA forms) or are encrypted are
refused. Photos are re-encoded from their pixels, which drops EXIF (GPS included), XMP and
comments; the ICC colour profile stays.
"""
from __future__ import annotations

import hashlib
import logging
import unicodedata
import warnings
from dataclasses import dataclass
from io import BytesIO

import pikepdf
from flask import current_app
from PIL import Image, ImageOps

from guichet.core.formatting import MIB, format_size
from guichet.core.i18n import gettext as _

log = logging.getLogger(__name__)


DEFAULT_MAX_FILE_BYTES = 10 * MIB
DEFAULT_MAX_INVOICE_BYTES = 40 * MIB
DEFAULT_MAX_PIXELS = 40_000_000
JPEG_QUALITY = 90
MAX_FILENAME_LENGTH = 200

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
CONTENT_TYPES = (PDF, JPEG, PNG)
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
_ACCEPTED_EXTENSIONS = {PDF: {".pdf"}, JPEG: {".jpg", ".jpeg", ".jpe", ".jfif"}, PNG: {".png"}}
_KNOWN_EXTENSIONS = set().union(*_ACCEPTED_EXTENSIONS.values()) | {
    ".heic", ".heif", ".hif", ".avif", ".gif", ".webp", ".tif", ".tiff", ".bmp"}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PDF_MAGIC = b"%PDF-"
# ISO base media ("ftyp") brands used by HEIC/HEIF/AVIF photos from phones.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
                b"mif1", b"mif2", b"msf1", b"avif", b"avis"}



def _print_to_pdf() -> str:
    """The usual way out for a PDF we refuse (translated when the message is built)."""
    return _("Ouvrez-le, choisissez « Imprimer » puis « Enregistrer au format PDF », "
             "et envoyez ce nouveau fichier.")


class RejectedUpload(Exception):
    """A file that is refused; ``str(exc)`` is the French message for the person.

    ``reason`` is a short code (``"too_large"``, ``"type"``, ``"javascript"`` …) for logs and
    tests; ``status_code`` is the HTTP status that fits (413 for sizes, 415 for types, else 422).
    """

    def __init__(self, message: str, *, filename: str | None = None, reason: str = "invalid",
                 status_code: int = 422):
        super().__init__(message)
        self.message = message
        self.filename = filename
        self.reason = reason
        self.status_code = status_code


@dataclass(frozen=True)
class CleanFile:
    """An accepted pièce, ready to store: the bytes to keep, their type and SHA-256."""

    filename: str
    content_type: str
    data: bytes
    size: int
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def _config(key: str, default: int) -> int:
    return int(current_app.config.get(key, default))


def max_file_bytes() -> int:
    return _config("UPLOAD_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)


def max_invoice_bytes() -> int:
    return _config("UPLOAD_MAX_INVOICE_BYTES", DEFAULT_MAX_INVOICE_BYTES)


def max_pixels() -> int:
    return _config("UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def group_digits(number: int) -> str:
    """A whole number with Swiss apostrophes between groups of three: ``40'000'000``."""
    return f"{number:,d}".replace(",", "'")


# --- file names -----------------------------------------------------------------------------

def display_name(filename: str | None) -> str:
    """The name as the person knows it, safe to show and store: no folders, no control or
    bidirectional-override characters, NFC, at most 200 characters; accents kept."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).strip(" .")
    return _truncate(name or "fichier")


def _truncate(name: str, limit: int = MAX_FILENAME_LENGTH) -> str:
    if len(name) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 1 <= len(ext) <= 10:
        return stem[: limit - len(ext) - 1].rstrip(" .") + "." + ext
    return name[:limit]


def clean_filename(filename: str | None, content_type: str) -> str:
    """:func:`display_name` whose extension matches the content (``scan.jpg`` that is a PNG
    becomes ``scan.png``; ``facture`` becomes ``facture.pdf``)."""
    name = display_name(filename)
    stem, dot, ext = name.rpartition(".")
    ext = "." + ext.lower() if dot and stem else ""
    if ext in _ACCEPTED_EXTENSIONS[content_type]:
        return name
    if ext in _KNOWN_EXTENSIONS:
        name = stem
    wanted = EXTENSIONS[content_type]
    return _truncate(name, MAX_FILENAME_LENGTH - len(wanted)) + wanted


# --- entry points ---------------------------------------------------------------------------

def check_size(filename: str | None, size: int) -> None:
    """Refuses an empty file or one above ``UPLOAD_MAX_FILE_BYTES`` (the limit itself is fine)."""
    name = display_name(filename)
    if size <= 0:
        raise RejectedUpload(
            _("%(name)s : le fichier est vide. Choisissez à nouveau le document et réessayez.",
              name=name),
            filename=name, reason="empty")
    limit = max_file_bytes()
    if size > limit:
        raise RejectedUpload(
            # No measured size: read_limited stops at limit + 1 bytes, so it would be wrong.
            _("%(name)s : ce fichier dépasse la taille permise (au plus %(limit)s par "
              "fichier). Réduisez-le, par exemple en le numérisant en 150 ou 200 dpi, et "
              "réessayez.", name=name, limit=format_size(limit)),
            filename=name, reason="too_large", status_code=413)


def check_total(existing_total: int, new_sizes: list[int]) -> None:
    """Refuses new pièces that would bring the invoice above ``UPLOAD_MAX_INVOICE_BYTES``."""
    limit = max_invoice_bytes()
    total = existing_total + sum(new_sizes)
    if total > limit:
        room = max(limit - existing_total, 0)
        raise RejectedUpload(
            _("Les pièces d'une même demande ne peuvent pas dépasser %(limit)s en tout ; avec "
              "ces fichiers, elles feraient %(total)s. Il reste %(room)s : envoyez des fichiers "
              "plus petits ou moins de fichiers.", limit=format_size(limit),
              total=format_size(total), room=format_size(room)),
            reason="total_too_large", status_code=413)


def read_limited(stream, filename: str | None) -> bytes:
    """Reads an upload stream without keeping more than the limit plus one byte in memory."""
    limit = max_file_bytes()
    data = stream.read(limit + 1)
    check_size(filename, len(data))
    return data


def inspect_storage(storage) -> CleanFile:
    """:func:`inspect_upload` for a Werkzeug ``FileStorage`` (``request.files[...]``)."""
    return inspect_upload(storage.filename or "", read_limited(storage.stream, storage.filename))


def inspect_upload(filename: str, data: bytes) -> CleanFile:
    """Checks one upload; returns what to store or raises :class:`RejectedUpload`."""
    name = display_name(filename)
    check_size(name, len(data))
    kind = sniff(data)
    if kind == "heic":
        raise RejectedUpload(
            _("%(name)s : les photos au format HEIC ne sont pas acceptées. Envoyez la photo au "
              "format JPEG : dans les réglages de l'appareil photo, choisissez « Le plus "
              "compatible » (iPhone : Réglages > Appareil photo > Formats), ou faites une "
              "capture d'écran de la photo et envoyez-la.", name=name),
            filename=name, reason="heic", status_code=415)
    if kind == "html":
        raise RejectedUpload(
            _("%(name)s : ce fichier est une page web (HTML), pas un PDF ni une image. "
              "Enregistrez le document au format PDF et envoyez ce fichier.", name=name),
            filename=name, reason="html", status_code=415)
    if kind is None:
        raise RejectedUpload(
            _("%(name)s : ce type de fichier n'est pas accepté. Envoyez un document PDF, une "
              "photo JPEG ou une image PNG.", name=name),
            filename=name, reason="type", status_code=415)
    if kind == PDF:
        _check_pdf(name, data)
        cleaned = data
    else:
        cleaned = _clean_image(name, data, kind)
    return CleanFile(filename=clean_filename(filename, kind), content_type=kind, data=cleaned,
                     size=len(cleaned), sha256=hashlib.sha256(cleaned).hexdigest())


def sniff(data: bytes) -> str | None:
    """The content type from the first bytes: a MIME type we accept, ``"heic"``, ``"html"``
    or ``None``. Only a hint: the parse decides."""
    if data.startswith(_PDF_MAGIC):
        return PDF
    if data.startswith(_JPEG_MAGIC):
        return JPEG
    if data.startswith(_PNG_MAGIC):
        return PNG
    if data[4:8] == b"ftyp":
        box_size = int.from_bytes(data[:4], "big")
        end = min(box_size if box_size >= 16 else 16, len(data), 512)
        brands = {data[8:12]} | {data[i:i + 4] for i in range(16, end - 3, 4)}
        return "heic" if brands & _HEIF_BRANDS else None
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<?xml",
                        b"<svg", b"<!--", b"<meta", b"<iframe")) or b"<html" in head:
        return "html"
    return None


# --- PDF ------------------------------------------------------------------------------------

# Names that only appear in PDFs that run or carry something; checked as keys and values in
# every object of the file (reachable or not, object streams included, after qpdf has decoded
# hex escapes such as /J#61vaScript).
_JS_NAMES = {"/JS", "/JavaScript"}
_LAUNCH_NAMES = {"/Launch"}
_EMBEDDED_NAMES = {"/EmbeddedFiles", "/EmbeddedFile", "/EF", "/FileAttachment", "/GoToE",
                   "/RichMedia"}
_XFA_NAMES = {"/XFA"}


def _check_pdf(name: str, data: bytes) -> None:
    try:
        pdf = pikepdf.open(BytesIO(data))
    except pikepdf.PasswordError:
        raise RejectedUpload(
            _("%(name)s : ce fichier PDF est protégé par un mot de passe ; enregistrez-le sans "
              "protection puis envoyez-le à nouveau.", name=name),
            filename=name, reason="encrypted") from None
    except Exception as error:  # pikepdf.PdfError and whatever a hostile file triggers
        log.info("PDF refused as unreadable: %s", error)
        raise _broken(name) from None
    with pdf:
        if pdf.is_encrypted:
            raise RejectedUpload(
                _("%(name)s : ce fichier PDF est protégé (chiffré) ; enregistrez-le sans "
                  "protection puis envoyez-le à nouveau. %(advice)s",
                  name=name, advice=_print_to_pdf()),
                filename=name, reason="encrypted")
        try:
            found = _active_content(pdf)
            pages = len(pdf.pages)
        except RejectedUpload:
            raise
        except Exception as error:
            log.info("PDF refused as unreadable: %s", error)
            raise _broken(name) from None
        if pages < 1:
            raise _broken(name)
    if found & _JS_NAMES:
        raise RejectedUpload(
            _("%(name)s : ce fichier PDF contient du JavaScript ; il est refusé par sécurité. "
              "%(advice)s", name=name, advice=_print_to_pdf()),
            filename=name, reason="javascript")
    if found & _LAUNCH_NAMES:
        raise RejectedUpload(
            _("%(name)s : ce fichier PDF contient une commande qui lance un programme ; il est "
              "refusé par sécurité. %(advice)s", name=name, advice=_print_to_pdf()),
            filename=name, reason="launch")
    if found & _EMBEDDED_NAMES:
        raise RejectedUpload(
            _("%(name)s : ce fichier PDF contient des fichiers joints (intégrés) ; il est "
              "refusé par sécurité. Envoyez chaque document séparément, ou ouvrez-le, "
              "choisissez « Imprimer » puis « Enregistrer au format PDF », et envoyez ce "
              "nouveau fichier.", name=name),
            filename=name, reason="embedded")
    if found & _XFA_NAMES:
        raise RejectedUpload(
            _("%(name)s : ce fichier PDF est un formulaire dynamique (XFA) qui peut exécuter "
              "des scripts ; il est refusé par sécurité. %(advice)s",
              name=name, advice=_print_to_pdf()),
            filename=name, reason="xfa")


def _broken(name: str) -> RejectedUpload:
    return RejectedUpload(
        _("%(name)s : ce fichier est endommagé ou illisible. Ouvrez-le sur votre appareil "
          "pour vérifier, enregistrez-le à nouveau puis réessayez.", name=name),
        filename=name, reason="broken")


_DANGEROUS = _JS_NAMES | _LAUNCH_NAMES | _EMBEDDED_NAMES | _XFA_NAMES


def _active_content(pdf: pikepdf.Pdf) -> set[str]:
    """The dangerous names found anywhere in the file."""
    found: set[str] = set()
    stack: list = [pdf.trailer, *pdf.objects]
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Name):
            if str(obj) in _DANGEROUS:
                found.add(str(obj))
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            items = obj.stream_dict.items() if isinstance(obj, pikepdf.Stream) else obj.items()
            for key, value in items:
                if key in _DANGEROUS:
                    found.add(key)
                if isinstance(value, pikepdf.Object) and not value.is_indirect:
                    stack.append(value)  # indirect objects are in pdf.objects already
        elif isinstance(obj, pikepdf.Array):
            stack.extend(item for item in obj
                         if isinstance(item, pikepdf.Object) and not item.is_indirect)
    return found


# --- images ---------------------------------------------------------------------------------

_PIL_FORMATS = {JPEG: ["JPEG", "MPO"], PNG: ["PNG"]}
_PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}


def _clean_image(name: str, data: bytes, kind: str) -> bytes:
    """Parses the image fully and re-encodes its pixels (orientation applied, metadata gone)."""
    limit = max_pixels()

    def too_big(size: tuple[int, int] | None) -> RejectedUpload:
        if size:
            message = _("%(name)s : cette image est trop grande (%(width)s × %(height)s pixels "
                        "; au plus %(limit)s pixels). Réduisez sa taille et réessayez.",
                        name=name, width=size[0], height=size[1], limit=group_digits(limit))
        else:
            message = _("%(name)s : cette image est trop grande (au plus %(limit)s pixels). "
                        "Réduisez sa taille et réessayez.", name=name, limit=group_digits(limit))
        return RejectedUpload(message, filename=name, reason="pixels")

    def check_pixels(size: tuple[int, int]) -> None:
        if size[0] * size[1] > limit:
            raise too_big(size)

    formats = _PIL_FORMATS[kind]
    # Pillow warns (above Image.MAX_IMAGE_PIXELS), then raises (above twice that), for
    # decompression bombs. The warning becomes an error here unless our own limit is higher,
    # and our limit is checked from the header before any pixel is decoded.
    pillow_limit = Image.MAX_IMAGE_PIXELS
    action = "error" if pillow_limit is None or limit <= pillow_limit else "ignore"
    with warnings.catch_warnings():
        warnings.simplefilter(action, Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=formats) as probe:
                check_pixels(probe.size)
                probe.verify()
            with Image.open(BytesIO(data), formats=formats) as image:
                check_pixels(image.size)
                image.load()
                return _encode(_upright(image), kind)
        except RejectedUpload:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise too_big(_header_size(data)) from None
        except Exception as error:  # OSError, SyntaxError, ValueError … from a hostile file
            log.info("image refused as unreadable: %r", error)
            raise _broken(name) from None


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says; as it is when that tag is unreadable."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception as error:
        log.info("EXIF orientation ignored: %r", error)
        return image


def _header_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(_PNG_MAGIC) and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def _encode(image: Image.Image, kind: str) -> bytes:
    icc_profile = image.info.get("icc_profile")
    dpi = image.info.get("dpi")
    transparency = image.info.get("transparency")
    clean = image.copy()
    clean.info = {}  # no EXIF, XMP, comments, text chunks
    params: dict = {}
    if kind == JPEG:
        if clean.mode not in ("L", "RGB", "CMYK"):
            clean = clean.convert("RGB")
        params.update(format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        if clean.mode not in _PNG_MODES:
            clean = clean.convert("RGBA")
        elif transparency is not None and clean.mode not in ("LA", "RGBA"):
            params["transparency"] = transparency
        params.update(format="PNG", optimize=False)
    if icc_profile:
        params["icc_profile"] = icc_profile
    if dpi:
        params["dpi"] = dpi
    out = BytesIO()
    clean.save(out, **params)
    return out.getvalue()
