"""Working with other professionals: concerns signed and dated, agencies' involvements with
the parents' consent, and the parents informed at every stage.

Need to know: a child's concerns and involvements are for the manager/DSL, the deputy and
the child's key person only (``@need_to_know``); every view, print and export is audited.
Any member of staff with a login may record a concern about any child."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for

from admin import bp
from admin.common import options
from doorbook import (
    answers,
    clock,
    concerns,
    directory,
    involvements,
    safeguarding,
    settings,
    text,
)
from doorbook.db import get_db
from doorbook.extensions import htmx
from doorbook.forms import Form

LONG_MAX = 2000


def need_to_know(find_child: Callable[[dict], int | None]) -> Callable:
    """Only the manager/DSL, the deputy and the child's key person; anyone else gets 403.
    ``find_child`` gives the child a route's arguments are about (404 when there is none)."""

    def mark(view: Callable) -> Callable:
        @wraps(view)
        def checked(**kwargs):
            child_id = find_child(kwargs)
            if child_id is None:
                abort(404)
            if not safeguarding.may_see(get_db(), g.staff, child_id):
                return answers.error_answer(
                    403,
                    "Need to know",
                    "Concerns and involvements are seen only by the manager, the deputy and "
                    "the child's key person. If you are worried about a child, record a concern: "
                    "the manager will see it.",
                    in_page=bool(htmx and not htmx.history_restore_request),
                )
            g.child_id = child_id
            return view(**kwargs)

        checked.need_to_know = True
        return checked

    return mark


def child_of_child(kwargs) -> int | None:
    return safeguarding.child_on_record(get_db(), kwargs["child_id"])


def child_of_concern(kwargs) -> int | None:
    return safeguarding.child_of_concern(get_db(), kwargs["concern_id"])


def child_of_involvement(kwargs) -> int | None:
    return safeguarding.child_of_involvement(get_db(), kwargs["involvement_id"])


def child_of_stage(kwargs) -> int | None:
    return safeguarding.child_of_stage(get_db(), kwargs["stage_id"])


def page(template: str, status: int = 200, **context):
    context.setdefault("setting_name", settings.get(get_db(), "setting_name"))
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def current_children() -> dict[str, tuple[int, str]]:
    # A child anonymised by the retention purge left long ago: never on today's roll.
    return options(directory.child_choices(get_db()))


def local_now_input() -> str:
    return f"{clock.local(clock.now(), settings.timezone(get_db())):%Y-%m-%dT%H:%M}"


def when(form: Form, name: str, label: str) -> str | None:
    """A date and time typed in the setting's time, as stored UTC; with a clear message."""
    raw = (form.data.get(name) or "").strip()[:40]
    form.values[name] = raw
    if not raw:
        form.error(name, f"Please enter {label}.")
        return None
    stored = involvements.local_input(get_db(), raw)
    if stored is None:
        form.error(name, f"Please enter {label} as a date and time, not in the future.")
    return stored


# ---- The overview: tasks, concerns to countersign, the children in view ----


@bp.get("/professionals")
def professionals():
    db = get_db()
    in_view = safeguarding.children_in_view(db, g.staff)
    ids = [child["id"] for child in in_view]
    tasks = involvements.tasks(db, ids)
    safeguarding.record_look(db, g.staff, None, "viewed", what="overview")
    return page(
        "admin/professionals.html",
        children=in_view,
        tasks=tasks,
        overdue=[task for task in tasks if task.overdue],
        to_countersign=concerns.awaiting_countersignature(db) if g.staff.manages else [],
        within_hours=settings.get_int(db, "parents_informed_within_hours"),
    )


# ---- Concerns ----


def concern_fields(form: Form) -> dict | None:
    values = {
        "seen_or_heard": form.text(
            "seen_or_heard", "what you saw or heard", max_length=LONG_MAX, multiline=True
        ),
        "happened_at": when(form, "happened_at", "when it happened"),
        "location": form.text("location", "where it happened", max_length=200, required=False),
        "words_used": form.text(
            "words_used", "the words used", max_length=LONG_MAX, required=False, multiline=True
        ),
        "action_taken": form.text(
            "action_taken", "the action you took", max_length=LONG_MAX, multiline=True
        ),
    }
    password = request.form.get("password", "")
    if not password:
        form.error("password", "Please type your own password to sign.")
    return values if form.ok else None


