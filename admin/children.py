"""The manager's children: their records, their links to parents and carers, the
not-permitted list, one-off collections, and the photos staff see. Manager and deputy only
(photos: any logged-in member of staff)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, send_file, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from admin.common import (
    actor,
    checked,
    contact_choices,
    link_values,
    page,
    pairs,
    rooms,
    staff_choices,
    uploaded_photo,
)
from doorbook import audit, clock, directory, people, photos, schemas, settings
from doorbook.db import get_db
from doorbook.forms import Form


@bp.get("/children")
@allow(*MANAGEMENT)
def children():
    return page("admin/children.html", children=directory.children_list(get_db()))


def child_values(form: schemas.Child) -> dict:
    key_person = form.key_person_id.data
    return {
        "first_name": form.first_name.data,
        "last_name": form.last_name.data,
        "known_as": form.known_as.data or None,
        "date_of_birth": form.date_of_birth.data.isoformat(),
        "room_id": form.room_id.data[0],
        "key_person_id": key_person[0] if key_person else None,
        "sen_support": int(form.sen_support.data),
        "child_protection_plan": int(form.child_protection_plan.data),
    }


def child_page(child_id: int | None, form: schemas.Child | None = None, status: int = 200, **extra):
    db = get_db()
    child = None
    if child_id:
        child = directory.child_record(db, child_id)
        if child is None:
            abort(404)
    values = form.values if form else dict(child or {})
    return page(
        "admin/child.html",
        status,
        child=child,
        values=values,
        errors=form.messages if form else {},
        rooms=pairs(rooms()),
        staff=pairs(staff_choices()),
        contacts=pairs(contact_choices()),
        links=directory.child_links(db, child_id or 0),
        not_permitted=directory.not_permitted(db, child_id or 0),
        one_offs=directory.one_offs_today(db, child_id or 0),
        history=directory.history(db, child_id=child_id) if child_id else [],
        **extra,
    )


@bp.get("/children/new")
@allow(*MANAGEMENT)
def child_new():
    return child_page(None)


@bp.get("/children/<int:child_id>")
@allow(*MANAGEMENT)
def child_edit(child_id: int):
    audit.record(
        get_db(),
        actor(),
        "viewed",
        subject_kind="children",
        subject_id=child_id,
        child_id=child_id,
        what="child record",
    )
    return child_page(child_id)


@bp.post("/children/new", endpoint="child_create")
@bp.post("/children/<int:child_id>")
@allow(*MANAGEMENT)
def child_save(child_id: int | None = None):
    form = checked(schemas.Child)
    if form.problems:
        return child_page(child_id, form, 400)
    try:
        child_id = people.save_child(get_db(), actor(), child_values(form), child_id)
    except people.RecordProblem as problem:
        form.error("first_name", str(problem))
        return child_page(child_id, form, 409)
    flash("Saved.")
    return redirect(url_for("admin.child_edit", child_id=child_id))


@bp.post("/children/<int:child_id>/password")
@allow(*MANAGEMENT)
def child_password(child_id: int):
    password = request.form.get("password", "")
    try:
        people.set_collection_password(get_db(), child_id, password, actor())
    except people.RecordProblem as problem:
        return child_page(child_id, password_error=str(problem), status=400)
    return child_page(child_id, password_shown=password)


@bp.post("/children/<int:child_id>/leave")
@allow(*MANAGEMENT)
def child_leave(child_id: int):
    form = Form(request.form)
    left_on = form.date("left_on", "the leaving date")
    if not form.ok:
        return child_page(child_id, leave_error=form.errors["left_on"], status=400)
    people.child_leaves(get_db(), child_id, left_on, actor())
    flash(f"Leaving date saved: {left_on.isoformat()}.")
    return redirect(url_for("admin.child_edit", child_id=child_id))


class ChildLink(schemas.Link):
    """A link made from the child's page: the adult is chosen from the list."""

    contact_id = schemas.Pick("a parent or carer")


@bp.post("/children/<int:child_id>/links")
@allow(*MANAGEMENT)
def child_link(child_id: int):
    form = checked(ChildLink, given={"child_id": child_id})
    if form.problems:
        return child_page(child_id, link_errors=form.messages, status=400)
    people.link(
        get_db(),
        actor(),
        contact_id=form.contact_id.data[0],
        child_id=child_id,
        **link_values(form),
    )
    flash("Saved: who may collect is updated at the kiosk at once.")
    return redirect(url_for("admin.child_edit", child_id=child_id))


@bp.post("/children/<int:child_id>/links/<int:contact_id>/remove")
@allow(*MANAGEMENT)
def child_unlink(child_id: int, contact_id: int):
    people.unlink(get_db(), actor(), contact_id=contact_id, child_id=child_id)
    flash("Link removed.")
    return redirect(url_for("admin.child_edit", child_id=child_id))


@bp.post("/children/<int:child_id>/not-permitted")
@allow(*MANAGEMENT)
def child_not_permitted(child_id: int):
    form = checked(schemas.NotPermitted, given={"child_id": child_id})
    photo = uploaded_photo(form, "photo")
    if form.problems:
        return child_page(
            child_id, barred_errors=form.messages, barred_values=form.values, status=400
        )
    name = form.name.data
    people.add_not_permitted(
        get_db(),
        actor(),
        child_id=child_id,
        name=name,
        description=form.description.data or None,
        reason=form.reason.data,
        photo_file=photo,
    )
    flash(f"{name} is on the not-permitted list: the kiosk will stop them.")
    return redirect(url_for("admin.child_edit", child_id=child_id))


@bp.post("/not-permitted/<int:entry_id>/remove")
@allow(*MANAGEMENT)
def not_permitted_remove(entry_id: int):
    child_id = directory.child_of_not_permitted(get_db(), entry_id)
    if child_id is None:
        abort(404)
    people.remove_not_permitted(get_db(), actor(), entry_id)
    flash("Removed from the not-permitted list.")
    return redirect(url_for("admin.child_edit", child_id=child_id))


@bp.post("/children/<int:child_id>/one-off")
@allow(*MANAGEMENT)
def child_one_off(child_id: int):
    # The panel arranges today's (a parent phoned); a CSV may load the coming days'.
    today = clock.today(settings.timezone(get_db())).isoformat()
    form = checked(schemas.OneOff, given={"child_id": child_id, "day": today})
    if form.problems:
        return child_page(
            child_id, one_off_errors=form.messages, one_off_values=form.values, status=400
        )
    people.add_one_off(
        get_db(),
        actor(),
        child_id=child_id,
        **form.cleaned("collector_name", "relationship", "arranged_by", "note"),
    )
    flash("Arranged for today: the collector gives the family password at the kiosk.")
    return redirect(url_for("admin.child_edit", child_id=child_id))


@bp.post("/one-off/<int:entry_id>/cancel")
@allow(*MANAGEMENT)
def one_off_cancel(entry_id: int):
    child_id = directory.child_of_one_off(get_db(), entry_id)
    if child_id is None:
        abort(404)
    people.cancel_one_off(get_db(), actor(), entry_id)
    flash("The one-off collection is cancelled.")
    return redirect(url_for("admin.child_edit", child_id=child_id))


@bp.get("/photos/<name>")
def photo(name: str):
    """Photos are for staff only (any logged-in role): never on the kiosk."""
    path = photos.path_of(current_app.config["DATA_DIR"], name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=0)
