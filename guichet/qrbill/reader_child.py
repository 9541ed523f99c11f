"""The child process that finds the QR codes in one pièce (run by :mod:`.reader`).

It is started as a script (``python -I -S reader_child.py …``), not imported: it imports only
the standard library, pypdfium2, Pillow and zxingcpp, and limits its own memory, CPU time and
file writes first, so that a hostile or broken file can at worst make this process fail, never
the web worker.

    reader_child.py CONTENT_TYPE PATH SETTINGS [LIB_DIR…]

``SETTINGS`` is a JSON object: ``max_pixels``, ``max_page_pixels``, ``max_pages``,
``cpu_seconds``, ``answer_bytes`` (see :mod:`.reader`). ``LIB_DIR``: folders to put on
``sys.path`` (where the parent found the libraries: ``-S`` skips the site module, whose ``.pth``
files cost a third of the start-up).

Its answer, on standard output, is JSON lines (ASCII, so no locale can garble a text):

- ``{"page": 3, "dpi": 150, "codes": ["SPC…", …]}`` for each PDF page read, last page first;
  ``{"image": [width, height], "codes": […]}`` for each pass over a picture;
- ``{"refused": "pixels", "width": …, "height": …}`` for a picture above ``max_pixels``, which
  is then not decoded at all;
- last, ``{"done": true, "peak_rss_kib": …, "seconds": …}``: without it the parent keeps
  nothing. Exit status 0; for a broken file, one line on standard error and status 1.

Standard output and error are files the parent opened: ``RLIMIT_FSIZE`` keeps each within
``answer_bytes``, so even a child taken over by a hostile file cannot flood the parent, and it
can write no other file.

Where the codes are looked for, and how (measured in ``bench/qr_read.py``). A pass that found
the QR-bill (a text starting with ``SPC``, its QR type) ends the search; otherwise the next
pass is tried, and what every pass found is answered:

- a PDF: its last ``max_pages`` pages, from the last one (the payment part is at the end of
  an invoice), rendered in greyscale at 150 dpi, then, without a bill, at 300 dpi (a small
  dense code: 20 mm with 997 characters reads only there). A page larger than A4 is rendered
  at a lower resolution, so that it stays within ``max_page_pixels``.
- a picture: decoded in greyscale; a large photo (4 × ``FIRST_PASS_PIXELS`` or more) first at
  a half, a quarter … of its size (JPEG: the decoder's own DCT scaling, quick and small), then
  at its full size; last, the first pass's picture sharpened (up to ``SHARPEN_MAX_PIXELS``).
- zxing-cpp: QR codes only, any orientation (``try_rotate``; a QR code's finder patterns make
  any angle readable), its own downscaled passes (``try_downscale``, for codes with big
  modules), the local-average binarizer (the global one missed the codes of small photos), no
  inverted pass (a QR-bill is printed black on white).
"""
import json
import logging
import resource
import sys
import time

#: Bytes of address space. The largest picture (40 megapixels, RGBA PNG) took 410 MB resident:
#: its decoded pixels, their grey copy and zxing's own; PDFium reserves more than it uses.
MEMORY_LIMIT = 1024 * 1024 * 1024
#: A picture is first read at a half, a quarter … of its size as long as that keeps at least
#: this many pixels: a 12-megapixel photo at 3 million.
FIRST_PASS_PIXELS = 2_000_000
#: Without a bill after those passes, the first one's picture is read once more, sharpened,
#: when it has at most this many pixels (always, for a large photo): in a photo sent through a
#: messenger (about 1 megapixel) the code's modules are 2–3 pixels wide, and a little blur is
#: enough for zxing to miss it; in a 12-megapixel photo, 2–3 pixels of blur (figures in
#: bench/README.md).
SHARPEN_MAX_PIXELS = 4_000_000
UNSHARP_MASK = (2, 150, 3)  # radius, percent, threshold
#: The resolutions of the PDF passes.
PDF_PASSES_DPI = (150, 300)
#: The first line of a QR-bill's payload (its QR type): the search stops once it is found.
BILL_PREFIX = "SPC"

PDF = "application/pdf"
IMAGE_FORMATS = {"image/jpeg": ["JPEG"], "image/png": ["PNG"]}


def _limit(cpu_seconds: int, answer_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (answer_bytes, answer_bytes))


def _answer(**fields) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def _has_bill(codes: list[str]) -> bool:
    return any(code.startswith(BILL_PREFIX) for code in codes)


def _decode(image) -> list[str]:
    """The texts of the QR codes in ``image`` (a PIL image or a zxingcpp.ImageView), in
    zxing's order."""
    import zxingcpp

    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode,
                                   try_rotate=True, try_downscale=True, try_invert=False,
                                   binarizer=zxingcpp.Binarizer.LocalAverage)
    return [barcode.text for barcode in found if barcode.valid]


# --- PDF ------------------------------------------------------------------------------------

def _page_scale(width_pt: float, height_pt: float, dpi: int, max_pixels: int) -> float:
    """Pixels per PDF point: ``dpi``, or less for a page that would exceed ``max_pixels``."""
    scale = dpi / 72
    area = abs(width_pt * height_pt) * scale * scale
    if area > max_pixels:
        scale *= (max_pixels / area) ** 0.5
    return scale


