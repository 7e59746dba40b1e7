"""The records a setting must be able to show: the visitor log, the attendance register
(with corrections), the fire roll call, the audit log, and retention.

Days are the setting's local days: every record carries the local date it happened on
(``day``), so the last Sunday of March is 23 hours and the last Sunday of October 25,
with nothing lost or doubled."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlite_utils import Database

from doorbook import (
    absences,
    audit,
    clock,
    complaints,
    dashboard,
    events,
    safeguarding,
    schemas,
    settings,
    supervision,
)
from doorbook.db import insert, update, write

# OWASP CSV injection: a cell starting with one of these is read as a formula by Excel.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(header: list[str], rows: list[list[object]]) -> bytes:
    """Excel-friendly and inert: UTF-8 with a BOM, CRLF line ends, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _local(stored: str | None, tz: str) -> str:
    return clock.local(stored, tz).strftime("%H:%M") if stored else ""


def _minutes(start: str, end: str | None) -> int | None:
    if not end:
        return None
    return round((clock.parse(end) - clock.parse(start)).total_seconds() / 60)


# ---- The visitor log ----


@dataclass
class LoggedVisit:
    row: dict
    periods: list[dict] = field(default_factory=list)
    unsupervised_minutes: float | None = None


def visitor_log(db: Database, first: date, last: date | None = None) -> list[LoggedVisit]:
    last = last or first
    visits = [
        LoggedVisit(row)
        for row in db.query(
            "SELECT v.*, r.name AS visitor, r.role, r.phone, "
            "COALESCE(o.name, r.organisation_name) AS organisation, "
            "o.dbs_assurance_on_file, c.first_name || ' ' || c.last_name AS child, "
            "s.name AS id_seen_by_name, d.name AS dbs_confirmed_by_name, "
            "x.name AS signed_out_by_name FROM visits v "
            "JOIN visitors r ON r.id = v.visitor_id "
            "LEFT JOIN organisations o ON o.id = r.organisation_id "
            "LEFT JOIN children c ON c.id = v.child_id "
            "LEFT JOIN staff s ON s.id = v.id_seen_by "
            "LEFT JOIN staff d ON d.id = v.dbs_assurance_confirmed_by "
            "LEFT JOIN staff x ON x.id = v.signed_out_by "
            "WHERE v.day BETWEEN ? AND ? ORDER BY v.signed_in_at",
            [first.isoformat(), last.isoformat()],
        )
    ]
    by_id = {v.row["id"]: v for v in visits}
    if by_id:
        marks = ",".join("?" * len(by_id))
        sql = f"SELECT p.*, s.name AS supervisor FROM supervision_periods p JOIN staff s ON s.id = p.staff_id WHERE p.visit_id IN ({marks}) ORDER BY p.started_at"  # noqa: S608, E501
        for period in db.query(sql, list(by_id)):
            by_id[period["visit_id"]].periods.append(period)
    for visit in visits:
        if visit.row["kind"] == "agency":
            visit.unsupervised_minutes = supervision.minutes_without(
                visit.row["signed_in_at"], visit.row["signed_out_at"], visit.periods
            )
    return visits


VISITOR_LOG_HEADER = [
    "Date",
    "Time in",
    "Time out",
    "Minutes",
    "Visitor",
    "Organisation",
    "Role",
    "Kind",
    "Purpose",
    "Here to see",
    "Child seen",
    "Supervised by",
    "Minutes unsupervised",
    "Photo ID seen",
    "DBS assurance",
    "Where",
    "Signed out by",
]


