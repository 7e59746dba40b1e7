"""Agency visits are never unsupervised (rule K3).

A visit is supervised only while a staff member who is signed in is assigned to it. Every
supervision period is kept, so the day's log can show the unsupervised minutes (the goal:
zero). When a visit becomes unsupervised, the manager is alerted; when it is supervised
again, those alerts are resolved.
"""

from __future__ import annotations

from sqlite_utils import Database

from doorbook import alerts, audit, clock, events
from doorbook.db import insert, write


class SupervisionProblem(ValueError):
    """The assignment cannot be made; the message says why, for the manager."""


def is_on_site(db: Database, staff_id: int) -> bool:
    return bool(
        db.execute(
            "SELECT 1 FROM staff_attendance WHERE staff_id = ? AND departed_at IS NULL", [staff_id]
        ).fetchone()
    )


def supervisor_of(db: Database, visit_id: int) -> dict | None:
    rows = list(
        db.query(
            "SELECT s.id, s.name, p.started_at FROM supervision_periods p "
            "JOIN staff s ON s.id = p.staff_id WHERE p.visit_id = ? AND p.ended_at IS NULL",
            [visit_id],
        )
    )
    return rows[0] if rows else None


def _visit_summary(db: Database, visit_id: int) -> str:
    row = next(
        db.query(
            "SELECT v.signed_out_at, v.kind, r.name AS visitor, "
            "COALESCE(o.name, r.organisation_name) AS organisation, "
            "c.first_name, c.last_name, v.child_name_typed FROM visits v "
            "JOIN visitors r ON r.id = v.visitor_id "
            "LEFT JOIN organisations o ON o.id = r.organisation_id "
            "LEFT JOIN children c ON c.id = v.child_id WHERE v.id = ?",
            [visit_id],
        )
    )
    child = (
        f"{row['first_name']} {row['last_name']}"
        if row["first_name"]
        else f"a child they named as {row['child_name_typed']!r}"
        if row["child_name_typed"]
        else "a child"
    )
    organisation = f" ({row['organisation']})" if row["organisation"] else ""
    return f"{row['visitor']}{organisation}, visiting {child}"


def unsupervised_message(db: Database, visit_id: int, why: str) -> str:
    return f"UNSUPERVISED: {_visit_summary(db, visit_id)}. {why} Assign a member of staff on site."


def alert_unsupervised(db: Database, visit_id: int, why: str, kiosk: str | None = None) -> None:
    child_id = db.execute("SELECT child_id FROM visits WHERE id = ?", [visit_id]).fetchone()[0]
    alerts.raise_alert(
        db,
        "unsupervised_visit",
        unsupervised_message(db, visit_id, why),
        kiosk=kiosk,
        visit_id=visit_id,
        child_id=child_id,
    )


def visit_changed(db: Database, visit_id: int, why: str) -> None:
    """The visit's child or state changed: its open *unsupervised* alert says so."""
    alerts.retell(
        db, unsupervised_message(db, visit_id, why), kind="unsupervised_visit", visit_id=visit_id
    )


def _end_period(db: Database, visit_id: int, because: str) -> dict | None:
    events.changed(db, "on-site")
    current = supervisor_of(db, visit_id)
    if current is not None:
        db.execute(
            "UPDATE supervision_periods SET ended_at = ?, ended_because = ? "
            "WHERE visit_id = ? AND ended_at IS NULL",
            [clock.stamp(), because, visit_id],
        )
    return current


def assign(db: Database, visit_id: int, staff_id: int, actor: audit.Actor) -> None:
    """Make a staff member who is on site the supervisor of an agency visit."""
    with write(db):
        visit = db.execute(
            "SELECT kind, signed_out_at FROM visits WHERE id = ?", [visit_id]
        ).fetchone()
        if visit is None:
            raise SupervisionProblem("There is no such visit.")
        if visit[1] is not None:
            raise SupervisionProblem("This visitor has already signed out.")
        staff = db.execute("SELECT name, active FROM staff WHERE id = ?", [staff_id]).fetchone()
        if staff is None or not staff[1]:
            raise SupervisionProblem("There is no such member of staff.")
        if not is_on_site(db, staff_id):
            raise SupervisionProblem(
                f"{staff[0]} is not signed in, so cannot supervise. Choose someone on site."
            )
        current = supervisor_of(db, visit_id)
        if current is not None and current["id"] == staff_id:
            return
        _end_period(db, visit_id, "supervisor changed")  # also tells open panels
        insert(
            db,
            "supervision_periods",
            {
                "visit_id": visit_id,
                "staff_id": staff_id,
                "started_at": clock.stamp(),
                "assigned_by": actor.id if actor.kind == "staff" else None,
            },
        )
        audit.record(
            db,
            actor,
            "supervisor_assigned",
            subject_kind="visit",
            subject_id=visit_id,
            supervisor=staff[0],
        )
        alerts.resolve_where(
            db, actor, f"Supervised by {staff[0]}.", kind="unsupervised_visit", visit_id=visit_id
        )


