"""The queue (``/gestion/``): the invoices to work on, most urgent first."""
from flask import request
from flask_login import current_user

from guichet.core.access import staff_required
from guichet.core.htmx import render, wants_fragment
from guichet.invoices import queue

from .blueprint import bp
from .queue_filters import render_filters
from .queue_forms import TYPE_LABELS, QueueForm, state_labels

#: The id of the results region: its poll (every 30 s) sends it as ``HX-Trigger``.
RESULTS_ID = "queue-results"


@bp.route("/")
@staff_required
def show_queue():
    """The queue as filtered by the GET form (``?etat=…&q=…``), a page at a time
    (``apres=<cursor>``); for htmx (the form, the poll) only the results region."""
    names = queue.staff_names()
    form = QueueForm(names, formdata=request.args)
    form.validate()  # a bad value is reported above the form; its default stands in
    flt = form.queue_filter()
    page = queue.queue_page(flt, current_user, after=request.args.get("apres"), names=names)
    if not (wants_fragment() and request.headers.get("HX-Trigger") == RESULTS_ID):
        queue.record_search(flt, page, current_user)  # a poll shows what was already read
    filters = None if wants_fragment() else render_filters(form, names, RESULTS_ID)
    return render("staff/queue.html", "staff/_queue_results.html", form=form, queue_filter=flt,
                  filters=filters,
                  results=page, counts=queue.state_counts(flt, current_user),
                  after=request.args.get("apres"), tab_states=queue.TAB_STATES,
                  results_id=RESULTS_ID, state_labels=state_labels(),
                  type_labels={key: str(label) for key, label in TYPE_LABELS.items()})
