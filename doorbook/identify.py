"""Who is at the kiosk: a PIN or a QR card, checked against hashes, with wrong tries limited
per kiosk (K5): after too many in a minute the kiosk refuses PINs for a while and the
manager is alerted. The lock-out decision and the count of wrong tries are one serialised
write, so tries sent all at once cannot get more guesses than the limit. Staff can lift a
lock-out from its alert on the panel at once.

A QR card still works during a PIN lock-out. The lock-out exists because a 6-digit PIN can
be guessed (one in a million a try); a card's token is 160 random bits, so no number of
tries guesses one, and a card is read by the scanner, not typed on the pad. Letting cards
through means a toddler mashing the pad does not lock out the families who scan. A wrong
card still counts as a wrong try, and during a lock-out anything that is not a card is
refused without being checked."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from doorbook import alerts, audit, clock, credentials, settings, tries
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
    wait_seconds: int = 0  # too many wrong tries: refused without checking, for this long

    @property
    def locked(self) -> bool:
        return self.wait_seconds > 0

    @property
    def recognised(self) -> bool:
        return self.person is not None


def lockout_seconds(db: Database, kiosk: str) -> int:
    """How long this kiosk still refuses PINs and cards (0: it does not)."""
    return tries.wait_seconds(
        db,
        "pin_failures",
        "kiosk = ?",
        [kiosk],
        limit=settings.get_int(db, "pin_attempts_per_minute"),
        window=settings.get_int(db, "pin_lockout_seconds"),
    )


def lift_lockout(db: Database, alert_id: int, actor: audit.Actor) -> str | None:
    """Staff lift a kiosk's PIN lock-out at once, from its open *PIN lock-out* alert: the
    kiosk's wrong tries are forgotten (each is still in the audit log) and its lock-out
    alerts are resolved. Returns the kiosk, or None if that alert is no longer open."""
    with write(db):
        row = db.execute(
            "SELECT kiosk FROM alerts WHERE id = ? AND kind = 'pin_lockout' "
            "AND resolved_at IS NULL AND kiosk IS NOT NULL",
            [alert_id],
        ).fetchone()
        if row is None:
            return None
        kiosk = row[0]
        db.execute("DELETE FROM pin_failures WHERE kiosk = ?", [kiosk])
        audit.record(db, actor, "pin_lockout_lifted", what=kiosk)
        alerts.resolve_where(db, actor, "Lock-out lifted", kind="pin_lockout", kiosk=kiosk)
    return kiosk


def identify(db: Database, credential: str, *, kiosk: str, kind: str) -> Outcome:
    """Identify a ``kind`` of person ("contact" or "staff") by a PIN or a QR card token.

    ``kind="card"`` is a card scanned on the home screen, before anyone chose a journey: a
    parent's or a member of staff's card, whichever it is (the outcome's person says which).
    A PIN there is taken as a parent's, as before."""
    credential = credential.strip()
    # Checked, looked up and counted under the one write lock: 40 wrong PINs sent at once
    # are evaluated one after another, and only the first few before the lock-out. A right
    # PIN writes nothing, so its transaction commits without touching the disk.
    with write(db):
        wait = lockout_seconds(db, kiosk)
        if wait:
            # Cards still work (see above); a PIN is not even looked up.
            card = None if credentials.is_valid_pin(credential) else _find(db, credential, kind)
            return Outcome(person=card) if card else Outcome(wait_seconds=wait)
        person = _find(db, credential, kind)
        if person is not None:
            return Outcome(person=person)
        return Outcome(wait_seconds=_record_failure(db, kiosk))


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
        kinds = ["staff" if kind == "staff" else "contact"]
    else:
        lookup = ("qr_card", credentials.token_lookup(credential))
        kinds = ["contact", "staff"] if kind == "card" else [kind]
    for each in kinds:
        row = db.execute(_FIND[each], lookup).fetchone()
        if row:
            return Person(each, row[0], row[1], row[2])
    return None


def _record_failure(db: Database, kiosk: str) -> int:
    """Count a wrong try; if it locked the kiosk, alert the manager and return the wait."""
    with write(db):
        insert(db, "pin_failures", {"kiosk": kiosk, "at": clock.stamp()})
        audit.record(db, audit.Actor("kiosk", name=kiosk, kiosk=kiosk), "pin_wrong")
        wait = lockout_seconds(db, kiosk)
        if wait:
            alerts.raise_or_count(
                db,
                "pin_lockout",
                f"Too many wrong PINs at the {kiosk} kiosk: PINs are refused for {wait} "
                "seconds (QR cards still work).",
                repeat_key=f"pin_lockout:{kiosk}",
                within_seconds=settings.get_int(db, "pin_lockout_seconds") * 10,
                kiosk=kiosk,
            )
    return wait