def unassign(db: Database, visit_id: int, actor: audit.Actor) -> None:
    """Take the supervisor off a visit that is still going on: it is unsupervised again."""
    with write(db):
        ended = _end_period(db, visit_id, "unassigned")
        if ended is None:
            return
        audit.record(
            db,
            actor,
            "supervisor_unassigned",
            subject_kind="visit",
            subject_id=visit_id,
            supervisor=ended["name"],
        )
        alert_unsupervised(db, visit_id, f"{ended['name']} is no longer supervising.")


def visitors_supervised_by(db: Database, staff_id: int) -> list[str]:
    """The names of the visitors on site whom this staff member is supervising now."""
    return [
        row[0]
        for row in db.execute(
            "SELECT r.name FROM supervision_periods p JOIN visits v ON v.id = p.visit_id "
            "JOIN visitors r ON r.id = v.visitor_id "
            "WHERE p.staff_id = ? AND p.ended_at IS NULL AND v.signed_out_at IS NULL "
            "ORDER BY r.name",
            [staff_id],
        ).fetchall()
    ]


def staff_left(db: Database, staff_id: int, actor: audit.Actor) -> list[int]:
    """A staff member signed out: every visit they supervised is unsupervised again."""
    with write(db):
        visit_ids = [
            row[0]
            for row in db.execute(
                "SELECT p.visit_id FROM supervision_periods p JOIN visits v ON v.id = p.visit_id "
                "WHERE p.staff_id = ? AND p.ended_at IS NULL AND v.signed_out_at IS NULL",
                [staff_id],
            ).fetchall()
        ]
        for visit_id in visit_ids:
            ended = _end_period(db, visit_id, "supervisor signed out")
            audit.record(
                db,
                actor,
                "supervision_ended",
                subject_kind="visit",
                subject_id=visit_id,
                reason="supervisor signed out",
            )
            alert_unsupervised(db, visit_id, f"{ended['name']} has signed out.", kiosk=actor.kiosk)
    return visit_ids


def visit_ended(db: Database, visit_id: int) -> None:
    """The visitor has signed out: close the supervision period and the open alerts."""
    with write(db):
        _end_period(db, visit_id, "visitor signed out")
        for kind in ("unsupervised_visit", "visit_child_gone_home"):
            alerts.resolve_where(
                db, audit.SYSTEM, "The visitor has signed out.", kind=kind, visit_id=visit_id
            )


def minutes_without(
    signed_in: str, signed_out: str | None, periods: list[dict], until: str | None = None
) -> float:
    """Minutes of a visit (so far) not covered by any supervision period."""
    start = clock.parse(signed_in)
    end = clock.parse(signed_out or until or clock.stamp())
    covered = 0.0
    for period in periods:
        a = max(start, clock.parse(period["started_at"]))
        b = min(end, clock.parse(period["ended_at"]) if period["ended_at"] else end)
        covered += max(0.0, (b - a).total_seconds())
    return max(0.0, (end - start).total_seconds() - covered) / 60


def unsupervised_minutes(db: Database, visit_id: int, until: str | None = None) -> float:
    """Minutes of the visit (so far) with no supervisor."""
    visit = db.execute(
        "SELECT signed_in_at, signed_out_at FROM visits WHERE id = ?", [visit_id]
    ).fetchone()
    periods = list(
        db.query(
            "SELECT started_at, ended_at FROM supervision_periods WHERE visit_id = ?", [visit_id]
        )
    )
    return minutes_without(visit[0], visit[1], periods, until)
