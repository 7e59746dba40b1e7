"""The records a setting must be able to show, as screens read them and as files: the
visitor log, the attendance register (with its absences and not-arrived follow-ups), CSV that
spreadsheets cannot run, and the end-of-day files.

Days are the setting's local days: every record carries the local date it happened on
(``day``), so the last Sunday of March is 23 hours and the last Sunday of October 25,
with nothing lost or doubled."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlite_utils import Database

from doorbook import absences, audit, clock, not_arrived, settings, supervision

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
            f"{p['supervisor']} {clock.hh_mm(p['started_at'], tz)}–{clock.hh_mm(p['ended_at'], tz)}"
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
                clock.hh_mm(v["signed_in_at"], tz),
                clock.hh_mm(v["signed_out_at"], tz),
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
            clock.hh_mm(e["arrived_at"], tz),
            e["brought_by_name"] or "",
            clock.hh_mm(e["departed_at"], tz),
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
        f"{clock.hh_mm(entry['one_off_id_checked_at'], tz)}"
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
    follow_ups = not_arrived.follow_ups_between(db, first, last)
    attempts = not_arrived.attempts_for(db, [f["id"] for f in follow_ups])
    rooms = {
        r[0]: r[1]
        for r in db.execute("SELECT c.id, r.name FROM children c JOIN rooms r ON r.id = c.room_id")
    }
    for f in follow_ups:
        calls = "; ".join(
            f"{clock.local(t['made_at'], tz):%H:%M} {t['made_by_name']} rang {t['contact_name']}"
            f" on {t['phone'] or '(no number)'}: "
            f"{not_arrived.OUTCOMES.get(t['outcome'], t['outcome'])}"
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


def end_of_day_files(db: Database, day: date) -> dict[str, bytes]:
    """The day's visitor log and register as CSV files, named by day."""
    return {
        f"visitor-log-{day.isoformat()}.csv": to_csv(
            VISITOR_LOG_HEADER, visitor_log_rows(db, visitor_log(db, day))
        ),
        f"register-{day.isoformat()}.csv": to_csv(REGISTER_HEADER, register_table(db, day)),
    }


def end_of_day_export(db: Database, now: datetime | None = None) -> list[str]:
    """At closing time, write the day's files to the configured folder, once a day.

    Run by the server's scheduler (the one process that writes), not a second process."""
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
