"""The group dashboard, the names page (safeguarding only, audited), reports and CSV."""

from __future__ import annotations

from datetime import date, timedelta
from functools import wraps
from pathlib import Path

from flask import (
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from doorbook import clock, group
from group import bp


def group_db():
    if "group_db" not in g:
        g.group_db = group.open_group(Path(current_app.config["GROUP_DIR"]))
    return g.group_db


def folder() -> Path:
    return Path(current_app.config["GROUP_DIR"])


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.account = group.account(group_db(), session.get("account_id"))
        if g.account is None:
            return redirect(url_for("group.login"))
        return view(*args, **kwargs)

    return wrapper


@bp.route("/login", methods=["GET", "POST"])
def login():
    problem = None
    if request.method == "POST":
        try:
            who = group.log_in(
                group_db(), request.form.get("username", ""), request.form.get("password", "")
            )
        except group.LoginsPaused as paused:
            return render_template("group/login.html", problem=str(paused)), 429
        if who:
            session.clear()
            session["account_id"] = who.id
            session.permanent = True
            return redirect(url_for("group.dashboard"))
        problem = "That username and password do not match. Please try again."
    return render_template("group/login.html", problem=problem), 200 if not problem else 401


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("group.login"))


def sites_context() -> dict:
    return {
        "sites": group.sites_now(group_db(), current_app.config["STALE_AFTER"]),
        "stale_minutes": int(current_app.config["STALE_AFTER"].total_seconds() // 60) or 1,
        "may_see_names": g.account.may_see_names,
    }


@bp.get("/")
@signed_in
def dashboard():
    return render_template("group/dashboard.html", **sites_context())


@bp.get("/parts/sites")
@signed_in
def sites_fragment():
    return render_template("group/_sites.html", **sites_context())


@bp.get("/sites/<slug>/names")
@signed_in
def names(slug: str):
    if not g.account.may_see_names:
        return render_template(
            "group/message.html",
            title="Not for this role",
            message="Children's and visitors' names are for the group's safeguarding role.",
        ), 403
    try:
        seen = group.names_now(folder(), group_db(), g.account, slug[:40])
    except group.GroupProblem as problem:
        return render_template(
            "group/message.html", title="No such site", message=str(problem)
        ), 404
    return render_template("group/names.html", site=group.site_name(group_db(), slug), seen=seen)


def zone() -> str:
    return current_app.config["GROUP_TIMEZONE"]


def _range() -> tuple[date, date, str | None]:
    today = clock.today(zone())
    try:
        first = date.fromisoformat(
            request.args.get("from") or (today - timedelta(days=30)).isoformat()
        )
        last = date.fromisoformat(request.args.get("to") or today.isoformat())
    except ValueError:
        return today - timedelta(days=30), today, "Please give the dates as YYYY-MM-DD."
    if last < first:
        return first, last, "The last day must not be before the first."
    if (last - first).days > 366 * 3:
        return first, last, "A report covers at most three years."
    return first, last, None


@bp.get("/reports")
@signed_in
def reports():
    first, last, problem = _range()
    tables = None if problem else group.report(folder(), group_db(), first, last, zone=zone())
    group.record(group_db(), g.account.username, "viewed_report", first=str(first), last=str(last))
    return render_template(
        "group/reports.html",
        first=first,
        last=last,
        problem=problem,
        tables=tables,
        headers=group.REPORT_HEADERS,
    ), 400 if problem else 200


@bp.get("/reports/<which>.csv")
@signed_in
def report_csv(which: str):
    if which not in group.REPORT_HEADERS:
        return render_template(
            "group/message.html",
            title="No such report",
            message="Please choose a report from the list.",
        ), 404
    first, last, problem = _range()
    if problem:
        return render_template("group/message.html", title="Check the dates", message=problem), 400
    tables = group.report(folder(), group_db(), first, last, zone=zone())
    group.record(
        group_db(),
        g.account.username,
        "exported_report",
        report=which,
        first=str(first),
        last=str(last),
    )
    return Response(
        group.report_csv(tables, which),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="group-{which}-{first}-{last}.csv"'},
    )
