"""Absences and their follow-up (EYFS 2025, 3.11-3.12).

A parent reports an absence at the kiosk, or staff record one phoned in; an absence with a
reason is not chased. A child expected (see ``sessions``) and not arrived
``absence_follow_up_minutes`` after their session starts, with no absence reported, raises a
*not arrived* alert and opens a follow-up: staff ring the parents, then each emergency
contact in order, every attempt logged; ``absence_dsl_after_minutes`` later the designated
safeguarding lead (DSL) is told. The follow-up ends when the child arrives, an absence
reason is recorded, or the DSL closes it with a note.

Like the uncollected-child procedure, each alert has its own dedupe key, so the scheduler's
check (or one after a restart) raises each step exactly once.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from doorbook import alerts, audit, clock, dashboard, events, sessions, settings
from doorbook.db import insert, update, write

REASONS = {
    "ill": "ill",
    "holiday": "holiday",
    "appointment": "appointment",
    "other": "other",
}
OUTCOMES = {
    "no_answer": "no answer",
    "voicemail": "left a voicemail",
    "spoke": "spoke to them",
    "number_not_working": "number not working",
}
REPORT_WEEKS = 4
MAX_DAYS_AHEAD = 60
POLICY_MAX_BYTES = 5 * 1024 * 1024
POLICY_FOLDER = "policies"


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
                _end(
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


# ---- The follow-up ----


def _due(db: Database) -> tuple[timedelta, timedelta]:
    return (
        timedelta(minutes=settings.get_int(db, "absence_follow_up_minutes")),
        timedelta(minutes=settings.get_int(db, "absence_dsl_after_minutes")),
    )


def _room(db: Database, child_id: int) -> str:
    row = db.execute(
        "SELECT r.name FROM children c JOIN rooms r ON r.id = c.room_id WHERE c.id = ?",
        [child_id],
    ).fetchone()
    return row[0] if row else ""


def check(db: Database, now: datetime | None = None) -> int:
    """Raise the follow-up steps that are due; return how many alerts were raised."""
    now = now or clock.now()
    tz = settings.timezone(db)
    day = clock.local(now, tz).date()
    after, dsl_after = _due(db)
    raised = 0
    arrived = {
        r[0] for r in db.execute("SELECT child_id FROM attendance WHERE day = ?", [day.isoformat()])
    }
    absent = {
        r[0]
        for r in db.execute(
            "SELECT child_id FROM absences WHERE day = ? AND cancelled_at IS NULL",
            [day.isoformat()],
        )
    }
    for child_id, expected in sessions.expected_on(db, day).items():
        if now < expected.starts + after or child_id in arrived or child_id in absent:
            continue
        with write(db):
            if db.execute(
                "SELECT 1 FROM follow_ups WHERE child_id = ? AND day = ?",
                [child_id, day.isoformat()],
            ).fetchone():
                continue
            follow_up_id = insert(
                db,
                "follow_ups",
                {
                    "child_id": child_id,
                    "day": day.isoformat(),
                    "session_starts_at": clock.stamp(expected.starts),
                    "started_at": clock.stamp(now),
                },
            )
            name = child_name(db, child_id)
            alert = alerts.raise_alert(
                db,
                "not_arrived",
                f"{name} ({_room(db, child_id)}) was expected at "
                f"{clock.local(expected.starts, tz):%H:%M} and has not arrived, and no absence "
                "has been reported. Follow up: ring the parents, then the emergency contacts.",
                child_id=child_id,
                dedupe_key=f"not_arrived:{child_id}:{day.isoformat()}",
                details={"follow_up_id": follow_up_id},
            )
            raised += alert is not None
    for follow_up in list(
        db.query("SELECT * FROM follow_ups WHERE ended_at IS NULL AND dsl_told_at IS NULL")
    ):
        if follow_up["child_id"] in arrived and follow_up["day"] == day.isoformat():
            child_arrived(db, follow_up["child_id"], audit.SYSTEM, day)
            continue
        if now < clock.parse(follow_up["session_starts_at"]) + after + dsl_after:
            continue
        with write(db):
            update(db, "follow_ups", follow_up["id"], {"dsl_told_at": clock.stamp(now)})
            alert = alerts.raise_alert(
                db,
                "not_arrived",
                f"{child_name(db, follow_up['child_id'])} has still not arrived and nobody has "
                "given a reason. Tell the designated safeguarding lead now: they decide what "
                "happens next and close the follow-up.",
                child_id=follow_up["child_id"],
                dedupe_key=f"not_arrived:{follow_up['child_id']}:{follow_up['day']}:dsl",
                details={"follow_up_id": follow_up["id"]},
            )
            raised += alert is not None
    return raised


def _end(db: Database, actor: audit.Actor, follow_up_id: int, because: str, note: str) -> None:
    with write(db):
        row = db.execute("SELECT child_id FROM follow_ups WHERE id = ?", [follow_up_id]).fetchone()
        update(
            db,
            "follow_ups",
            follow_up_id,
            {
                "ended_at": clock.stamp(),
                "ended_because": because,
                "ended_by": actor.id if actor.kind == "staff" else None,
                "end_note": note,
            },
        )
        audit.record(
            db,
            actor,
            "follow_up_ended",
            subject_kind="follow_ups",
            subject_id=follow_up_id,
            child_id=row[0],
            because=because,
            note=note,
        )
        alerts.resolve_where(db, actor, note, kind="not_arrived", child_id=row[0])
        events.changed(db, "on-site")  # the dashboard's "expected today" stops saying "follow up"


def child_arrived(db: Database, child_id: int, actor: audit.Actor, day: date | None = None) -> None:
    """The child is here after all: their follow-up for the day ends (called on sign-in)."""
    day = day or today(db)
    with write(db):
        for (follow_up_id,) in db.execute(
            "SELECT id FROM follow_ups WHERE child_id = ? AND day = ? AND ended_at IS NULL",
            [child_id, day.isoformat()],
        ).fetchall():
            _end(db, actor, follow_up_id, "arrived", "The child has arrived.")


def is_safeguarding_lead(db: Database, staff_id: int) -> bool:
    row = db.execute("SELECT safeguarding_lead FROM staff WHERE id = ?", [staff_id]).fetchone()
    return bool(row and row[0])


def close(db: Database, actor: audit.Actor, follow_up_id: int, note: str) -> None:
    """The DSL closes a follow-up with a note (what was decided, e.g. a referral made)."""
    if actor.kind != "staff" or not is_safeguarding_lead(db, actor.id):
        raise AbsenceProblem("Only a designated safeguarding lead can close a follow-up.")
    if not note:
        raise AbsenceProblem("Please write a note: what was found out or decided.")
    with write(db):
        follow_up = _follow_up_row(db, follow_up_id)
        if follow_up["ended_at"]:
            raise AbsenceProblem("This follow-up has already ended.")
        _end(db, actor, follow_up_id, "closed_by_dsl", note)


def close_from_alert(db: Database, actor: audit.Actor, alert: dict, note: str) -> bool:
    """Resolving a *not arrived* alert on the dashboard closes its open follow-up, with the
    note as the reason: the same act, and the same rule, as closing it on its own page (the
    DSL, with a note), and every not-arrived alert of the child is resolved with it. False
    when the follow-up has already ended: then the alert alone is resolved."""
    follow_up_id = json.loads(alert["details"] or "{}").get("follow_up_id")
    row = db.execute("SELECT ended_at FROM follow_ups WHERE id = ?", [follow_up_id]).fetchone()
    if row is None or row[0]:
        return False
    try:
        close(db, actor, follow_up_id, note)
    except AbsenceProblem as problem:
        leads = ", ".join(safeguarding_leads(db))
        raise alerts.AlertProblem(
            f"{problem} Resolving this alert closes {child_name(db, alert['child_id'])}'s "
            "follow-up. To end it otherwise, log the calls or record the absence reason on "
            f"its page (Follow up: who to ring){f'; the DSL: {leads}' if leads else ''}."
        ) from problem
    return True


def safeguarding_leads(db: Database) -> list[str]:
    """The designated safeguarding leads the setting names (each staff member's flag)."""
    return [
        r[0]
        for r in db.execute(
            "SELECT name FROM staff WHERE safeguarding_lead = 1 AND active = 1 ORDER BY name"
        )
    ]


def _follow_up_row(db: Database, follow_up_id: int) -> dict:
    rows = list(db.query("SELECT * FROM follow_ups WHERE id = ?", [follow_up_id]))
    if not rows:
        raise AbsenceProblem("There is no such follow-up.")
    return rows[0]


@dataclass
class Step:
    """One call the attendance policy asks for: a parent, then each emergency contact."""

    kind: str  # parent | emergency
    contact_id: int
    name: str
    relationship: str
    phone: str | None
    attempts: list[dict] = field(default_factory=list)

    @property
    def tried(self) -> bool:
        return bool(self.attempts)


@dataclass
class FollowUp:
    row: dict
    child: str
    room: str
    steps: list[Step]
    other_attempts: list[dict]
    dsl_due_at: datetime

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if not step.tried), None)

    @property
    def open(self) -> bool:
        return self.row["ended_at"] is None


