"""Pièces justificatives (security.md 17–20, 23, 27): what is accepted, what is refused and why,
metadata stripping, storage under random names, atomicity, and the clamd hook."""
from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import tempfile
import time
import unicodedata
from pathlib import Path

import flask
import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from guichet.core.formatting import MIB, format_size
from guichet.core.i18n import init_i18n
from guichet.core.unit_of_work import unit_of_work
from guichet.models.base import db
from guichet.models.invoices import Attachment, Invoice
from guichet.uploads import scanner
from guichet.uploads.inspect import (CleanFile, RejectedUpload, check_total, clean_filename,
                                     display_name, inspect_storage, inspect_upload)
from guichet.uploads.storage import (InvalidStoredName, delete_after_commit, delete_stored,
                                     is_stored_name, open_stored, orphan_files, store,
                                     upload_folder)
from tests.support import files
from tests.support.clamd import FakeClamd
from tests.support.servers import free_port


@pytest.fixture
def upload_app(request, tmp_path):
    """A bare Flask app (no database) whose instance folder is in tmp_path; settings from
    ``@pytest.mark.config(...)``."""
    app = flask.Flask(__name__, instance_path=str(tmp_path / "instance"),
                      static_folder=str(tmp_path / "static"))
    app.config["TESTING"] = True
    init_i18n(app)  # the refusal messages go through Flask-Babel, as in create_app
    marker = request.node.get_closest_marker("config")
    if marker is not None:
        app.config.update(marker.kwargs)
    with app.app_context():
        yield app


def refused(filename: str, data: bytes) -> RejectedUpload:
    with pytest.raises(RejectedUpload) as caught:
        inspect_upload(filename, data)
    message = str(caught.value)
    assert message.startswith(f"{display_name(filename)} : "), message
    return caught.value


# --- accepted files -------------------------------------------------------------------------

def test_valid_pdf_is_kept_as_is(upload_app):
    data = files.pdf_bytes()
    clean = inspect_upload("facture.pdf", data)
    assert isinstance(clean, CleanFile)
    assert clean.content_type == "application/pdf"
    assert clean.data == data
    assert clean.size == len(data)
    assert clean.sha256 == hashlib.sha256(data).hexdigest()
    assert clean.filename == "facture.pdf"


def test_type_comes_from_the_content_not_the_name(upload_app):
    assert inspect_upload("scan.jpg", files.pdf_bytes()).content_type == "application/pdf"
    clean = inspect_upload("photo.pdf", files.png_bytes())
    assert clean.content_type == "image/png"
    assert clean.filename == "photo.png"
    clean = inspect_upload("ordonnance", files.jpeg_bytes())
    assert clean.content_type == "image/jpeg"
    assert clean.filename == "ordonnance.jpg"


@pytest.mark.parametrize("builder", [
    lambda: files.png_bytes(mode="RGB"), lambda: files.png_bytes(mode="RGBA"),
    lambda: files.png_bytes(mode="L"), lambda: files.png_bytes(mode="1"),
    lambda: files.png_bytes(mode="P"), lambda: files.jpeg_bytes(mode="L"),
    lambda: files.jpeg_bytes(mode="CMYK"), lambda: files.raw_png(300, 200),
    files.png16_bytes, files.mpo_bytes,
])
def test_images_of_common_modes_are_accepted_and_reencoded(upload_app, builder):
    data = builder()
    clean = inspect_upload("piece", data)
    assert clean.sha256 == hashlib.sha256(clean.data).hexdigest()
    assert clean.size == len(clean.data)
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.format == {"image/png": "PNG", "image/jpeg": "JPEG"}[clean.content_type]
        with Image.open(io.BytesIO(data)) as original:
            assert image.size == original.size


@pytest.mark.parametrize("mode", ["P", "RGBA", "LA"])
def test_png_transparency_survives(upload_app, mode):
    image = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 5, 10))
    image = image.convert(mode) if mode != "P" else image.quantize(2)
    options = {"transparency": image.getpixel((9, 0))} if mode == "P" else {}
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    clean = inspect_upload("logo.png", out.getvalue())
    with Image.open(io.BytesIO(clean.data)) as result:
        rgba = result.convert("RGBA")
        assert rgba.getpixel((1, 0))[3] == 255
        assert rgba.getpixel((9, 0))[3] == 0


# --- metadata -------------------------------------------------------------------------------

