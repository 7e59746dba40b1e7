"""Alerts for the manager: stored in the database (so a restart or a closed browser loses
none), most serious first, acknowledged and resolved with a note."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlite_utils import Database

from doorbook import audit, clock, events
from doorbook.db import insert, update, write


@dataclass(frozen=True)
class Kind:
    name: str
    severity: int  # higher is more serious
    title: str


KINDS = {
    k.name: k
    for k in (
        Kind("not_permitted_at_door", 100, "Not-permitted person at the door"),
        Kind("disk_full", 95, "The disk was full: nothing could be saved"),
        Kind("collection_refused", 90, "Collection refused"),
        Kind("not_collected", 85, "Child not yet collected"),
        Kind("unsupervised_visit", 80, "Unsupervised agency visit"),
        Kind("not_arrived", 75, "Child expected and not arrived"),
        Kind("visit_without_consent", 74, "Agency visit without the parents' recorded consent"),
        Kind("visit_child_gone_home", 76, "Visit goes on after the child went home"),
        Kind("one_off_waiting", 70, "One-off collector waiting for an ID check"),
        Kind("pin_lockout", 60, "Kiosk PIN lock-out"),
        Kind("help_requested", 50, "Help requested at the kiosk"),
        Kind("complaint_overdue", 40, "Complaint deadline missed"),
        Kind("complaint_due", 30, "Complaint deadline coming up"),
        Kind("replica_behind", 40, "Off-site copy is behind"),
    )
}


def raise_alert(
    db: Database,
    kind: str,
    message: str,
    *,
    kiosk: str | None = None,
    child_id: int | None = None,
    contact_id: int | None = None,
    visit_id: int | None = None,
    one_off_collection_id: int | None = None,
    dedupe_key: str | None = None,
    details: dict[str, Any] | None = None,
) -> int | None:
    """Store an alert; return its id, or None if one with the same dedupe_key exists."""
    spec = KINDS[kind]
    with write(db):
        if (
            dedupe_key
            and db.execute("SELECT 1 FROM alerts WHERE dedupe_key = ?", [dedupe_key]).fetchone()
        ):
            return None
        alert_id = insert(
            db,
            "alerts",
            {
                "kind": kind,
                "severity": spec.severity,
                "message": message,
                "kiosk": kiosk,
                "child_id": child_id,
                "contact_id": contact_id,
                "visit_id": visit_id,
                "one_off_collection_id": one_off_collection_id,
                "dedupe_key": dedupe_key,
                "details": json.dumps(details, ensure_ascii=False) if details else None,
                "raised_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            audit.Actor("system", name="Doorbook", kiosk=kiosk),
            "alert_raised",
            subject_kind="alert",
            subject_id=alert_id,
            child_id=child_id,
            kind=kind,
        )
        # Once committed: the open panels fetch their alerts, the Pi chimes for a new one.
        events.changed(db, "alerts", raised=alert_id, kind=kind)
    return alert_id


def raise_or_count(
    db: Database,
    kind: str,
    message: str | None,
    *,
    repeat_key: str,
    within_seconds: int,
    **fields: Any,
) -> int:
    """An alert for something that can happen again and again (wrong tries at the door).

    The first time raises the alert (with its chime and LED); each repeat while it is open and
    the last try was within ``within_seconds`` adds one to its ``attempts`` and, given a
    ``message``, replaces its message: one alert that counts the tries, not one each.
    """
    since = clock.stamp(clock.now() - timedelta(seconds=within_seconds))
    now = clock.stamp()
    with write(db):
        row = db.execute(
            "SELECT id, COALESCE(attempts, 1) FROM alerts WHERE repeat_key = ? "
            "AND resolved_at IS NULL AND COALESCE(last_attempt_at, raised_at) > ? "
            "ORDER BY id DESC LIMIT 1",
            [repeat_key, since],
        ).fetchone()
        if row is not None:
            values: dict[str, Any] = {"attempts": row[1] + 1, "last_attempt_at": now}
            if message:
                values["message"] = message
            update(db, "alerts", row[0], values)
            events.changed(db, "alerts")
            return row[0]
        alert_id = raise_alert(db, kind, message or KINDS[kind].title, **fields)
        update(
            db,
            "alerts",
            alert_id,
            {"repeat_key": repeat_key, "attempts": 1, "last_attempt_at": now},
        )
    return alert_id


def resolve_where(
    db: Database, actor: audit.Actor, note: str, *, kind: str, **match: int | str
) -> int:
    """Resolve the open alerts of ``kind`` for a record (e.g. a one-off collection)."""
    conditions = " AND ".join(f"{column} = ?" for column in match) or "1 = 1"
    with write(db):
        rows = db.execute(
            f"SELECT id FROM alerts WHERE kind = ? AND resolved_at IS NULL AND {conditions}",  # noqa: S608
            [kind, *match.values()],
        ).fetchall()
        now = clock.stamp()
        for (alert_id,) in rows:
            update(
                db,
                "alerts",
                alert_id,
                {
                    "resolved_at": now,
                    "resolved_by": actor.id if actor.kind == "staff" else None,
                    "resolve_note": note,
                },
            )
            audit.record(
                db, actor, "alert_resolved", subject_kind="alert", subject_id=alert_id, note=note
            )
        if rows:
            events.changed(db, "alerts")
    return len(rows)


def retell(db: Database, message: str, *, kind: str, **match: int) -> int:
    """Reword the open alerts of ``kind`` for a record whose state changed (e.g. a visit's
    child was matched), so an alert never says what is no longer true."""
    conditions = " AND ".join(f"{column} = ?" for column in match)
    with write(db):
        changed = db.execute(
            f"UPDATE alerts SET message = ? WHERE kind = ? AND resolved_at IS NULL AND {conditions}",  # noqa: S608, E501
            [message, kind, *match.values()],
        ).rowcount
        if changed:
            events.changed(db, "alerts")
    return changed


def open_alerts(db: Database) -> list[dict]:
    """The alert rows not yet resolved, most serious first, then newest first."""
    return list(
        db.query(
            "SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY severity DESC, raised_at DESC"
        )
    )


HELP_REPEAT_SECONDS = 120


def help_requested(db: Database, *, kiosk: str, source: str = "kiosk") -> int | None:
    """Someone pressed *Call a member of staff* (on screen or the GPIO button). Presses
    within two minutes of an open request from the same place add no second alert."""
    since = clock.stamp(clock.now() - timedelta(seconds=HELP_REPEAT_SECONDS))
    with write(db):
        recent = db.execute(
            "SELECT id FROM alerts WHERE kind = 'help_requested' AND kiosk = ? "
            "AND resolved_at IS NULL AND acknowledged_at IS NULL AND raised_at > ?",
            [kiosk, since],
        ).fetchone()
        if recent:
            return recent[0]
        where = "the call-staff button" if source == "button" else "the screen"
        return raise_alert(
            db,
            "help_requested",
            f"Someone at the {kiosk} kiosk asked for a member of staff ({where}).",
            kiosk=kiosk,
        )


class AlertProblem(ValueError):
    """An action on an alert that cannot be done; the message is for the member of staff."""


def _open_alert(db: Database, alert_id: int) -> dict:
    rows = list(db.query("SELECT * FROM alerts WHERE id = ?", [alert_id]))
    if not rows:
        raise AlertProblem("There is no such alert.")
    if rows[0]["resolved_at"]:
        raise AlertProblem("This alert has already been resolved.")
    return rows[0]


def acknowledge(db: Database, alert_id: int, actor: audit.Actor, note: str | None) -> None:
    """Someone is dealing with it: the chime and the LED stop for this alert."""
    with write(db):
        alert = _open_alert(db, alert_id)
        if alert["acknowledged_at"]:
            return
        update(
            db,
            "alerts",
            alert_id,
            {
                "acknowledged_at": clock.stamp(),
                "acknowledged_by": actor.id,
                "acknowledge_note": note or None,
            },
        )
        audit.record(
            db,
            actor,
            "alert_acknowledged",
            subject_kind="alert",
            subject_id=alert_id,
            child_id=alert["child_id"],
            note=note or "",
        )
        events.changed(db, "alerts")


def resolve(db: Database, alert_id: int, actor: audit.Actor, note: str | None) -> None:
    with write(db):
        alert = _open_alert(db, alert_id)
        if alert["kind"] == "not_arrived":
            # The alert and its follow-up never disagree: resolving one closes the other, by
            # the follow-up's own rule (not_arrived builds on this module, hence imported here).
            from doorbook import not_arrived

            if not_arrived.close_from_alert(db, actor, alert, note or ""):
                return
        now = clock.stamp()
        values = {"resolved_at": now, "resolved_by": actor.id, "resolve_note": note or None}
        if not alert["acknowledged_at"]:
            values.update(acknowledged_at=now, acknowledged_by=actor.id)
        update(db, "alerts", alert_id, values)
        audit.record(
            db,
            actor,
            "alert_resolved",
            subject_kind="alert",
            subject_id=alert_id,
            child_id=alert["child_id"],
            note=note or "",
        )
        events.changed(db, "alerts")


def unacknowledged_count(db: Database) -> int:
    return db.execute(
        "SELECT count(*) FROM alerts WHERE resolved_at IS NULL AND acknowledged_at IS NULL"
    ).fetchone()[0]


def child_collected(db: Database, child_id: int, actor: audit.Actor) -> None:
    """A child still here after closing has now left: close their *not collected* alerts."""
    resolve_where(
        db, actor, "The child has been collected.", kind="not_collected", child_id=child_id
    )
