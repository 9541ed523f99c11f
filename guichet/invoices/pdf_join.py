"""Joins PDF documents one after the other into one file, writing as it goes: each document is
opened, its pages and everything they use are written out, and it is closed before the next.

Why not pikepdf's ``pages.extend`` then ``save``: pikepdf copies the content of every page
it takes from another document into memory at once (qpdf's « immediate copy », so that the
source may be closed early); for a batch of 500 invoices with their pièces that was ~270 MB
(qpdf's own page job still ~100 MB). Here memory holds one document at a time.

What is written: a plain PDF 1.7 (objects, a cross-reference table, a trailer), the pages in
the order added under one page tree, each page's own objects renumbered; and over each page a
line of text given by the caller (the batch's page number), in Helvetica, the page's own
content wrapped in q/Q so that its graphics state cannot leak into it. The same input gives
the same bytes (the file ID is the MD5 of what precedes the cross-reference table).
"""
from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import BinaryIO

import pikepdf
from reportlab.pdfbase.pdfmetrics import stringWidth

_DICTIONARY = pikepdf.ObjectType.dictionary
_ARRAY = pikepdf.ObjectType.array
_STREAM = pikepdf.ObjectType.stream
_CATALOG, _PAGES, _INFO, _WRAP, _FONT = 1, 2, 3, 4, 5
_FONT_NAME = b"/GuichetJoinF"


def _number(value: Decimal) -> bytes:
    return format(value, "f").encode("ascii")


def footer_content(text: str, box: tuple[float, float, float, float], *, size: float = 6.5,
                   left: float = 28.0, bottom: float = 6.0) -> bytes:
    """The content that writes ``text`` at the bottom left of a page whose visible box is
    ``box`` (x, y, width, height), on a white band (legible over a scanned pièce)."""
    x, y = box[0] + left, box[1] + bottom
    encoded = text.encode("cp1252", "replace")
    escaped = encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    width = stringWidth(text, "Helvetica", size)
    return (b"Q\nq 1 1 1 rg %.2f %.2f %.2f %.2f re f 0.1 0.1 0.1 rg BT %s %.2f Tf %.2f %.2f Td "
            b"(%s) Tj ET Q\n" % (x - 2, y - 2, width + 4, size + 3, _FONT_NAME, size, x, y,
                                 escaped))


