"""What the panel's people screens share: the page with the setting's name, the choices
of rooms, staff and children, who is acting, a record's history, a link's form, an uploaded
photo."""

from __future__ import annotations

from typing import TypeVar

from flask import current_app, g, render_template, request

from doorbook import accounts, clock, photos, schemas, settings
from doorbook.db import get_db
from doorbook.forms import Form

S = TypeVar("S", bound=schemas.Schema)


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


def contact_choices() -> dict:
    return options("SELECT id, name FROM contacts ORDER BY name")


def organisation_choices() -> dict:
    return options("SELECT id, name FROM organisations ORDER BY name")


# The lists a panel form's choices must be in, by field name: read when a form has the field.
CHOICES = {
    "room_id": rooms,
    "key_person_id": staff_choices,
    "supervisor_id": staff_choices,
    "child_id": child_choices,
    "contact_id": contact_choices,
    "organisation_id": organisation_choices,
    "role": lambda: {role: role for role in accounts.ROLES},
}


def checked(schema: type[S], given: dict | None = None, **kwargs) -> S:
    """The posted form checked with its record's schema (the one the CSV import and the
    kiosk use too), against the panel's lists and the setting's today. ``given``: what the
    page's address says, such as the child whose page it is."""
    data = request.form.copy()
    choices = dict(CHOICES)
    for name, value in (given or {}).items():
        data[name] = str(value)
        choices[name] = {str(value): (value, "")}
    form = schema(data, today=clock.today(settings.timezone(get_db())), choices=choices, **kwargs)
    form.check()
    return form


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


def link_values(form: schemas.Link) -> dict:
    return {
        "relationship": form.relationship.data,
        "parental_responsibility": form.parental_responsibility.data,
        "may_collect": form.may_collect.data,
    }


def uploaded_photo(form: Form | schemas.Schema, field: str) -> str | None:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    try:
        return photos.store(current_app.config["DATA_DIR"], upload.read(photos.MAX_BYTES + 1))
    except photos.PhotoProblem as problem:
        form.error(field, str(problem))
        return None
