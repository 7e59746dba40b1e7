"""The manager's records: children, parents and carers and their authorisations, staff,
organisations, bookings, cards and import. Manager and deputy only."""

from __future__ import annotations

import io

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from admin import bp
from admin.auth import MANAGEMENT, allow
from doorbook import (
    accounts,
    audit,
    cards,
    clock,
    credentials,
    importer,
    involvements,
    people,
    photos,
    qr,
    settings,
)
from doorbook.db import get_db
from doorbook.forms import Form
from doorbook.languages import LANGUAGES


def page(template: str, status: int = 200, **context):
    context.setdefault("setting_name", settings.get(get_db(), "setting_name"))
    return render_template(template, **context), status


def options(sql: str, params=()) -> dict[str, tuple[int, str]]:
    return {str(row[0]): (row[0], row[1]) for row in get_db().execute(sql, params).fetchall()}


def rooms() -> dict:
    return options("SELECT id, name FROM rooms WHERE active = 1 ORDER BY id")


def staff_choices() -> dict:
    return options("SELECT id, name FROM staff WHERE active = 1 ORDER BY name")


def child_choices() -> dict:
    today = clock.today(settings.timezone(get_db())).isoformat()
    return options(
        "SELECT id, first_name || ' ' || last_name FROM children "
        "WHERE left_on IS NULL OR left_on > ? ORDER BY first_name, last_name",
        [today],
    )


def pairs(choices: dict) -> list[tuple[int, str]]:
    return [value for value in choices.values()]


def actor():
    return g.staff.actor()


def history(*, child_id: int | None = None, subject: tuple[str, int] | None = None) -> list[dict]:
    """A record's recent history: everything about a child, or about one subject (a kind of
    record and its id: an adult's entries are not a complaint's that has the same number)."""
    if child_id is not None:
        where, params = "child_id = ?", [child_id]
    else:
        kind, subject_id = subject
        owner = {"contacts": "$.contact_id", "staff": "$.staff_id"}[kind]  # e.g. a QR card
        where = "((subject_kind = ? AND subject_id = ?) OR json_extract(details, ?) = ?)"
        params = [kind, subject_id, owner, subject_id]
    return list(
        get_db().query(
            f"SELECT * FROM audit_log WHERE {where} AND action NOT IN "  # noqa: S608
            "('signed_in', 'signed_out', 'alert_raised', 'alert_resolved') "
            "ORDER BY id DESC LIMIT 30",
            params,
        )
    )


# ---- Children ----


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


def link_form(form: Form) -> dict | None:
    values = {
        "relationship": form.text("relationship", "the relationship", max_length=60),
        "parental_responsibility": form.flag("parental_responsibility"),
        "may_collect": form.flag("may_collect"),
    }
    return values if form.ok else None


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


def uploaded_photo(form: Form, field: str) -> str | None:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    try:
        return photos.store(current_app.config["DATA_DIR"], upload.read(photos.MAX_BYTES + 1))
    except photos.PhotoProblem as problem:
        form.error(field, str(problem))
        return None


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


# ---- Parents and carers ----


@bp.get("/contacts")
@allow(*MANAGEMENT)
def contacts():
    rows = get_db().query(
        "SELECT k.*, group_concat(c.first_name || ' ' || c.last_name || ' (' || cc.relationship "
        "|| CASE WHEN cc.may_collect THEN ', may collect' ELSE ', may not collect' END || ')', "
        "'; ') AS children FROM contacts k LEFT JOIN child_contacts cc ON cc.contact_id = k.id "
        "LEFT JOIN children c ON c.id = cc.child_id GROUP BY k.id ORDER BY k.name"
    )
    return page("admin/contacts.html", contacts=list(rows))


