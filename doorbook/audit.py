"""The append-only audit log: who did what, when, from which kiosk, and why."""

from __future__ import annotations

import json
from dataclasses import dataclass
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