def test_jpeg_exif_gps_xmp_and_comment_are_stripped_and_orientation_applied(upload_app):
    data = files.jpeg_with_gps(size=(64, 48), orientation=6)
    with Image.open(io.BytesIO(data)) as original:  # the builder really puts them there
        assert original.getexif().get_ifd(0x8825)
        assert {"exif", "xmp", "comment", "icc_profile"} <= set(original.info)
    clean = inspect_upload("photo.jpg", data)
    assert clean.content_type == "image/jpeg"
    for secret in (b"Apple", b"iPhone", b"Muster", b"xmpmeta", b"Exif\x00\x00"):
        assert secret not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info
        assert "xmp" not in image.info
        assert "comment" not in image.info
        assert "icc_profile" in image.info  # the colour profile may stay
        assert image.size == (48, 64)  # orientation 6 applied: the photo stands upright
        image = image.convert("RGB")
        top, bottom = image.getpixel((24, 8)), image.getpixel((24, 56))
    assert top[0] > 150 and top[2] < 100  # the red left half is now on top
    assert bottom[2] > 150 and bottom[0] < 100


def test_stored_jpeg_has_no_exif(upload_app):
    clean = inspect_upload("photo.jpg", files.jpeg_with_gps())
    path = open_stored(store(clean))
    with Image.open(path) as image:
        assert not image.getexif()
        assert "exif" not in image.info
    assert hashlib.sha256(path.read_bytes()).hexdigest() == clean.sha256


def test_multi_picture_jpeg_keeps_the_first_picture_without_exif(upload_app):
    data = files.mpo_bytes()
    with Image.open(io.BytesIO(data)) as original:
        assert original.format == "MPO" and original.n_frames == 2
    clean = inspect_upload("photo.jpg", data)
    assert clean.content_type == "image/jpeg"
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.format == "JPEG"
        assert getattr(image, "n_frames", 1) == 1
        assert not image.getexif()
        red, _, blue = image.convert("RGB").getpixel((20, 15))
    assert red > 150 and blue < 100


def test_png_text_and_exif_chunks_are_stripped(upload_app):
    data = files.png_bytes(metadata=True)
    assert b"Anna Muster" in data and b"eXIf" in data
    clean = inspect_upload("scan.png", data)
    assert b"Anna Muster" not in clean.data
    assert b"eXIf" not in clean.data and b"tEXt" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert not image.getexif()
        assert "Author" not in image.info and "exif" not in image.info


def test_data_appended_after_an_image_is_dropped(upload_app):
    data = files.jpeg_bytes() + b"<html><script>alert(1)</script></html>" + files.zip_bytes()
    clean = inspect_upload("photo.jpg", data)
    assert b"<script>" not in clean.data and b"PK\x03\x04" not in clean.data


# --- refused types --------------------------------------------------------------------------

def test_html_page_named_pdf_is_refused(upload_app):
    error = refused("facture.pdf", files.html_page())
    assert error.reason == "html"
    assert error.status_code == 415
    assert "page web" in str(error)


@pytest.mark.parametrize("brand", [b"heic", b"heix", b"mif1", b"hevc"])
def test_heic_photo_is_refused_with_advice(upload_app, brand):
    error = refused("IMG_0042.HEIC", files.heic_header(brand))
    assert error.reason == "heic"
    assert ("Envoyez la photo au format JPEG : dans les réglages de l'appareil photo, "
            "choisissez « Le plus compatible »") in str(error)


def test_heic_renamed_jpg_is_refused_too(upload_app):
    assert refused("photo.jpg", files.heic_header()).reason == "heic"


@pytest.mark.parametrize("data", [
    files.zip_bytes(), files.mp4_header(), b"Facture 2026-001\nMontant: 120.00\n",
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", b"MZ\x90\x00" + b"\x00" * 60, b"BM" + b"\x00" * 60,
    b"RIFF\x10\x00\x00\x00WEBPVP8 ", b"II*\x00" + b"\x00" * 20, b"\x00" * 100,
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
], ids=["zip", "mp4", "text", "gif", "exe", "bmp", "webp", "tiff", "zeros", "svg"])
def test_other_types_are_refused(upload_app, data):
    error = refused("facture.pdf", data)
    assert error.reason in ("type", "html")
    assert error.status_code == 415
    assert "PDF" in str(error) and "JPEG" in str(error) or "page web" in str(error)


def test_empty_file_is_refused(upload_app):
    error = refused("facture.pdf", files.empty_file())
    assert error.reason == "empty"
    assert "vide" in str(error)


