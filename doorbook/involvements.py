"""Working with other professionals: an agency's involvement with a child, with the
parents' consent (or the DSL's reason it was not sought), its stages, and a "parents
informed" task after each stage until a member of staff records how the parents were told.

Each agency visit (booked, or unannounced once linked to the child) becomes a stage of the
child's involvement with that agency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from doorbook import alerts, audit, clock, settings
from doorbook.accounts import StaffMember
from doorbook.db import insert, update, write

STAGES = {
    "referral": "Referral made",
    "visit": "Visit",
    "report": "Report received",
    "review": "Review",
    "closed": "Involvement closed",
}
STAGES_RECORDED_BY_HAND = ("referral", "report", "review", "closed")
CONSENT_HOW = ("written", "verbal", "in person")
TOLD_HOW = ("in person", "by phone", "in a meeting", "by letter or email")
DSL_ROLES = ("manager", "deputy")  # the DSL and deputy DSL decide not to seek consent or tell


class InvolvementProblem(ValueError):
    """Something that cannot be recorded; the message says why, for the person."""


@dataclass(frozen=True)
class Stage:
    id: int
    kind: str
    happened_at: str
    summary: str
    involvement_id: int | None
    visit_id: int | None
    from_agency: str | None
    recorded_by_name: str | None
    informed: str | None  # how the parents were told, or the DSL's reason not to; None: a task

    @property
    def title(self) -> str:
        return STAGES[self.kind]

    def informed_line(self) -> str:
        return self.informed or "Parents not yet informed"


@dataclass(frozen=True)
class Involvement:
    id: int
    child_id: int
    organisation_id: int | None
    agency: str
    professionals: str | None
    purpose: str
    consent: str
    consent_given_by: str | None
    consent_given_on: str | None
    consent_how: str | None
    not_sought_reason: str | None
    not_sought_by_name: str | None
    opened_at: str
    opened_by_name: str
    closed_at: str | None
    stages: list[Stage] = field(default_factory=list)

    def consent_line(self) -> str:
        if self.consent == "given":
            given_on = date.fromisoformat(self.consent_given_on)
            return (
                f"Consent given by {self.consent_given_by} on {given_on:%d %b %Y} "
                f"({self.consent_how})"
            )
        return f"Consent not sought: {self.not_sought_reason} (DSL: {self.not_sought_by_name})"


def _local_text(stored: str, tz: str) -> str:
    return f"{clock.local(stored, tz):%a %d %b %Y, %H:%M}"


def _stages(db: Database, where: str, params: list) -> list[Stage]:
    tz = settings.timezone(db)
    stages = []
    for row in db.query(  # the WHERE clause comes from code
        "SELECT g.*, s.name AS recorded_by_name, p.told_at, p.told_who, p.told_how, "  # noqa: S608
        "p.not_told_reason, t.name AS told_by_name, r.name AS dsl_name "
        "FROM involvement_stages g LEFT JOIN staff s ON s.id = g.recorded_by "
        "LEFT JOIN parents_informed p ON p.stage_id = g.id "
        "LEFT JOIN staff t ON t.id = p.told_by LEFT JOIN staff r ON r.id = p.recorded_by "
        f"WHERE {where} ORDER BY g.happened_at, g.id",
        params,
    ):
        if row["told_at"]:
            informed = (
                f"Parents informed: {row['told_who']} told {row['told_how']} by "
                f"{row['told_by_name']}, {_local_text(row['told_at'], tz)}"
            )
        elif row["not_told_reason"]:
            informed = f"Parents not told: {row['not_told_reason']} (DSL: {row['dsl_name']})"
        else:
            informed = None
        stages.append(
            Stage(
                row["id"],
                row["kind"],
                row["happened_at"],
                row["summary"],
                row["involvement_id"],
                row["visit_id"],
                row["from_agency"],
                row["recorded_by_name"],
                informed,
            )
        )
    return stages


def for_child(db: Database, child_id: int) -> list[Involvement]:
    involvements = []
    for row in db.query(
        "SELECT i.*, o.name AS opened_by_name, d.name AS not_sought_by_name "
        "FROM involvements i JOIN staff o ON o.id = i.opened_by "
        "LEFT JOIN staff d ON d.id = i.not_sought_by WHERE i.child_id = ? "
        "ORDER BY i.opened_at, i.id",
        [child_id],
    ):
        involvements.append(
            Involvement(
                row["id"],
                row["child_id"],
                row["organisation_id"],
                row["agency"],
                row["professionals"],
                row["purpose"],
                row["consent"],
                row["consent_given_by"],
                row["consent_given_on"],
                row["consent_how"],
                row["not_sought_reason"],
                row["not_sought_by_name"],
                row["opened_at"],
                row["opened_by_name"],
                row["closed_at"],
                _stages(db, "g.involvement_id = ?", [row["id"]]),
            )
        )
    return involvements


def stages_without_involvement(db: Database, child_id: int) -> list[Stage]:
    """Visits to a child that belong to no involvement (booked or linked without consent)."""
    return _stages(db, "g.child_id = ? AND g.involvement_id IS NULL", [child_id])


def get(db: Database, involvement_id: int) -> dict | None:
    return next(db.query("SELECT * FROM involvements WHERE id = ?", [involvement_id]), None)


def open_involvement(
    db: Database,
    staff: StaffMember,
    *,
    child_id: int,
    organisation_id: int | None,
    agency: str,
    professionals: str | None,
    purpose: str,
    referral_at: str,
    consent_given_by: str | None = None,
    consent_given_on: str | None = None,
    consent_how: str | None = None,
    not_sought_reason: str | None = None,
) -> int:
    """Record an agency's involvement and its first stage, the referral. The appropriate
    professional is contacted with the parents' permission: either who gave consent, when
    and how, or (the DSL only) the reason consent is not sought."""
    if not_sought_reason:
        if staff.role not in DSL_ROLES:
            raise InvolvementProblem(
                "Only the DSL (the manager) or the deputy decides not to seek the parents' consent."
            )
        consent = "not_sought"
    else:
        if not (consent_given_by and consent_given_on and consent_how in CONSENT_HOW):
            raise InvolvementProblem(
                "Record who gave consent, when and how, or the DSL's reason not to seek it."
            )
        consent = "given"
    now = clock.stamp()
    with write(db):
        involvement_id = insert(
            db,
            "involvements",
            {
                "child_id": child_id,
                "organisation_id": organisation_id,
                "agency": agency,
                "professionals": professionals or None,
                "purpose": purpose,
                "consent": consent,
                "consent_given_by": consent_given_by if consent == "given" else None,
                "consent_given_on": consent_given_on if consent == "given" else None,
                "consent_how": consent_how if consent == "given" else None,
                "not_sought_reason": not_sought_reason or None,
                "not_sought_by": staff.id if consent == "not_sought" else None,
                "opened_at": now,
                "opened_by": staff.id,
            },
        )
        audit.record(
            db,
            staff.actor(),
            "involvement_opened",
            subject_kind="involvements",
            subject_id=involvement_id,
            child_id=child_id,
            agency=agency,
            consent=consent,
        )
        _add_stage(
            db,
            staff,
            involvement_id=involvement_id,
            child_id=child_id,
            kind="referral",
            happened_at=referral_at,
            summary=f"Referral to {agency}: {purpose}",
        )
    return involvement_id


def _add_stage(db: Database, staff: StaffMember | None, **stage) -> int:
    stage_id = insert(
        db,
        "involvement_stages",
        {**stage, "recorded_by": staff.id if staff else None, "recorded_at": clock.stamp()},
    )
    audit.record(
        db,
        staff.actor() if staff else audit.SYSTEM,
        "involvement_stage_recorded",
        subject_kind="involvement_stages",
        subject_id=stage_id,
        child_id=stage["child_id"],
        stage=stage["kind"],
    )
    return stage_id


def add_stage(
    db: Database,
    staff: StaffMember,
    involvement_id: int,
    *,
    kind: str,
    happened_at: str,
    summary: str,
    from_agency: bool = False,
) -> int:
    """A referral, a report received (the agency's own information), a review, or the close."""
    if kind not in STAGES_RECORDED_BY_HAND:
        raise InvolvementProblem("Please choose what happened: referral, report, review or close.")
    with write(db):
        involvement = get(db, involvement_id)
        if involvement is None:
            raise InvolvementProblem("There is no such involvement.")
        if involvement["closed_at"]:
            raise InvolvementProblem(
                "This involvement is closed: open a new one for a new referral."
            )
        stage_id = _add_stage(
            db,
            staff,
            involvement_id=involvement_id,
            child_id=involvement["child_id"],
            kind=kind,
            happened_at=happened_at,
            summary=summary,
            from_agency=involvement["agency"] if kind == "report" and from_agency else None,
        )
        if kind == "closed":
            update(db, "involvements", involvement_id, {"closed_at": happened_at})
    return stage_id


# ---- Visits: booked or unannounced, each belongs to the child's involvement with the agency ----


def consented_involvement(db: Database, child_id: int, organisation_id: int | None) -> dict | None:
    """The child's open involvement with this agency that has the parents' consent (or the
    DSL's recorded reason not to seek it); with no agency named, the child's only one."""
    rows = list(
        db.query(
            "SELECT * FROM involvements WHERE child_id = ? AND closed_at IS NULL "
            "ORDER BY opened_at DESC",
            [child_id],
        )
    )
    if organisation_id is not None:
        matching = [row for row in rows if row["organisation_id"] == organisation_id]
        return matching[0] if matching else None
    return rows[0] if len(rows) == 1 else None


NO_CONSENT = (
    "No involvement with the parents' consent is recorded for this child and agency: "
    "check before the visit goes on."
)


def visit_started(db: Database, visit_id: int) -> int | None:
    """A visit to a known child (signed in from a booking, or an unannounced visit once
    linked): it becomes a stage of the involvement, with its "parents informed" task.
    Returns the involvement, or None (then the visit's alert says consent is missing)."""
    with write(db):
        visit = next(
            db.query(
                "SELECT v.id, v.child_id, v.signed_in_at, v.expected_visit_id, r.name, r.role, "
                "r.organisation_id, COALESCE(o.name, r.organisation_name) AS organisation, "
                "e.involvement_id AS booked_involvement, e.no_consent_reason FROM visits v "
                "JOIN visitors r ON r.id = v.visitor_id "
                "LEFT JOIN organisations o ON o.id = r.organisation_id "
                "LEFT JOIN expected_visits e ON e.id = v.expected_visit_id WHERE v.id = ?",
                [visit_id],
            ),
            None,
        )
        if visit is None or visit["child_id"] is None:
            return None
        involvement = None
        if visit["booked_involvement"]:
            involvement = get(db, visit["booked_involvement"])
        if involvement is None or involvement["closed_at"]:
            involvement = consented_involvement(db, visit["child_id"], visit["organisation_id"])
        involvement_id = involvement["id"] if involvement else None
        update(db, "visits", visit_id, {"involvement_id": involvement_id})
        who = ", ".join(
            part for part in (visit["name"], visit["role"], visit["organisation"]) if part
        )
        summary = f"Visit from {who}"
        if involvement is None and visit["expected_visit_id"] is not None:
            reason = visit["no_consent_reason"] or "no reason recorded"
            summary += f". Booked without recorded consent: {reason}"
        existing = db.execute(
            "SELECT id FROM involvement_stages WHERE visit_id = ?", [visit_id]
        ).fetchone()
        if existing:  # linked again to another child: the stage follows the visit
            db.execute(
                "UPDATE involvement_stages SET child_id = ?, involvement_id = ?, summary = ? "
                "WHERE id = ?",
                [visit["child_id"], involvement_id, summary, existing[0]],
            )
        else:
            _add_stage(
                db,
                None,
                involvement_id=involvement_id,
                child_id=visit["child_id"],
                kind="visit",
                happened_at=visit["signed_in_at"],
                summary=summary,
                visit_id=visit_id,
            )
        # A booking without consent was warned about and needed a reason when it was made;
        # an unannounced visitor linked to such a child is raised on the panel now.
        if involvement is None and visit["expected_visit_id"] is None:
            alerts.raise_alert(
                db,
                "visit_without_consent",
                f"NO CONSENT RECORDED: {who}. {NO_CONSENT}",
                visit_id=visit_id,
                child_id=visit["child_id"],
                dedupe_key=f"visit-without-consent-{visit_id}-{visit['child_id']}",
            )
    return involvement_id


# ---- Parents informed at every stage ----


@dataclass(frozen=True)
class Task:
    stage_id: int
    child_id: int
    child: str
    task: str  # "Tell Rachel Hart about today's speech and language visit"
    happened_at: str
    due_at: str
    overdue: bool


def parents_of(db: Database, child_id: int) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT k.name FROM child_contacts cc JOIN contacts k ON k.id = cc.contact_id "
            "WHERE cc.child_id = ? AND cc.parental_responsibility = 1 AND k.active = 1 "
            "ORDER BY k.name",
            [child_id],
        )
    ]


