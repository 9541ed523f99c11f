"""The PDF of an invoice (xhtml2pdf), with an embedded font and local resources only: the
insured person's copy, and next the staff's and the transmission's, from one
:class:`~.view.InvoiceView`."""
from __future__ import annotations

import io
from pathlib import Path

from flask import current_app, render_template
from pypdf import PdfReader
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from .view import InvoiceView

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"


class PdfRenderingError(RuntimeError):
    """xhtml2pdf reported errors while rendering."""


def _policy() -> ResourceAccessPolicy:
    """Only the font folder may be read; nothing remote, ever."""
    return ResourceAccessPolicy(allow_remote=False, base_dir=FONT_DIR, max_render_seconds=20)


def render_invoice_pdf(view: InvoiceView) -> bytes:
    """The PDF, its footer saying « page N / M ».

    xhtml2pdf's own page total (``<pdf:pagecount>``) lays the document out twice, always. The
    total is written in instead: first 1, right for most invoices (one layout); a longer one is
    laid out once more with the total the first layout counted (the footer has a frame of its
    own, so the number does not move a line)."""
    data, pages = _render(view, page_total=1)
    if pages != 1:
        data, _pages = _render(view, page_total=pages)
    return data


def _render(view: InvoiceView, page_total: int) -> tuple[bytes, int]:
    html = render_template("invoices/pdf.html", view=view, font_dir=FONT_DIR.as_posix(),
                           office=current_app.config, page_total=page_total)
    output = io.BytesIO()
    status = pisa.CreatePDF(html, dest=output, encoding="utf-8", resource_policy=_policy())
    if status.err:
        raise PdfRenderingError(f"xhtml2pdf reported {status.err} error(s)")
    data = output.getvalue()
    return data, len(PdfReader(io.BytesIO(data)).pages)


def pdf_filename(view: InvoiceView) -> str:
    """``NE-2026-000123.pdf``, or ``brouillon-42.pdf`` before sending."""
    return f"{view.receipt_number or 'brouillon-' + str(view.invoice.id)}.pdf"