def _read_page(page, dpi: int, max_pixels: int) -> list[str]:
    import zxingcpp

    width_pt, height_pt = page.get_size()
    bitmap = page.render(scale=_page_scale(width_pt, height_pt, dpi, max_pixels),
                         grayscale=True)
    try:
        # PDFium's grey bitmap handed to zxing as it is: no copy, no Pillow needed
        view = zxingcpp.ImageView(memoryview(bitmap.buffer).cast("B"), bitmap.width,
                                  bitmap.height, zxingcpp.ImageFormat.Lum, bitmap.stride, 1)
        return _decode(view)
    finally:
        bitmap.close()


def read_pdf(path: str, max_page_pixels: int, max_pages: int) -> None:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        count = len(document)
        numbers = range(count, max(count - max_pages, 0), -1)
        for dpi in PDF_PASSES_DPI:
            found_bill = False
            for number in numbers:
                page = document[number - 1]
                try:
                    codes = _read_page(page, dpi, max_page_pixels)
                finally:
                    page.close()
                _answer(page=number, dpi=dpi, codes=codes)
                found_bill = found_bill or _has_bill(codes)
            if found_bill:
                return
    finally:
        document.close()


# --- pictures -------------------------------------------------------------------------------

def _grey(image):
    """``image`` as 8-bit grey; transparent parts become white paper, and 16-bit scans keep
    their contrast (a plain ``convert("L")`` would clip them to white)."""
    from PIL import Image

    if image.mode == "L":
        return image
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("LA", "La", "RGBA", "RGBa", "PA") or (
            image.mode == "P" and "transparency" in image.info):
        with_alpha = image.convert("LA")
        paper = Image.new("L", image.size, 255)
        paper.paste(with_alpha, (0, 0), with_alpha)
        return paper
    return image.convert("L")


def _open(path: str, content_type: str):
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # the size is checked by the caller, before any decoding
    return Image.open(path, formats=IMAGE_FORMATS[content_type])


def _reduction(width: int, height: int) -> int:
    """1, 2, 4 or 8: the largest factor that keeps the first pass at FIRST_PASS_PIXELS or
    more."""
    factor = 1
    while factor < 8 and width * height / (2 * factor) ** 2 >= FIRST_PASS_PIXELS:
        factor *= 2
    return factor


def _read_pass(grey, **note) -> bool:
    """Answers the codes of ``grey``; whether the bill is among them."""
    codes = _decode(grey)
    _answer(image=list(grey.size), codes=codes, **note)
    return _has_bill(codes)


def _read_sharpened(grey) -> bool:
    from PIL import ImageFilter

    return _read_pass(grey.filter(ImageFilter.UnsharpMask(*UNSHARP_MASK)), sharpened=True)


def _decoded_grey(path: str, content_type: str, reduce_by: int = 1):
    """The picture decoded in grey; a JPEG at 1/``reduce_by`` of its size by its own decoder
    (DCT scaling, which also skips the colour: quick, and no full-size copy)."""
    with _open(path, content_type) as image:
        if reduce_by > 1 and image.format == "JPEG":
            image.draft("L", (image.width // reduce_by, image.height // reduce_by))
        image.load()
        grey = _grey(image)
    if grey is not image:
        image.close()  # frees the colour pixels before zxing needs memory
    return grey


def read_image(path: str, content_type: str, max_pixels: int) -> None:
    with _open(path, content_type) as image:  # its header only
        width, height, jpeg = image.width, image.height, image.format == "JPEG"
    if width * height > max_pixels:
        _answer(refused="pixels", width=width, height=height)
        return
    factor = _reduction(width, height)
    full = None
    if factor > 1 and jpeg:
        first = _decoded_grey(path, content_type, reduce_by=factor)
    else:
        full = _decoded_grey(path, content_type)  # decoded once, for every pass
        first = full.reduce(factor) if factor > 1 else full
    if _read_pass(first):
        return
    if factor > 1:
        if _read_pass(full or _decoded_grey(path, content_type)):
            return
    if first.width * first.height <= SHARPEN_MAX_PIXELS:
        _read_sharpened(first)


def _peak_rss_kib() -> int | None:
    """This process's peak resident memory: VmHWM, not ``ru_maxrss``, which Linux carries
    over from the parent's memory at the fork."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def main(argv: list[str]) -> int:
    content_type, path, settings = argv[0], argv[1], json.loads(argv[2])
    _limit(int(settings["cpu_seconds"]), int(settings["answer_bytes"]))
    sys.path.extend(argv[3:])
    started = time.monotonic()
    try:
        if content_type == PDF:
            read_pdf(path, int(settings["max_page_pixels"]), int(settings["max_pages"]))
        elif content_type in IMAGE_FORMATS:
            read_image(path, content_type, int(settings["max_pixels"]))
        else:
            raise ValueError(f"unsupported content type {content_type!r}")
    except Exception as error:  # a broken or hostile file: one line for the parent's log
        logging.basicConfig(stream=sys.stderr, format="%(message)s")
        logging.getLogger("qrbill.reader_child").error(
            "%s", f"{type(error).__name__}: {error}"[:500])
        return 1
    _answer(done=True, peak_rss_kib=_peak_rss_kib(),
            seconds=round(time.monotonic() - started, 4))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