@pytest.mark.parametrize("builder", [files.pdf_garbage, files.pdf_truncated,
                                     files.jpeg_truncated, files.png_with_bad_crc,
                                     lambda: b"\xff\xd8\xff\xe0garbage",
                                     lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 40])
def test_broken_files_are_refused(upload_app, builder):
    error = refused("facture.pdf", builder())
    assert error.reason == "broken"
    assert "endommagé ou illisible" in str(error)


# --- dangerous PDFs -------------------------------------------------------------------------

@pytest.mark.parametrize("builder, reason, words", [
    (files.pdf_with_javascript, "javascript",
     "contient du JavaScript ; il est refusé par sécurité"),
    (lambda: files.pdf_with_javascript(object_streams=True), "javascript", "JavaScript"),
    (files.pdf_with_javascript_name_tree, "javascript", "JavaScript"),
    (files.pdf_with_link_javascript, "javascript", "JavaScript"),
    (files.pdf_with_hex_escaped_javascript, "javascript", "JavaScript"),
    (files.pdf_with_launch, "launch", "lance un programme"),
    (files.pdf_with_embedded_file, "embedded", "fichiers joints"),
    (files.pdf_with_file_attachment_annotation, "embedded", "fichiers joints"),
    (files.pdf_with_xfa, "xfa", "XFA"),
], ids=["openaction", "object-stream", "name-tree", "link-aa", "hex-escaped", "launch",
        "embedded-files", "file-attachment-annotation", "xfa"])
def test_active_pdfs_are_refused(upload_app, builder, reason, words):
    error = refused("facture.pdf", builder())
    assert error.reason == reason
    assert words in str(error)
    assert "facture.pdf : ce fichier PDF" in str(error)


def test_javascript_in_object_stream_is_invisible_to_a_byte_search(upload_app):
    data = files.pdf_with_javascript(object_streams=True)
    assert b"JavaScript" not in data
    assert refused("facture.pdf", data).reason == "javascript"


def test_password_protected_pdf_is_refused_with_advice(upload_app):
    error = refused("releve.pdf", files.pdf_encrypted("secret"))
    assert error.reason == "encrypted"
    assert "protégé par un mot de passe ; enregistrez-le sans protection" in str(error)


def test_pdf_encrypted_with_owner_password_only_is_refused(upload_app):
    error = refused("releve.pdf", files.pdf_encrypted(user_password=""))
    assert error.reason == "encrypted"
    assert "enregistrez-le sans protection" in str(error)


# --- sizes ----------------------------------------------------------------------------------

@pytest.mark.config(UPLOAD_MAX_FILE_BYTES=3000)
def test_file_exactly_at_the_limit_is_accepted_one_byte_over_is_refused(upload_app):
    at_limit = files.pdf_of_size(3000)
    assert len(at_limit) == 3000
    assert inspect_upload("facture.pdf", at_limit).size == 3000
    over = files.pdf_of_size(3001)
    error = refused("facture.pdf", over)
    assert error.reason == "too_large"
    assert error.status_code == 413
    assert str(error) == ("facture.pdf : ce fichier dépasse la taille permise (au plus 2,9 ko "
                          "par fichier). Réduisez-le, par exemple en le numérisant en 150 ou "
                          "200 dpi, et réessayez.")


def test_default_limit_is_10_mib(upload_app):
    data = b"%PDF-1.7\n" + b"0" * (10 * MIB - 9)
    assert len(data) == 10 * MIB
    assert refused("gros.pdf", data).reason == "broken"  # at the limit: parsed (and refused)
    error = refused("gros.pdf", data + b"0")
    assert error.reason == "too_large"
    assert "au plus 10 Mo par fichier" in str(error)


@pytest.mark.config(UPLOAD_MAX_FILE_BYTES=1000)
def test_inspect_storage_reads_no_more_than_the_limit(upload_app):
    class Stream(io.BytesIO):
        asked: list[int] = []

        def read(self, size=-1):
            self.asked.append(size)
            return super().read(size)

    stream = Stream(b"%PDF-" + b"x" * 50_000)
    with pytest.raises(RejectedUpload) as caught:
        inspect_storage(FileStorage(stream, filename="facture.pdf"))
    assert caught.value.reason == "too_large"
    assert stream.asked == [1001]
    clean = inspect_storage(FileStorage(io.BytesIO(files.png_bytes()), filename="a.png"))
    assert clean.content_type == "image/png"


