"""What the panel's people screens share: the page with the setting's name, the choices
of rooms, staff and children, who is acting, a record's history, a link's form, an uploaded
photo."""

from __future__ import annotations

from flask import current_app, g, render_template, request

from doorbook import clock, photos, settings
from doorbook.db import get_db
from doorbook.forms import Form


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


def link_form(form: Form) -> dict | None:
    values = {
        "relationship": form.text("relationship", "the relationship", max_length=60),
        "parental_responsibility": form.flag("parental_responsibility"),
        "may_collect": form.flag("may_collect"),
    }
    return values if form.ok else None


def uploaded_photo(form: Form, field: str) -> str | None:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    try:
        return photos.store(current_app.config["DATA_DIR"], upload.read(photos.MAX_BYTES + 1))
    except photos.PhotoProblem as problem:
        form.error(field, str(problem))
        return None
