"""The queue's filter form, rendered once per set of values it shows.

The form is the same for every gestionnaire who asks the same filter (its values, the list of
gestionnaires in its select, the language): a cache of that fragment, keyed by exactly what it
shows, spares rendering its selects on every page (about a fifth of a queue page's time). A form
with errors is rendered afresh. Nothing personal is in it: the page around it is rendered for
each request, as every page is.
"""
from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup

_MAX_ENTRIES = 512
_cache: OrderedDict[tuple, str] = OrderedDict()
_lock = Lock()


def render_filters(form, staff_names: dict[int, str], results_id: str) -> Markup:
    """The filter form's HTML for ``form`` (a validated ``QueueForm``)."""
    if form.errors:
        return Markup(_render(form, results_id))
    key = (str(get_locale()), results_id, tuple(staff_names.items()),
           tuple((field.name, str(field.data)) for field in form))
    with _lock:
        html = _cache.get(key)
        if html is not None:
            _cache.move_to_end(key)
            return Markup(html)
    html = _render(form, results_id)
    with _lock:
        _cache[key] = html
        while len(_cache) > _MAX_ENTRIES:
            _cache.popitem(last=False)
    return Markup(html)


def _render(form, results_id: str) -> str:
    return render_template("staff/_queue_filters.html", form=form, results_id=results_id)