def test_check_total_per_invoice(upload_app):
    check_total(39 * MIB, [MIB])  # exactly 40 Mo
    check_total(0, [])
    with pytest.raises(RejectedUpload) as caught:
        check_total(39 * MIB, [MIB, 1])
    assert caught.value.status_code == 413
    assert caught.value.reason == "total_too_large"
    assert "40 Mo" in str(caught.value)


@pytest.mark.config(UPLOAD_MAX_INVOICE_BYTES=5000)
def test_check_total_uses_the_configured_limit(upload_app):
    check_total(3000, [2000])
    with pytest.raises(RejectedUpload):
        check_total(3000, [1000, 1001])


def test_format_size():
    assert format_size(10 * MIB) == "10 Mo"
    assert format_size(int(1.5 * MIB)) == "1,5 Mo"
    assert format_size(2048) == "2 ko"
    assert format_size(12) == "12 octets"
    assert format_size(1) == "1 octet"


# --- pixels ---------------------------------------------------------------------------------

@pytest.mark.parametrize("width, height", [(9000, 9000), (10000, 10000), (20000, 20000)],
                         ids=["below-pillow-limit", "pillow-warning", "pillow-error"])
def test_images_above_the_pixel_limit_are_refused(upload_app, width, height):
    data = files.raw_png(width, height)
    assert len(data) < 100_000  # a tiny file …
    error = refused("plan.png", data)  # … that would decode to hundreds of megabytes
    assert error.reason == "pixels"
    assert "trop grande" in str(error) and "au plus 40'000'000 pixels" in str(error)


@pytest.mark.config(UPLOAD_MAX_PIXELS=1000)
def test_pixel_limit_is_configurable_and_inclusive(upload_app):
    assert inspect_upload("a.png", files.png_bytes(size=(40, 25))).content_type == "image/png"
    error = refused("b.png", files.png_bytes(size=(40, 26)))
    assert "(40 × 26 pixels ; au plus 1'000 pixels)" in str(error)
    assert refused("c.jpg", files.jpeg_bytes(size=(40, 26))).reason == "pixels"


@pytest.mark.config(UPLOAD_MAX_PIXELS=200_000_000)
def test_pixel_limit_above_pillows_own_still_refuses_bombs(upload_app):
    assert refused("plan.png", files.raw_png(20000, 20000)).reason == "pixels"


# --- file names -----------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    ("C:\\Users\\anna\\Documents\\facture.pdf", "facture.pdf"),
    ("../../etc/passwd", "passwd.pdf"),
    ("/var/www/static/x.pdf", "x.pdf"),
    ("fac\x00ture\x1b[31m.pdf", "facture[31m.pdf"),
    ("facture\u202efdp.exe", "facturefdp.exe.pdf"),
    ("reçu médecin – Dr Zoë.pdf", "reçu médecin – Dr Zoë.pdf"),
    (unicodedata.normalize("NFD", "Reçu Genève.pdf"), "Reçu Genève.pdf"),
    ("   .pdf  ", "pdf.pdf"),
    ("", "fichier.pdf"),
    ("facture.PDF", "facture.PDF"),
    ("photo.heic", "photo.pdf"),
])
def test_display_names_are_sanitised(given, expected):
    assert clean_filename(given, "application/pdf") == expected


def test_long_names_are_cut_to_200_characters_keeping_the_extension():
    name = clean_filename("é" * 300 + ".pdf", "application/pdf")
    assert len(name) == 200 and name.endswith("é.pdf")
    assert len(clean_filename("a" * 300, "image/jpeg")) == 200


def test_refusal_names_the_file_without_its_folders(upload_app):
    error = refused("C:\\fakepath\\facture\x07.pdf", files.pdf_with_launch())
    assert str(error).startswith("facture.pdf : ")
    assert error.filename == "facture.pdf"


# --- storage --------------------------------------------------------------------------------

def _clean(data: bytes | None = None) -> CleanFile:
    data = data if data is not None else os.urandom(64)
    return CleanFile("a.pdf", "application/pdf", data, len(data),
                     hashlib.sha256(data).hexdigest())


def _folder_entries(app) -> list[str]:
    folder = upload_folder(create=False)  # the configured folder (instance/uploads by default)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_store_writes_under_a_random_name_in_the_instance_folder(upload_app):
    clean = inspect_upload("facture.pdf", files.pdf_bytes())
    name = store(clean)
    assert is_stored_name(name) and name.endswith(".pdf") and len(name) == 36
    path = open_stored(name)
    assert path.parent == Path(upload_app.instance_path).resolve() / "uploads"
    assert path.read_bytes() == clean.data
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0  # not readable by others
    assert _folder_entries(upload_app) == [name]  # no temporary file left
    assert store(clean) != name  # same content, new name
    assert store(inspect_upload("p.png", files.png_bytes())).endswith(".png")
    assert store(inspect_upload("p.jpg", files.jpeg_bytes())).endswith(".jpg")