def concern_page(form: Form | None = None, status: int = 200):
    return page(
        "admin/concern_new.html",
        status,
        children=list(current_children().values()),
        values=form.values if form else {"happened_at": local_now_input()},
        errors=form.errors if form else {},
    )


@bp.get("/concerns/new")
def concern_new():
    return concern_page()


@bp.post("/concerns/new")
def concern_create():
    form = Form(request.form)
    child = form.choice("child_id", "the child", current_children())
    values = concern_fields(form)
    if values is None or child is None:
        return concern_page(form, 400)
    try:
        concerns.record_concern(
            get_db(), g.staff, request.form["password"], child_id=child[0], **values
        )
    except concerns.ConcernProblem as problem:
        form.error("password", str(problem))
        return concern_page(form, 400)
    flash(
        f"Your concern about {child[1]} is recorded, signed by you and dated. "
        "The manager will review and countersign it."
    )
    if safeguarding.may_see(get_db(), g.staff, child[0]):
        return redirect(url_for("admin.chronology", child_id=child[0]))
    return redirect(url_for("admin.professionals"))


@bp.post("/concerns/<int:concern_id>/countersign")
@need_to_know(child_of_concern)
def concern_countersign(concern_id: int):
    password = request.form.get("password", "")
    try:
        if not password:
            raise concerns.ConcernProblem("Please type your own password to countersign.")
        concerns.countersign(get_db(), g.staff, password, concern_id)
    except concerns.ConcernProblem as problem:
        return chronology_page(g.child_id, 400, problems={f"concern-{concern_id}": str(problem)})
    flash(f"Concern {concern_id} is countersigned by you and dated.")
    return redirect(url_for("admin.chronology", child_id=g.child_id) + f"#concern-{concern_id}")


@bp.post("/concerns/<int:concern_id>/correction")
@need_to_know(child_of_concern)
def concern_correct(concern_id: int):
    form = Form(request.form)
    values = concern_fields(form)
    if values is None:
        return chronology_page(g.child_id, 400, correction=(concern_id, form))
    try:
        concerns.record_concern(
            get_db(),
            g.staff,
            request.form["password"],
            child_id=g.child_id,
            corrects_id=concern_id,
            **values,
        )
    except concerns.ConcernProblem as problem:
        form.error("password", str(problem))
        return chronology_page(g.child_id, 400, correction=(concern_id, form))
    flash(f"Your correction to concern {concern_id} is recorded and signed.")
    return redirect(url_for("admin.chronology", child_id=g.child_id))


# ---- A child's chronology ----


def chronology_page(child_id: int, status: int = 200, **extra):
    db = get_db()
    child = directory.child_record(db, child_id)
    organisations = directory.organisation_choices(db)
    correction = extra.pop("correction", None)
    involvement_form = extra.pop("involvement_form", None)
    stage_form = extra.pop("stage_form", None)
    informed_form = extra.pop("informed_form", None)
    return page(
        "admin/chronology.html",
        status,
        child=child,
        entries=safeguarding.chronology(db, child_id),
        concerns=concerns.for_child(db, child_id),
        involvements=involvements.for_child(db, child_id),
        loose_stages=involvements.stages_without_involvement(db, child_id),
        tasks={task.stage_id: task for task in involvements.tasks(db, [child_id])},
        reports=involvements.reports_from_agencies(db, child_id),
        parents=involvements.parents_of(db, child_id),
        organisations=organisations,
        staff=directory.staff_choices(db),
        consent_how=[(how, how) for how in involvements.CONSENT_HOW],
        told_how=[(how, how) for how in involvements.TOLD_HOW],
        as_input=lambda stored: f"{clock.local(stored, settings.timezone(db)):%Y-%m-%dT%H:%M}",
        stage_kinds=[(k, involvements.STAGES[k]) for k in involvements.STAGES_RECORDED_BY_HAND],
        now_input=local_now_input(),
        correction=correction,
        involvement_form=involvement_form,
        stage_form=stage_form,
        informed_form=informed_form,
        problems=extra.pop("problems", {}),
        tz=settings.timezone(db),
        **extra,
    )


@bp.get("/children/<int:child_id>/chronology")
@need_to_know(child_of_child)
def chronology(child_id: int):
    safeguarding.record_look(get_db(), g.staff, child_id, "viewed", what="chronology")
    return chronology_page(child_id)


