"""Who is at the kiosk: a PIN or a QR card, checked against hashes, with wrong tries limited
per kiosk (K5): after too many in a minute the kiosk refuses PINs for a while and the
manager is alerted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

from doorbook import alerts, audit, clock, credentials, settings
from doorbook.db import insert, write


@dataclass(frozen=True)
class Person:
    kind: str  # contact | staff
    id: int
    name: str
    language: str | None = None

    def actor(self, kiosk: str) -> audit.Actor:
        return audit.Actor(self.kind, self.id, self.name, kiosk)


@dataclass(frozen=True)
class Outcome:
    person: Person | None = None
    locked: bool = False  # too many wrong tries: refuse without checking

    @property
    def recognised(self) -> bool:
        return self.person is not None


def locked_out(db: Database, kiosk: str) -> bool:
    window = settings.get_int(db, "pin_lockout_seconds")
    since = clock.stamp(clock.now() - timedelta(seconds=window))
    failures = db.execute(
        "SELECT count(*) FROM pin_failures WHERE kiosk = ? AND at > ?", [kiosk, since]
    ).fetchone()[0]
    return failures >= settings.get_int(db, "pin_attempts_per_minute")


def identify(db: Database, credential: str, *, kiosk: str, kind: str) -> Outcome:
    """Identify a ``kind`` of person ("contact" or "staff") by a PIN or a QR card token."""
    credential = credential.strip()
    if locked_out(db, kiosk):
        return Outcome(locked=True)
    person = _find(db, credential, kind)
    if person is not None:
        return Outcome(person=person)
    return Outcome(locked=_record_failure(db, kiosk))


_FIND = {
    "contact": "SELECT k.id, k.name, k.language FROM credentials c "
    "JOIN contacts k ON k.id = c.contact_id "
    "WHERE c.kind = ? AND c.lookup = ? AND c.revoked_at IS NULL AND k.active = 1",
    "staff": "SELECT s.id, s.name, NULL FROM credentials c JOIN staff s ON s.id = c.staff_id "
    "WHERE c.kind = ? AND c.lookup = ? AND c.revoked_at IS NULL AND s.active = 1",
}


def _find(db: Database, credential: str, kind: str) -> Person | None:
    if not credential or len(credential) > 200:
        return None
    if credentials.is_valid_pin(credential):
        lookup = ("pin", credentials.pin_lookup(db, credential))
    else:
        lookup = ("qr_card", credentials.token_lookup(credential))
    row = db.execute(_FIND[kind], lookup).fetchone()
    return Person(kind, row[0], row[1], row[2]) if row else None


def _record_failure(db: Database, kiosk: str) -> bool:
    """Count a wrong try; return True if it locked the kiosk (and alert the manager once)."""
    with write(db):
        insert(db, "pin_failures", {"kiosk": kiosk, "at": clock.stamp()})
        audit.record(db, audit.Actor("kiosk", name=kiosk, kiosk=kiosk), "pin_wrong")
        locked = locked_out(db, kiosk)
        if locked:
            seconds = settings.get_int(db, "pin_lockout_seconds")
            alerts.raise_alert(
                db,
                "pin_lockout",
                f"Too many wrong PINs at the {kiosk} kiosk: PINs are refused for "
                f"{seconds} seconds.",
                kiosk=kiosk,
            )
    return locked