def _task_words(parents: list[str], kind: str, purpose: str | None, day: str) -> str:
    who = " or ".join(parents) if parents else "the parents"
    what = {
        "referral": "referral",
        "visit": "visit",
        "report": "report",
        "review": "review",
        "closed": "involvement closing",
    }[kind]
    return f"Tell {who} about {day} {purpose + ' ' if purpose else ''}{what}"


def tasks(db: Database, child_ids: list[int] | None = None) -> list[Task]:
    """The stages whose parents are not yet recorded as told, oldest first; overdue once the
    setting's time (parents_informed_within_hours) has passed."""
    tz = settings.timezone(db)
    now = clock.now()
    within = timedelta(hours=settings.get_int(db, "parents_informed_within_hours"))
    today = clock.today(tz)
    found = []
    for row in db.query(
        "SELECT g.id, g.kind, g.child_id, g.happened_at, i.purpose, "
        "c.first_name || ' ' || c.last_name AS child FROM involvement_stages g "
        "JOIN children c ON c.id = g.child_id LEFT JOIN involvements i ON i.id = g.involvement_id "
        "WHERE NOT EXISTS (SELECT 1 FROM parents_informed p WHERE p.stage_id = g.id) "
        "ORDER BY g.happened_at"
    ):
        if child_ids is not None and row["child_id"] not in child_ids:
            continue
        happened = clock.parse(row["happened_at"])
        local_day = clock.local(happened, tz).date()
        day = "today's" if local_day == today else f"the {local_day:%d %b}"
        found.append(
            Task(
                row["id"],
                row["child_id"],
                row["child"],
                _task_words(
                    parents_of(db, row["child_id"]),
                    row["kind"],
                    _short_purpose(row["purpose"]),
                    day,
                ),
                row["happened_at"],
                clock.stamp(happened + within),
                now > happened + within,
            )
        )
    return found


