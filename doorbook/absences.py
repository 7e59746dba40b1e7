"""Absences (EYFS 2025, 3.11-3.12): what a parent reports at the kiosk or staff record
when it is phoned in, with a reason, and the prolonged and repeated absence the designated
safeguarding lead looks at. An absence with a reason is not chased: reporting one ends that
day's not-arrived follow-up (``not_arrived``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from doorbook import audit, clock, events, not_arrived, sessions, settings
from doorbook.db import insert, update, write

REASONS = {
    "ill": "ill",
    "holiday": "holiday",
    "appointment": "appointment",
    "other": "other",
}
REPORT_WEEKS = 4
MAX_DAYS_AHEAD = 60


class AbsenceProblem(ValueError):
    """Something that cannot be done; the message is for the member of staff."""


def child_name(db: Database, child_id: int) -> str:
    row = db.execute(
        "SELECT first_name || ' ' || last_name FROM children WHERE id = ?", [child_id]
    ).fetchone()
    if row is None:
        raise AbsenceProblem("There is no such child.")
    return row[0]


def today(db: Database, now: datetime | None = None) -> date:
    return clock.local(now or clock.now(), settings.timezone(db)).date()


# ---- Absences reported ----


def report(
    db: Database,
    actor: audit.Actor,
    child_id: int,
    days: list[date],
    reason: str,
    *,
    via: str,
    note: str | None = None,
    reported_by: str | None = None,
) -> list[int]:
    """Record that a child is (or will be) absent on these days, with a reason. A day
    already reported is updated, not doubled. Any follow-up open for those days ends."""
    if reason not in REASONS:
        raise AbsenceProblem("Please choose a reason: ill, holiday, appointment or other.")
    if not days:
        raise AbsenceProblem("Please choose the day or days the child will be absent.")
    name = child_name(db, child_id)
    now = clock.stamp()
    ids = []
    with write(db):
        for day in sorted(set(days)):
            existing = db.execute(
                "SELECT id FROM absences WHERE child_id = ? AND day = ? AND cancelled_at IS NULL",
                [child_id, day.isoformat()],
            ).fetchone()
            values = {
                "reason": reason,
                "note": note or None,
                "reported_via": via,
                "reported_by_name": reported_by or actor.name,
                "reported_by_contact_id": actor.id if actor.kind == "contact" else None,
                "recorded_by_staff_id": actor.id if actor.kind == "staff" else None,
                "reported_at": now,
            }
            if existing:
                absence_id = existing[0]
                update(db, "absences", absence_id, values)
            else:
                absence_id = insert(
                    db, "absences", {"child_id": child_id, "day": day.isoformat(), **values}
                )
            ids.append(absence_id)
            audit.record(
                db,
                actor,
                "absence_reported",
                subject_kind="absences",
                subject_id=absence_id,
                child_id=child_id,
                day=day.isoformat(),
                reason=reason,
                via=via,
                reported_by=reported_by or actor.name or "",
                note=note or "",
            )
            for follow_up in db.execute(
                "SELECT id FROM follow_ups WHERE child_id = ? AND day = ? AND ended_at IS NULL",
                [child_id, day.isoformat()],
            ).fetchall():
                not_arrived.end(
                    db,
                    actor,
                    follow_up[0],
                    "absence_recorded",
                    f"Absence recorded for {name}: {REASONS[reason]}.",
                )
        events.changed(db, "on-site")
    return ids


def cancel(db: Database, actor: audit.Actor, absence_id: int) -> None:
    """An absence reported in error (the child came after all)."""
    with write(db):
        row = db.execute(
            "SELECT child_id, day FROM absences WHERE id = ? AND cancelled_at IS NULL",
            [absence_id],
        ).fetchone()
        if row is None:
            raise AbsenceProblem("That absence has already been cancelled.")
        update(db, "absences", absence_id, {"cancelled_at": clock.stamp()})
        audit.record(
            db,
            actor,
            "absence_cancelled",
            subject_kind="absences",
            subject_id=absence_id,
            child_id=row[0],
            day=row[1],
        )
        events.changed(db, "on-site")


def absences_between(db: Database, first: date, last: date) -> list[dict]:
    return list(
        db.query(
            "SELECT a.*, c.first_name, c.last_name, r.name AS room, s.name AS recorded_by "
            "FROM absences a JOIN children c ON c.id = a.child_id "
            "JOIN rooms r ON r.id = c.room_id LEFT JOIN staff s ON s.id = a.recorded_by_staff_id "
            "WHERE a.cancelled_at IS NULL AND a.day BETWEEN ? AND ? "
            "ORDER BY a.day, r.id, c.first_name",
            [first.isoformat(), last.isoformat()],
        )
    )


def absences_for_child(db: Database, child_id: int, limit: int = 50) -> list[dict]:
    return list(
        db.query(
            "SELECT a.*, s.name AS recorded_by FROM absences a "
            "LEFT JOIN staff s ON s.id = a.recorded_by_staff_id "
            "WHERE a.child_id = ? AND a.cancelled_at IS NULL ORDER BY a.day DESC LIMIT ?",
            [child_id, limit],
        )
    )


def reportable_days(db: Database, child_id: int, now: datetime | None = None) -> list:
    """The booked days a parent may report an absence for: today (until the session ends)
    and the next few booked days, each marked if already reported."""
    upcoming = sessions.upcoming(db, child_id, now=now, count=5)
    reported = {
        r[0]
        for r in db.execute(
            "SELECT day FROM absences WHERE child_id = ? AND cancelled_at IS NULL AND day >= ?",
            [child_id, today(db, now).isoformat()],
        )
    }
    return [(expected, expected.day.isoformat() in reported) for expected in upcoming]


# ---- Prolonged and repeated absence, for the DSL ----


@dataclass
class AbsenceRecord:
    child_id: int
    name: str
    room: str
    expected: int
    absent: int
    unexplained: int
    consecutive: int
    last_seen: str | None

    @property
    def percent(self) -> int:
        return round(100 * self.absent / self.expected) if self.expected else 0


def prolonged_and_repeated(db: Database, now: datetime | None = None) -> list[AbsenceRecord]:
    """Children absent for ``prolonged_absence_sessions`` consecutive expected sessions
    (up to now), or for more than ``repeated_absence_percent`` % of their expected
    sessions in the last 4 weeks. Absent means booked and not signed in, with or without
    a reason (how many had none is shown)."""
    now = now or clock.now()
    last = today(db, now)
    first = last - timedelta(weeks=REPORT_WEEKS) + timedelta(days=1)
    consecutive_limit = settings.get_int(db, "prolonged_absence_sessions")
    percent_limit = settings.get_int(db, "repeated_absence_percent")
    calendar = sessions.Calendar(db, first, last)
    attended = {
        (r[0], r[1])
        for r in db.execute(
            "SELECT child_id, day FROM attendance WHERE day BETWEEN ? AND ?",
            [first.isoformat(), last.isoformat()],
        )
    }
    explained = {(a["child_id"], a["day"]) for a in absences_between(db, first, last)}
    history: dict[int, list[tuple[str, bool, bool]]] = defaultdict(list)
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        for child_id, expected in calendar.expected(day).items():
            if day == last and now < expected.ends:
                continue  # today's session is not over yet
            key = (child_id, day.isoformat())
            history[child_id].append((day.isoformat(), key not in attended, key in explained))
    names = {
        r["id"]: r
        for r in db.query(
            "SELECT c.id, c.first_name || ' ' || c.last_name AS name, r.name AS room "
            "FROM children c JOIN rooms r ON r.id = c.room_id"
        )
    }
    found = []
    for child_id, days in history.items():
        absent = sum(1 for _, missing, _ in days if missing)
        consecutive = 0
        for _, missing, _ in reversed(days):
            if not missing:
                break
            consecutive += 1
        record = AbsenceRecord(
            child_id,
            names[child_id]["name"],
            names[child_id]["room"],
            len(days),
            absent,
            sum(1 for _, missing, why in days if missing and not why),
            consecutive,
            next((d for d, missing, _ in reversed(days) if not missing), None),
        )
        if record.consecutive >= consecutive_limit or record.percent > percent_limit:
            found.append(record)
    return sorted(found, key=lambda r: (-r.consecutive, -r.percent, r.name))


# ---- Retention: these records follow the register's ----


def purge_child(db: Database, child_id: int) -> None:
    """Called by the retention purge for a child whose register entries are removed."""
    with write(db):
        db.execute(
            "DELETE FROM contact_attempts WHERE follow_up_id IN "
            "(SELECT id FROM follow_ups WHERE child_id = ?)",
            [child_id],
        )
        db.execute("DELETE FROM follow_ups WHERE child_id = ?", [child_id])
        db.execute("DELETE FROM absences WHERE child_id = ?", [child_id])
        db.execute("DELETE FROM session_changes WHERE child_id = ?", [child_id])
        db.execute("DELETE FROM booked_sessions WHERE child_id = ?", [child_id])