@bp.get("/children/<int:child_id>/chronology/print")
@need_to_know(child_of_child)
def chronology_print(child_id: int):
    db = get_db()
    safeguarding.record_look(db, g.staff, child_id, "printed", what="chronology")
    entries = safeguarding.chronology(db, child_id)
    tz = settings.timezone(db)
    return page(
        "print/chronology.html",
        child=safeguarding.child_name(db, child_id),
        rows=[(f"{clock.local(e.at, tz):%d %b %Y %H:%M}", e.title, e.text, e.by) for e in entries],
        printed_by=g.staff.name,
        printed_at=f"{clock.local(clock.now(), tz):%d %b %Y %H:%M}",
    )


@bp.post("/children/<int:child_id>/chronology/export")
@need_to_know(child_of_child)
def chronology_export(child_id: int):
    """A CSV of the chronology, for the setting's own file or for someone else. Reports from
    other agencies go to someone else only once that agency's consent is recorded."""
    db = get_db()
    internal = request.form.get("export_for") == "own_file"
    if internal:
        shared_with = "the setting's own safeguarding file"
    else:
        shared_with, problem = text.clean(
            request.form.get("shared_with"), "who the export is for", max_length=200
        )
        if problem:
            return chronology_page(child_id, 400, problems={"export": problem.message})
    consented = involvements.shareable_reports(db, child_id, shared_with)
    reports = involvements.reports_from_agencies(db, child_id)
    missing = [r for r in reports if r["id"] not in consented]
    if missing and not internal and request.form.get("without_reports") != "yes":
        agencies = ", ".join(sorted({r["from_agency"] for r in missing}))
        return chronology_page(
            child_id,
            409,
            problems={
                "export": f"This chronology holds information from {agencies}. Record that "
                f"agency's consent to share it with {shared_with} first (under Reports from "
                "other agencies), or export without those reports."
            },
            export_for=shared_with,
        )
    if internal:
        consented = {r["id"] for r in reports}
    safeguarding.record_look(
        db,
        g.staff,
        child_id,
        "exported",
        what="chronology",
        shared_with=shared_with,
        agency_reports_included=len(consented),
    )
    body = safeguarding.chronology_csv(db, safeguarding.chronology(db, child_id), consented)
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="chronology-{child_id}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- Involvements and their stages ----


CONSENT_HOW_CHOICES = {how: how for how in involvements.CONSENT_HOW}


@bp.post("/children/<int:child_id>/involvements")
@need_to_know(child_of_child)
def involvement_create(child_id: int):
    db = get_db()
    form = Form(request.form)
    organisations = options(directory.organisation_choices(db))
    organisation = form.choice("organisation_id", "the agency", organisations, required=False)
    agency = form.text("agency", "the agency's name", max_length=200, required=not organisation)
    professionals_text = form.text(
        "professionals", "the professionals", max_length=300, required=False
    )
    purpose = form.text("purpose", "the purpose (need to know only)", max_length=300)
    referral_at = when(form, "referral_at", "when the referral was made")
    not_sought = form.flag("consent_not_sought")
    values: dict = {}
    if not_sought:
        if g.staff.role not in involvements.DSL_ROLES:
            form.error(
                "consent_given_by",
                "Only the DSL (the manager) or the deputy decides not to seek consent.",
            )
        values["not_sought_reason"] = form.text(
            "not_sought_reason",
            "the DSL's reason not to seek consent",
            max_length=1000,
            multiline=True,
        )
    else:
        values["consent_given_by"] = form.text(
            "consent_given_by", "who gave consent", max_length=100
        )
        given_on = form.date("consent_given_on", "when consent was given")
        if given_on and given_on > clock.today(settings.timezone(db)):
            form.error("consent_given_on", "Consent cannot be given on a day still to come.")
        values["consent_given_on"] = given_on.isoformat() if given_on else None
        how = form.choice("consent_how", "how consent was given", CONSENT_HOW_CHOICES)
        values["consent_how"] = how
    if not form.ok:
        return chronology_page(child_id, 400, involvement_form=form)
    try:
        involvements.open_involvement(
            db,
            g.staff,
            child_id=child_id,
            organisation_id=organisation[0] if organisation else None,
            agency=organisation[1] if organisation else agency,
            professionals=professionals_text,
            purpose=purpose,
            referral_at=referral_at,
            **values,
        )
    except involvements.InvolvementProblem as problem:
        form.error("purpose", str(problem))
        return chronology_page(child_id, 400, involvement_form=form)
    flash("The involvement and its referral are recorded. Tell the parents, then record it here.")
    return redirect(url_for("admin.chronology", child_id=child_id))