def _short_purpose(purpose: str | None) -> str | None:
    # "speech and language assessment" reads as "today's speech and language assessment visit"
    return purpose.rstrip(". ") if purpose and len(purpose) <= 60 else None


def stage_row(db: Database, stage_id: int) -> dict | None:
    return next(db.query("SELECT * FROM involvement_stages WHERE id = ?", [stage_id]), None)


def record_parents_informed(
    db: Database,
    staff: StaffMember,
    stage_id: int,
    *,
    told_at: str,
    told_who: str,
    told_how: str,
    told_by: int,
) -> None:
    """When, how and by whom the parents were told about this stage."""
    if told_how not in TOLD_HOW:
        raise InvolvementProblem("Please choose how the parents were told.")
    _informed(
        db,
        staff,
        stage_id,
        {"told_at": told_at, "told_who": told_who, "told_how": told_how, "told_by": told_by},
    )


def record_not_told(db: Database, staff: StaffMember, stage_id: int, *, reason: str) -> None:
    """The DSL's reason not to tell the parents (for example, telling them could put the
    child at risk)."""
    if staff.role not in DSL_ROLES:
        raise InvolvementProblem("Only the DSL (the manager) or the deputy decides not to tell.")
    _informed(db, staff, stage_id, {"not_told_reason": reason})