def visitor_log_rows(db: Database, visits: list[LoggedVisit]) -> list[list[object]]:
    tz = settings.timezone(db)
    rows = []
    for visit in visits:
        v = visit.row
        supervised = "; ".join(
            f"{p['supervisor']} {_local(p['started_at'], tz)}–{_local(p['ended_at'], tz)}"
            for p in visit.periods
        )
        dbs = (
            f"confirmed by {v['dbs_confirmed_by_name']}"
            if v["dbs_assurance_confirmed_at"]
            else "letter on file"
            if v["dbs_assurance_on_file"]
            else ""
        )
        rows.append(
            [
                v["day"],
                _local(v["signed_in_at"], tz),
                _local(v["signed_out_at"], tz),
                _minutes(v["signed_in_at"], v["signed_out_at"]) or "",
                v["visitor"],
                v["organisation"] or "",
                v["role"] or "",
                v["kind"],
                v["purpose"] or "",
                v["here_to_see"] or "",
                v["child"] or v["child_name_typed"] or "",
                supervised,
                "" if visit.unsupervised_minutes is None else round(visit.unsupervised_minutes),
                f"yes ({v['id_seen_by_name']})" if v["id_seen_at"] else "no",
                dbs,
                v["location"] or "",
                v["signed_out_by_name"] or ("self" if v["signed_out_at"] else "still on site"),
            ]
        )
    return rows


# ---- The attendance register ----


def register(db: Database, first: date, last: date | None = None) -> list[dict]:
    """Every child's entries for a day (or days), with their corrections."""
    span = [first.isoformat(), (last or first).isoformat()]
    entries = list(
        db.query(
            "SELECT a.*, c.first_name, c.last_name, c.known_as, r.name AS room, "
            "k.name AS key_person, o.relationship AS one_off_relationship, "
            "o.arranged_by AS one_off_arranged_by, o.id_checked_at AS one_off_id_checked_at, "
            "x.name AS one_off_id_checked_by FROM attendance a "
            "JOIN children c ON c.id = a.child_id "
            "JOIN rooms r ON r.id = c.room_id LEFT JOIN staff k ON k.id = c.key_person_id "
            "LEFT JOIN one_off_collections o ON o.id = a.one_off_collection_id "
            "LEFT JOIN staff x ON x.id = o.id_checked_by "
            "WHERE a.day BETWEEN ? AND ? "
            "ORDER BY a.day, r.id, c.first_name, c.last_name, a.arrived_at",
            span,
        )
    )
    corrections: dict[int, list[dict]] = {}
    for correction in db.query(
        "SELECT rc.*, s.name AS corrected_by_name FROM register_corrections rc "
        "JOIN attendance a ON a.id = rc.attendance_id JOIN staff s ON s.id = rc.corrected_by "
        "WHERE a.day BETWEEN ? AND ? ORDER BY rc.id",
        span,
    ):
        corrections.setdefault(correction["attendance_id"], []).append(correction)
    for entry in entries:
        entry["corrections"] = corrections.get(entry["id"], [])
    return entries


REGISTER_HEADER = [
    "Date",
    "Child",
    "Room",
    "Key person",
    "Arrived",
    "Brought by",
    "Left",
    "Collected by",
    "One-off collection",
    "Corrections",
    "Message for key person",
    "Absence",
]


def register_rows(db: Database, entries: list[dict]) -> list[list[object]]:
    tz = settings.timezone(db)
    return [
        [
            e["day"],
            f"{e['first_name']} {e['last_name']}",
            e["room"],
            e["key_person"] or "",
            _local(e["arrived_at"], tz),
            e["brought_by_name"] or "",
            _local(e["departed_at"], tz),
            e["collected_by_name"] or "",
            one_off_note(e, tz),
            "; ".join(
                f"{c['field']} {c['old_value'] or '(none)'} -> {c['new_value']} by "
                f"{c['corrected_by_name']} at {clock.local(c['corrected_at'], tz):%d/%m %H:%M}: "
                f"{c['reason']}"
                for c in e["corrections"]
            ),
            e["message_for_key_person"] or "",
            "",
        ]
        for e in entries
    ]


def one_off_note(entry: dict, tz: str) -> str:
    """How a one-off collection was checked, for the register and its CSV."""
    if not entry.get("one_off_collection_id"):
        return ""
    arranged = (
        f", arranged by {entry['one_off_arranged_by']}" if entry["one_off_arranged_by"] else ""
    )
    seen = (
        f"photo ID seen by {entry['one_off_id_checked_by'] or 'staff'} at "
        f"{_local(entry['one_off_id_checked_at'], tz)}"
        if entry["one_off_id_checked_at"]
        else "photo ID not recorded"
    )
    return f"yes{arranged}; family password given; {seen}"


