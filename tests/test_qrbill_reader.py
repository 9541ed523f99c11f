"""Finding the QR codes of a pièce (issue 11): where they are looked for in a PDF and in a
photo, what is returned, and every way a file is not read (wrong type, missing, too large,
too slow). The child process really runs and really decodes in every test."""
from __future__ import annotations

import logging
from functools import cache
from io import BytesIO
from pathlib import Path

import flask
import pytest
from PIL import Image

from guichet.core.i18n import init_i18n
from guichet.qrbill import reader
from guichet.qrbill.reader import read_codes, read_codes_detailed
from guichet.uploads.inspect import inspect_upload
from tests.support import qrbill_files as files
from tests.support.qrbill_files import NEUCHATEL_EXAMPLE, SIX_EXAMPLE

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
WEBSITE = "https://www.audition-plus.ch/"
#: A payload of 997 characters, the most a QR-bill may hold (version 25, 117 modules).
_MESSAGE = "Order of 15 June 2020"
LONGEST = SIX_EXAMPLE.replace(_MESSAGE, ("Facture 2026-0413, appareils et reglages, " * 20)[
    :997 - len(SIX_EXAMPLE) + len(_MESSAGE)])


@cache
def photo(**options) -> bytes:
    return files.bill_photo(**options)


def stored(tmp_path: Path, data: bytes, name: str = "piece") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- PDF: which pages -----------------------------------------------------------------------

def test_the_bill_on_a_one_page_pdf_is_read(tmp_path):
    assert read_codes(stored(tmp_path, files.bill_pdf(SIX_EXAMPLE)), PDF) == [SIX_EXAMPLE]


def test_the_bill_on_the_last_page_of_three_is_read(tmp_path):
    path = stored(tmp_path, files.bill_pdf(SIX_EXAMPLE, pages=3))
    assert read_codes(path, PDF) == [SIX_EXAMPLE]


def test_the_bill_on_the_first_page_of_two_is_read(tmp_path):
    path = stored(tmp_path, files.bill_pdf(SIX_EXAMPLE, pages=2, bill_page=0))
    assert read_codes(path, PDF) == [SIX_EXAMPLE]


def test_the_third_page_from_the_end_is_the_earliest_read(tmp_path):
    path = stored(tmp_path, files.bill_pdf(SIX_EXAMPLE, pages=5, bill_page=2))
    assert read_codes(path, PDF) == [SIX_EXAMPLE]


def test_a_bill_before_the_last_three_pages_is_not_read(tmp_path):
    """Documented limit (MAX_PAGES = 3): the payment part is at the end of an invoice, and a
    long PDF is not rendered page after page for it."""
    path = stored(tmp_path, files.bill_pdf(SIX_EXAMPLE, pages=5, bill_page=0))
    assert reader.MAX_PAGES == 3
    assert read_codes_detailed(path, PDF).outcome == "read"
    assert read_codes(path, PDF) == []


def test_codes_come_from_the_last_page_to_the_first_each_once(tmp_path):
    path = stored(tmp_path, files.codes_pdf([["page 1"], ["page 2", WEBSITE], ["page 3"],
                                             ["page 4", WEBSITE]]))
    codes = read_codes(path, PDF)
    assert set(codes[:2]) == {"page 4", WEBSITE}  # on a page, in zxing's order
    assert codes[2:] == ["page 3", "page 2"]  # page 1 is beyond the last three


def test_two_codes_on_a_page_are_both_returned(tmp_path):
    path = stored(tmp_path, files.bill_pdf(SIX_EXAMPLE, pages=2, other_codes=[WEBSITE]))
    codes = read_codes(path, PDF)
    assert sorted(codes) == sorted([SIX_EXAMPLE, WEBSITE])


def test_a_small_dense_code_is_read_at_300_dpi(tmp_path):
    """20 mm for 997 characters: 150 dpi gives one pixel per module, too few; the second pass
    at 300 dpi (two) reads it."""
    path = stored(tmp_path, files.bill_pdf(LONGEST, qr_size_mm=20))
    assert read_codes(path, PDF) == [LONGEST]


def test_a_pdf_without_any_code_gives_nothing(tmp_path):
    path = stored(tmp_path, files.bill_pdf(None, pages=3))
    reading = read_codes_detailed(path, PDF)
    assert (reading.outcome, reading.codes) == ("read", [])