def test_upload_folder_is_configurable(upload_app, tmp_path):
    upload_app.config["UPLOAD_FOLDER"] = str(tmp_path / "elsewhere")
    name = store(_clean())
    assert (tmp_path / "elsewhere" / name).is_file()


def test_upload_folder_under_static_is_refused(upload_app, tmp_path):
    upload_app.config["UPLOAD_FOLDER"] = str(tmp_path / "static" / "uploads")
    with pytest.raises(RuntimeError):
        store(_clean())


@pytest.mark.config(UPLOAD_FOLDER=None)
def test_real_app_keeps_uploads_in_the_instance_folder_not_static(app):
    folder = upload_folder(create=False)
    assert folder == (Path(app.instance_path) / "uploads").resolve()
    assert Path(app.static_folder).resolve() not in folder.parents


@pytest.mark.parametrize("name", [
    "../secret_key", "../../etc/passwd", "/etc/passwd", "..", "", "facture.pdf",
    "0" * 32 + ".exe", "0" * 32 + ".pdf/../x", "A" * 32 + ".pdf", "0" * 31 + ".pdf",
    "0" * 32 + ".pdf\x00", "0" * 32 + ".pdf\n", "../" + "0" * 32 + ".pdf", None,
])
def test_foreign_stored_names_are_refused(upload_app, name):
    with pytest.raises(InvalidStoredName):
        open_stored(name)
    with pytest.raises(InvalidStoredName):
        delete_stored(name)


def test_missing_files(upload_app):
    with pytest.raises(FileNotFoundError):
        open_stored("0" * 32 + ".pdf")
    delete_stored("0" * 32 + ".pdf")  # nothing to remove: fine


def test_delete_stored(upload_app):
    name = store(_clean())
    delete_stored(name)
    assert _folder_entries(upload_app) == []


def test_files_written_in_a_unit_that_rolls_back_are_removed(app):
    with pytest.raises(ZeroDivisionError):
        with unit_of_work():
            names = [store(_clean()) for _ in range(3)]
            assert len(_folder_entries(app)) == 3
            1 / 0
    assert names and _folder_entries(app) == []


def test_files_written_in_a_unit_that_commits_stay(app):
    with unit_of_work():
        name = store(_clean())
    assert _folder_entries(app) == [name]


def test_disk_full_on_the_third_piece_leaves_no_file(app, monkeypatch):
    real_fsync = os.fsync
    calls = []

    def fsync(fd):
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            calls.append(fd)
            if len(calls) == 3:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError) as caught:
        with unit_of_work():
            for _ in range(4):
                store(_clean())
    assert caught.value.errno == errno.ENOSPC
    assert _folder_entries(app) == []  # neither stored files nor the temporary one


def test_a_failing_hook_after_the_commit_keeps_the_files(app):
    with unit_of_work() as unit:
        name = store(_clean())
        unit.after_commit(lambda: 1 / 0)  # e.g. the e-mail after the commit failed
    assert _folder_entries(app) == [name]


def test_replaced_files_go_only_once_the_unit_commits(app):
    with unit_of_work():
        kept, replaced = store(_clean()), store(_clean())
    with pytest.raises(RuntimeError):
        with unit_of_work():
            delete_after_commit([kept])
            raise RuntimeError("the change that forgot the file failed")
    assert sorted(_folder_entries(app)) == sorted([kept, replaced])
    with unit_of_work():
        delete_after_commit([replaced])
        assert sorted(_folder_entries(app)) == sorted([kept, replaced])  # not before the commit
    assert _folder_entries(app) == [kept]


