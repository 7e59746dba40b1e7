"""The fictional demo setting (a copy of shared/demo/ bundled in the package, with each
child's booked sessions and emergency contacts added)."""

from __future__ import annotations

from datetime import time, timedelta
from importlib import resources

from sqlite_utils import Database

from doorbook import absences, audit, clock, importer, sessions, settings
from doorbook.db import write

DEMO_SETTING_NAME = "Acorns Day Nursery (demo)"
# Today's story, whatever the weekday: Freddie is expected this morning and has not come,
# with no absence reported (so the follow-up starts); Leo's mother reported last night, at
# the kiosk, that he is ill. Everyone else's bookings start tomorrow, so the children a
# newcomer signs in today are not chased, and Freddie is the one child not arrived.
NOT_ARRIVED = ("Freddie", "Clarke")
REPORTED_ILL = ("Leo", "Fernandes", "Ana Fernandes")


def load(db: Database) -> dict[str, int]:
    """Load the demo through the same import a real setting uses; dated today."""
    settings.set_many(db, {"setting_name": DEMO_SETTING_NAME})
    with resources.as_file(resources.files("doorbook") / "demo_data") as folder:
        counts = importer.import_folder(db, folder)
    todays_story(db)
    return counts


def _child_id(db: Database, first: str, last: str) -> int:
    return db.execute(
        "SELECT id FROM children WHERE first_name = ? AND last_name = ?", [first, last]
    ).fetchone()[0]


def _expect_today(db: Database, child_id: int, session: str) -> None:
    today = clock.today(settings.timezone(db))
    if child_id not in sessions.expected_on(db, today):
        sessions.add_change(
            db, audit.SYSTEM, child_id, today, "extra", session, "demo: an extra session today"
        )


def todays_story(db: Database) -> None:
    tz = settings.timezone(db)
    today = clock.today(tz)
    freddie = _child_id(db, *NOT_ARRIVED)
    leo = _child_id(db, REPORTED_ILL[0], REPORTED_ILL[1])
    with write(db):
        db.execute(
            "UPDATE booked_sessions SET starts_on = ? WHERE removed_at IS NULL "
            "AND starts_on = ? AND child_id NOT IN (?, ?)",
            [(today + timedelta(days=1)).isoformat(), today.isoformat(), freddie, leo],
        )
    _expect_today(db, freddie, "morning")
    _expect_today(db, leo, "afternoon")
    mother = REPORTED_ILL[2]
    ana = db.execute("SELECT id FROM contacts WHERE name = ?", [mother]).fetchone()[0]
    with clock.freeze(clock.at_local(today - timedelta(days=1), time(19, 5), tz)):
        absences.report(
            db, audit.Actor("contact", ana, mother, "entrance"), leo, [today], "ill", via="kiosk"
        )