def test_accents_come_back_intact_from_a_pdf(tmp_path):
    [code] = read_codes(stored(tmp_path, files.bill_pdf(NEUCHATEL_EXAMPLE)), PDF)
    assert code == NEUCHATEL_EXAMPLE
    assert "\n2000\nNeuchâtel\n" in code and "Hélène Dubois-Prêtre" in code


# --- pictures -------------------------------------------------------------------------------

def test_the_bill_in_a_png_scan_is_read(tmp_path):
    assert read_codes(stored(tmp_path, files.bill_png(SIX_EXAMPLE)), PNG) == [SIX_EXAMPLE]


def test_the_bill_in_a_phone_photo_is_read(tmp_path):
    """Turned 7°, blurred, the page 830 pixels wide (the code 180 pixels: a third of the
    page's width or less), JPEG quality 60, grey, noise."""
    data = photo(text=SIX_EXAMPLE, rotate=7, blur=1.0, scale=1 / 3, quality=60, grey=True)
    with Image.open(BytesIO(data)) as image:
        assert image.mode == "L" and image.width < 1000
    assert read_codes(stored(tmp_path, data), JPEG) == [SIX_EXAMPLE]


@pytest.mark.parametrize("angle", [90, 180, 270, -4])
def test_a_photo_turned_any_way_is_read(tmp_path, angle):
    data = photo(text=SIX_EXAMPLE, rotate=angle)
    assert read_codes(stored(tmp_path, data), JPEG) == [SIX_EXAMPLE]


def test_a_colour_photo_is_read(tmp_path):
    data = photo(text=NEUCHATEL_EXAMPLE, rotate=-3, grey=False)
    assert read_codes(stored(tmp_path, data), JPEG) == [NEUCHATEL_EXAMPLE]


def test_a_12_megapixel_photo_is_read(tmp_path):
    data = photo(text=NEUCHATEL_EXAMPLE, megapixels=12)
    with Image.open(BytesIO(data)) as image:
        assert image.width * image.height >= 12_000_000
    assert read_codes(stored(tmp_path, data), JPEG) == [NEUCHATEL_EXAMPLE]


def test_a_12_megapixel_photo_taken_from_afar_is_read_at_full_size(tmp_path):
    """The page a third of the photo's height: its code, 2.9 pixels per module, is lost at
    half size, where a large photo is read first; the full-size pass finds it."""
    data = photo(text=SIX_EXAMPLE, megapixels=12, rotate=8, fill=0.35)
    assert read_codes(stored(tmp_path, data), JPEG) == [SIX_EXAMPLE]


def test_a_blurred_messenger_photo_is_read_sharpened(tmp_path):
    """Turned, the page 830 pixels wide, blurred by 1.3 pixels, JPEG quality 50: zxing
    misses the code until the picture is sharpened."""
    data = photo(text=SIX_EXAMPLE, rotate=276.23, blur=1.27, scale=1 / 3, quality=50, seed=11)
    assert read_codes(stored(tmp_path, data), JPEG) == [SIX_EXAMPLE]


def test_two_codes_in_a_photo_are_both_returned(tmp_path):
    data = files.bill_photo(SIX_EXAMPLE, scale=1 / 2, other_codes=[WEBSITE])
    assert sorted(read_codes(stored(tmp_path, data), JPEG)) == sorted([SIX_EXAMPLE, WEBSITE])


def test_accents_come_back_intact_from_a_photo(tmp_path):
    [code] = read_codes(stored(tmp_path, photo(text=NEUCHATEL_EXAMPLE)), JPEG)
    assert code == NEUCHATEL_EXAMPLE and "Neuchâtel" in code


def test_a_photo_without_any_code_gives_nothing(tmp_path):
    reading = read_codes_detailed(stored(tmp_path, photo(text=None)), JPEG)
    assert (reading.outcome, reading.codes) == ("read", [])


def test_a_png_with_transparency_is_read_on_white(tmp_path):
    """A code drawn on a transparent background (transparent pixels stored black)."""
    code = files.qr_image(SIX_EXAMPLE, box_size=6).convert("L")
    ink = code.point(lambda value: 255 - value)  # the dark modules opaque, the rest not
    image = Image.merge("RGBA", (Image.new("L", code.size, 0),) * 3 + (ink,))
    assert read_codes(stored(tmp_path, _png(image)), PNG) == [SIX_EXAMPLE]