def callers(db: Database, child_id: int) -> list[Step]:
    """Whom to ring, in the policy's order: those with parental responsibility, then the
    emergency contacts in their order."""
    steps = [
        Step("parent", r["id"], r["name"], r["relationship"], r["phone"])
        for r in db.query(
            "SELECT k.id, k.name, k.phone, cc.relationship FROM child_contacts cc "
            "JOIN contacts k ON k.id = cc.contact_id WHERE cc.child_id = ? "
            "AND cc.parental_responsibility = 1 AND k.active = 1 ORDER BY k.name",
            [child_id],
        )
    ]
    steps += [
        Step("emergency", r["id"], r["name"], r["relationship"], r["phone"])
        for r in db.query(
            "SELECT k.id, k.name, k.phone, cc.relationship FROM child_contacts cc "
            "JOIN contacts k ON k.id = cc.contact_id WHERE cc.child_id = ? "
            "AND cc.emergency_order IS NOT NULL AND cc.parental_responsibility = 0 "
            "AND k.active = 1 ORDER BY cc.emergency_order, k.name",
            [child_id],
        )
    ]
    return steps


def follow_up(db: Database, follow_up_id: int) -> FollowUp:
    row = _follow_up_row(db, follow_up_id)
    steps = callers(db, row["child_id"])
    by_contact = {step.contact_id: step for step in steps}
    others = []
    for attempt in db.query(
        "SELECT t.*, s.name AS made_by_name FROM contact_attempts t "
        "JOIN staff s ON s.id = t.made_by WHERE t.follow_up_id = ? ORDER BY t.made_at, t.id",
        [follow_up_id],
    ):
        step = by_contact.get(attempt["contact_id"])
        (step.attempts if step else others).append(attempt)
    after, dsl_after = _due(db)
    return FollowUp(
        row,
        child_name(db, row["child_id"]),
        _room(db, row["child_id"]),
        steps,
        others,
        clock.parse(row["session_starts_at"]) + after + dsl_after,
    )