def contact_page(contact_id: int | None, form: Form | None = None, status: int = 200, **extra):
    db = get_db()
    contact = None
    if contact_id:
        found = list(db.query("SELECT * FROM contacts WHERE id = ?", [contact_id]))
        if not found:
            abort(404)
        contact = found[0]
    return page(
        "admin/contact.html",
        status,
        contact=contact,
        values=form.values if form else dict(contact or {}),
        errors=form.errors if form else {},
        languages=list(LANGUAGES.items()),
        children=pairs(child_choices()),
        links=list(
            db.query(
                "SELECT cc.*, c.first_name, c.last_name FROM child_contacts cc "
                "JOIN children c ON c.id = cc.child_id WHERE cc.contact_id = ?",
                [contact_id or 0],
            )
        ),
        card=db.execute(
            "SELECT id, created_at FROM credentials WHERE kind = 'qr_card' AND contact_id = ? "
            "AND revoked_at IS NULL",
            [contact_id or 0],
        ).fetchone(),
        has_pin=bool(
            db.execute(
                "SELECT 1 FROM credentials WHERE kind = 'pin' AND contact_id = ? "
                "AND revoked_at IS NULL",
                [contact_id or 0],
            ).fetchone()
        ),
        history=history(subject=("contacts", contact_id)) if contact_id else [],
        **extra,
    )


@bp.get("/contacts/new")
@allow(*MANAGEMENT)
def contact_new():
    return contact_page(None)


@bp.get("/contacts/<int:contact_id>")
@allow(*MANAGEMENT)
def contact_edit(contact_id: int):
    return contact_page(contact_id)


@bp.post("/contacts/new", endpoint="contact_create")
@bp.post("/contacts/<int:contact_id>")
@allow(*MANAGEMENT)
def contact_save(contact_id: int | None = None):
    form = Form(request.form)
    values = {
        "name": form.text("name", "their full name", max_length=100),
        "phone": form.text("phone", "a phone number", required=False, max_length=30) or None,
    }
    language = form.choice("language", "a language", {k: k for k in LANGUAGES})
    values["language"] = language
    photo = uploaded_photo(form, "photo")
    if photo:
        values["photo_file"] = photo
    if not form.ok:
        return contact_page(contact_id, form, 400)
    try:
        contact_id = people.save_contact(get_db(), actor(), values, contact_id)
    except people.RecordProblem as problem:
        form.error("name", str(problem))
        return contact_page(contact_id, form, 409)
    flash("Saved.")
    return redirect(url_for("admin.contact_edit", contact_id=contact_id))


@bp.post("/contacts/<int:contact_id>/links")
@allow(*MANAGEMENT)
def contact_link(contact_id: int):
    form = Form(request.form)
    child = form.choice("child_id", "a child", child_choices())
    values = link_form(form)
    if values is None or child is None:
        return contact_page(contact_id, link_errors=form.errors, status=400)
    people.link(get_db(), actor(), contact_id=contact_id, child_id=child[0], **values)
    flash("Saved: who may collect is updated at the kiosk at once.")
    return redirect(url_for("admin.contact_edit", contact_id=contact_id))


@bp.post("/contacts/<int:contact_id>/pin")
@allow(*MANAGEMENT)
def contact_pin(contact_id: int):
    pin = people.new_pin(get_db(), actor(), contact_id=contact_id)
    return contact_page(contact_id, pin_shown=pin)


@bp.post("/contacts/<int:contact_id>/card")
@allow(*MANAGEMENT)
def contact_card(contact_id: int):
    contact = list(get_db().query("SELECT name FROM contacts WHERE id = ?", [contact_id]))
    if not contact:
        abort(404)
    token = cards.issue(get_db(), contact_id=contact_id, actor=actor())
    return page(
        "print/card.html",
        name=contact[0]["name"],
        qr_code=qr.svg(token),
        back=url_for("admin.contact_edit", contact_id=contact_id),
    )


@bp.post("/contacts/<int:contact_id>/card/revoke")
@allow(*MANAGEMENT)
def contact_card_revoke(contact_id: int):
    card = (
        get_db()
        .execute(
            "SELECT id FROM credentials WHERE kind = 'qr_card' AND contact_id = ? "
            "AND revoked_at IS NULL",
            [contact_id],
        )
        .fetchone()
    )
    if card:
        cards.revoke(get_db(), card[0], actor=actor())
        flash("The QR card is revoked: it no longer works at the kiosk.")
    return redirect(url_for("admin.contact_edit", contact_id=contact_id))


@bp.get("/photos/<name>")
def photo(name: str):
    """Photos are for staff only (any logged-in role): never on the kiosk."""
    path = photos.path_of(current_app.config["DATA_DIR"], name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=0)


