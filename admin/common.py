"""What the panel's people screens share: the page with the setting's name, the choices
of rooms, staff, children, adults and organisations (read by doorbook.directory), a posted
form checked with its record's schema, who is acting, a link's values, an uploaded photo."""

from __future__ import annotations

from typing import TypeVar

from flask import current_app, g, render_template, request

from doorbook import accounts, clock, directory, photos, schemas, settings
from doorbook.db import get_db
from doorbook.forms import Form

S = TypeVar("S", bound=schemas.Schema)


def page(template: str, status: int = 200, **context):
    context.setdefault("setting_name", settings.get(get_db(), "setting_name"))
    return render_template(template, **context), status


def options(choices: list[directory.Choice]) -> dict[str, directory.Choice]:
    """A form's choices keyed as the browser sends them back (the id as text)."""
    return {str(choice[0]): choice for choice in choices}


def rooms() -> dict[str, directory.Choice]:
    return options(directory.room_choices(get_db()))


def staff_choices() -> dict[str, directory.Choice]:
    return options(directory.staff_choices(get_db()))


def child_choices() -> dict[str, directory.Choice]:
    return options(directory.child_choices(get_db()))


def contact_choices(*, active_only: bool = False) -> dict[str, directory.Choice]:
    return options(directory.contact_choices(get_db(), active_only=active_only))


def organisation_choices() -> dict[str, directory.Choice]:
    return options(directory.organisation_choices(get_db()))


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
