"""How invoice values read on pages and in the PDF."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from guichet.core.formatting import format_size
from guichet.core.iban import mask_iban
from guichet.core.money import format_chf
from guichet.invoices.status import StatusInfo, status_info
from guichet.invoices.types import invoice_type
from guichet.invoices.types.base import SELECT, YESNO, FieldSpec


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


def status_text(status: str) -> StatusInfo:
    """The state's label, meaning and next step as text (not lazy strings)."""
    info = status_info(status)
    return replace(info, label=str(info.label), meaning=str(info.meaning),
                   next_step=str(info.next_step))


def once_per_page(function: Callable[[str], object]) -> Callable[[str], object]:
    """``function``, each key's answer worked out once for the page being rendered (a list of
    twenty invoices asks for the same few labels twenty times)."""
    answers: dict[str, object] = {}

    def answer(key: str):
        if key not in answers:
            answers[key] = function(key)
        return answers[key]
    return answer


def template_helpers() -> dict:
    return {"display_value": display_value, "mask_iban": mask_iban, "format_chf": format_chf,
            "format_size": format_size, "type_label": once_per_page(type_label),
            "status_info": once_per_page(status_text)}
