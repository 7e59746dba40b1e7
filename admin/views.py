"""The live dashboard and the actions on it: alerts, supervision, visitors, one-off
collections. Each action answers with the part of the page it changed; every other open
panel hears of it through the event stream."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, g, redirect, render_template, request, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from doorbook import (
    alerts,
    collection,
    dashboard,
    health,
    identify,
    register,
    replication,
    settings,
    supervision,
    text,
    visits,
)
from doorbook.db import get_db


def note_from_form() -> tuple[str, str | None]:
    note, problem = text.clean(
        request.form.get("note"),
        "a note",
        max_length=text.NOTE_MAX,
        required=False,
        multiline=True,
    )
    return note, problem.message if problem else None


def alerts_part(message: str | None = None, status: int = 200):
    db = get_db()
    return (
        render_template(
            "admin/_alerts.html",
            alerts=dashboard.alert_cards(db),
            kinds=alerts.KINDS,
            staff_on_site=dashboard.staff_on_site(db),
            message=message,
            problem=status >= 400,
            repeat_seconds=settings.get_int(db, "alert_repeat_seconds"),
            # What /healthz says, where the manager looks: nothing can be saved right now.
            write_problem=health.write_problem(db, current_app.config["DATA_DIR"]),
        ),
        status,
    )


def on_site_part(message: str | None = None, status: int = 200):
    db = get_db()
    return (
        render_template(
            "admin/_on_site.html",
            rooms=dashboard.rooms_now(db),
            age_bands=dashboard.AGE_BANDS,
            staff=dashboard.staff_on_site(db),
            visitors=dashboard.visits_on_site(db),
            children=dashboard.children_to_match(db) if g.staff.manages else [],
            bookings=dashboard.todays_bookings(db),
            message=message,
            problem=status >= 400,
        ),
        status,
    )


@bp.context_processor
def header_alerts():
    """Every admin page's header shows the open alerts (admin/_alert_summary.html)."""
    if getattr(g, "staff", None) is None:
        return {}
    return {"alert_summary": dashboard.alert_summary(get_db())}


@bp.get("/parts/alert-summary")
def alert_summary_fragment():
    # On the dashboard the alerts are listed below the header: the count is enough there.
    return render_template(
        "admin/_alert_summary.html",
        summary=dashboard.alert_summary(get_db()),
        on_dashboard=request.args.get("on") == "dashboard",
    )


@bp.get("/")
def index():
    return redirect(url_for("admin.dashboard"))


@bp.get("/dashboard", endpoint="dashboard")
def dashboard_page():
    db = get_db()
    return render_template(
        "admin/dashboard.html",
        setting_name=settings.get(db, "setting_name"),
        alerts_html=alerts_part()[0],
        on_site_html=on_site_part()[0],
        copy=replication.health(get_db(), Path(current_app.config["DATA_DIR"])),
    )


@bp.get("/parts/alerts")
def alerts_fragment():
    return alerts_part()


@bp.get("/parts/on-site")
def on_site_fragment():
    return on_site_part()


# ---- Alerts ----


@bp.post("/alerts/<int:alert_id>/acknowledge")
def acknowledge_alert(alert_id: int):
    note, problem = note_from_form()
    if problem:
        return alerts_part(problem, 400)
    try:
        alerts.acknowledge(get_db(), alert_id, g.staff.actor(), note)
    except alerts.AlertProblem as error:
        return alerts_part(str(error), 409)
    return alerts_part()


@bp.post("/alerts/<int:alert_id>/resolve")
def resolve_alert(alert_id: int):
    note, problem = note_from_form()
    if problem:
        return alerts_part(problem, 400)
    try:
        alerts.resolve(get_db(), alert_id, g.staff.actor(), note)
    except alerts.AlertProblem as error:
        return alerts_part(str(error), 409)
    return alerts_part()


@bp.post("/alerts/<int:alert_id>/lift-lockout")
def lift_lockout(alert_id: int):
    """The PIN lock-out alert's own action: the kiosk takes PINs again at once."""
    kiosk = identify.lift_lockout(get_db(), alert_id, g.staff.actor())
    if kiosk is None:
        return alerts_part("That lock-out has already been lifted.", 409)
    return alerts_part(f"Lock-out lifted: the {kiosk} kiosk takes PINs again.")


# ---- One-off collectors at the door ----


@bp.post("/one-off/<int:one_off_id>/confirm")
def confirm_one_off(one_off_id: int):
    try:
        done = register.confirm_one_off_id(get_db(), one_off_id, g.staff.actor())
    except collection.CollectionProblem as error:
        return alerts_part(str(error), 409)
    return alerts_part(done.describe(settings.timezone(get_db())))


@bp.post("/one-off/<int:one_off_id>/refuse")
def refuse_one_off(one_off_id: int):
    note, problem = note_from_form()
    if problem or not note:
        return alerts_part(problem or "Please say why the collector was refused.", 400)
    try:
        collection.refuse_one_off(get_db(), one_off_id, g.staff.actor(), note)
    except collection.CollectionProblem as error:
        return alerts_part(str(error), 409)
    return alerts_part("Refused: the child stays. Follow the uncollected-child procedure.")


# ---- Visits: supervision, the child, checks, signing out ----


def chosen_id(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


# visits.sign_out speaks in codes (the kiosk says them in the visitor's language).
VISIT_PROBLEMS = {
    "no_visit": "There is no such visit.",
    "already_signed_out": "This visitor has already signed out.",
}


def visit_action(action, part):
    try:
        action()
    except (supervision.SupervisionProblem, visits.VisitProblem) as error:
        return part(VISIT_PROBLEMS.get(str(error), str(error)), 409)
    return part()


@bp.post("/visits/<int:visit_id>/supervisor")
def assign_supervisor(visit_id: int):
    # The answer goes back to where the manager acted: the alert, or the on-site table.
    part = alerts_part if request.form.get("from") == "alerts" else on_site_part
    staff_id = chosen_id("staff")
    if staff_id is None:
        return part("Please choose a member of staff who is on site.", 400)
    return visit_action(
        lambda: supervision.assign(get_db(), visit_id, staff_id, g.staff.actor()), part
    )


@bp.post("/visits/<int:visit_id>/unassign")
def unassign_supervisor(visit_id: int):
    return visit_action(
        lambda: supervision.unassign(get_db(), visit_id, g.staff.actor()), on_site_part
    )


@bp.post("/visits/<int:visit_id>/child")
@allow(*MANAGEMENT)
def link_visit_child(visit_id: int):
    child_id = chosen_id("child")
    if child_id is None:
        return on_site_part("Please choose the child this visitor is seeing.", 400)
    return visit_action(
        lambda: visits.link_child(get_db(), visit_id, child_id, g.staff.actor()), on_site_part
    )


@bp.post("/visits/<int:visit_id>/checks")
def record_visit_checks(visit_id: int):
    location, problem = text.clean(
        request.form.get("location"),
        "where the visit takes place",
        max_length=100,
        required=False,
    )
    if problem:
        return on_site_part(problem.message, 400)
    return visit_action(
        lambda: visits.record_checks(
            get_db(),
            visit_id,
            g.staff.actor(),
            location=location,
            id_seen=request.form.get("id_seen") == "yes",
            dbs_assurance=request.form.get("dbs_assurance") == "yes",
        ),
        on_site_part,
    )


@bp.post("/visits/<int:visit_id>/sign-out")
def sign_visitor_out(visit_id: int):
    part = alerts_part if request.form.get("from") == "alerts" else on_site_part
    return visit_action(lambda: visits.sign_out(get_db(), visit_id, g.staff.actor()), part)
