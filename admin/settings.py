"""The Settings page: every setting declared in doorbook/settings.py, changed by the manager
or deputy, validated there and audited old -> new. Manager and deputy only."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from doorbook import settings, uncollected
from doorbook.db import get_db


def settings_form(values: dict, errors: dict, status: int = 200):
    db = get_db()
    return (
        render_template(
            "admin/settings.html",
            setting_name=settings.get(db, "setting_name"),
            sections=settings.sections(),
            values=values,
            errors=errors,
            defaults=settings.DEFAULTS,
            time_zones=settings.time_zones(),
        ),
        status,
    )


@bp.get("/settings")
@allow(*MANAGEMENT)
def settings_page():
    return settings_form(dict(settings.all_settings(get_db())), {})


@bp.post("/settings")
@allow(*MANAGEMENT)
def settings_save():
    db = get_db()
    # Only the settings on the page are read; a missing field leaves its setting alone.
    asked = {key: request.form[key] for key in settings.DECLARED if key in request.form}
    try:
        changed = settings.change(db, g.staff.actor(), asked)
    except settings.SettingProblems as problems:
        values = {**settings.all_settings(db), **asked}
        return settings_form(values, problems.problems, 400)
    if {"closing_time", "timezone"} & {key for key, _old, _new in changed}:
        uncollected.check(db)  # the uncollected-child procedure follows the new time at once
    if changed:
        flash(
            "Saved: "
            + "; ".join(
                f"{settings.DECLARED[key].label} {old or '(empty)'} → {new or '(empty)'}"
                for key, old, new in changed
            )
            + "."
        )
    else:
        flash("Nothing was changed.")
    return redirect(url_for("admin.settings_page"))
