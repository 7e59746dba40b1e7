"""The day, per room: who is expected, here, not arrived yet or absent; and the staff the
bookings (less reported absences) will need, by the EYFS ratios, for the rest of today and
tomorrow."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from doorbook import absences, clock, dashboard, not_arrived, sessions, settings


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
    after, _ = not_arrived.due(db)
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
    absent = {a["child_id"]: a for a in absences.absences_between(db, day, day)}
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
            entry.reason = absences.REASONS.get(
                absent[child_id]["reason"], absent[child_id]["reason"]
            )
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
    absent = {
        (a["child_id"], a["day"])
        for a in absences.absences_between(db, day, day + timedelta(days=1))
    }
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
