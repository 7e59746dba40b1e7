"""Corrections to the register: a time put right, or an entry a parent forgot to make.
Each is shown as a correction (who, when, why); the original is never overwritten silently."""

from __future__ import annotations

from datetime import date, time

from sqlite_utils import Database

from doorbook import audit, clock, events, not_arrived, register, settings
from doorbook.db import insert, update, write


class CorrectionProblem(ValueError):
    """A correction that cannot be made; the message says why."""


def _stamp_for(db: Database, day: date, hh_mm: str) -> str:
    try:
        wall = time.fromisoformat(hh_mm) if len(hh_mm) == 5 else None
    except ValueError:
        wall = None
    if wall is None:
        raise CorrectionProblem("Please give the time as HH:MM.")
    return clock.stamp(clock.at_local(day, wall, settings.timezone(db)))


def correct_time(
    db: Database, attendance_id: int, which: str, hh_mm: str, reason: str, staff: audit.Actor
) -> str:
    """Correct an arrival or departure time; the original stays in the history. A departure
    given for a child still signed in signs them out, with every consequence of a sign-out
    (register.child_leaves). Returns what was done, for the member of staff."""
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
                "old_value": clock.hh_mm(entry[which], tz) or None,
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
        not_arrived.child_arrived(db, child_id, staff, day)
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
