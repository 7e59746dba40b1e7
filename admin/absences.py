"""Absences in the panel (EYFS 2025, 3.11-3.12): who is expected, phoned-in absences, the
follow-up of a child not arrived (each call logged), the DSL's report of prolonged and
repeated absence, closure days and terms, each child's booked sessions and emergency
contacts, and the attendance policy shared with families."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

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
from admin.auth import MANAGEMENT, SAFEGUARDING_LEAD, allow
from admin.common import options
from doorbook import (
    absences,
    attendance_policies,
    audit,
    clock,
    dashboard,
    directory,
    emergency_contacts,
    not_arrived,
    room_days,
    sessions,
    settings,
    text,
)
from doorbook.db import get_db
from doorbook.forms import Form

MAX_RANGE_DAYS = 60


def today() -> date:
    return clock.today(settings.timezone(get_db()))


def page(template: str, status: int = 200, **context):
    context.setdefault("setting_name", settings.get(get_db(), "setting_name"))
    return render_template(template, **context), status


def expected_context(day: date, with_forecast: bool) -> dict:
    db = get_db()
    return {
        "day": day,
        "is_today": day == today(),
        "day_rooms": room_days.day_by_room(db, day),
        "closed": sessions.closed_on(db, day),
        "forecast": room_days.forecast(db) if with_forecast else [],
        "ratios": dashboard.EYFS_RATIOS,
    }


@bp.get("/parts/expected")
def expected_fragment():
    return render_template("admin/_expected.html", **expected_context(today(), True))


def child_options() -> dict[str, tuple[int, str]]:
    return options(directory.child_choices(get_db()))


# ---- Absences: the day's picture, phoned-in absences, open follow-ups ----


def absences_page(form: Form | None = None, status: int = 200, **extra):
    db = get_db()
    return page(
        "admin/absences.html",
        status,
        open_follow_ups=not_arrived.open_follow_ups(db),
        upcoming=absences.absences_between(db, today(), today() + timedelta(days=MAX_RANGE_DAYS)),
        children=list(child_options().values()),
        reasons=absences.REASONS,
        values=form.values if form else {"first": today().isoformat()},
        errors=form.errors if form else {},
        short=emergency_contacts.short_of_emergency_contacts(db) if g.staff.manages else [],
        is_lead=not_arrived.is_safeguarding_lead(db, g.staff.id),
        **expected_context(today(), False),
        **extra,
    )


@bp.get("/absences")
def absences_list():
    return absences_page()


@bp.post("/absences")
def absence_record():
    form = Form(request.form)
    child = form.choice("child_id", "the child", child_options())
    first = form.date("first", "the first day absent")
    last = form.date("last", "the last day absent", required=False) or first
    reason = form.choice("reason", "a reason", {k: k for k in absences.REASONS})
    reported_by = form.text("reported_by", "who told you", max_length=text.NAME_MAX)
    note = form.text("note", "a note", required=False, max_length=text.NOTE_MAX)
    if first and last and (last < first or (last - first).days > MAX_RANGE_DAYS):
        form.error(
            "last", f"The last day must be on or after the first, within {MAX_RANGE_DAYS} days."
        )
    if first and first < today() - timedelta(days=MAX_RANGE_DAYS):
        form.error("first", "That day is too long ago to record an absence for.")
    if not form.ok:
        return absences_page(form, 400)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    calendar = sessions.Calendar(get_db(), first, last)
    booked = [d for d in days if child[0] in calendar.expected(d)]
    if not booked:
        form.error("first", f"{child[1]} is not booked on any of those days.")
        return absences_page(form, 400)
    absences.report(
        get_db(),
        g.staff.actor(),
        child[0],
        booked,
        reason,
        via="phone",
        note=note or None,
        reported_by=reported_by,
    )
    flash(
        f"Recorded: {child[1]} absent ({absences.REASONS[reason]}) on "
        + ", ".join(d.isoformat() for d in booked)
        + "."
    )
    return redirect(url_for("admin.absences_list"))


@bp.post("/absences/<int:absence_id>/cancel")
def absence_cancel(absence_id: int):
    try:
        absences.cancel(get_db(), g.staff.actor(), absence_id)
    except absences.AbsenceProblem as problem:
        return absences_page(problem=str(problem), status=409)
    flash("The absence is cancelled: the child is expected again.")
    return redirect(url_for("admin.absences_list"))


# ---- A follow-up: the policy's steps, each call logged ----


def follow_up_page(follow_up_id: int, status: int = 200, **extra):
    db = get_db()
    try:
        follow_up = not_arrived.follow_up(db, follow_up_id)
    except absences.AbsenceProblem:
        abort(404)
    return page(
        "admin/follow_up.html",
        status,
        f=follow_up,
        outcomes=not_arrived.OUTCOMES,
        reasons=absences.REASONS,
        is_lead=not_arrived.is_safeguarding_lead(db, g.staff.id),
        leads=not_arrived.safeguarding_leads(db),
        **extra,
    )


@bp.get("/absences/alert/<int:alert_id>")
def follow_up_for_alert(alert_id: int):
    """From a *not arrived* alert on the dashboard to its follow-up."""
    follow_up_id = not_arrived.follow_up_of_alert(get_db(), alert_id)
    if follow_up_id is None:
        abort(404)
    return redirect(url_for("admin.follow_up", follow_up_id=follow_up_id))


@bp.get("/absences/follow-up/<int:follow_up_id>")
def follow_up(follow_up_id: int):
    audit.record(
        get_db(), g.staff.actor(), "viewed", subject_kind="follow_ups", subject_id=follow_up_id
    )
    return follow_up_page(follow_up_id)


@bp.post("/absences/follow-up/<int:follow_up_id>/attempt")
def follow_up_attempt(follow_up_id: int):
    form = Form(request.form)
    contact = (request.form.get("contact_id") or "")[:12]
    outcome = request.form.get("outcome", "")
    note = form.text("note", "a note", required=False, max_length=text.NOTE_MAX)
    if not form.ok:
        return follow_up_page(follow_up_id, 400, problem=form.errors["note"])
    if not contact.isdigit():
        return follow_up_page(follow_up_id, 400, problem="Please choose whom you rang.")
    try:
        not_arrived.log_attempt(
            get_db(), g.staff.actor(), follow_up_id, int(contact), outcome, note
        )
    except absences.AbsenceProblem as problem:
        return follow_up_page(follow_up_id, 400, problem=str(problem))
    flash("Call logged.")
    return redirect(url_for("admin.follow_up", follow_up_id=follow_up_id))


@bp.post("/absences/follow-up/<int:follow_up_id>/reason")
def follow_up_reason(follow_up_id: int):
    db = get_db()
    form = Form(request.form)
    reason = form.choice("reason", "a reason", {k: k for k in absences.REASONS})
    reported_by = form.text("reported_by", "who gave the reason", max_length=text.NAME_MAX)
    note = form.text("note", "a note", required=False, max_length=text.NOTE_MAX)
    if not form.ok:
        return follow_up_page(follow_up_id, 400, problem=" ".join(form.errors.values()))
    try:
        row = not_arrived.follow_up(db, follow_up_id).row
    except absences.AbsenceProblem:
        abort(404)
    if row["ended_at"]:
        return follow_up_page(follow_up_id, 409, problem="This follow-up has already ended.")
    absences.report(
        db,
        g.staff.actor(),
        row["child_id"],
        [date.fromisoformat(row["day"])],
        reason,
        via="phone",
        note=note or None,
        reported_by=reported_by,
    )
    flash("Absence recorded: the follow-up has ended.")
    return redirect(url_for("admin.follow_up", follow_up_id=follow_up_id))


@bp.post("/absences/follow-up/<int:follow_up_id>/close")
def follow_up_close(follow_up_id: int):
    form = Form(request.form)
    note = form.text("note", "a note of what was decided", max_length=text.NOTE_MAX, multiline=True)
    if not form.ok:
        return follow_up_page(follow_up_id, 400, problem=form.errors["note"])
    try:
        not_arrived.close(get_db(), g.staff.actor(), follow_up_id, note)
    except absences.AbsenceProblem as problem:
        return follow_up_page(
            follow_up_id, 403 if "Only" in str(problem) else 409, problem=str(problem)
        )
    flash("The follow-up is closed.")
    return redirect(url_for("admin.follow_up", follow_up_id=follow_up_id))


# ---- The DSL's report ----


@bp.get("/absences/report")
@allow(SAFEGUARDING_LEAD)
def absence_report():
    db = get_db()
    audit.record(db, g.staff.actor(), "viewed", what="prolonged and repeated absence report")
    return page(
        "admin/absence_report.html",
        records=absences.prolonged_and_repeated(db),
        consecutive=settings.get_int(db, "prolonged_absence_sessions"),
        percent=settings.get_int(db, "repeated_absence_percent"),
        weeks=absences.REPORT_WEEKS,
        today=today(),
    )


# ---- Closure days and terms ----


def calendar_page(form: Form | None = None, status: int = 200, **extra):
    db = get_db()
    return page(
        "admin/absence_calendar.html",
        status,
        closures=sessions.closures(db, today() - timedelta(days=31), today() + timedelta(days=400)),
        terms=sessions.terms(db),
        values=form.values if form else {},
        errors=form.errors if form else {},
        **extra,
    )


@bp.get("/absences/calendar")
@allow(*MANAGEMENT)
def absence_calendar():
    return calendar_page()


@bp.post("/absences/closures")
@allow(*MANAGEMENT)
def closure_add():
    form = Form(request.form)
    day = form.date("closure_day", "the closure day")
    reason = form.text("closure_reason", "the reason (e.g. INSET day)", max_length=100)
    if not form.ok:
        return calendar_page(form, 400)
    try:
        sessions.add_closure(get_db(), g.staff.actor(), day, reason)
    except sessions.SessionProblem as problem:
        form.error("closure_day", str(problem))
        return calendar_page(form, 409)
    flash(f"Closed on {day.isoformat()}: nobody is expected, nothing is chased.")
    return redirect(url_for("admin.absence_calendar"))


@bp.post("/absences/closures/<int:closure_id>/remove")
@allow(*MANAGEMENT)
def closure_remove(closure_id: int):
    sessions.remove_closure(get_db(), g.staff.actor(), closure_id)
    flash("Closure day removed.")
    return redirect(url_for("admin.absence_calendar"))


@bp.post("/absences/terms")
@allow(*MANAGEMENT)
def term_add():
    form = Form(request.form)
    name = form.text("term_name", "the term's name", max_length=60)
    first = form.date("term_start", "the first day of term")
    last = form.date("term_end", "the last day of term")
    if form.ok and last < first:
        form.error("term_end", "The last day must be on or after the first.")
    if not form.ok:
        return calendar_page(form, 400)
    sessions.add_term(get_db(), g.staff.actor(), name, first, last)
    flash(f"Term added: {name}.")
    return redirect(url_for("admin.absence_calendar"))


@bp.post("/absences/terms/<int:term_id>/remove")
@allow(*MANAGEMENT)
def term_remove(term_id: int):
    sessions.remove_term(get_db(), g.staff.actor(), term_id)
    flash("Term removed.")
    return redirect(url_for("admin.absence_calendar"))


# ---- The attendance policy ----


def data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


def policy_page(status: int = 200, **extra):
    db = get_db()
    return page(
        "admin/attendance_policy.html",
        status,
        policy=attendance_policies.current_policy(db),
        families=attendance_policies.families(db),
        asking=settings.get(db, "ask_parents_to_confirm_policy") == "yes",
        today=today(),
        **extra,
    )


@bp.get("/absences/policy")
@allow(*MANAGEMENT)
def attendance_policy():
    return policy_page()


@bp.post("/absences/policy")
@allow(*MANAGEMENT)
def attendance_policy_upload():
    upload = request.files.get("policy")
    data = upload.read(attendance_policies.POLICY_MAX_BYTES + 1) if upload else b""
    try:
        attendance_policies.save_policy(get_db(), g.staff.actor(), data, data_dir())
    except absences.AbsenceProblem as problem:
        return policy_page(400, problem=str(problem))
    flash("Attendance policy uploaded. Record when each family is given it.")
    return redirect(url_for("admin.attendance_policy"))


@bp.get("/absences/policy.pdf")
@allow(*MANAGEMENT)
def attendance_policy_file():
    policy = attendance_policies.current_policy(get_db())
    if policy is None:
        abort(404)
    return send_file(
        attendance_policies.policy_path(data_dir(), policy),
        mimetype="application/pdf",
        download_name="attendance-policy.pdf",
    )


@bp.post("/absences/policy/given")
@allow(*MANAGEMENT)
def attendance_policy_given():
    form = Form(request.form)
    given_on = form.date("given_on", "the date it was given")
    contact = (request.form.get("contact_id") or "")[:12]
    families = {str(f["id"]): f for f in attendance_policies.families(get_db())}
    if contact not in families:
        form.error("contact_id", "Please choose a parent or carer from the list.")
    if not form.ok:
        return policy_page(400, problem=" ".join(form.errors.values()))
    try:
        attendance_policies.record_policy_given(
            get_db(), g.staff.actor(), int(contact), given_on, "panel"
        )
    except absences.AbsenceProblem as problem:
        return policy_page(400, problem=str(problem))
    flash(f"Recorded: {families[contact]['name']} was given the policy on {given_on.isoformat()}.")
    return redirect(url_for("admin.attendance_policy"))


# ---- A child's booked sessions, one-off changes, emergency contacts, absences ----


def child_row(child_id: int) -> dict:
    child = directory.child_record(get_db(), child_id)
    if child is None:
        abort(404)
    return child


def child_attendance_page(child_id: int, status: int = 200, form: Form | None = None, **extra):
    db = get_db()
    child = child_row(child_id)
    pattern = sessions.current_pattern(db, child_id)
    values = {
        "pattern": sessions.format_pattern([(r["weekday"], r["session"]) for r in pattern]),
        "starts_on": pattern[0]["starts_on"] if pattern else today().isoformat(),
        "ends_on": (pattern[0]["ends_on"] or "") if pattern else "",
        "term_time_only": bool(pattern and pattern[0]["term_time_only"]),
    }
    if form:
        values.update(form.values)
    follow_ups = not_arrived.follow_ups_between(db, today() - timedelta(days=365), today())
    follow_ups = [f for f in follow_ups if f["child_id"] == child_id]
    return page(
        "admin/child_attendance.html",
        status,
        child=child,
        values=values,
        errors=form.errors if form else {},
        session_names=[(k, sessions.describe(k)) for k in sessions.SESSIONS],
        session_times={k: settings.get(db, v[0]) for k, v in sessions.SESSIONS.items()},
        pattern_format=sessions.PATTERN_FORMAT,
        upcoming=sessions.upcoming(db, child_id, count=10),
        changes=sessions.changes_for(db, child_id, today()),
        callers=not_arrived.callers(db, child_id),
        others=emergency_contacts.could_be_emergency_contacts(db, child_id),
        absence_history=absences.absences_for_child(db, child_id),
        follow_ups=follow_ups,
        attempts=not_arrived.attempts_for(db, [f["id"] for f in follow_ups]),
        reasons=absences.REASONS,
        **extra,
    )


@bp.get("/children/<int:child_id>/attendance")
@allow(*MANAGEMENT)
def child_attendance(child_id: int):
    audit.record(
        get_db(),
        g.staff.actor(),
        "viewed",
        subject_kind="children",
        subject_id=child_id,
        child_id=child_id,
        what="booked sessions and absences",
    )
    return child_attendance_page(child_id)


@bp.post("/children/<int:child_id>/sessions")
@allow(*MANAGEMENT)
def child_sessions(child_id: int):
    child_row(child_id)
    form = Form(request.form)
    raw = form.text("pattern", "the booked sessions", required=False, max_length=200)
    starts_on = form.date("starts_on", "the day the pattern starts")
    ends_on = form.date("ends_on", "the day it ends", required=False)
    term_time_only = form.flag("term_time_only")
    pattern = []
    if "pattern" not in form.errors:
        try:
            pattern = sessions.parse_pattern(raw)
        except sessions.SessionProblem as problem:
            form.error("pattern", str(problem))
    if form.ok and ends_on and ends_on < starts_on:
        form.error("ends_on", "The pattern must end on or after the day it starts.")
    if not form.ok:
        return child_attendance_page(child_id, 400, form)
    changed = sessions.set_pattern(
        get_db(),
        g.staff.actor(),
        child_id,
        pattern,
        starts_on=starts_on,
        ends_on=ends_on,
        term_time_only=term_time_only,
    )
    flash("Booked sessions saved." if changed else "No change: the sessions were already so.")
    return redirect(url_for("admin.child_attendance", child_id=child_id))


@bp.post("/children/<int:child_id>/sessions/change")
@allow(*MANAGEMENT)
def child_session_change(child_id: int):
    child_row(child_id)
    form = Form(request.form)
    day = form.date("change_day", "the day")
    change = form.choice(
        "change", "extra or cancelled", {"extra": "extra", "cancelled": "cancelled"}
    )
    session = form.choice(
        "change_session", "a session", {k: k for k in sessions.SESSIONS}, required=False
    )
    note = form.text("change_note", "a note", required=False, max_length=text.NOTE_MAX)
    if form.ok and change == "extra" and not session:
        form.error("change_session", "Please choose which session the extra day is.")
    if form.ok and day < today() - timedelta(days=MAX_RANGE_DAYS):
        form.error("change_day", "That day is too long ago to change.")
    if not form.ok:
        return child_attendance_page(child_id, 400, form)
    sessions.add_change(get_db(), g.staff.actor(), child_id, day, change, session, note or None)
    flash(f"{'Extra session' if change == 'extra' else 'Cancelled day'} saved: {day.isoformat()}.")
    return redirect(url_for("admin.child_attendance", child_id=child_id))


@bp.post("/children/<int:child_id>/sessions/change/<int:change_id>/remove")
@allow(*MANAGEMENT)
def child_session_change_remove(child_id: int, change_id: int):
    try:
        sessions.remove_change(get_db(), g.staff.actor(), change_id)
    except sessions.SessionProblem as problem:
        return child_attendance_page(child_id, 409, problem=str(problem))
    flash("Change removed.")
    return redirect(url_for("admin.child_attendance", child_id=child_id))


@bp.post("/children/<int:child_id>/emergency")
@allow(*MANAGEMENT)
def child_emergency(child_id: int):
    contact = (request.form.get("contact_id") or "")[:12]
    order = (request.form.get("order") or "").strip()[:3]
    if not contact.isdigit() or not (order == "" or order.isdigit()):
        return child_attendance_page(child_id, 400, problem="Please choose an adult and an order.")
    try:
        emergency_contacts.set_emergency_order(
            get_db(), g.staff.actor(), child_id, int(contact), int(order) if order else None
        )
    except absences.AbsenceProblem as problem:
        return child_attendance_page(child_id, 400, problem=str(problem))
    flash("Emergency contacts saved.")
    return redirect(url_for("admin.child_attendance", child_id=child_id))


@bp.post("/children/<int:child_id>/emergency/none")
@allow(*MANAGEMENT)
def child_no_emergency(child_id: int):
    child_row(child_id)
    form = Form(request.form)
    note = form.text("none_note", "why there are none", required=False, max_length=text.NOTE_MAX)
    if not form.ok:
        return child_attendance_page(child_id, 400, form)
    emergency_contacts.record_none_available(get_db(), g.staff.actor(), child_id, note or None)
    flash("Recorded: no emergency contacts available." if note else "Cleared.")
    return redirect(url_for("admin.child_attendance", child_id=child_id))