def follow_up_of_alert(db: Database, alert_id: int) -> int | None:
    row = db.execute(
        "SELECT details FROM alerts WHERE id = ? AND kind = 'not_arrived'", [alert_id]
    ).fetchone()
    if not row or not row[0]:
        return None
    return json.loads(row[0]).get("follow_up_id")


def open_follow_ups(db: Database) -> list[dict]:
    return list(
        db.query(
            "SELECT f.*, c.first_name || ' ' || c.last_name AS child, r.name AS room, "
            "(SELECT count(*) FROM contact_attempts t WHERE t.follow_up_id = f.id) AS attempts "
            "FROM follow_ups f JOIN children c ON c.id = f.child_id "
            "JOIN rooms r ON r.id = c.room_id WHERE f.ended_at IS NULL ORDER BY f.started_at"
        )
    )


def follow_ups_between(db: Database, first: date, last: date) -> list[dict]:
    return list(
        db.query(
            "SELECT f.*, c.first_name || ' ' || c.last_name AS child, s.name AS ended_by_name "
            "FROM follow_ups f JOIN children c ON c.id = f.child_id "
            "LEFT JOIN staff s ON s.id = f.ended_by WHERE f.day BETWEEN ? AND ? "
            "ORDER BY f.day, f.started_at",
            [first.isoformat(), last.isoformat()],
        )
    )