# ---- Staff ----


@bp.get("/staff")
@allow(*MANAGEMENT)
def staff_list():
    rows = get_db().query(
        "SELECT s.*, r.name AS room FROM staff s LEFT JOIN rooms r ON r.id = s.room_id "
        "ORDER BY s.active DESC, s.name"
    )
    return page("admin/staff.html", staff=list(rows))


ROLE_CHOICES = {role: role for role in accounts.ROLES}


def staff_page(staff_id: int | None, form: Form | None = None, status: int = 200, **extra):
    member = None
    if staff_id:
        found = list(get_db().query("SELECT * FROM staff WHERE id = ?", [staff_id]))
        if not found:
            abort(404)
        member = found[0]
    return page(
        "admin/staff_member.html",
        status,
        member=member,
        values=form.values if form else dict(member or {}),
        errors=form.errors if form else {},
        rooms=pairs(rooms()),
        roles=[(r, r) for r in accounts.ROLES],
        history=history(subject=("staff", staff_id)) if staff_id else [],
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
    form = Form(request.form)
    room = form.choice("room_id", "a room", rooms(), required=False)
    values = {
        "name": form.text("name", "their full name", max_length=100),
        "job_title": form.text("job_title", "their job title", max_length=60),
        "role": form.choice("role", "what the panel lets them do", ROLE_CHOICES),
        "room_id": room[0] if room else None,
    }
    if not form.ok:
        return staff_page(staff_id, form, 400)
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
    member = list(get_db().query("SELECT name, role FROM staff WHERE id = ?", [staff_id]))
    if not member:
        abort(404)
    try:
        accounts.create_account(
            get_db(),
            name=member[0]["name"],
            username=request.form.get("username", "")[:60],
            password=request.form.get("password", "")[:300],
            role=member[0]["role"],
            actor=actor(),
        )
    except accounts.AccountProblem as problem:
        return staff_page(staff_id, login_error=str(problem), status=400)
    flash("They can now log in to the panel.")
    return redirect(url_for("admin.staff_edit", staff_id=staff_id))


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


# ---- Import ----


@bp.get("/import")
@allow(*MANAGEMENT)
def import_files():
    return page("admin/import.html", problems=[], counts=None)


@bp.post("/import")
@allow(*MANAGEMENT)
def import_upload():
    files: dict[str, list[importer.Row]] = {}
    problems: list[str] = []
    for upload in request.files.getlist("files"):
        name = (upload.filename or "").rsplit("/", 1)[-1]
        if name not in importer.FILES:
            if name:
                problems.append(f"{name[:60]}: not one of {', '.join(importer.FILES)}")
            continue
        rows, file_problems = importer.read_csv(
            name, upload.read(importer.MAX_FILE_BYTES + 1), importer.FILES[name][0]
        )
        files[name] = rows
        problems += file_problems
    if not files and not problems:
        problems.append("Please choose one or more CSV files.")
    counts = None
    if not problems:
        try:
            counts = importer.import_files(get_db(), files, actor(), source="admin upload")
        except importer.ImportProblems as error:
            problems = error.problems
    return page("admin/import.html", 400 if problems else 200, problems=problems, counts=counts)


# ---- Kiosks ----


@bp.get("/kiosks")
@allow(*MANAGEMENT)
def kiosk_devices(**extra):
    from doorbook import kiosks

    return page("admin/kiosks.html", devices=kiosks.devices(get_db()), **extra)


@bp.post("/kiosks")
@allow(*MANAGEMENT)
def kiosk_enrol():
    from doorbook import kiosks

    try:
        enrolment = kiosks.start_enrolment(get_db(), request.form.get("name", "")[:300], actor())
    except kiosks.KioskProblem as problem:
        return kiosk_devices(error=str(problem))
    return kiosk_devices(code=enrolment.code)


@bp.post("/kiosks/<int:device_id>/revoke")
@allow(*MANAGEMENT)
def kiosk_revoke(device_id: int):
    from doorbook import kiosks

    kiosks.revoke(get_db(), device_id, actor())
    flash("Revoked: that device is refused kiosk pages from now on.")
    return redirect(url_for("admin.kiosk_devices"))
