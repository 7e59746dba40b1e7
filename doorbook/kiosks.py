"""Enrolled kiosks: the Pi itself always is one; another device (a tablet at the back
door) becomes one when the manager enrols it, and stops being one when revoked."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

from doorbook import audit, clock, codes, credentials, text
from doorbook.db import insert, update, write

ENROL_MINUTES = 15
# An enrolled kiosk's token lasts while the device is used: each day it is seen starts its
# 90 days again (the cookie too); a tablet left in a drawer over a summer holiday still works,
# one lost or stolen and never used here stops by itself. Revoking stops it at once.
DEVICE_IDLE_DAYS = 90


class KioskProblem(ValueError):
    """An enrolment that cannot be done; the message says why."""


@dataclass(frozen=True)
class Enrolment:
    device_id: int
    code: str  # shown once, typed on the new kiosk within ENROL_MINUTES


def start_enrolment(db: Database, name: str, actor: audit.Actor) -> Enrolment:
    name, problem = text.clean(name, "a name for the kiosk", max_length=60)
    if problem:
        raise KioskProblem(problem.message)
    code = codes.short_code()
    with write(db):
        device = insert(
            db,
            "kiosk_devices",
            {
                "name": name,
                "token_lookup": credentials.token_lookup(secrets.token_urlsafe(32)),  # none yet
                "enrol_code_lookup": credentials.token_lookup(code),
                "enrol_expires_at": clock.stamp(clock.now() + timedelta(minutes=ENROL_MINUTES)),
                "enrolled_by": actor.id,
                "created_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            actor,
            "kiosk_enrolment_started",
            subject_kind="kiosk_devices",
            subject_id=device,
            name=name,
        )
    return Enrolment(device, code)


def complete_enrolment(db: Database, code: str) -> tuple[str, str] | None:
    """The new kiosk gives its code: return (device name, device token) once."""
    from doorbook.visits import normalise_reference

    lookup = credentials.token_lookup(normalise_reference(code[:20]))
    with write(db):
        row = db.execute(
            "SELECT id, name FROM kiosk_devices WHERE enrol_code_lookup = ? "
            "AND enrol_expires_at > ? AND enrolled_at IS NULL AND revoked_at IS NULL",
            [lookup, clock.stamp()],
        ).fetchone()
        if row is None:
            return None
        token = "kiosk_" + secrets.token_urlsafe(32)
        update(
            db,
            "kiosk_devices",
            row[0],
            {
                "token_lookup": credentials.token_lookup(token),
                "enrol_code_lookup": None,
                "enrolled_at": clock.stamp(),
                "last_seen_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            audit.Actor("kiosk", name=row[1], kiosk=row[1]),
            "kiosk_enrolled",
            subject_kind="kiosk_devices",
            subject_id=row[0],
        )
    return row[1], token


@dataclass(frozen=True)
class Device:
    id: int
    name: str
    last_seen_at: str


def device(db: Database, token: str | None) -> Device | None:
    """The enrolled kiosk this device token belongs to, if still enrolled and recently used."""
    if not token or not token.startswith("kiosk_") or len(token) > 100:
        return None
    since = clock.stamp(clock.now() - timedelta(days=DEVICE_IDLE_DAYS))
    row = db.execute(
        "SELECT id, name, COALESCE(last_seen_at, enrolled_at) FROM kiosk_devices "
        "WHERE token_lookup = ? AND enrolled_at IS NOT NULL AND revoked_at IS NULL "
        "AND COALESCE(last_seen_at, enrolled_at) > ?",
        [credentials.token_lookup(token), since],
    ).fetchone()
    return Device(*row) if row else None


def device_name(db: Database, token: str | None) -> str | None:
    found = device(db, token)
    return found.name if found else None


def seen(db: Database, found: Device) -> bool:
    """Note that an enrolled kiosk is in use, at most once a day (a write); True when noted,
    so its cookie's lifetime can start again too."""
    if clock.parse(found.last_seen_at) > clock.now() - timedelta(days=1):
        return False
    with write(db):
        update(db, "kiosk_devices", found.id, {"last_seen_at": clock.stamp()})
    return True


def revoke(db: Database, device_id: int, actor: audit.Actor) -> None:
    with write(db):
        update(db, "kiosk_devices", device_id, {"revoked_at": clock.stamp()})
        audit.record(db, actor, "kiosk_revoked", subject_kind="kiosk_devices", subject_id=device_id)


def devices(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM kiosk_devices ORDER BY revoked_at IS NOT NULL, name"))
