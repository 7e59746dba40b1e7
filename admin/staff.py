"""The manager's staff: their records, roles, PINs and panel logins. Manager and deputy
only."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from admin.common import actor, checked, page, pairs, rooms
from doorbook import accounts, directory, people, schemas
from doorbook.db import get_db


@bp.get("/staff")
@allow(*MANAGEMENT)
def staff_list():
    return page("admin/staff.html", staff=directory.staff_list(get_db()))


def staff_page(staff_id: int | None, form: schemas.Staff | None = None, status: int = 200, **extra):
    member = None
    if staff_id:
        member = directory.staff_record(get_db(), staff_id)
        if member is None:
            abort(404)
    return page(
        "admin/staff_member.html",
        status,
        member=member,
        values=form.values if form else dict(member or {}),
        errors=form.messages if form else {},
        rooms=pairs(rooms()),
        roles=[(r, r) for r in accounts.ROLES],
        history=directory.history(get_db(), subject=("staff", staff_id)) if staff_id else [],
        **extra,
    )


@bp.get("/staff/new")
@allow(*MANAGEMENT)
def staff_new():
    return staff_page(None)


@bp.get("/staff/<int:staff_id>")
@allow(*MANAGEMENT)
def staff_edit(staff_id: int):
    return staff_page(staff_id)


@bp.post("/staff/new", endpoint="staff_create")
@bp.post("/staff/<int:staff_id>")
@allow(*MANAGEMENT)
def staff_save(staff_id: int | None = None):
    form = checked(schemas.Staff)
    if form.problems:
        return staff_page(staff_id, form, 400)
    room = form.room_id.data
    values = {
        **form.cleaned("name", "job_title", "role"),
        "room_id": room[0] if room else None,
        "safeguarding_lead": int(form.safeguarding_lead.data),
    }
    if staff_id == g.staff.id and values["role"] != g.staff.role:
        form.error("role", "You cannot change your own role; ask another manager.")
        return staff_page(staff_id, form, 400)
    try:
        staff_id = people.save_staff(get_db(), actor(), values, staff_id)
    except people.RecordProblem as problem:
        form.error("name", str(problem))
        return staff_page(staff_id, form, 409)
    flash("Saved.")
    return redirect(url_for("admin.staff_edit", staff_id=staff_id))


@bp.post("/staff/<int:staff_id>/active")
@allow(*MANAGEMENT)
def staff_active(staff_id: int):
    active = request.form.get("active") == "yes"
    if staff_id == g.staff.id and not active:
        return staff_page(staff_id, status=400, notice="You cannot disable your own account.")
    accounts.set_active(get_db(), staff_id, active, actor())
    flash("Enabled." if active else "Disabled: their sessions have ended.")
    return redirect(url_for("admin.staff_edit", staff_id=staff_id))


@bp.post("/staff/<int:staff_id>/pin")
@allow(*MANAGEMENT)
def staff_pin(staff_id: int):
    pin = people.new_pin(get_db(), actor(), staff_id=staff_id)
    return staff_page(staff_id, pin_shown=pin)


@bp.post("/staff/<int:staff_id>/login")
@allow(*MANAGEMENT)
def staff_login(staff_id: int):
    member = directory.staff_record(get_db(), staff_id)
    if member is None:
        abort(404)
    try:
        accounts.create_account(
            get_db(),
            name=member["name"],
            username=request.form.get("username", "")[:60],
            password=request.form.get("password", "")[:300],
            role=member["role"],
            actor=actor(),
        )
    except accounts.AccountProblem as problem:
        return staff_page(staff_id, login_error=str(problem), status=400)
    flash("They can now log in to the panel.")
    return redirect(url_for("admin.staff_edit", staff_id=staff_id))
