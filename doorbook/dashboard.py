"""What the manager's dashboard shows: who is on site now, by room, with the staff:child
ratios against the EYFS; visitors and their supervision; today's bookings; the fire roll
call."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlite_utils import Database

from doorbook import clock, settings

# EYFS statutory framework, staff:child ratios by age (group and school-based provision
# aside): under 2 years 1:3, 2-year-olds 1:5, 3 years and over 1:8.
EYFS_RATIOS = {"under_2": 3, "two": 5, "three_plus": 8}
AGE_BANDS = {"under_2": "under 2", "two": "2-year-olds", "three_plus": "3 and over"}


@dataclass
class Room:
    id: int
    name: str
    age_band: str
    children: list[dict] = field(default_factory=list)
    staff: list[dict] = field(default_factory=list)

    @property
    def ratio(self) -> int:
        return EYFS_RATIOS[self.age_band]

    @property
    def staff_needed(self) -> int:
        return math.ceil(len(self.children) / self.ratio)

    @property
    def short(self) -> bool:
        return len(self.staff) < self.staff_needed


def rooms_now(db: Database) -> list[Room]:
    rooms = {
        row["id"]: Room(row["id"], row["name"], row["age_band"])
        for row in db.query("SELECT * FROM rooms WHERE active = 1 ORDER BY id")
    }
    for child in db.query(
        "SELECT c.id, c.first_name, c.last_name, c.known_as, c.room_id, c.sen_support, "
        "c.child_protection_plan, a.arrived_at, a.brought_by_name, a.message_for_key_person, "
        "k.name AS key_person FROM attendance a JOIN children c ON c.id = a.child_id "
        "LEFT JOIN staff k ON k.id = c.key_person_id WHERE a.departed_at IS NULL "
        "ORDER BY c.first_name"
    ):
        if child["room_id"] in rooms:
            rooms[child["room_id"]].children.append(child)
    for member in staff_on_site(db):
        if member["room_id"] in rooms:
            rooms[member["room_id"]].staff.append(member)
    return list(rooms.values())


def staff_on_site(db: Database) -> list[dict]:
    return list(
        db.query(
            "SELECT s.id, s.name, s.job_title, s.room_id, r.name AS room, a.arrived_at "
            "FROM staff_attendance a JOIN staff s ON s.id = a.staff_id "
            "LEFT JOIN rooms r ON r.id = s.room_id WHERE a.departed_at IS NULL ORDER BY s.name"
        )
    )


def visits_on_site(db: Database) -> list[dict]:
    """Every visit going on now, with the child (full name: this is for the manager) and
    the visit's supervision."""
    return list(
        db.query(
            "SELECT v.id, v.kind, v.purpose, v.here_to_see, v.child_id, v.child_name_typed, "
            "v.location, v.id_seen_at, v.dbs_assurance_confirmed_at, v.signed_in_at, "
            "v.involvement_id, "
            "r.name AS visitor, r.role, r.phone, COALESCE(o.name, r.organisation_name) "
            "AS organisation, o.dbs_assurance_on_file, o.dbs_assurance_until, "
            "c.first_name || ' ' || c.last_name AS child, "
            "p.staff_id AS supervisor_id, s.name AS supervisor, p.started_at AS supervised_since, "
            "EXISTS (SELECT 1 FROM attendance a WHERE a.child_id = v.child_id "
            "AND a.departed_at IS NULL) AS child_here, "
            "(SELECT max(a.departed_at) FROM attendance a WHERE a.child_id = v.child_id "
            "AND a.departed_at >= v.signed_in_at) AS child_left_at "
            "FROM visits v JOIN visitors r ON r.id = v.visitor_id "
            "LEFT JOIN organisations o ON o.id = r.organisation_id "
            "LEFT JOIN children c ON c.id = v.child_id "
            "LEFT JOIN supervision_periods p ON p.visit_id = v.id AND p.ended_at IS NULL "
            "LEFT JOIN staff s ON s.id = p.staff_id "
            "WHERE v.signed_out_at IS NULL ORDER BY v.kind, v.signed_in_at"
        )
    )


def alert_cards(db: Database) -> list[dict]:
    """Open alerts as the panel's cards show them (who acknowledged, the adult's name and
    photo), most serious first, then newest first."""
    return list(
        db.query(
            "SELECT a.*, s.name AS acknowledged_by_name, k.name AS contact_name, "
            "k.photo_file AS contact_photo FROM alerts a "
            "LEFT JOIN staff s ON s.id = a.acknowledged_by "
            "LEFT JOIN contacts k ON k.id = a.contact_id WHERE a.resolved_at IS NULL "
            "ORDER BY a.severity DESC, a.raised_at DESC"
        )
    )


def todays_bookings(db: Database) -> list[dict]:
    today = clock.today(settings.timezone(db)).isoformat()
    return list(
        db.query(
            "SELECT e.id, e.time, e.visitor_name, e.role, e.purpose, e.reference_code, "
            "o.name AS organisation, c.first_name || ' ' || c.last_name AS child, "
            "s.name AS supervisor, v.id AS visit_id, v.signed_out_at "
            "FROM expected_visits e JOIN children c ON c.id = e.child_id "
            "LEFT JOIN organisations o ON o.id = e.organisation_id "
            "LEFT JOIN staff s ON s.id = e.supervisor_id "
            "LEFT JOIN visits v ON v.expected_visit_id = e.id "
            "WHERE e.day = ? AND e.cancelled_at IS NULL ORDER BY e.time",
            [today],
        )
    )


def children_to_match(db: Database) -> list[dict]:
    """Children a manager may link an unannounced visitor's typed name to (not left)."""
    today = clock.today(settings.timezone(db)).isoformat()
    return list(
        db.query(
            "SELECT id, first_name, last_name FROM children "
            "WHERE left_on IS NULL OR left_on > ? ORDER BY first_name, last_name",
            [today],
        )
    )


@dataclass(frozen=True)
class AlertSummary:
    """What the header of every admin page says about open alerts."""

    count: int
    unacknowledged: int
    newest: int
    top_title: str
    top_message: str
    repeat_seconds: int


def alert_summary(db: Database) -> AlertSummary:
    from doorbook import alerts

    count, unacknowledged, newest = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE acknowledged_at IS NULL), "
        "COALESCE(max(id), 0) FROM alerts WHERE resolved_at IS NULL"
    ).fetchone()
    top = db.execute(
        "SELECT kind, message FROM alerts WHERE resolved_at IS NULL "
        "ORDER BY severity DESC, raised_at DESC LIMIT 1"
    ).fetchone()
    kind = alerts.KINDS.get(top[0]) if top else None
    return AlertSummary(
        count,
        unacknowledged,
        newest,
        kind.title if kind else (top[0] if top else ""),
        top[1] if top else "",
        settings.get_int(db, "alert_repeat_seconds"),
    )


# The fire roll call: everyone on site now, children by room, staff and visitors.


@dataclass
class RollCall:
    rooms: list
    staff: list[dict]
    visitors: list[dict]
    taken_at: str

    @property
    def total(self) -> int:
        return sum(len(r.children) for r in self.rooms) + len(self.staff) + len(self.visitors)


def roll_call(db: Database) -> RollCall:
    return RollCall(
        rooms_now(db),
        staff_on_site(db),
        visits_on_site(db),
        clock.stamp(),
    )