def test_failed_commit_leaves_neither_rows_nor_files(app, factory, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    user = factory.user()
    invoice = Invoice(user_id=user.id, invoice_type="transport")
    db.session.add(invoice)
    db.session.commit()
    invoice_id = invoice.id
    with pytest.raises(IntegrityError):
        with unit_of_work():
            names = []
            for data in (files.pdf_bytes(), files.jpeg_with_gps()):
                clean = inspect_upload("piece.pdf", data)
                name = store(clean)
                names.append(name)
                db.session.add(Attachment(
                    invoice_id=invoice_id, requirement="facture", filename=clean.filename,
                    stored_name=name, content_type=clean.content_type, size=clean.size,
                    sha256=clean.sha256))
            db.session.add(Attachment(  # the same stored name twice: the commit fails
                invoice_id=invoice_id, requirement="facture", filename="x.pdf",
                stored_name=names[0], content_type="application/pdf", size=1, sha256="0" * 64))
    assert db.session.scalars(select(Attachment)).all() == []
    assert list((tmp_path / "uploads").iterdir()) == []
    # retrying works
    with unit_of_work():
        clean = inspect_upload("piece.pdf", files.pdf_bytes())
        db.session.add(Attachment(
            invoice_id=invoice_id, requirement="facture", filename=clean.filename,
            stored_name=store(clean), content_type=clean.content_type, size=clean.size,
            sha256=clean.sha256))
    attachment = db.session.scalars(select(Attachment)).one()
    assert open_stored(attachment.stored_name).read_bytes() == clean.data


def test_orphan_files(upload_app):
    known = store(_clean())
    orphan = store(_clean())
    folder = Path(upload_app.instance_path).resolve() / "uploads"
    (folder / "LISEZMOI.txt").write_text("not ours")
    temp = folder / ".incoming-abc.part"
    temp.write_bytes(b"half a file")
    assert orphan_files({known}) == []  # too recent: a request may be about to commit them
    assert orphan_files({known}, min_age=0) == sorted([folder / orphan, temp])
    old = time.time() - 7200
    os.utime(folder / orphan, (old, old))
    assert orphan_files({known}) == [folder / orphan]


def test_orphan_files_without_folder(upload_app):
    assert orphan_files(set()) == []


# --- virus scanner --------------------------------------------------------------------------

@pytest.fixture
def clamd():
    server = FakeClamd().start()
    yield server
    server.stop()


def test_scanner_not_configured_leaves_files_pending(upload_app):
    assert scanner.scan(files.pdf_bytes()) == "pending"
    assert scanner.scan(files.EICAR) == "pending"  # never "clean" without a scanner


def test_clamd_clean_and_infected(upload_app, clamd):
    upload_app.config.update(CLAMD_HOST="127.0.0.1", CLAMD_PORT=clamd.port)
    big = os.urandom(200_000)  # several 64 KiB chunks
    assert scanner.scan(big) == "clean"
    assert clamd.commands == [b"zINSTREAM\0"]
    assert clamd.received == [big]
    assert scanner.scan(b"prefix " + files.EICAR + b" suffix") == "infected"
    assert scanner.scan(b"") == "clean"


def test_clamd_unreachable_leaves_files_pending(upload_app):
    upload_app.config.update(CLAMD_HOST="127.0.0.1", CLAMD_PORT=free_port(), CLAMD_TIMEOUT=1)
    assert scanner.scan(files.EICAR) == "pending"


def test_clamd_timeout_leaves_files_pending(upload_app):
    server = FakeClamd(mode="silent").start()
    try:
        upload_app.config.update(CLAMD_HOST="127.0.0.1", CLAMD_PORT=server.port,
                                 CLAMD_TIMEOUT=0.3)
        started = time.monotonic()
        assert scanner.scan(b"hello") == "pending"
        assert time.monotonic() - started < 3
    finally:
        server.stop()


def test_clamd_error_leaves_files_pending(upload_app):
    server = FakeClamd(mode="error").start()
    try:
        upload_app.config.update(CLAMD_HOST="127.0.0.1", CLAMD_PORT=server.port)
        assert scanner.scan(b"hello") == "pending"
    finally:
        server.stop()


def test_clamd_over_a_unix_socket(upload_app):
    folder = tempfile.mkdtemp(prefix="clamd-")  # short path: Unix socket paths are limited
    path = os.path.join(folder, "clamd.sock")
    server = FakeClamd(unix_path=path).start()
    try:
        upload_app.config.update(CLAMD_SOCKET=path)
        assert scanner.scan(b"hello") == "clean"
        assert scanner.scan(files.EICAR) == "infected"
    finally:
        server.stop()
        os.unlink(path)
        os.rmdir(folder)


def test_missing_unix_socket_leaves_files_pending(upload_app, tmp_path):
    upload_app.config.update(CLAMD_SOCKET=str(tmp_path / "nowhere.sock"))
    assert scanner.scan(b"hello") == "pending"
