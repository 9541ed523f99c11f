"""How invoice values read on pages and in the PDF."""
from __future__ import annotations

from ..banking.iban import mask_iban
from ..money import format_chf
from ..uploads.inspect import format_size
from .catalog import SELECT, YESNO, FieldSpec, invoice_type
from .status import status_info


def display_value(spec: FieldSpec, raw: str | None) -> str:
    """The label of a chosen option, « Oui »/« Non », or the text as typed."""
    raw = raw or ""
    if spec.kind == SELECT:
        return str(dict(spec.choices).get(raw, raw))
    if spec.kind == YESNO:
        return {"yes": "Oui", "no": "Non"}.get(raw, raw)
    return raw


def type_label(key: str) -> str:
    return str(invoice_type(key).label)


def template_helpers() -> dict:
    return {"display_value": display_value, "mask_iban": mask_iban, "format_chf": format_chf,
            "format_size": format_size, "type_label": type_label, "status_info": status_info}
