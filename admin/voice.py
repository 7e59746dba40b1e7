"""Families' voice in the panel: the complaints record with its clocks and the summary for
Ofsted, the question asked at the door and its results, and the adults whose contact details
are out of date. Manager and deputy only."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for

from admin import bp
from admin.auth import MANAGEMENT, allow
from admin.common import actor, child_choices, contact_choices
from admin.reports import csv_response, viewed
from doorbook import clock, complaints, details_check, exports, questions, settings, text
from doorbook.db import get_db
from doorbook.forms import Form
from doorbook.languages import DEFAULT, LANGUAGES

DETAILS_MAX = 2000


def page(template: str, status: int = 200, **context):
    context.setdefault("setting_name", settings.get(get_db(), "setting_name"))
    return render_template(template, **context), status


def today() -> date:
    return clock.today(settings.timezone(get_db()))


# ---- Complaints ----


def complaints_page(form: Form | None = None, status: int = 200):
    db = get_db()
    return page(
        "admin/complaints.html",
        status,
        complaints=complaints.listing(db),
        deadlines=complaints.deadlines,
        reference=complaints.reference,
        today=today(),
        values=form.values if form else {"received_on": today().isoformat()},
        errors=form.errors if form else {},
        children=[(k, v[1]) for k, v in child_choices().items()],
        contacts=[(k, v[1]) for k, v in contact_choices(active_only=True).items()],
        kinds=complaints,
    )


@bp.get("/complaints")
@allow(*MANAGEMENT)
def complaints_list():
    return complaints_page()


@bp.post("/complaints")
@allow(*MANAGEMENT)
def complaint_new():
    form = Form(request.form)
    received = form.date("received_on", "the day it was received")
    values = {
        "complainant_kind": form.choice(
            "complainant_kind",
            "who complained",
            {k: k for k in complaints.COMPLAINANTS},
        ),
        "complainant_name": form.text(
            "complainant_name", "the complainant's name", max_length=text.NAME_MAX
        ),
        "channel": form.choice("channel", "how it came", {k: k for k in complaints.CHANNELS}),
        "category": form.choice(
            "category", "complaint or concern", {k: k for k in complaints.CATEGORIES}
        ),
        "nature": form.choice("nature", "what it is about", {k: k for k in complaints.NATURES}),
        "details": form.text("details", "the details", max_length=DETAILS_MAX, multiline=True),
    }
    child = form.choice("child_id", "a child", child_choices(), required=False)
    contact = form.choice(
        "contact_id",
        "an adult",
        contact_choices(active_only=True),
        required=False,
    )
    values["child_id"] = child[0] if child else None
    values["contact_id"] = contact[0] if contact else None
    if form.ok:
        values["received_on"] = received
        try:
            complaint_id = complaints.record(get_db(), actor(), values)
        except complaints.ComplaintProblem as problem:
            form.error("received_on", str(problem))
        else:
            flash(f"Complaint {complaints.reference(complaint_id)} recorded.")
            return redirect(url_for("admin.complaint", complaint_id=complaint_id))
    return complaints_page(form, 400)


def complaint_page(complaint_id: int, form: Form | None = None, status: int = 200):
    row = complaints.get(get_db(), complaint_id)
    if row is None:
        return page(
            "error.html", 404, title="Not found", message="That complaint is not on record."
        )
    return page(
        "admin/complaint.html",
        status,
        c=row,
        ref=complaints.reference(complaint_id),
        deadlines=complaints.deadlines(row),
        today=today(),
        values=form.values if form else {"on": today().isoformat()},
        errors=form.errors if form else {},
        kinds=complaints,
    )


@bp.get("/complaints/<int:complaint_id>")
@allow(*MANAGEMENT)
def complaint(complaint_id: int):
    return complaint_page(complaint_id)


@bp.post("/complaints/<int:complaint_id>")
@allow(*MANAGEMENT)
def complaint_update(complaint_id: int):
    db = get_db()
    form = Form(request.form)
    step = request.form.get("step", "")
    try:
        if step == "acknowledge":
            on = form.date("on", "the day it was acknowledged")
            if form.ok:
                complaints.acknowledge(db, actor(), complaint_id, on)
        elif step == "note":
            note = form.text("note", "the note", max_length=DETAILS_MAX, multiline=True)
            if form.ok:
                complaints.add_note(db, actor(), complaint_id, note)
        elif step == "feedback":
            on = form.date("on", "the day feedback was given")
            outcome = form.choice("outcome", "the outcome", {k: k for k in complaints.OUTCOMES})
            outcome_note = form.text(
                "outcome_note",
                "what the complainant was told",
                max_length=DETAILS_MAX,
                multiline=True,
            )
            action_taken = form.text(
                "action_taken", "the action taken", max_length=text.NOTE_MAX, multiline=True
            )
            if form.ok:
                complaints.give_feedback(
                    db,
                    actor(),
                    complaint_id,
                    on=on,
                    outcome=outcome,
                    outcome_note=outcome_note,
                    action_taken=action_taken,
                )
        elif step == "appeal":
            on = form.date("on", "the day of the appeal")
            appeal = form.text("appeal", "the appeal", max_length=DETAILS_MAX, multiline=True)
            if form.ok:
                complaints.record_appeal(db, actor(), complaint_id, on=on, appeal=appeal)
        else:
            form.error("step", "Please choose what to record.")
    except complaints.ComplaintProblem as problem:
        form.error(step or "step", str(problem))
    if not form.ok:
        return complaint_page(complaint_id, form, 400)
    flash("Saved.")
    return redirect(url_for("admin.complaint", complaint_id=complaint_id))


@bp.get("/complaints/summary")
@allow(*MANAGEMENT)
def complaints_summary():
    """The summary shown to Ofsted on request: summative, no names."""
    last = _day_arg("to", today())
    first = _day_arg("from", last - timedelta(days=3 * 365))
    if first > last:
        first, last = last, first
    db = get_db()
    summary = complaints.ofsted_summary(db, first, last)
    fmt = request.args.get("format", "html")
    viewed("complaints summary", first, last, fmt)
    rows = complaints.summary_rows(summary)
    if fmt == "csv":
        return csv_response(
            exports.to_csv(complaints.SUMMARY_HEADER, rows),
            f"complaints-summary-{first}-{last}.csv",
        )
    return page(
        "admin/complaints_summary.html",
        header=complaints.SUMMARY_HEADER,
        rows=rows,
        first=first,
        last=last,
    )


def _day_arg(name: str, default: date) -> date:
    raw = request.args.get(name, "")
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else default
    except ValueError:
        return default


# ---- The question at the door ----


def questions_page(values: dict | None = None, error: str | None = None, status: int = 200):
    return page(
        "admin/questions.html",
        status,
        results=questions.results(get_db()),
        values=values or {"ends_on": (today() + timedelta(days=14)).isoformat()},
        error=error,
        languages={k: v for k, v in LANGUAGES.items() if k != DEFAULT},
    )


@bp.get("/questions")
@allow(*MANAGEMENT)
def question_list():
    return questions_page()


@bp.post("/questions")
@allow(*MANAGEMENT)
def question_new():
    form = request.form
    values = {k: form.get(k, "")[: questions.QUESTION_MAX * 10] for k in form if k != "csrf_token"}

    def lines(name: str) -> list[str]:
        return form.get(name, "")[:2000].splitlines()

    try:
        ends_on = date.fromisoformat(form.get("ends_on", "")[:10])
    except ValueError:
        return questions_page(values, "Please give the last day to ask it (YYYY-MM-DD).", 400)
    translations = {
        code: (form.get(f"text_{code}", ""), lines(f"answers_{code}"))
        for code in LANGUAGES
        if code != DEFAULT
    }
    try:
        questions.ask(
            get_db(), actor(), form.get("text", ""), lines("answers"), ends_on, translations
        )
    except questions.QuestionProblem as problem:
        return questions_page(values, str(problem), 400)
    flash("The question will be asked at the kiosk.")
    return redirect(url_for("admin.question_list"))


@bp.post("/questions/<int:question_id>/close")
@allow(*MANAGEMENT)
def question_close(question_id: int):
    questions.close(get_db(), actor(), question_id)
    flash("The question is no longer asked.")
    return redirect(url_for("admin.question_list"))


# ---- Contact details out of date ----


@bp.get("/contact-details")
@allow(*MANAGEMENT)
def contact_details():
    return page(
        "admin/contact_details.html",
        adults=details_check.out_of_date(get_db()),
        term_days=settings.get_int(get_db(), "contact_confirm_days"),
    )


@bp.post("/contact-details/<int:contact_id>")
@allow(*MANAGEMENT)
def contact_details_updated(contact_id: int):
    details_check.updated_by_staff(get_db(), actor(), contact_id)
    flash("Marked as up to date.")
    return redirect(url_for("admin.contact_details"))
