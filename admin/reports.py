"""The end-of-day records in the panel: visitor log, register (with corrections), fire roll
call, audit log. Viewing or exporting any record of a child is itself audited."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, g, redirect, render_template, request, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from doorbook import (
    audit,
    clock,
    corrections,
    dashboard,
    directory,
    exports,
    not_arrived,
    room_days,
    sessions,
    settings,
)
from doorbook.db import get_db
from doorbook.forms import Form


def day_arg(name: str, default: date | None) -> date | None:
    raw = request.args.get(name, "")
    if not raw:
        return default
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        abort(400)


def today() -> date:
    return clock.today(settings.timezone(get_db()))


def viewed(what: str, first: date, last: date, fmt: str) -> None:
    audit.record(
        get_db(),
        g.staff.actor(),
        "exported" if fmt == "csv" else "viewed",
        what=what,
        first=first.isoformat(),
        last=last.isoformat(),
    )


def csv_response(data: bytes, name: str) -> Response:
    return Response(
        data, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/records/visitors")
@allow(*MANAGEMENT)
def visitor_log():
    first = day_arg("date", today())
    last = max(first, day_arg("to", first))
    if (last - first).days > 366:
        abort(400)
    db = get_db()
    rows = exports.visitor_log_rows(db, exports.visitor_log(db, first, last))
    fmt = request.args.get("format", "html")
    viewed("visitor log", first, last, fmt)
    if fmt == "csv":
        return csv_response(
            exports.to_csv(exports.VISITOR_LOG_HEADER, rows), f"visitor-log-{first}-{last}.csv"
        )
    return render_template(
        "admin/visitor_log.html",
        first=first,
        last=last,
        rows=rows,
        header=exports.VISITOR_LOG_HEADER,
        setting_name=settings.get(db, "setting_name"),
    )


def register_page(day: date, status: int = 200, **extra):
    db = get_db()
    entries = exports.register(db, day)
    follow_up_ids = [f["id"] for f in not_arrived.follow_ups_between(db, day, day)]
    return render_template(
        "admin/register.html",
        day=day,
        entries=entries,
        totals=exports.totals_by_room(entries),
        day_rooms=room_days.day_by_room(db, day),
        closed=sessions.closed_on(db, day),
        is_today=day == today(),
        forecast=[],
        follow_ups=not_arrived.follow_ups_between(db, day, day),
        calls=not_arrived.attempts_for(db, follow_up_ids),
        outcomes=not_arrived.OUTCOMES,
        ratios={},
        children=directory.child_choices(db, on=day),
        setting_name=settings.get(db, "setting_name"),
        **extra,
    ), status


@bp.get("/records/register")
def register():
    day = day_arg("date", today())
    fmt = request.args.get("format", "html")
    if fmt == "csv":
        if not g.staff.manages:
            abort(403)
        db = get_db()
        viewed("register", day, day, fmt)
        return csv_response(
            exports.to_csv(exports.REGISTER_HEADER, exports.register_table(db, day)),
            f"register-{day}.csv",
        )
    viewed("register", day, day, fmt)
    return register_page(day)


@bp.post("/records/register/<int:attendance_id>/correct")
def register_correct(attendance_id: int):
    form = Form(request.form)
    reason = form.text("reason", "the reason for the correction", max_length=300)
    which = request.form.get("field", "")
    day = day_arg("date", today())
    if not form.ok:
        return register_page(day, 400, problem=form.errors["reason"])
    try:
        done = corrections.correct_time(
            get_db(),
            attendance_id,
            which,
            request.form.get("time", "")[:5],
            reason,
            g.staff.actor(),
        )
    except corrections.CorrectionProblem as problem:
        return register_page(day, 400, problem=str(problem))
    flash(f"Corrected: {done} The original stays in the register's history.")
    return redirect(url_for("admin.register", date=day.isoformat()))


@bp.post("/records/register/add")
def register_add():
    form = Form(request.form)
    reason = form.text("reason", "the reason for the correction", max_length=300)
    day = form.date("day", "the day") or today()
    child = request.form.get("child_id", "")
    if not form.ok or not child.isdigit():
        return register_page(day, 400, problem=form.errors.get("reason", "Please choose a child."))
    try:
        corrections.add_missing_entry(
            get_db(),
            int(child),
            day,
            request.form.get("arrived", "")[:5],
            request.form.get("departed", "")[:5] or None,
            reason,
            g.staff.actor(),
        )
    except corrections.CorrectionProblem as problem:
        return register_page(day, 400, problem=str(problem))
    flash("Added to the register, shown as a correction.")
    return redirect(url_for("admin.register", date=day.isoformat()))


@bp.get("/roll-call")
def roll_call():
    db = get_db()
    audit.record(db, g.staff.actor(), "viewed", what="fire roll call")
    return render_template(
        "admin/roll_call.html",
        roll=dashboard.roll_call(db),
        setting_name=settings.get(db, "setting_name"),
    )


@bp.get("/audit")
@allow(*MANAGEMENT)
def audit_log():
    db = get_db()
    first = day_arg("from", None)
    last = day_arg("to", None)
    person = request.args.get("person", "")[:100]
    action = request.args.get("action", "")[:60]
    entries = audit.search_audit(
        db,
        first=first,
        last=last,
        person=person,
        action=action,
        tz=settings.timezone(db),
    )
    return render_template(
        "admin/audit.html",
        entries=entries,
        actions=audit.audit_actions(db),
        first=first,
        last=last,
        person=person,
        action=action,
        setting_name=settings.get(db, "setting_name"),
    )