def _png(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("mode", ["1", "P", "RGB", "LA"])
def test_a_png_scan_is_read_whatever_its_mode(tmp_path, mode):
    page = files.bill_page_image(SIX_EXAMPLE)
    assert read_codes(stored(tmp_path, _png(page.convert(mode))), PNG) == [SIX_EXAMPLE]


def test_a_16_bit_scan_keeps_its_contrast(tmp_path):
    """Ink at 8 000 and paper at 60 000 of 65 535: both would clip to white in 8 bits."""
    page = files.bill_page_image(SIX_EXAMPLE).point(lambda value: 0 if value < 128 else 1)
    deep = page.convert("I").point(lambda value: 8_000 + value * 52_000).convert("I;16")
    assert read_codes(stored(tmp_path, _png(deep)), PNG) == [SIX_EXAMPLE]


# --- what is not read -----------------------------------------------------------------------

@pytest.mark.parametrize("make, content_type", [
    (lambda: files.bill_pdf(SIX_EXAMPLE), PNG),
    (lambda: files.bill_pdf(SIX_EXAMPLE), JPEG),
    (lambda: files.bill_png(SIX_EXAMPLE), PDF),
    (lambda: files.bill_png(SIX_EXAMPLE), JPEG),
    (lambda: photo(text=SIX_EXAMPLE), PNG),
    (lambda: b"SPC\n0200\n1\nCH4431999123000889012\n", JPEG),
    (lambda: files.bill_pdf(SIX_EXAMPLE)[:2000], PDF),
], ids=["pdf-as-png", "pdf-as-jpeg", "png-as-pdf", "png-as-jpeg", "jpeg-as-png",
        "text-as-jpeg", "truncated-pdf"])
def test_a_file_that_is_not_what_its_type_says_gives_nothing(tmp_path, caplog, make,
                                                              content_type):
    with caplog.at_level(logging.WARNING, logger="guichet.qrbill.reader"):
        reading = read_codes_detailed(stored(tmp_path, make()), content_type)
    assert (reading.outcome, reading.codes) == ("failed", [])
    assert "QR codes not read" in caplog.text


@pytest.mark.parametrize("content_type", ["image/gif", "text/plain", "", "application/PDF"])
def test_other_content_types_are_not_read(tmp_path, content_type):
    path = stored(tmp_path, files.bill_pdf(SIX_EXAMPLE))
    assert read_codes_detailed(path, content_type).outcome == "unsupported"
    assert read_codes(path, content_type) == []


def test_a_missing_file_gives_nothing(tmp_path):
    assert read_codes(tmp_path / "gone.pdf", PDF) == []
    assert read_codes_detailed(tmp_path / "gone.pdf", PDF).outcome == "missing"
    assert read_codes(tmp_path, PDF) == []  # a folder is not a file either


def test_a_picture_above_the_pixel_limit_is_not_read(tmp_path):
    """6 500 × 6 200 = 40.3 million pixels, a bill in it: refused from its header."""
    page = Image.new("L", (6500, 6200), 255)
    page.paste(files.qr_image(SIX_EXAMPLE, box_size=12), (3000, 3000))
    reading = read_codes_detailed(stored(tmp_path, _png(page)), PNG)
    assert reader.MAX_PIXELS == 40_000_000
    assert (reading.outcome, reading.codes) == ("pixels", [])


def test_the_pixel_limit_is_the_picture_s_size(tmp_path, monkeypatch):
    data = photo(text=SIX_EXAMPLE)
    with Image.open(BytesIO(data)) as image:
        pixels = image.width * image.height
    path = stored(tmp_path, data)
    monkeypatch.setattr(reader, "MAX_PIXELS", pixels)
    assert read_codes(path, JPEG) == [SIX_EXAMPLE]
    monkeypatch.setattr(reader, "MAX_PIXELS", pixels - 1)
    assert read_codes_detailed(path, JPEG).outcome == "pixels"
    assert read_codes(path, JPEG) == []


def test_a_page_is_rendered_within_the_page_budget(tmp_path, monkeypatch):
    """With a budget of a quarter of A4 at 150 dpi the page is rendered at 75 dpi, where the
    SIX example still reads; with a hundredth, at 15 dpi, where nothing can."""
    path = stored(tmp_path, files.bill_pdf(SIX_EXAMPLE))
    a4_at_150_dpi = 1240 * 1754
    monkeypatch.setattr(reader, "MAX_PAGE_PIXELS", a4_at_150_dpi // 4)
    assert read_codes(path, PDF) == [SIX_EXAMPLE]
    monkeypatch.setattr(reader, "MAX_PAGE_PIXELS", a4_at_150_dpi // 100)
    assert read_codes_detailed(path, PDF).outcome == "read"
    assert read_codes(path, PDF) == []


def test_a_file_that_takes_too_long_is_not_read(tmp_path, monkeypatch, caplog):
    """A 1 kB PDF whose page takes PDFium minutes to render is stopped at the budget (made
    1 s here; 5 s in production); a normal file reads within the same budget."""
    monkeypatch.setattr(reader, "TIME_BUDGET", 1.0)
    slow = stored(tmp_path, files.slow_pdf(), "slow.pdf")
    with caplog.at_level(logging.WARNING, logger="guichet.qrbill.reader"):
        reading = read_codes_detailed(slow, PDF)
    assert (reading.outcome, reading.codes) == ("timeout", [])
    assert "more than 1.0 s" in caplog.text
    assert read_codes(stored(tmp_path, files.bill_pdf(SIX_EXAMPLE)), PDF) == [SIX_EXAMPLE]


def test_a_tiny_budget_leaves_even_a_good_file_unread(tmp_path, monkeypatch):
    path = stored(tmp_path, photo(text=SIX_EXAMPLE, megapixels=12))
    monkeypatch.setattr(reader, "TIME_BUDGET", 0.001)
    assert read_codes_detailed(path, JPEG).outcome == "timeout"
    assert read_codes(path, JPEG) == []


def test_without_pidfds_the_budget_still_holds(tmp_path, monkeypatch):
    """Where the system has no pidfd, the parent waits with Popen.wait(timeout)."""
    monkeypatch.delattr(reader.os, "pidfd_open", raising=False)
    monkeypatch.setattr(reader, "TIME_BUDGET", 1.0)
    assert read_codes_detailed(stored(tmp_path, files.slow_pdf()), PDF).outcome == "timeout"
    assert read_codes(stored(tmp_path, files.bill_pdf(SIX_EXAMPLE)), PDF) == [SIX_EXAMPLE]


def test_the_child_reports_its_memory_and_time(tmp_path):
    reading = read_codes_detailed(stored(tmp_path, files.bill_pdf(SIX_EXAMPLE)), PDF)
    assert reading.peak_rss_kib is not None and 1_000 < reading.peak_rss_kib < 1_000_000
    assert reading.seconds is not None and reading.seconds > 0


# --- the test pièces are ordinary files -----------------------------------------------------

@pytest.fixture
def upload_checks(tmp_path):
    app = flask.Flask(__name__, instance_path=str(tmp_path / "instance"))
    init_i18n(app)
    with app.app_context():
        yield


@pytest.mark.parametrize("name, make, content_type, expected", [
    ("facture.pdf", lambda: files.bill_pdf(SIX_EXAMPLE, pages=3, other_codes=[WEBSITE]), PDF,
     {SIX_EXAMPLE, WEBSITE}),
    ("facture.pdf", lambda: files.bill_pdf(None), PDF, set()),
    ("photo.jpg", lambda: photo(text=SIX_EXAMPLE), JPEG, {SIX_EXAMPLE}),
    ("photo.jpg", lambda: photo(text=NEUCHATEL_EXAMPLE, megapixels=12), JPEG,
     {NEUCHATEL_EXAMPLE}),
    ("scan.png", lambda: files.bill_png(SIX_EXAMPLE), PNG, {SIX_EXAMPLE}),
])
def test_the_upload_checks_accept_the_test_pieces_and_their_copy_still_reads(
        upload_checks, tmp_path, name, make, content_type, expected):
    """What is read is the stored copy: for a photo, re-encoded from its pixels."""
    clean = inspect_upload(name, make())
    assert clean.content_type == content_type
    assert set(read_codes(stored(tmp_path, clean.data), content_type)) == expected


def test_the_upload_checks_accept_the_slow_pdf(upload_checks):
    assert inspect_upload("lente.pdf", files.slow_pdf()).content_type == PDF
