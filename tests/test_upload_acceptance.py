"""The one service that decides which uploaded pièces are taken (guichet.uploads.accept): each
file inspected and scanned, the invoice's total size limit, the refusals in French, and nothing
stored by it."""
from __future__ import annotations

import io
from pathlib import Path

import flask
import pytest
from werkzeug.datastructures import FileStorage

from guichet.core.i18n import init_i18n
from guichet.uploads.accept import accept
from tests.support import files
from tests.support.clamd import FakeClamd


@pytest.fixture
def upload_app(request, tmp_path):
    """A bare Flask app (no database); settings from ``@pytest.mark.config(...)``."""
    app = flask.Flask(__name__, instance_path=str(tmp_path / "instance"),
                      static_folder=str(tmp_path / "static"))
    app.config["TESTING"] = True
    init_i18n(app)
    marker = request.node.get_closest_marker("config")
    if marker is not None:
        app.config.update(marker.kwargs)
    with app.app_context():
        yield app


def sent(name: str, data: bytes, requirement: str = "supplier_invoice"):
    return requirement, FileStorage(io.BytesIO(data), filename=name)


def infected_pdf() -> bytes:
    """A well-formed PDF that carries the EICAR test string (after its end marker)."""
    return files.pdf_bytes() + b"\n%" + files.EICAR + b"\n"


def test_good_files_come_back_clean_under_their_requirement(upload_app):
    photo = files.jpeg_with_gps(size=(64, 48))
    result = accept([sent("facture.pdf", files.pdf_bytes()),
                     sent("IMG_1.JPG", photo, requirement="other")], already_stored=0)
    assert result.refusals == []
    assert [(a.requirement, a.file.filename, a.file.content_type, a.scan_status)
            for a in result.files] == [
        ("supplier_invoice", "facture.pdf", "application/pdf", "pending"),
        ("other", "IMG_1.JPG", "image/jpeg", "pending")]
    assert b"Exif" not in result.files[1].file.data  # the clean copy, not what was sent
    assert not (Path(upload_app.instance_path) / "uploads").exists()  # nothing stored


def test_a_refused_file_is_explained_and_the_others_are_kept(upload_app):
    result = accept([sent("bonne.pdf", files.pdf_bytes()),
                     sent("mauvaise.pdf", files.html_page()),
                     sent("vide.pdf", b"")], already_stored=0)
    assert [a.file.filename for a in result.files] == ["bonne.pdf"]
    assert result.refusals == [
        "mauvaise.pdf : ce fichier est une page web (HTML), pas un PDF ni une image. "
        "Enregistrez le document au format PDF et envoyez ce fichier.",
        "vide.pdf : le fichier est vide. Choisissez à nouveau le document et réessayez."]


@pytest.mark.config(UPLOAD_MAX_INVOICE_BYTES=6000)
def test_files_that_would_pass_the_invoice_limit_are_all_refused(upload_app):
    within = accept([sent("un.pdf", files.pdf_of_size(3000))], already_stored=3000)
    assert len(within.files) == 1 and within.refusals == []  # exactly at the limit: fine
    over = accept([sent("un.pdf", files.pdf_of_size(2000)),
                   sent("deux.pdf", files.pdf_of_size(1500))], already_stored=3000)
    assert over.files == []
    assert over.refusals == [
        "Les pièces d'une même demande ne peuvent pas dépasser 5,9 ko en tout ; avec ces "
        "fichiers, elles feraient 6,3 ko. Il reste 2,9 ko : envoyez des fichiers plus petits "
        "ou moins de fichiers."]


@pytest.mark.config(UPLOAD_MAX_INVOICE_BYTES=6000)
def test_refused_files_do_not_count_toward_the_limit(upload_app):
    result = accept([sent("page.pdf", files.html_page() * 20),
                     sent("un.pdf", files.pdf_of_size(2000))], already_stored=3000)
    assert [a.file.filename for a in result.files] == ["un.pdf"]
    assert len(result.refusals) == 1 and result.refusals[0].startswith("page.pdf : ")


def test_an_infected_file_is_refused_and_reported(upload_app):
    clamd = FakeClamd().start()
    try:
        upload_app.config.update(CLAMD_HOST="127.0.0.1", CLAMD_PORT=clamd.port)
        seen = []
        result = accept([sent("virus.pdf", infected_pdf()), sent("ok.pdf", files.pdf_bytes())],
                        already_stored=0, on_infected=seen.append)
    finally:
        clamd.stop()
    assert [(a.file.filename, a.scan_status) for a in result.files] == [("ok.pdf", "clean")]
    assert result.refusals == ["virus.pdf : ce fichier contient un virus ; il a été refusé."]
    assert [clean.filename for clean in seen] == ["virus.pdf"]


def test_nothing_sent_is_nothing_accepted(upload_app):
    result = accept([], already_stored=10**12)  # no file: the limit is not even asked
    assert result.files == [] and result.refusals == []
