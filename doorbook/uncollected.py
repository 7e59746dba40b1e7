"""Children still here after closing time: the uncollected-child procedure, as alerts.

At closing time each child still signed in raises a *not yet collected* alert; at +15 and
+30 minutes it escalates, each step saying what the procedure asks next. Each step has its
own key, so checking again (or after a restart) raises every step that is due exactly once:
none is skipped, none repeated. Signing the child out resolves them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlite_utils import Database

from doorbook import alerts, clock, settings

STEPS = [
    (0, "It is closing time. Call the parents or carers."),
    (15, "15 minutes after closing. Call the emergency contacts."),
    (
        30,
        "30 minutes after closing. Follow the uncollected-child procedure: contact the "
        "local authority's children's social care.",
    ),
]


def closing_today(db: Database, now: datetime) -> datetime:
    tz = settings.timezone(db)
    closing = time.fromisoformat(settings.get(db, "closing_time"))
    return clock.at_local(clock.local(now, tz).date(), closing, tz)


def check(db: Database, now: datetime | None = None) -> int:
    """Raise the steps that are due; return how many alerts were raised."""
    now = now or clock.now()
    closing = closing_today(db, now)
    if now < closing:
        return 0
    raised = 0
    for entry in db.query(
        "SELECT a.id, a.child_id, c.first_name, c.last_name, r.name AS room "
        "FROM attendance a JOIN children c ON c.id = a.child_id "
        "JOIN rooms r ON r.id = c.room_id WHERE a.departed_at IS NULL"
    ):
        for minutes, what_next in STEPS:
            if now < closing + timedelta(minutes=minutes):
                break
            alert = alerts.raise_alert(
                db,
                "not_collected",
                f"{entry['first_name']} {entry['last_name']} ({entry['room']}) is still signed "
                f"in. {what_next}",
                child_id=entry["child_id"],
                dedupe_key=f"not_collected:{entry['id']}:{minutes}",
            )
            raised += alert is not None
    return raised
