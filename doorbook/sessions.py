"""Booked sessions: who the setting expects, and when.

Each child has a usual pattern (e.g. Monday and Wednesday mornings, Friday all day) that
starts and may end on given dates, and may be term-time only; one-off changes add an extra
day or cancel one; closure days (bank holidays, INSET days) cancel everyone. The session
times are the setting's own (settings ``session_morning``, ``session_afternoon``,
``session_all_day``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlite_utils import Database

from doorbook import audit, clock, events, settings
from doorbook.db import insert, update, write

SESSIONS = {
    "morning": ("session_morning", "morning"),
    "afternoon": ("session_afternoon", "afternoon"),
    "all_day": ("session_all_day", "all day"),
}
SHORT = {"morning": "am", "afternoon": "pm", "all_day": "day"}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_DAY_WORDS = {
    **{name.casefold(): i for i, name in enumerate(WEEKDAYS)},
    **{
        name: i
        for i, name in enumerate(
            ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        )
    },
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_SESSION_WORDS = {
    "am": "morning",
    "morning": "morning",
    "pm": "afternoon",
    "afternoon": "afternoon",
    "day": "all_day",
    "all day": "all_day",
    "all-day": "all_day",
    "full day": "all_day",
}
PATTERN_FORMAT = 'day and session, separated by ";", e.g. "Mon am; Wed pm; Fri day"'
SESSION_TIMES = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")


class SessionProblem(ValueError):
    """A booking that cannot be made; the message is for the person who typed it."""


def session_times(db: Database, session: str) -> tuple[time, time]:
    """The setting's start and end of a session, from its setting ("08:00-12:30")."""
    value = settings.get(db, SESSIONS[session][0])
    return parse_times(value)


def parse_times(value: str) -> tuple[time, time]:
    match = SESSION_TIMES.fullmatch(value.strip())
    if not match:
        raise SessionProblem(f'"{value[:40]}" is not a session time in the form 08:00-12:30')
    start = time(int(match[1]), int(match[2]))
    end = time(int(match[3]), int(match[4]))
    if end <= start:
        raise SessionProblem(f'"{value}": the session must end after it starts')
    return start, end


def parse_pattern(text: str) -> list[tuple[int, str]]:
    """``"Mon am; Wed am; Fri day"`` -> [(0, "morning"), (2, "morning"), (4, "all_day")]."""
    pattern: list[tuple[int, str]] = []
    for part in re.split(r"[;,]", text or ""):
        words = part.strip().casefold()
        if not words:
            continue
        day_word, _, session_word = words.partition(" ")
        weekday = _DAY_WORDS.get(day_word)
        session = _SESSION_WORDS.get(session_word.strip())
        if weekday is None or session is None:
            raise SessionProblem(f'"{part.strip()[:40]}" is not a {PATTERN_FORMAT}')
        if any(w == weekday for w, _ in pattern):
            raise SessionProblem(f"{WEEKDAYS[weekday]} is given twice")
        pattern.append((weekday, session))
    return sorted(pattern)


def format_pattern(pattern: list[tuple[int, str]]) -> str:
    return "; ".join(f"{WEEKDAYS[w]} {SHORT[s]}" for w, s in sorted(pattern))


def describe(session: str) -> str:
    return SESSIONS[session][1]


# ---- Changing bookings (each change audited) ----


def current_pattern(db: Database, child_id: int, on: date | None = None) -> list[dict]:
    """The pattern in force on a day (default: today), or else the latest one."""
    on = on or clock.today(settings.timezone(db))
    rows = list(
        db.query(
            "SELECT * FROM booked_sessions WHERE child_id = ? AND removed_at IS NULL "
            "ORDER BY starts_on DESC, weekday",
            [child_id],
        )
    )
    current = [r for r in rows if r["starts_on"] <= on.isoformat() and not _ended(r, on)]
    if current:
        return current
    latest = rows[0]["starts_on"] if rows else None
    return [r for r in rows if r["starts_on"] == latest]


def _ended(row: dict, on: date) -> bool:
    return bool(row["ends_on"]) and row["ends_on"] < on.isoformat()


