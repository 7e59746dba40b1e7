"""The follow-up of a child expected and not arrived (EYFS 2025, 3.11-3.12).

A child expected (see ``sessions``) and not arrived ``absence_follow_up_minutes`` after their
session starts, with no absence reported, raises a *not arrived* alert and opens a follow-up:
staff ring the parents, then each emergency contact in order, every attempt logged;
``absence_dsl_after_minutes`` later the designated safeguarding lead (DSL) is told. The
follow-up ends when the child arrives, an absence reason is recorded, or the DSL closes it
with a note.

Like the uncollected-child procedure, each alert has its own dedupe key, so the scheduler's
check (or one after a restart) raises each step exactly once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from doorbook import absences, alerts, audit, clock, events, sessions, settings
from doorbook.db import insert, update, write

OUTCOMES = {
    "no_answer": "no answer",
    "voicemail": "left a voicemail",
    "spoke": "spoke to them",
    "number_not_working": "number not working",
}


def due(db: Database) -> tuple[timedelta, timedelta]:
    """How long after a session starts a child not arrived is chased, and how long after
    that the DSL is told."""
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
    after, dsl_after = due(db)
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
            name = absences.child_name(db, child_id)
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
            name = absences.child_name(db, follow_up["child_id"])
            alert = alerts.raise_alert(
                db,
                "not_arrived",
                f"{name} has still not arrived and nobody has given a reason. {_tell_the_dsl(db)}",
                child_id=follow_up["child_id"],
                dedupe_key=f"not_arrived:{follow_up['child_id']}:{follow_up['day']}:dsl",
                details={"follow_up_id": follow_up["id"]},
            )
            raised += alert is not None
    return raised


def _tell_the_dsl(db: Database) -> str:
    """The escalation names the DSLs the setting has marked in Staff, whatever their role."""
    leads = safeguarding_leads(db)
    if not leads:
        return (
            "Tell the designated safeguarding lead now. Nobody is marked as one: the manager "
            "should tick *Designated safeguarding lead* on the DSL's page in Staff."
        )
    return (
        f"Tell the designated safeguarding lead ({', '.join(leads)}) now: they decide what "
        "happens next and close the follow-up."
    )


def end(db: Database, actor: audit.Actor, follow_up_id: int, because: str, note: str) -> None:
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
    day = day or absences.today(db)
    with write(db):
        for (follow_up_id,) in db.execute(
            "SELECT id FROM follow_ups WHERE child_id = ? AND day = ? AND ended_at IS NULL",
            [child_id, day.isoformat()],
        ).fetchall():
            end(db, actor, follow_up_id, "arrived", "The child has arrived.")


def is_safeguarding_lead(db: Database, staff_id: int) -> bool:
    row = db.execute("SELECT safeguarding_lead FROM staff WHERE id = ?", [staff_id]).fetchone()
    return bool(row and row[0])


def close(db: Database, actor: audit.Actor, follow_up_id: int, note: str) -> None:
    """The DSL closes a follow-up with a note (what was decided, e.g. a referral made)."""
    if actor.kind != "staff" or not is_safeguarding_lead(db, actor.id):
        raise absences.AbsenceProblem("Only a designated safeguarding lead can close a follow-up.")
    if not note:
        raise absences.AbsenceProblem("Please write a note: what was found out or decided.")
    with write(db):
        follow_up = _follow_up_row(db, follow_up_id)
        if follow_up["ended_at"]:
            raise absences.AbsenceProblem("This follow-up has already ended.")
        end(db, actor, follow_up_id, "closed_by_dsl", note)


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
    except absences.AbsenceProblem as problem:
        leads = ", ".join(safeguarding_leads(db))
        raise alerts.AlertProblem(
            f"{problem} Resolving this alert closes {absences.child_name(db, alert['child_id'])}'s "
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
        raise absences.AbsenceProblem("There is no such follow-up.")
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
    after, dsl_after = due(db)
    return FollowUp(
        row,
        absences.child_name(db, row["child_id"]),
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
        raise absences.AbsenceProblem("Please choose what happened when you rang.")
    with write(db):
        row = _follow_up_row(db, follow_up_id)
        if row["ended_at"]:
            raise absences.AbsenceProblem(
                "This follow-up has already ended; nothing more is logged."
            )
        step = next((s for s in callers(db, row["child_id"]) if s.contact_id == contact_id), None)
        if step is None:
            raise absences.AbsenceProblem(
                "That person is not one of this child's contacts to ring."
            )
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
