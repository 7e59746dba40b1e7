"""The manager's organisations and expected visits: bookings and their invitations.
Manager and deputy only."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, request, send_file, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from admin.common import (
    actor,
    checked,
    child_choices,
    organisation_choices,
    page,
    pairs,
    staff_choices,
)
from doorbook import clock, credentials, directory, involvements, people, qr, schemas, settings
from doorbook.db import get_db
from doorbook.forms import Form

# ---- Organisations ----


@bp.get("/organisations")
@allow(*MANAGEMENT)
def organisations(form: Form | None = None, status: int = 200):
    return page(
        "admin/organisations.html",
        status,
        organisations=directory.organisations_list(get_db()),
        values=form.values if form else {},
        errors=form.errors if form else {},
    )


@bp.post("/organisations")
@allow(*MANAGEMENT)
def organisation_save():
    form = Form(request.form)
    until = form.date("dbs_assurance_until", "the date the assurance runs to", required=False)
    values = {
        "name": form.text("name", "the organisation's name"),
        "dbs_assurance_on_file": int(form.flag("dbs_assurance_on_file")),
        "dbs_assurance_until": until.isoformat() if until else None,
    }
    organisation_id = request.form.get("id", "")
    if not form.ok:
        return organisations(form, 400)
    try:
        people.save_organisation(
            get_db(),
            actor(),
            values,
            int(organisation_id) if organisation_id.isdigit() else None,
        )
    except people.RecordProblem as problem:
        form.error("name", str(problem))
        return organisations(form, 409)
    flash("Saved.")
    return redirect(url_for("admin.organisations"))


# ---- Bookings ----


def bookings_page(form: schemas.Booking | None = None, status: int = 200):
    return page(
        "admin/bookings.html",
        status,
        bookings=directory.bookings_ahead(get_db()),
        values=form.values
        if form
        else {"day": clock.today(settings.timezone(get_db())).isoformat()},
        errors=form.messages if form else {},
        children=pairs(child_choices()),
        staff=pairs(staff_choices()),
        organisations=pairs(organisation_choices()),
    )


@bp.get("/bookings")
@allow(*MANAGEMENT)
def bookings():
    return bookings_page()


@bp.post("/bookings")
@allow(*MANAGEMENT)
def booking_create():
    db = get_db()

    def consented(child, organisation):
        return involvements.consented_involvement(
            db, child[0], organisation[0] if organisation else None
        )

    # The appropriate professional is contacted with the parents' permission: a visit to a
    # child with no involvement with recorded consent goes ahead only with a reason.
    form = checked(
        schemas.Booking, needs_reason=lambda child, agency: consented(child, agency) is None
    )
    if form.problems:
        return bookings_page(form, 400)
    child, organisation = form.child_id.data, form.organisation_id.data
    supervisor = form.supervisor_id.data
    involvement = consented(child, organisation)
    booking = people.book_visit(
        db,
        actor(),
        {
            **form.cleaned("visitor_name", "role", "purpose", "time"),
            "day": form.day.data.isoformat(),
            "child_id": child[0],
            "organisation_id": organisation[0] if organisation else None,
            "supervisor_id": supervisor[0] if supervisor else None,
            "involvement_id": involvement["id"] if involvement else None,
            "no_consent_reason": None if involvement else form.no_consent_reason.data,
        },
    )
    return redirect(url_for("admin.booking_invitation", booking_id=booking))


def invitation(booking_id: int) -> tuple[dict, str]:
    booking = directory.booking_record(get_db(), booking_id)
    if booking is None or booking["cancelled_at"]:
        abort(404)
    return booking, credentials.invitation_token(get_db(), booking["reference_code"])


@bp.get("/bookings/<int:booking_id>/invitation")
@allow(*MANAGEMENT)
def booking_invitation(booking_id: int):
    booking, token = invitation(booking_id)
    return page("print/invitation.html", booking=booking, qr_code=qr.svg(token))


@bp.get("/bookings/<int:booking_id>/invitation.png")
@allow(*MANAGEMENT)
def booking_invitation_png(booking_id: int):
    import qrcode

    booking, token = invitation(booking_id)
    out = io.BytesIO()
    qrcode.make(token, border=4, box_size=10).save(out)
    out.seek(0)
    return send_file(
        out,
        mimetype="image/png",
        as_attachment=True,
        download_name=f"invitation-{booking['reference_code']}.png",
    )


@bp.post("/bookings/<int:booking_id>/cancel")
@allow(*MANAGEMENT)
def booking_cancel(booking_id: int):
    try:
        people.cancel_booking(get_db(), actor(), booking_id)
    except people.RecordProblem as problem:
        flash(str(problem))
        return redirect(url_for("admin.bookings"))
    flash("The booking is cancelled: its invitation no longer works.")
    return redirect(url_for("admin.bookings"))