def set_pattern(
    db: Database,
    actor: audit.Actor,
    child_id: int,
    pattern: list[tuple[int, str]],
    *,
    starts_on: date,
    ends_on: date | None = None,
    term_time_only: bool = False,
    because: str | None = None,
) -> bool:
    """A new usual pattern from ``starts_on``. The pattern before it ends the day before
    (so past days keep what was booked then); patterns starting on or after ``starts_on``
    are replaced. Returns False when nothing changed (re-importing the same pattern)."""
    if ends_on and ends_on < starts_on:
        raise SessionProblem("The pattern must end on or after the day it starts.")
    with write(db):
        now = clock.stamp()
        before = current_pattern(db, child_id, starts_on)
        same = sorted((r["weekday"], r["session"]) for r in before) == sorted(pattern) and all(
            r["starts_on"] <= starts_on.isoformat()
            and r["ends_on"] == (ends_on.isoformat() if ends_on else None)
            and bool(r["term_time_only"]) == term_time_only
            for r in before
        )
        if (same and before) or (not pattern and not before):
            return False
        for row in list(
            db.query(
                "SELECT * FROM booked_sessions WHERE child_id = ? AND removed_at IS NULL",
                [child_id],
            )
        ):
            if row["starts_on"] >= starts_on.isoformat():
                update(db, "booked_sessions", row["id"], {"removed_at": now})
            elif not row["ends_on"] or row["ends_on"] >= starts_on.isoformat():
                update(
                    db,
                    "booked_sessions",
                    row["id"],
                    {"ends_on": (starts_on - timedelta(days=1)).isoformat()},
                )
        for weekday, session in pattern:
            insert(
                db,
                "booked_sessions",
                {
                    "child_id": child_id,
                    "weekday": weekday,
                    "session": session,
                    "starts_on": starts_on.isoformat(),
                    "ends_on": ends_on.isoformat() if ends_on else None,
                    "term_time_only": int(term_time_only),
                    "created_at": now,
                },
            )
        audit.record(
            db,
            actor,
            "sessions_changed",
            subject_kind="children",
            subject_id=child_id,
            child_id=child_id,
            old=format_pattern([(r["weekday"], r["session"]) for r in before]),
            new=format_pattern(pattern),
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat() if ends_on else "",
            term_time_only="yes" if term_time_only else "no",
            **({"because": because} if because else {}),
        )
        events.changed(db, "on-site")
    return True


def add_change(
    db: Database,
    actor: audit.Actor,
    child_id: int,
    day: date,
    change: str,
    session: str | None = None,
    note: str | None = None,
) -> int:
    """A one-off change: an ``extra`` session on a day, or a ``cancelled`` day."""
    if change not in ("extra", "cancelled"):
        raise SessionProblem("Choose an extra session or a cancelled day.")
    if change == "extra" and session not in SESSIONS:
        raise SessionProblem("Choose which session the extra day is.")
    with write(db):
        change_id = insert(
            db,
            "session_changes",
            {
                "child_id": child_id,
                "day": day.isoformat(),
                "change": change,
                "session": session if change == "extra" else None,
                "note": note or None,
                "created_at": clock.stamp(),
                "created_by": actor.id if actor.kind == "staff" else None,
            },
        )
        audit.record(
            db,
            actor,
            f"session_{change}",
            subject_kind="session_changes",
            subject_id=change_id,
            child_id=child_id,
            day=day.isoformat(),
            session=session or "",
            note=note or "",
        )
        events.changed(db, "on-site")
    return change_id


def remove_change(db: Database, actor: audit.Actor, change_id: int) -> None:
    with write(db):
        row = db.execute(
            "SELECT child_id, day, change FROM session_changes WHERE id = ? AND removed_at IS NULL",
            [change_id],
        ).fetchone()
        if row is None:
            raise SessionProblem("That change has already been removed.")
        update(db, "session_changes", change_id, {"removed_at": clock.stamp()})
        audit.record(
            db,
            actor,
            "session_change_removed",
            subject_kind="session_changes",
            subject_id=change_id,
            child_id=row[0],
            day=row[1],
            change=row[2],
        )
        events.changed(db, "on-site")


def add_closure(db: Database, actor: audit.Actor, day: date, reason: str) -> int:
    with write(db):
        if db.execute(
            "SELECT 1 FROM closure_days WHERE day = ? AND removed_at IS NULL", [day.isoformat()]
        ).fetchone():
            raise SessionProblem(f"{day.isoformat()} is already a closure day.")
        closure_id = insert(
            db,
            "closure_days",
            {"day": day.isoformat(), "reason": reason, "created_at": clock.stamp()},
        )
        audit.record(
            db,
            actor,
            "closure_added",
            subject_kind="closure_days",
            subject_id=closure_id,
            day=day.isoformat(),
            reason=reason,
        )
    return closure_id


def remove_closure(db: Database, actor: audit.Actor, closure_id: int) -> None:
    with write(db):
        update(db, "closure_days", closure_id, {"removed_at": clock.stamp()})
        audit.record(
            db, actor, "closure_removed", subject_kind="closure_days", subject_id=closure_id
        )


def add_term(db: Database, actor: audit.Actor, name: str, starts_on: date, ends_on: date) -> int:
    if ends_on < starts_on:
        raise SessionProblem("A term must end on or after the day it starts.")
    with write(db):
        term_id = insert(
            db,
            "terms",
            {
                "name": name,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "created_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            actor,
            "term_added",
            subject_kind="terms",
            subject_id=term_id,
            name=name,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
        )
    return term_id


def remove_term(db: Database, actor: audit.Actor, term_id: int) -> None:
    with write(db):
        db.execute("DELETE FROM terms WHERE id = ?", [term_id])
        audit.record(db, actor, "term_removed", subject_kind="terms", subject_id=term_id)


def closures(db: Database, first: date, last: date) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM closure_days WHERE removed_at IS NULL AND day BETWEEN ? AND ? "
            "ORDER BY day",
            [first.isoformat(), last.isoformat()],
        )
    )