class PdfJoiner:
    """``add(pdf, footers)`` for each document in order, then ``finish(title, producer)``."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.offset = 0
        self.offsets: dict[int, int] = {}
        self.next_number = _FONT + 1
        self.kids: list[int] = []
        self.digest = hashlib.md5(usedforsecurity=False)
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self._object(_WRAP, b"<< /Length 2 >>", b"q\n")
        self._object(_FONT, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                            b"/Encoding /WinAnsiEncoding >>")

    # --- writing -------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.offset += len(data)

    def _new(self) -> int:
        number = self.next_number
        self.next_number += 1
        return number

    def _object(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.offset
        self._write(b"%d 0 obj\n" % number + body)
        if stream is not None:
            self._write(b"\nstream\n" + stream + b"\nendstream")
        self._write(b"\nendobj\n")

    # --- one document --------------------------------------------------------------------------

    def add(self, pdf: pikepdf.Pdf, footers: list[bytes]) -> None:
        """Writes every page of ``pdf``, each with the content ``footers[i]`` drawn over it
        (see :func:`footer_content`)."""
        numbers: dict[tuple[int, int], int] = {}
        pending: list[pikepdf.Object] = []

        def ref(value: pikepdf.Object) -> bytes:
            key = value.objgen
            if key not in numbers:
                numbers[key] = self._new()
                pending.append(value)
            return b"%d 0 R" % numbers[key]

        def ser(value) -> bytes:
            if value is None:
                return b"null"
            if isinstance(value, bool):
                return b"true" if value else b"false"
            if isinstance(value, int):
                return b"%d" % value
            if isinstance(value, Decimal):
                return _number(value)
            if value.is_indirect:
                return ref(value)
            kind = value._type_code
            if kind == _DICTIONARY:
                return self._dictionary(value.items(), ser)
            if kind == _ARRAY:
                return b"[" + b" ".join(ser(item) for item in value) + b"]"
            return value.unparse()

        pages = [page.obj for page in pdf.pages]
        for page in pages:  # references to a page (links, annotations) find its new number
            numbers[page.objgen] = self._new()
        for page, footer in zip(pages, footers):
            number = numbers[page.objgen]
            self.kids.append(number)
            footer_number = self._new()
            items = []
            for key, value in page.items():
                if key in ("/Parent", "/Contents", "/Resources"):
                    continue
                items.append((key, value))
            body = self._dictionary(items, ser, extra=(
                b"/Parent %d 0 R" % _PAGES,
                b"/Resources " + self._resources(page.get("/Resources"), ser),
                b"/Contents [" + b" ".join([b"%d 0 R" % _WRAP] + self._contents(
                    page.get("/Contents"), ser) + [b"%d 0 R" % footer_number]) + b"]"))
            self._object(number, body)
            self._object(footer_number, b"<< /Length %d >>" % len(footer), footer)
            self._drain(pending, numbers, ser)

    def _drain(self, pending, numbers, ser) -> None:
        while pending:
            value = pending.pop(0)
            number = numbers[value.objgen]
            if value._type_code == _STREAM:
                raw = value.read_raw_bytes()
                items = [(k, v) for k, v in value.stream_dict.items() if k != "/Length"]
                self._object(number, self._dictionary(items, ser, extra=(
                    b"/Length %d" % len(raw),)), raw)
            elif value._type_code == _DICTIONARY:
                self._object(number, self._dictionary(value.items(), ser))
            elif value._type_code == _ARRAY:
                self._object(number, b"[" + b" ".join(ser(item) for item in value) + b"]")
            else:
                self._object(number, value.unparse())

    @staticmethod
    def _dictionary(items, ser, extra=()) -> bytes:
        parts = [pikepdf.Name(key).unparse() + b" " + ser(value) for key, value in items]
        return b"<< " + b" ".join(parts + list(extra)) + b" >>"

    def _resources(self, resources, ser) -> bytes:
        """The page's resources as a direct dictionary, with the footer's font added."""
        items, fonts = [], None
        if resources is not None:
            for key, value in resources.items():
                if key == "/Font":
                    fonts = value
                else:
                    items.append((key, value))
        font_items = list(fonts.items()) if fonts is not None else []
        font_entry = b"/Font " + self._dictionary(
            [(k, v) for k, v in font_items if k != _FONT_NAME.decode()], ser,
            extra=(_FONT_NAME + b" %d 0 R" % _FONT,))
        return self._dictionary(items, ser, extra=(font_entry,))

    @staticmethod
    def _contents(contents, ser) -> list[bytes]:
        if contents is None:
            return []
        if contents._type_code == _ARRAY:
            return [ser(item) for item in contents]
        return [ser(contents)]

    # --- the end ---------------------------------------------------------------------------

    def finish(self, title: str, producer: str) -> None:
        """The page tree, the catalogue, the information dictionary, the cross-reference table
        and the trailer."""
        kids = b" ".join(b"%d 0 R" % kid for kid in self.kids)
        self._object(_PAGES, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(self.kids), kids))
        self._object(_CATALOG, b"<< /Type /Catalog /Pages %d 0 R >>" % _PAGES)
        self._object(_INFO, b"<< /Title %s /Producer %s >>" % (
            pikepdf.String(title).unparse(), pikepdf.String(producer).unparse()))
        file_id = self.digest.hexdigest().encode("ascii")
        size = self.next_number
        start = self.offset
        rows = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        rows += [b"%010d 00000 n \n" % self.offsets[number] for number in range(1, size)]
        self._write(b"".join(rows))
        self._write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
                    b"startxref\n%d\n%%%%EOF\n" % (size, _CATALOG, _INFO, file_id, file_id,
                                                   start))

