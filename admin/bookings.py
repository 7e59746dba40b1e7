"""The manager's organisations and expected visits: bookings and their invitations.
Manager and deputy only."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, request, send_file, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from admin.common import actor, child_choices, options, page, pairs, staff_choices
from doorbook import clock, credentials, involvements, people, qr, settings
from doorbook.db import get_db
from doorbook.forms import Form

# ---- Organisations ----


@bp.get("/organisations")
@allow(*MANAGEMENT)
def organisations(form: Form | None = None, status: int = 200):
    rows = get_db().query("SELECT * FROM organisations ORDER BY name")
    return page(
        "admin/organisations.html",
        status,
        organisations=list(rows),
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


def bookings_page(form: Form | None = None, status: int = 200):
    db = get_db()
    rows = db.query(
        "SELECT e.*, o.name AS organisation, c.first_name || ' ' || c.last_name AS child, "
        "s.name AS supervisor, v.signed_in_at AS arrived_at, v.signed_out_at AS left_at "
        "FROM expected_visits e JOIN children c ON c.id = e.child_id "
        "LEFT JOIN organisations o ON o.id = e.organisation_id "
        "LEFT JOIN staff s ON s.id = e.supervisor_id "
        "LEFT JOIN visits v ON v.expected_visit_id = e.id "
        "WHERE e.day >= ? AND e.cancelled_at IS NULL ORDER BY e.day, e.time",
        [clock.today(settings.timezone(db)).isoformat()],
    )
    return page(
        "admin/bookings.html",
        status,
        bookings=list(rows),
        values=form.values if form else {"day": clock.today().isoformat()},
        errors=form.errors if form else {},
        children=pairs(child_choices()),
        staff=pairs(staff_choices()),
        organisations=pairs(options("SELECT id, name FROM organisations ORDER BY name")),
    )


@bp.get("/bookings")
@allow(*MANAGEMENT)
def bookings():
    return bookings_page()


@bp.post("/bookings")
@allow(*MANAGEMENT)
def booking_create():
    from datetime import time as clock_time

    form = Form(request.form)
    day = form.date("day", "the day of the visit")
    if day and day < clock.today(settings.timezone(get_db())):
        form.error("day", "That day has passed: please choose today or a later day.")
    visit_time = (request.form.get("time") or "").strip()
    form.values["time"] = visit_time
    try:
        visit_time = (
            clock_time.fromisoformat(visit_time).strftime("%H:%M") if (len(visit_time) == 5) else ""
        )
    except ValueError:
        visit_time = ""
    if not visit_time:
        form.error("time", "Please enter the time as HH:MM.")
    child = form.choice("child_id", "the child", child_choices())
    organisation = form.choice(
        "organisation_id",
        "an organisation",
        options("SELECT id, name FROM organisations ORDER BY name"),
        required=False,
    )
    supervisor = form.choice("supervisor_id", "a supervisor", staff_choices(), required=False)
    values = {
        "visitor_name": form.text("visitor_name", "the visitor's full name", max_length=100),
        "role": form.text("role", "their role", max_length=100),
        "purpose": form.text("purpose", "the purpose", required=False, max_length=500) or None,
    }
    # The appropriate professional is contacted with the parents' permission: a visit to a
    # child with no involvement with recorded consent goes ahead only with a reason.
    involvement = (
        involvements.consented_involvement(
            get_db(), child[0], organisation[0] if organisation else None
        )
        if child
        else None
    )
    no_consent_reason = None
    if child and involvement is None:
        no_consent_reason = form.text(
            "no_consent_reason",
            "the reason to go ahead without recorded consent",
            max_length=500,
            multiline=True,
        )
    if not form.ok:
        return bookings_page(form, 400)
    booking = people.book_visit(
        get_db(),
        actor(),
        {
            **values,
            "day": day.isoformat(),
            "time": visit_time,
            "child_id": child[0],
            "organisation_id": organisation[0] if organisation else None,
            "supervisor_id": supervisor[0] if supervisor else None,
            "involvement_id": involvement["id"] if involvement else None,
            "no_consent_reason": no_consent_reason,
        },
    )
    return redirect(url_for("admin.booking_invitation", booking_id=booking))


def invitation(booking_id: int) -> tuple[dict, str]:
    rows = list(
        get_db().query(
            "SELECT e.*, o.name AS organisation FROM expected_visits e "
            "LEFT JOIN organisations o ON o.id = e.organisation_id WHERE e.id = ?",
            [booking_id],
        )
    )
    if not rows or rows[0]["cancelled_at"]:
        abort(404)
    return rows[0], credentials.invitation_token(get_db(), rows[0]["reference_code"])


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