def _informed(db: Database, staff: StaffMember, stage_id: int, values: dict) -> None:
    with write(db):
        stage = stage_row(db, stage_id)
        if stage is None:
            raise InvolvementProblem("There is no such stage.")
        if db.execute("SELECT 1 FROM parents_informed WHERE stage_id = ?", [stage_id]).fetchone():
            raise InvolvementProblem("This is already recorded.")
        insert(
            db,
            "parents_informed",
            {**values, "stage_id": stage_id, "recorded_by": staff.id, "recorded_at": clock.stamp()},
        )
        audit.record(
            db,
            staff.actor(),
            "parents_informed" if "told_at" in values else "parents_not_told",
            subject_kind="involvement_stages",
            subject_id=stage_id,
            child_id=stage["child_id"],
        )


# ---- Other agencies' information: shared only with that agency's consent ----


def record_agency_consent(
    db: Database,
    staff: StaffMember,
    stage_id: int,
    *,
    shared_with: str,
    given_by: str,
    given_on: str,
) -> None:
    with write(db):
        stage = stage_row(db, stage_id)
        if stage is None or not stage["from_agency"]:
            raise InvolvementProblem("This is not a report from another agency.")
        insert(
            db,
            "agency_share_consents",
            {
                "stage_id": stage_id,
                "shared_with": shared_with,
                "given_by": given_by,
                "given_on": given_on,
                "recorded_by": staff.id,
                "recorded_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            staff.actor(),
            "agency_consent_recorded",
            subject_kind="involvement_stages",
            subject_id=stage_id,
            child_id=stage["child_id"],
            shared_with=shared_with,
        )


def shareable_reports(db: Database, child_id: int, shared_with: str) -> set[int]:
    """The child's reports from other agencies whose consent to share with ``shared_with``
    is recorded."""
    return {
        row[0]
        for row in db.execute(
            "SELECT a.stage_id FROM agency_share_consents a "
            "JOIN involvement_stages g ON g.id = a.stage_id "
            "WHERE g.child_id = ? AND a.shared_with = ? COLLATE NOCASE",
            [child_id, shared_with],
        )
    }


def reports_from_agencies(db: Database, child_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT id, from_agency, happened_at, summary FROM involvement_stages "
            "WHERE child_id = ? AND from_agency IS NOT NULL ORDER BY happened_at",
            [child_id],
        )
    )


def local_input(db: Database, raw: str) -> str | None:
    """A datetime-local form value (the setting's time) as a stored UTC time; None if not
    a time, or in the future."""
    try:
        if len(raw) not in (16, 19):
            raise ValueError
        naive = datetime.fromisoformat(raw)
    except ValueError:
        return None
    at = clock.at_local(naive.date(), naive.time(), settings.timezone(db))
    if at > clock.now() + timedelta(minutes=5):
        return None
    return clock.stamp(at)
