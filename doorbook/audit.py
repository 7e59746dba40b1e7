"""The append-only audit log: who did what, when, from which kiosk, and why."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from doorbook import clock
from doorbook.db import write


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff member, a contact, a visitor, a kiosk or the system itself."""

    kind: str
    id: int | None = None
    name: str | None = None
    kiosk: str | None = None


SYSTEM = Actor("system", name="Doorbook")


def record(
    db: Database,
    actor: Actor,
    action: str,
    *,
    subject_kind: str | None = None,
    subject_id: int | None = None,
    child_id: int | None = None,
    **details: Any,
) -> int:
    """Append one entry. Call it inside the same write as the change it describes."""
    with write(db):
        cursor = db.execute(
            "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, subject_kind,"
            " subject_id, child_id, kiosk, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                clock.stamp(),
                actor.kind,
                actor.id,
                actor.name,
                action,
                subject_kind,
                subject_id,
                child_id,
                actor.kiosk,
                json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None,
            ],
        )
        return cursor.lastrowid


def search_audit(
    db: Database,
    *,
    first: date | None,
    last: date | None,
    person: str = "",
    action: str = "",
    limit: int = 500,
    tz: str,
) -> list[dict]:
    """Entries between two of the setting's local days (in ``tz``), newest first."""
    where, params = [], []
    if first:
        where.append("at >= ?")
        params.append(clock.day_bounds(first, tz)[0])
    if last:
        where.append("at < ?")
        params.append(clock.day_bounds(last, tz)[1])
    if person:
        where.append("(actor_name LIKE ? ESCAPE '\\' OR details LIKE ? ESCAPE '\\')")
        like = "%" + person.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [like, like]
    if action:
        where.append("action = ?")
        params.append(action)
    sql = "SELECT * FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return list(db.query(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]))


def audit_actions(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT DISTINCT action FROM audit_log ORDER BY 1")]
