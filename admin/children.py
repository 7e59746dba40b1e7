"""The manager's children: their records, their links to parents and carers, the
not-permitted list, one-off collections, and the photos staff see. Manager and deputy only
(photos: any logged-in member of staff)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, send_file, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from admin.common import (
    actor,
    history,
    link_form,
    options,
    page,
    pairs,
    rooms,
    staff_choices,
    uploaded_photo,
)
from doorbook import audit, clock, people, photos, settings
from doorbook.db import get_db
from doorbook.forms import Form


@bp.get("/children")
@allow(*MANAGEMENT)
def children():
    rows = get_db().query(
        "SELECT c.*, r.name AS room, k.name AS key_person FROM children c "
        "JOIN rooms r ON r.id = c.room_id LEFT JOIN staff k ON k.id = c.key_person_id "
        "ORDER BY c.left_on IS NOT NULL, c.first_name, c.last_name"
    )
    return page("admin/children.html", children=list(rows))


def child_form(form: Form) -> dict | None:
    values = {
        "first_name": form.text("first_name", "a first name", max_length=100),
        "last_name": form.text("last_name", "a last name", max_length=100),
        "known_as": form.text("known_as", "a known-as name", required=False, max_length=60) or None,
    }
    born = form.date("date_of_birth", "the date of birth")
    if born and not (date_bounds()[0] <= born <= clock.today()):
        form.error("date_of_birth", "That date of birth is not plausible for a child here.")
    room = form.choice("room_id", "a room", rooms())
    key_person = form.choice("key_person_id", "a key person", staff_choices(), required=False)
    values.update(
        date_of_birth=born.isoformat() if born else None,
        room_id=room[0] if room else None,
        key_person_id=key_person[0] if key_person else None,
        sen_support=int(form.flag("sen_support")),
        child_protection_plan=int(form.flag("child_protection_plan")),
    )
    return values if form.ok else None


def date_bounds():
    from datetime import date

    today = clock.today()
    return date(today.year - 19, 1, 1), today


def child_page(child_id: int | None, form: Form | None = None, status: int = 200, **extra):
    db = get_db()
    child = None
    if child_id:
        found = list(db.query("SELECT * FROM children WHERE id = ?", [child_id]))
        if not found:
            abort(404)
        child = found[0]
    values = form.values if form else dict(child or {})
    return page(
        "admin/child.html",
        status,
        child=child,
        values=values,
        errors=form.errors if form else {},
        rooms=pairs(rooms()),
        staff=pairs(staff_choices()),
        contacts=pairs(options("SELECT id, name FROM contacts ORDER BY name")),
        links=list(
            db.query(
                "SELECT cc.*, k.name, k.photo_file FROM child_contacts cc "
                "JOIN contacts k ON k.id = cc.contact_id WHERE cc.child_id = ? ORDER BY k.name",
                [child_id or 0],
            )
        ),
        not_permitted=list(
            db.query(
                "SELECT * FROM not_permitted WHERE child_id = ? AND removed_at IS NULL",
                [child_id or 0],
            )
        ),
        one_offs=list(
            db.query(
                "SELECT * FROM one_off_collections WHERE child_id = ? AND day = ? "
                "AND cancelled_at IS NULL",
                [child_id or 0, clock.today(settings.timezone(db)).isoformat()],
            )
        ),
        history=history(child_id=child_id) if child_id else [],
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
    form = Form(request.form)
    values = child_form(form)
    if values is None:
        return child_page(child_id, form, 400)
    try:
        child_id = people.save_child(get_db(), actor(), values, child_id)
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


@bp.post("/children/<int:child_id>/links")
@allow(*MANAGEMENT)
def child_link(child_id: int):
    form = Form(request.form)
    contact = form.choice(
        "contact_id",
        "a parent or carer",
        options("SELECT id, name FROM contacts ORDER BY name"),
    )
    values = link_form(form)
    if values is None or contact is None:
        return child_page(child_id, link_errors=form.errors, status=400)
    people.link(get_db(), actor(), contact_id=contact[0], child_id=child_id, **values)
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
    form = Form(request.form)
    name = form.text("name", "the person's name", max_length=100)
    description = form.text("description", "a description", required=False, max_length=500)
    reason = form.text("reason", "the reason", max_length=500)
    photo = uploaded_photo(form, "photo")
    if not form.ok:
        return child_page(
            child_id, barred_errors=form.errors, barred_values=form.values, status=400
        )
    people.add_not_permitted(
        get_db(),
        actor(),
        child_id=child_id,
        name=name,
        description=description or None,
        reason=reason,
        photo_file=photo,
    )
    flash(f"{name} is on the not-permitted list: the kiosk will stop them.")
    return redirect(url_for("admin.child_edit", child_id=child_id))


@bp.post("/not-permitted/<int:entry_id>/remove")
@allow(*MANAGEMENT)
def not_permitted_remove(entry_id: int):
    child_id = (
        get_db().execute("SELECT child_id FROM not_permitted WHERE id = ?", [entry_id]).fetchone()
    )
    if child_id is None:
        abort(404)
    people.remove_not_permitted(get_db(), actor(), entry_id)
    flash("Removed from the not-permitted list.")
    return redirect(url_for("admin.child_edit", child_id=child_id[0]))


@bp.post("/children/<int:child_id>/one-off")
@allow(*MANAGEMENT)
def child_one_off(child_id: int):
    form = Form(request.form)
    values = {
        "collector_name": form.text("collector_name", "the collector's full name", max_length=100),
        "relationship": form.text("relationship", "the relationship", required=False, max_length=60)
        or None,
        "arranged_by": form.text("arranged_by", "who arranged it", max_length=100),
        "note": form.text("note", "a note", required=False, max_length=500) or None,
    }
    if not form.ok:
        return child_page(
            child_id, one_off_errors=form.errors, one_off_values=form.values, status=400
        )
    people.add_one_off(get_db(), actor(), child_id=child_id, **values)
    flash("Arranged for today: the collector gives the family password at the kiosk.")
    return redirect(url_for("admin.child_edit", child_id=child_id))


@bp.post("/one-off/<int:entry_id>/cancel")
@allow(*MANAGEMENT)
def one_off_cancel(entry_id: int):
    row = (
        get_db()
        .execute("SELECT child_id FROM one_off_collections WHERE id = ?", [entry_id])
        .fetchone()
    )
    if row is None:
        abort(404)
    people.cancel_one_off(get_db(), actor(), entry_id)
    flash("The one-off collection is cancelled.")
    return redirect(url_for("admin.child_edit", child_id=row[0]))


@bp.get("/photos/<name>")
def photo(name: str):
    """Photos are for staff only (any logged-in role): never on the kiosk."""
    path = photos.path_of(current_app.config["DATA_DIR"], name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=0)
