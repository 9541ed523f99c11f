"""The insured person's file, and the identity corrections only the office may make (part 6)."""
from flask import abort, flash, redirect, url_for
from flask_login import current_user

from guichet.core.access import staff_required, transmission_required
from guichet.core.htmx import render, wants_fragment
from guichet.core.i18n import gettext as _
from guichet.core.identifiers import format_navs13

from . import people
from .blueprint import bp
from .batch_forms import NifForm
from .person_forms import IdentityCorrectionForm

PAGE, IDENTITY = "staff/person.html", "staff/_person_identity.html"


def _person_or_404(user_id: int):
    person = people.insured_person(user_id)
    if person is None:
        abort(404)
    return person


def _prefilled(person) -> IdentityCorrectionForm:
    return IdentityCorrectionForm(formdata=None, data={
        "navs13": format_navs13(person.navs13) if person.navs13 else "", "nom": person.nom,
        "prenom": person.prenom, "date_naissance": person.date_naissance.strftime("%d.%m.%Y")
        if person.date_naissance else ""})


@bp.route("/personnes/<int:user_id>")
@staff_required
def show_person(user_id: int):
    """The person's file (full N° AVS and IBAN, audited); 404 for staff and unknown ids."""
    person = _person_or_404(user_id)
    return render(PAGE, IDENTITY, file=people.view_person(current_user, person),
                  form=_prefilled(person), nif_form=_nif_form(person))


@bp.route("/personnes/<int:user_id>/identite", methods=["POST"])
@staff_required
def correct_identity(user_id: int):
    """Corrects N° AVS, nom, prénom, date de naissance (checked against the register, with a
    reason); 303 to the file, or the form again (422) with what to fix, nothing written."""
    person = _person_or_404(user_id)
    form = IdentityCorrectionForm()
    if form.validate_on_submit():
        try:
            people.correct_identity(current_user, person, people.IdentityCorrection(
                navs13=form.navs13.normalized, nom=form.nom.data, prenom=form.prenom.data,
                date_naissance=form.date_naissance.normalized, reason=form.reason.data))
        except people.CorrectionRefused as refusal:
            form[refusal.field].errors.append(refusal.message)
        else:
            if wants_fragment():  # the section anew, saying so
                return render(PAGE, IDENTITY, file=people.person_file(person),
                              form=_prefilled(person), corrected=True)
            flash(_("L'identité est corrigée ; la personne en est avertie par e-mail."), "success")
            return redirect(url_for("staff.show_person", user_id=person.id), 303)
    return render(PAGE, IDENTITY, status=422, file=people.view_person(current_user, person),
                  form=form, nif_form=_nif_form(person))


def _nif_form(person) -> NifForm:
    return NifForm(formdata=None, data={"nif": person.nif or ""})


@bp.route("/personnes/<int:user_id>/nif", methods=["POST"])
@transmission_required
def record_nif(user_id: int):
    """Records or corrects the account's NIF (the CdC's creditor number; digits), audited;
    303 to the file, or the file again (422) with what to fix."""
    person = _person_or_404(user_id)
    form = NifForm()
    if form.validate():
        people.record_nif(current_user, person, form.nif.normalized)
        flash(_("NIF enregistré."), "success")
        return redirect(url_for("staff.show_person", user_id=person.id) + "#nif", 303)
    return render(PAGE, IDENTITY, status=422, file=people.view_person(current_user, person),
                  form=_prefilled(person), nif_form=form)
