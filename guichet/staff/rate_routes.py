"""The administrators' dated rates: every rate with its periods and legal sources, and a form
that adds a new amount from a date, as ``flask rates set`` does (the previous period ends the
day before). A refused change answers 422 with the reason on its field; a change never alters
an invoice already sent (its amounts were kept when it was sent)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from guichet.core.access import admin_required
from guichet.core.i18n import gettext as _
from guichet.core.money import format_chf
from guichet.invoices.rates import RateChangeRefused, change_rate, rates_by_key

from .blueprint import bp
from .forms import CHOOSE, RateForm


def _page(status: int = 200, form: RateForm | None = None):
    rates = rates_by_key()
    form = form or RateForm(formdata=None, prefix="rate")
    form.key.choices = [SelectChoice("", CHOOSE)] + [
        SelectChoice(rate.key, f"{rate.label} ({rate.key})") for rate in rates]
    return render_template("staff/rates.html", rates=rates, form=form), status


@bp.route("/taux")
@admin_required
def list_rates():
    """Every rate, grouped by rate, with the form that adds a new amount."""
    return _page()


@bp.route("/taux", methods=["POST"])
@admin_required
def add_rate():
    form = RateForm(prefix="rate")
    if not form.validate():
        return _page(422, form)
    try:
        rate = change_rate(form.key.data or "", form.amount.parsed, form.valid_from.parsed,
                           form.source.data or "", actor=current_user)
    except RateChangeRefused as refused:
        getattr(form, refused.field or "key").errors = [str(refused)]
        return _page(422, form)
    flash(_("Nouveau taux enregistré : %(label)s, %(amount)s dès le %(day)s.",
            label=rate.label, amount=format_chf(rate.amount), day=f"{rate.valid_from:%d.%m.%Y}"),
          "success")
    return redirect(url_for("staff.list_rates", _anchor=f"rate-{rate.key}"), 303)