def absence_rows(db: Database, first: date, last: date | None = None) -> list[list[object]]:
    """The register's rows for children absent (with a reason), and for follow-ups of
    children expected who did not come, each with its contact attempts."""
    tz = settings.timezone(db)
    last = last or first
    rows = []
    key_people = {
        r[0]: r[1]
        for r in db.execute(
            "SELECT c.id, k.name FROM children c JOIN staff k ON k.id = c.key_person_id"
        )
    }
    for a in absences.absences_between(db, first, last):
        rows.append(
            [
                a["day"],
                f"{a['first_name']} {a['last_name']}",
                a["room"],
                key_people.get(a["child_id"], ""),
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                f"absent: {absences.REASONS.get(a['reason'], a['reason'])}"
                f"{' (' + a['note'] + ')' if a['note'] else ''}; reported by "
                f"{a['reported_by_name'] or ''} ({a['reported_via']}) at "
                f"{clock.local(a['reported_at'], tz):%d/%m %H:%M}",
            ]
        )
    follow_ups = absences.follow_ups_between(db, first, last)
    attempts = absences.attempts_for(db, [f["id"] for f in follow_ups])
    rooms = {
        r[0]: r[1]
        for r in db.execute("SELECT c.id, r.name FROM children c JOIN rooms r ON r.id = c.room_id")
    }
    for f in follow_ups:
        calls = "; ".join(
            f"{clock.local(t['made_at'], tz):%H:%M} {t['made_by_name']} rang {t['contact_name']}"
            f" on {t['phone'] or '(no number)'}: "
            f"{absences.OUTCOMES.get(t['outcome'], t['outcome'])}"
            for t in attempts[f["id"]]
        )
        ended = (
            f"ended {clock.local(f['ended_at'], tz):%H:%M} ({f['ended_because']}): {f['end_note']}"
            if f["ended_at"]
            else "still open"
        )
        rows.append(
            [
                f["day"],
                f["child"],
                rooms.get(f["child_id"], ""),
                key_people.get(f["child_id"], ""),
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                f"not arrived: follow-up from {clock.local(f['started_at'], tz):%H:%M}"
                f"{'; ' + calls if calls else ''}; {ended}",
            ]
        )
    return rows


def register_table(db: Database, first: date, last: date | None = None) -> list[list[object]]:
    """Every row of the register's CSV: who came, then who was absent and who was chased."""
    return register_rows(db, register(db, first, last)) + absence_rows(db, first, last)


def totals_by_room(entries: list[dict]) -> dict[str, int]:
    totals: dict[str, set[int]] = {}
    for entry in entries:
        totals.setdefault(entry["room"], set()).add(entry["child_id"])
    return {room: len(children) for room, children in totals.items()}


class CorrectionProblem(ValueError):
    """A correction that cannot be made; the message says why."""


def _stamp_for(db: Database, day: date, hh_mm: str) -> str:
    wall = schemas.hh_mm(hh_mm)
    if wall is None:
        raise CorrectionProblem("Please give the time as HH:MM.")
    return clock.stamp(clock.at_local(day, time.fromisoformat(wall), settings.timezone(db)))