STAGE_CHOICES = {k: k for k in involvements.STAGES_RECORDED_BY_HAND}


@bp.post("/involvements/<int:involvement_id>/stages")
@need_to_know(child_of_involvement)
def stage_create(involvement_id: int):
    form = Form(request.form)
    kind = form.choice("kind", "what happened", STAGE_CHOICES)
    happened_at = when(form, "happened_at", "when it happened")
    summary = form.text(
        "summary", "a short, need-to-know summary", max_length=LONG_MAX, multiline=True
    )
    from_agency = form.flag("from_agency")
    if not form.ok:
        return chronology_page(g.child_id, 400, stage_form=(involvement_id, form))
    try:
        involvements.add_stage(
            get_db(),
            g.staff,
            involvement_id,
            kind=kind,
            happened_at=happened_at,
            summary=summary,
            from_agency=from_agency,
        )
    except involvements.InvolvementProblem as problem:
        form.error("kind", str(problem))
        return chronology_page(g.child_id, 400, stage_form=(involvement_id, form))
    flash(f"{involvements.STAGES[kind]} recorded. The parents are to be told: see the task.")
    return redirect(url_for("admin.chronology", child_id=g.child_id))


TOLD_HOW_CHOICES = {how: how for how in involvements.TOLD_HOW}


@bp.post("/stages/<int:stage_id>/parents-informed")
@need_to_know(child_of_stage)
def parents_informed(stage_id: int):
    db = get_db()
    form = Form(request.form)
    staff = options(directory.staff_choices(db))
    try:
        if form.flag("not_told"):
            reason = form.text(
                "not_told_reason",
                "the DSL's reason not to tell the parents",
                max_length=1000,
                multiline=True,
            )
            if not form.ok:
                return chronology_page(g.child_id, 400, informed_form=(stage_id, form))
            involvements.record_not_told(db, g.staff, stage_id, reason=reason)
        else:
            told_who = form.text("told_who", "who was told", max_length=200)
            told_at = when(form, "told_at", "when they were told")
            told_how = form.choice("told_how", "how they were told", TOLD_HOW_CHOICES)
            told_by = form.choice("told_by", "who told them", staff)
            if not form.ok:
                return chronology_page(g.child_id, 400, informed_form=(stage_id, form))
            involvements.record_parents_informed(
                db,
                g.staff,
                stage_id,
                told_at=told_at,
                told_who=told_who,
                told_how=told_how,
                told_by=told_by[0],
            )
    except involvements.InvolvementProblem as problem:
        form.error("told_who", str(problem))
        return chronology_page(g.child_id, 409, informed_form=(stage_id, form))
    flash("Recorded: the task is done.")
    if request.form.get("back") == "overview":
        return redirect(url_for("admin.professionals"))
    return redirect(url_for("admin.chronology", child_id=g.child_id))


@bp.post("/stages/<int:stage_id>/agency-consent")
@need_to_know(child_of_stage)
def agency_consent(stage_id: int):
    form = Form(request.form)
    shared_with = form.text("shared_with", "who it will be shared with", max_length=200)
    given_by = form.text("given_by", "who at the agency gave consent", max_length=200)
    given_on = form.date("given_on", "when they gave it")
    if given_on and given_on > clock.today(settings.timezone(get_db())):
        form.error("given_on", "Consent cannot be given on a day still to come.")
    if not form.ok:
        return chronology_page(
            g.child_id, 400, problems={f"report-{stage_id}": " ".join(form.errors.values())}
        )
    try:
        involvements.record_agency_consent(
            get_db(),
            g.staff,
            stage_id,
            shared_with=shared_with,
            given_by=given_by,
            given_on=given_on.isoformat(),
        )
    except involvements.InvolvementProblem as problem:
        return chronology_page(g.child_id, 409, problems={f"report-{stage_id}": str(problem)})
    flash(f"The agency's consent to share with {shared_with} is recorded.")
    return redirect(url_for("admin.chronology", child_id=g.child_id))