def terms(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM terms ORDER BY starts_on"))


def changes_for(db: Database, child_id: int, since: date) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM session_changes WHERE child_id = ? AND removed_at IS NULL "
            "AND day >= ? ORDER BY day",
            [child_id, since.isoformat()],
        )
    )


# ---- Who is expected ----


@dataclass(frozen=True)
class Expected:
    child_id: int
    day: date
    sessions: tuple[str, ...]
    starts: datetime  # aware, the setting's zone
    ends: datetime

    @property
    def session_label(self) -> str:
        return " + ".join(describe(s) for s in self.sessions)


class Calendar:
    """Everything needed to say who is expected on the days from ``first`` to ``last``,
    read once (a 4-week report asks about hundreds of child-days)."""

    def __init__(self, db: Database, first: date, last: date):
        self.tz = settings.timezone(db)
        self.times = {s: session_times(db, s) for s in SESSIONS}
        self.closed = {r["day"]: r["reason"] for r in closures(db, first, last)}
        self.terms = [
            (date.fromisoformat(r["starts_on"]), date.fromisoformat(r["ends_on"]))
            for r in terms(db)
        ]
        self.children = {
            r["id"]: r for r in db.query("SELECT id, started_on, left_on FROM children")
        }
        self.patterns: dict[int, list[dict]] = defaultdict(list)
        for row in db.query(
            "SELECT * FROM booked_sessions WHERE removed_at IS NULL "
            "AND starts_on <= ? AND (ends_on IS NULL OR ends_on >= ?)",
            [last.isoformat(), first.isoformat()],
        ):
            self.patterns[row["weekday"]].append(row)
        self.changes: dict[str, list[dict]] = defaultdict(list)
        for row in db.query(
            "SELECT * FROM session_changes WHERE removed_at IS NULL AND day BETWEEN ? AND ? "
            "ORDER BY id",
            [first.isoformat(), last.isoformat()],
        ):
            self.changes[row["day"]].append(row)

    def in_term(self, day: date) -> bool:
        # With no terms entered, term-time-only children are expected all year.
        return not self.terms or any(start <= day <= end for start, end in self.terms)

    def attends(self, child_id: int, day: date) -> bool:
        child = self.children.get(child_id)
        if child is None:
            return False
        iso = day.isoformat()
        return (not child["started_on"] or child["started_on"] <= iso) and (
            not child["left_on"] or child["left_on"] > iso
        )

    def expected(self, day: date) -> dict[int, Expected]:
        iso = day.isoformat()
        if iso in self.closed:
            return {}
        booked: dict[int, set[str]] = defaultdict(set)
        for row in self.patterns.get(day.weekday(), []):
            if row["starts_on"] <= iso and (not row["ends_on"] or row["ends_on"] >= iso):
                if row["term_time_only"] and not self.in_term(day):
                    continue
                booked[row["child_id"]].add(row["session"])
        for change in self.changes.get(iso, []):
            if change["change"] == "cancelled":
                booked.pop(change["child_id"], None)
            else:
                booked[change["child_id"]].add(change["session"])
        result = {}
        for child_id, sessions in booked.items():
            if not sessions or not self.attends(child_id, day):
                continue
            ordered = tuple(s for s in SESSIONS if s in sessions)
            starts = min(self.times[s][0] for s in ordered)
            ends = max(self.times[s][1] for s in ordered)
            result[child_id] = Expected(
                child_id,
                day,
                ordered,
                clock.at_local(day, starts, self.tz),
                clock.at_local(day, ends, self.tz),
            )
        return result


def expected_on(db: Database, day: date) -> dict[int, Expected]:
    """The children expected on a local day, with their session times."""
    return Calendar(db, day, day).expected(day)


def closed_on(db: Database, day: date) -> str | None:
    row = db.execute(
        "SELECT reason FROM closure_days WHERE day = ? AND removed_at IS NULL", [day.isoformat()]
    ).fetchone()
    return row[0] if row else None


def upcoming(
    db: Database, child_id: int, *, now: datetime | None = None, count: int = 5, horizon: int = 28
) -> list[Expected]:
    """The child's next booked days, from today while today's session has not ended."""
    now = now or clock.now()
    today = clock.local(now, settings.timezone(db)).date()
    calendar = Calendar(db, today, today + timedelta(days=horizon))
    found = []
    for offset in range(horizon + 1):
        day = today + timedelta(days=offset)
        expected = calendar.expected(day).get(child_id)
        if expected and expected.ends > now:
            found.append(expected)
            if len(found) == count:
                break
    return found