def correct_time(
    db: Database, attendance_id: int, which: str, hh_mm: str, reason: str, staff: audit.Actor
) -> str:
    """Correct an arrival or departure time; the original stays in the history. A departure
    given for a child still signed in signs them out, with every consequence of a sign-out
    (register.child_leaves). Returns what was done, for the member of staff."""
    from doorbook import register

    if which not in ("arrived_at", "departed_at"):
        raise CorrectionProblem("Only the arrival or departure time can be corrected.")
    if not reason:
        raise CorrectionProblem("Please give the reason for the correction.")
    with write(db):
        entry = next(db.query("SELECT * FROM attendance WHERE id = ?", [attendance_id]), None)
        if entry is None:
            raise CorrectionProblem("There is no such register entry.")
        tz = settings.timezone(db)
        new = _stamp_for(db, date.fromisoformat(entry["day"]), hh_mm)
        if new > clock.stamp():
            raise CorrectionProblem(
                f"{hh_mm} has not happened yet: a register time cannot be in the future."
            )
        arrived = new if which == "arrived_at" else entry["arrived_at"]
        departed = new if which == "departed_at" else entry["departed_at"]
        if departed and departed < arrived:
            raise CorrectionProblem("A child cannot leave before they arrive.")
        insert(
            db,
            "register_corrections",
            {
                "attendance_id": attendance_id,
                "field": which,
                "old_value": _local(entry[which], tz) or None,
                "new_value": hh_mm,
                "reason": reason,
                "corrected_by": staff.id,
                "corrected_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            staff,
            "register_corrected",
            subject_kind="attendance",
            subject_id=attendance_id,
            child_id=entry["child_id"],
            field=which,
            old=entry[which] or "",
            new=new,
            reason=reason,
        )
        child = f"{entry_child_name(db, entry['child_id'])}"
        if which == "departed_at" and entry["departed_at"] is None:
            register.child_leaves(db, entry, staff, at=new, reason=f"register corrected: {reason}")
            return f"{child} is signed out at {hh_mm} (a correction). They are no longer on site."
        update(db, "attendance", attendance_id, {which: new})
        events.changed(db, "on-site")
    what = "arrival" if which == "arrived_at" else "departure"
    return f"{child}'s {what} is corrected to {hh_mm}."


def entry_child_name(db: Database, child_id: int) -> str:
    first, last = db.execute(
        "SELECT first_name, last_name FROM children WHERE id = ?", [child_id]
    ).fetchone()
    return f"{first} {last}"


def add_missing_entry(
    db: Database,
    child_id: int,
    day: date,
    arrived: str,
    departed: str | None,
    reason: str,
    staff: audit.Actor,
) -> int:
    """A parent forgot to sign in: staff add the entry, shown as a correction."""
    if not reason:
        raise CorrectionProblem("Please give the reason for the correction.")
    with write(db):
        arrived_at = _stamp_for(db, day, arrived)
        departed_at = _stamp_for(db, day, departed) if departed else None
        if departed_at and departed_at < arrived_at:
            raise CorrectionProblem("A child cannot leave before they arrive.")
        if (
            departed_at is None
            and db.execute(
                "SELECT 1 FROM attendance WHERE child_id = ? AND departed_at IS NULL", [child_id]
            ).fetchone()
        ):
            raise CorrectionProblem("This child is already signed in.")
        entry = insert(
            db,
            "attendance",
            {
                "child_id": child_id,
                "day": day.isoformat(),
                "arrived_at": arrived_at,
                "departed_at": departed_at,
                "brought_by_name": None,
                "created_at": clock.stamp(),
            },
        )
        absences.child_arrived(db, child_id, staff, day)
        now = clock.stamp()
        for which, value in (("arrived_at", arrived), ("departed_at", departed)):
            if value:
                insert(
                    db,
                    "register_corrections",
                    {
                        "attendance_id": entry,
                        "field": which,
                        "old_value": None,
                        "new_value": value,
                        "reason": reason,
                        "corrected_by": staff.id,
                        "corrected_at": now,
                    },
                )
        audit.record(
            db,
            staff,
            "register_entry_added",
            subject_kind="attendance",
            subject_id=entry,
            child_id=child_id,
            day=day.isoformat(),
            reason=reason,
        )
    return entry


# ---- The fire roll call ----


@dataclass
class RollCall:
    rooms: list
    staff: list[dict]
    visitors: list[dict]
    taken_at: str

    @property
    def total(self) -> int:
        return sum(len(r.children) for r in self.rooms) + len(self.staff) + len(self.visitors)


def roll_call(db: Database) -> RollCall:
    return RollCall(
        dashboard.rooms_now(db),
        dashboard.staff_on_site(db),
        dashboard.visits_on_site(db),
        clock.stamp(),
    )


# ---- The audit log ----


def search_audit(
    db: Database,
    *,
    first: date | None,
    last: date | None,
    person: str = "",
    action: str = "",
    limit: int = 500,
) -> list[dict]:
    tz = settings.timezone(db)
    where, params = [], []
    if first:
        where.append("at >= ?")
        params.append(clock.day_bounds(first, tz)[0])
    if last:
        where.append("at < ?")
        params.append(clock.day_bounds(last, tz)[1])
    if person:
        where.append("(actor_name LIKE ? ESCAPE '\\' OR details LIKE ? ESCAPE '\\')")
        like = "%" + person.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [like, like]
    if action:
        where.append("action = ?")
        params.append(action)
    sql = "SELECT * FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return list(db.query(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]))


def audit_actions(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT DISTINCT action FROM audit_log ORDER BY 1")]


# ---- Retention ----


@dataclass
class PurgePlan:
    visits: list[int] = field(default_factory=list)
    kept_for_child_protection: int = 0
    register_entries: list[int] = field(default_factory=list)
    children_anonymised: list[int] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)
    complaints: list[int] = field(default_factory=list)
    audit_entries: int = 0
    safeguarding: safeguarding.SafeguardingPurge = field(
        default_factory=safeguarding.SafeguardingPurge
    )

    def describe(self) -> str:
        return (
            f"{len(self.visits)} visits (and their visitors' details), "
            f"{len(self.register_entries)} register entries, "
            f"{len(self.children_anonymised)} children who left long ago anonymised, "
            f"{len(self.alerts)} alerts, {len(self.complaints)} complaints closed long ago, "
            f"{self.audit_entries} audit entries; "
            f"{self.kept_for_child_protection} visits kept for a child protection plan; "
            f"{self.safeguarding.describe()}"
        )


def _years_ago(db: Database, key: str, today: date) -> date:
    years = settings.get_int(db, key)
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def plan_purge(db: Database, today: date | None = None) -> PurgePlan:
    today = today or clock.today(settings.timezone(db))
    plan = PurgePlan()
    visit_cutoff = _years_ago(db, "retention_visitor_years", today).isoformat()
    for row in db.query(
        "SELECT v.id, c.child_protection_plan FROM visits v "
        "LEFT JOIN children c ON c.id = v.child_id WHERE v.day < ?",
        [visit_cutoff],
    ):
        if row["child_protection_plan"]:
            plan.kept_for_child_protection += 1
        else:
            plan.visits.append(row["id"])
    plan.safeguarding = safeguarding.plan_purge(
        db, _years_ago(db, "retention_safeguarding_years_after_leaving", today)
    )
    left_cutoff = _years_ago(db, "retention_register_years_after_leaving", today).isoformat()
    for row in db.query(
        "SELECT id FROM children WHERE left_on IS NOT NULL AND left_on < ? "
        "AND first_name != 'Removed'",
        [left_cutoff],
    ):
        # A child's concerns and involvements are kept far longer than the register: their
        # name stays with them until those go too.
        if row["id"] in plan.safeguarding.children or not safeguarding.keeps_records(db, row["id"]):
            plan.children_anonymised.append(row["id"])
        plan.register_entries += [
            r[0] for r in db.execute("SELECT id FROM attendance WHERE child_id = ?", [row["id"]])
        ]
    alert_cutoff = clock.stamp(
        clock.at_local(
            _years_ago(db, "retention_alert_years", today), time.min, settings.timezone(db)
        )
    )
    plan.alerts = [
        r[0] for r in db.execute("SELECT id FROM alerts WHERE raised_at < ?", [alert_cutoff])
    ]
    plan.complaints = complaints.past_retention(db, today)
    audit_cutoff = f"{_years_ago(db, 'retention_audit_years', today).isoformat()} 00:00:00.000000"
    plan.audit_entries = db.execute(
        "SELECT count(*) FROM audit_log WHERE at < ?", [audit_cutoff]
    ).fetchone()[0]
    return plan


def purge(db: Database, actor: audit.Actor, today: date | None = None) -> PurgePlan:
    """Remove or anonymise what is past its retention period, in one transaction, and audit
    it. Visits linked to a child protection plan are kept."""
    with write(db):
        plan = plan_purge(db, today)
        today = today or clock.today(settings.timezone(db))
        for visit_id in plan.visits:
            visitor = db.execute(
                "SELECT visitor_id FROM visits WHERE id = ?", [visit_id]
            ).fetchone()[0]
            db.execute("UPDATE alerts SET visit_id = NULL WHERE visit_id = ?", [visit_id])
            db.execute("DELETE FROM supervision_periods WHERE visit_id = ?", [visit_id])
            # A concern's chronology keeps the visit's stage (its summary names the visitor).
            db.execute(
                "UPDATE involvement_stages SET visit_id = NULL WHERE visit_id = ?", [visit_id]
            )
            db.execute("DELETE FROM visits WHERE id = ?", [visit_id])
            if not db.execute("SELECT 1 FROM visits WHERE visitor_id = ?", [visitor]).fetchone():
                db.execute("DELETE FROM visitors WHERE id = ?", [visitor])
        for entry in plan.register_entries:
            db.execute("DELETE FROM register_corrections WHERE attendance_id = ?", [entry])
            db.execute("DELETE FROM attendance WHERE id = ?", [entry])
        for child_id in plan.safeguarding.children:
            safeguarding.purge_child(db, child_id)
        for child_id in plan.children_anonymised:
            db.execute(
                "UPDATE children SET first_name = 'Removed', last_name = ?, known_as = NULL, "
                "date_of_birth = '1900-01-01', collection_password_hash = NULL WHERE id = ?",
                [f"child {child_id}", child_id],
            )
            db.execute("DELETE FROM not_permitted WHERE child_id = ?", [child_id])
            absences.purge_child(db, child_id)
            db.execute("DELETE FROM child_contacts WHERE child_id = ?", [child_id])
        for alert_id in plan.alerts:
            db.execute("DELETE FROM alerts WHERE id = ?", [alert_id])
        for complaint_id in plan.complaints:
            db.execute("DELETE FROM complaints WHERE id = ?", [complaint_id])
        audit_cutoff = (
            f"{_years_ago(db, 'retention_audit_years', today).isoformat()} 00:00:00.000000"
        )
        db.execute("DELETE FROM audit_log WHERE at < ?", [audit_cutoff])
        audit.record(db, actor, "retention_purge", summary=plan.describe())
    return plan


def end_of_day_files(db: Database, day: date) -> dict[str, bytes]:
    """The day's visitor log and register as CSV files, named by day."""
    return {
        f"visitor-log-{day.isoformat()}.csv": to_csv(
            VISITOR_LOG_HEADER, visitor_log_rows(db, visitor_log(db, day))
        ),
        f"register-{day.isoformat()}.csv": to_csv(REGISTER_HEADER, register_table(db, day)),
    }


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def end_of_day_export(db: Database, now=None) -> list[str]:
    """At closing time, write the day's files to the configured folder, once a day.

    Run by the server's scheduler (the one process that writes), not a second process."""
    import os
    from pathlib import Path

    folder = settings.get(db, "end_of_day_folder")
    now = now or clock.now()
    tz = settings.timezone(db)
    local = clock.local(now, tz)
    if not folder or local.strftime("%H:%M") < settings.get(db, "closing_time"):
        return []
    day = local.date().isoformat()
    if db.execute(
        "SELECT 1 FROM audit_log WHERE action = 'end_of_day_exported' "
        "AND json_extract(details, '$.day') = ?",
        [day],
    ).fetchone():
        return []
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in end_of_day_files(db, local.date()).items():
        partial = target / f".{name}.partial"
        partial.write_bytes(data)
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        partial.replace(target / name)
        written.append(str(target / name))
    audit.record(db, audit.SYSTEM, "end_of_day_exported", day=day, folder=folder)
    return written
