"""The PDF copy of an invoice (xhtml2pdf), with an embedded font and local resources only."""
from __future__ import annotations

import io
from pathlib import Path

from flask import current_app, render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from guichet.models import Invoice

from . import editor

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"


class PdfRenderingError(RuntimeError):
    """xhtml2pdf reported errors while rendering."""


def _policy() -> ResourceAccessPolicy:
    """Only the font folder may be read; nothing remote, ever."""
    return ResourceAccessPolicy(allow_remote=False, base_dir=FONT_DIR, max_render_seconds=20)


def render_invoice_pdf(invoice: Invoice) -> bytes:
    context = editor.review_context(invoice) if invoice.status == "draft" else \
        editor.show_context(invoice)
    html = render_template("invoices/pdf.html", font_dir=FONT_DIR.as_posix(),
                           office=current_app.config, **context)
    output = io.BytesIO()
    status = pisa.CreatePDF(html, dest=output, encoding="utf-8", resource_policy=_policy())
    if status.err:
        raise PdfRenderingError(f"xhtml2pdf reported {status.err} error(s)")
    return output.getvalue()
