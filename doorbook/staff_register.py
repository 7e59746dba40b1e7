"""Staff sign in and out at the kiosk: the roll call, the ratios, and who may supervise."""

from __future__ import annotations

from sqlite_utils import Database

from doorbook import audit, clock, events, settings, supervision
from doorbook.db import insert, update, write
from doorbook.identify import Person
from doorbook.register import Result


def staff_open_entry(db: Database, staff_id: int) -> dict | None:
    """The staff member's own sign-in entry while they are on site, or None."""
    rows = list(
        db.query(
            "SELECT * FROM staff_attendance WHERE staff_id = ? AND departed_at IS NULL", [staff_id]
        )
    )
    return rows[0] if rows else None


def sign_in(db: Database, person: Person, *, kiosk: str) -> Result:
    with write(db):
        entry = staff_open_entry(db, person.id)
        if entry is not None:
            return Result(person.id, person.name, "already_in", entry["arrived_at"])
        now = clock.stamp()
        entry_id = insert(
            db,
            "staff_attendance",
            {
                "staff_id": person.id,
                "day": clock.today(settings.timezone(db)).isoformat(),
                "arrived_at": now,
            },
        )
        audit.record(
            db,
            person.actor(kiosk),
            "staff_signed_in",
            subject_kind="staff_attendance",
            subject_id=entry_id,
        )
        events.changed(db, "on-site")
    return Result(person.id, person.name, "signed_in", now)


def sign_out(db: Database, person: Person, *, kiosk: str) -> Result:
    """Sign a staff member out; any visit they were supervising is unsupervised again."""
    with write(db):
        entry = staff_open_entry(db, person.id)
        if entry is None:
            return Result(person.id, person.name, "not_here")
        now = clock.stamp()
        update(db, "staff_attendance", entry["id"], {"departed_at": now})
        audit.record(
            db,
            person.actor(kiosk),
            "staff_signed_out",
            subject_kind="staff_attendance",
            subject_id=entry["id"],
        )
        supervision.staff_left(db, person.id, person.actor(kiosk))
        events.changed(db, "on-site")
    return Result(person.id, person.name, "signed_out", now)