def attempts_for(db: Database, follow_up_ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = defaultdict(list)
    if not follow_up_ids:
        return found
    marks = ", ".join("?" * len(follow_up_ids))
    for attempt in db.query(
        "SELECT t.*, s.name AS made_by_name FROM contact_attempts t JOIN staff s "  # noqa: S608
        f"ON s.id = t.made_by WHERE t.follow_up_id IN ({marks}) ORDER BY t.made_at, t.id",
        follow_up_ids,
    ):
        found[attempt["follow_up_id"]].append(attempt)
    return found


def log_attempt(
    db: Database,
    actor: audit.Actor,
    follow_up_id: int,
    contact_id: int,
    outcome: str,
    note: str | None = None,
) -> int:
    """Who rang whom, on which number, when, and what happened."""
    if outcome not in OUTCOMES:
        raise AbsenceProblem("Please choose what happened when you rang.")
    with write(db):
        row = _follow_up_row(db, follow_up_id)
        if row["ended_at"]:
            raise AbsenceProblem("This follow-up has already ended; nothing more is logged.")
        step = next((s for s in callers(db, row["child_id"]) if s.contact_id == contact_id), None)
        if step is None:
            raise AbsenceProblem("That person is not one of this child's contacts to ring.")
        attempt_id = insert(
            db,
            "contact_attempts",
            {
                "follow_up_id": follow_up_id,
                "contact_id": contact_id,
                "contact_name": step.name,
                "phone": step.phone,
                "made_by": actor.id,
                "made_at": clock.stamp(),
                "outcome": outcome,
                "note": note or None,
            },
        )
        audit.record(
            db,
            actor,
            "contact_attempt",
            subject_kind="follow_ups",
            subject_id=follow_up_id,
            child_id=row["child_id"],
            rang=step.name,
            phone=step.phone or "",
            outcome=OUTCOMES[outcome],
            note=note or "",
        )
        events.changed(db, "on-site")
    return attempt_id


# ---- The day, per room: expected, here, not arrived yet, absent ----


@dataclass
class ChildDay:
    child_id: int
    name: str
    status: str  # here | left | absent | not_arrived | follow_up | due_later
    booked: bool
    session: str = ""
    starts: datetime | None = None
    reason: str = ""
    absence: dict | None = None
    follow_up_id: int | None = None


@dataclass
class RoomDay:
    id: int
    name: str
    children: list[ChildDay] = field(default_factory=list)

    def count(self, *statuses: str) -> int:
        return sum(1 for c in self.children if c.status in statuses)

    @property
    def expected(self) -> int:
        return sum(1 for c in self.children if c.booked)

    @property
    def here(self) -> int:
        return self.count("here")

    @property
    def not_arrived(self) -> int:
        return self.count("not_arrived", "follow_up", "due_later")

    @property
    def absent(self) -> int:
        return self.count("absent")


def day_by_room(db: Database, day: date, now: datetime | None = None) -> list[RoomDay]:
    now = now or clock.now()
    after, _ = _due(db)
    expected = sessions.expected_on(db, day)
    rooms = {
        r["id"]: RoomDay(r["id"], r["name"])
        for r in db.query("SELECT id, name FROM rooms WHERE active = 1 ORDER BY id")
    }
    attendance: dict[int, dict] = {}
    for row in db.query(
        "SELECT child_id, arrived_at, departed_at FROM attendance WHERE day = ? "
        "ORDER BY arrived_at",
        [day.isoformat()],
    ):
        seen = attendance.setdefault(row["child_id"], dict(row))
        if row["departed_at"] is None:
            seen["departed_at"] = None
    absent = {a["child_id"]: a for a in absences_between(db, day, day)}
    follow_ups = {
        r["child_id"]: r
        for r in db.query("SELECT * FROM follow_ups WHERE day = ?", [day.isoformat()])
    }
    ids = set(expected) | set(attendance) | set(absent)
    if not ids:
        return list(rooms.values())
    marks = ", ".join("?" * len(ids))
    children = db.query(
        "SELECT id, first_name, last_name, known_as, room_id FROM children "  # noqa: S608
        f"WHERE id IN ({marks}) ORDER BY first_name, last_name",
        list(ids),
    )
    for child in children:
        room = rooms.get(child["room_id"])
        if room is None:
            continue
        child_id = child["id"]
        booked = expected.get(child_id)
        entry = ChildDay(
            child_id,
            f"{child['first_name']} {child['last_name']}",
            "",
            booked is not None,
            booked.session_label if booked else "",
            booked.starts if booked else None,
        )
        if child_id in attendance:
            entry.status = "here" if attendance[child_id]["departed_at"] is None else "left"
        elif child_id in absent:
            entry.status = "absent"
            entry.absence = absent[child_id]
            entry.reason = REASONS.get(absent[child_id]["reason"], absent[child_id]["reason"])
        elif booked is None:
            continue
        elif child_id in follow_ups and follow_ups[child_id]["ended_at"] is None:
            entry.status = "follow_up"
            entry.follow_up_id = follow_ups[child_id]["id"]
        elif now >= booked.starts + after:
            entry.status = "not_arrived"
        else:
            entry.status = "due_later"
        room.children.append(entry)
    return list(rooms.values())


@dataclass
class Forecast:
    room: str
    age_band: str
    periods: list[tuple[str, int, int]]  # (label, children expected, staff needed)


def forecast(db: Database, now: datetime | None = None) -> list[Forecast]:
    """Staff needed per room from the bookings (less reported absences), for what is left of
    today and for tomorrow, by the EYFS ratios."""
    now = now or clock.now()
    tz = settings.timezone(db)
    day = clock.local(now, tz).date()
    rooms = list(db.query("SELECT id, name, age_band FROM rooms WHERE active = 1 ORDER BY id"))
    children_room = {r[0]: r[1] for r in db.execute("SELECT id, room_id FROM children")}
    calendar = sessions.Calendar(db, day, day + timedelta(days=1))
    morning_end = calendar.times["morning"][1]
    afternoon_start = calendar.times["afternoon"][0]
    absent = {(a["child_id"], a["day"]) for a in absences_between(db, day, day + timedelta(days=1))}
    here_left = {
        r[0]
        for r in db.execute(
            "SELECT child_id FROM attendance WHERE day = ? AND departed_at IS NOT NULL",
            [day.isoformat()],
        )
    }
    periods = []
    for offset, label in ((0, "today"), (1, "tomorrow")):
        when = day + timedelta(days=offset)
        expected = calendar.expected(when)
        for half, start, end in (
            ("morning", None, morning_end),
            ("afternoon", afternoon_start, None),
        ):
            boundary = clock.at_local(when, morning_end, tz)
            if offset == 0 and half == "morning" and now >= boundary:
                continue  # the morning is over
            counts: dict[int, int] = defaultdict(int)
            for child_id, e in expected.items():
                if (child_id, when.isoformat()) in absent:
                    continue
                if offset == 0 and child_id in here_left:
                    continue
                local_start, local_end = e.starts.timetz(), e.ends.timetz()
                if end is not None and local_start.replace(tzinfo=None) >= end:
                    continue
                if start is not None and local_end.replace(tzinfo=None) <= start:
                    continue
                counts[children_room.get(child_id)] += 1
            periods.append((f"{label} {half}", counts))
    result = []
    for room in rooms:
        ratio = dashboard.EYFS_RATIOS[room["age_band"]]
        result.append(
            Forecast(
                room["name"],
                room["age_band"],
                [
                    (label, counts[room["id"]], math.ceil(counts[room["id"]] / ratio))
                    for label, counts in periods
                ],
            )
        )
    return result


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


# ---- Emergency contacts ----


def set_emergency_order(
    db: Database, actor: audit.Actor, child_id: int, contact_id: int, order: int | None
) -> None:
    """Make a linked adult an emergency contact (rung in ``order``), or stop."""
    with write(db):
        link = db.execute(
            "SELECT cc.parental_responsibility, k.phone, k.name FROM child_contacts cc "
            "JOIN contacts k ON k.id = cc.contact_id WHERE cc.child_id = ? AND cc.contact_id = ?",
            [child_id, contact_id],
        ).fetchone()
        if link is None:
            raise AbsenceProblem("Link this adult to the child first.")
        if order is not None:
            if link[0]:
                raise AbsenceProblem(
                    f"{link[2]} has parental responsibility and is rung first anyway; "
                    "emergency contacts are other people."
                )
            if not link[1]:
                raise AbsenceProblem(f"{link[2]} has no phone number; add one first.")
            if not 1 <= order <= 9:
                raise AbsenceProblem("The order is a number from 1 to 9.")
        db.execute(
            "UPDATE child_contacts SET emergency_order = ?, updated_at = ? "
            "WHERE child_id = ? AND contact_id = ?",
            [order, clock.stamp(), child_id, contact_id],
        )
        audit.record(
            db,
            actor,
            "emergency_contact_changed",
            subject_kind="contacts",
            subject_id=contact_id,
            child_id=child_id,
            contact=link[2],
            order=str(order) if order else "none",
        )


def record_none_available(
    db: Database, actor: audit.Actor, child_id: int, note: str | None
) -> None:
    """The manager records that the family has no emergency contacts to give (or clears
    it with an empty note)."""
    with write(db):
        child_name(db, child_id)
        update(
            db,
            "children",
            child_id,
            {
                "no_emergency_contacts_note": note or None,
                "no_emergency_contacts_by": actor.id if note else None,
                "no_emergency_contacts_at": clock.stamp() if note else None,
            },
        )
        audit.record(
            db,
            actor,
            "no_emergency_contacts" if note else "no_emergency_contacts_cleared",
            subject_kind="children",
            subject_id=child_id,
            child_id=child_id,
            note=note or "",
        )


def short_of_emergency_contacts(db: Database) -> list[dict]:
    """Children with fewer than two emergency contacts and no "none available" recorded."""
    day = today(db).isoformat()
    return list(
        db.query(
            "SELECT c.id, c.first_name || ' ' || c.last_name AS name, r.name AS room, "
            "(SELECT count(*) FROM child_contacts cc JOIN contacts k ON k.id = cc.contact_id "
            " WHERE cc.child_id = c.id AND cc.emergency_order IS NOT NULL "
            " AND cc.parental_responsibility = 0 AND k.active = 1) AS emergency_contacts "
            "FROM children c JOIN rooms r ON r.id = c.room_id "
            "WHERE (c.left_on IS NULL OR c.left_on > ?) AND c.no_emergency_contacts_note IS NULL "
            "AND emergency_contacts < 2 ORDER BY c.first_name, c.last_name",
            [day],
        )
    )


# ---- The attendance policy, shared with families ----


def current_policy(db: Database) -> dict | None:
    rows = list(
        db.query(
            "SELECT p.*, s.name AS uploaded_by_name FROM attendance_policies p "
            "LEFT JOIN staff s ON s.id = p.uploaded_by ORDER BY p.id DESC LIMIT 1"
        )
    )
    return rows[0] if rows else None


def policy_path(data_dir: Path, policy: dict) -> Path:
    return data_dir / POLICY_FOLDER / policy["file_name"]


def save_policy(db: Database, actor: audit.Actor, data: bytes, data_dir: Path) -> int:
    """Keep an uploaded attendance policy (a PDF) in the data folder."""
    if not data:
        raise AbsenceProblem("Please choose the attendance policy's PDF file.")
    if len(data) > POLICY_MAX_BYTES:
        raise AbsenceProblem("That file is larger than 5 MB; please upload a smaller PDF.")
    if not data.startswith(b"%PDF-"):
        raise AbsenceProblem("That file is not a PDF; please save the policy as a PDF.")
    digest = hashlib.sha256(data).hexdigest()
    folder = data_dir / POLICY_FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    name = f"attendance-policy-{digest[:16]}.pdf"
    (folder / name).write_bytes(data)
    with write(db):
        policy_id = insert(
            db,
            "attendance_policies",
            {
                "file_name": name,
                "sha256": digest,
                "uploaded_by": actor.id if actor.kind == "staff" else None,
                "uploaded_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            actor,
            "attendance_policy_uploaded",
            subject_kind="attendance_policies",
            subject_id=policy_id,
            sha256=digest,
        )
    return policy_id


def record_policy_given(
    db: Database, actor: audit.Actor, contact_id: int, given_on: date, how: str
) -> None:
    """The date this family (this adult) was given the current policy."""
    policy = current_policy(db)
    if policy is None:
        raise AbsenceProblem("Upload the attendance policy first.")
    if given_on > today(db):
        raise AbsenceProblem("The date given cannot be in the future.")
    with write(db):
        _upsert_given(db, policy["id"], contact_id, given_on, how, actor)
        audit.record(
            db,
            actor,
            "attendance_policy_given",
            subject_kind="contacts",
            subject_id=contact_id,
            given_on=given_on.isoformat(),
            how=how,
        )


def _upsert_given(
    db: Database, policy_id: int, contact_id: int, given_on: date, how: str, actor: audit.Actor
) -> None:
    db.execute(
        "INSERT INTO policy_given (policy_id, contact_id, given_on, how, recorded_by, "
        "recorded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (policy_id, contact_id) DO UPDATE "
        "SET given_on = excluded.given_on, how = excluded.how, "
        "recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        [
            policy_id,
            contact_id,
            given_on.isoformat(),
            how,
            actor.id if actor.kind == "staff" else None,
            clock.stamp(),
        ],
    )


def families(db: Database) -> list[dict]:
    """Every adult with parental responsibility for a child still here, with the date they
    were given the current policy (None if not yet)."""
    policy = current_policy(db)
    day = today(db).isoformat()
    return list(
        db.query(
            "SELECT k.id, k.name, group_concat(c.first_name || ' ' || c.last_name, ', ') "
            "AS children, g.given_on, g.how FROM contacts k "
            "JOIN child_contacts cc ON cc.contact_id = k.id AND cc.parental_responsibility = 1 "
            "JOIN children c ON c.id = cc.child_id AND (c.left_on IS NULL OR c.left_on > ?) "
            "LEFT JOIN policy_given g ON g.contact_id = k.id AND g.policy_id = ? "
            "WHERE k.active = 1 GROUP BY k.id ORDER BY g.given_on IS NOT NULL, k.name",
            [day, policy["id"] if policy else 0],
        )
    )


def should_ask_about_policy(db: Database, contact_id: int) -> bool:
    """At the kiosk, once: the setting asks, a policy is uploaded, and this adult has
    parental responsibility and has not confirmed (or been given) it yet."""
    if settings.get(db, "ask_parents_to_confirm_policy") != "yes":
        return False
    policy = current_policy(db)
    if policy is None:
        return False
    return bool(
        db.execute(
            "SELECT 1 FROM child_contacts cc WHERE cc.contact_id = ? "
            "AND cc.parental_responsibility = 1 AND NOT EXISTS (SELECT 1 FROM policy_given g "
            "WHERE g.contact_id = cc.contact_id AND g.policy_id = ?)",
            [contact_id, policy["id"]],
        ).fetchone()
    )


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
