"""Who may take a child home (rule K2), decided in one place.

A child is collected by an adult linked to them with *may collect* who is not on their
*not permitted* list; or, when the family has arranged it for today, by the named one-off
collector who gives the family's collection password and whose photo ID a member of staff
has seen. Everything else is refused calmly, the manager is alerted with the reason, and
every decision is audited.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlite_utils import Database

from doorbook import alerts, audit, clock, credentials, events, settings
from doorbook.db import update, write


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # for the manager and the audit log, never shown at the kiosk


def same_name(a: str, b: str) -> bool:
    """Names typed at a kiosk: ignore case, accents' composition and extra spaces."""

    def fold(name: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", name).casefold().split())

    return fold(a) == fold(b)


def child_name(db: Database, child_id: int) -> str:
    row = db.execute("SELECT first_name, last_name FROM children WHERE id = ?", [child_id])
    first, last = row.fetchone()
    return f"{first} {last}"


def not_permitted_entry(db: Database, child_id: int, name: str) -> dict | None:
    for row in db.query(
        "SELECT * FROM not_permitted WHERE child_id = ? AND removed_at IS NULL", [child_id]
    ):
        if same_name(row["name"], name):
            return row
    return None


def may_collect(db: Database, child_id: int, contact_id: int) -> Decision:
    """Whether this linked adult may take this child home now."""
    name = db.execute("SELECT name FROM contacts WHERE id = ?", [contact_id]).fetchone()[0]
    barred = not_permitted_entry(db, child_id, name)
    if barred:
        return Decision(
            False, f"on the not-permitted list: {barred['reason'] or 'no reason given'}"
        )
    link = db.execute(
        "SELECT relationship, may_collect FROM child_contacts "
        "WHERE child_id = ? AND contact_id = ?",
        [child_id, contact_id],
    ).fetchone()
    if link is None:
        return Decision(False, "not linked to this child")
    if not link[1]:
        return Decision(False, f"{link[0]}, not authorised to collect")
    return Decision(True, f"{link[0]}, authorised to collect")


@dataclass(frozen=True)
class OneOffOutcome:
    """What happened when someone said they were collecting for a family."""

    waiting_for_id: bool  # the kiosk says "please show photo ID"; otherwise "please wait"
    one_off_collection_id: int | None = None


def collector_at_door(db: Database, name: str, password: str, *, kiosk: str) -> OneOffOutcome:
    """Journey 3: a named one-off collector gives the family's collection password.

    The kiosk's answer never says which part was wrong, nor whether a child exists.
    """
    tz = settings.timezone(db)
    today = clock.today(tz).isoformat()
    actor = audit.Actor("visitor", name=name, kiosk=kiosk)

    for barred in db.query(
        "SELECT np.*, c.first_name, c.last_name FROM not_permitted np "
        "JOIN children c ON c.id = np.child_id WHERE np.removed_at IS NULL"
    ):
        if same_name(barred["name"], name):
            with write(db):
                alerts.raise_alert(
                    db,
                    "not_permitted_at_door",
                    f"{barred['name']}, who is NOT PERMITTED to collect "
                    f"{barred['first_name']} {barred['last_name']}, has given their name at the "
                    f"{kiosk} kiosk. Reason on file: {barred['reason'] or 'none given'}.",
                    kiosk=kiosk,
                    child_id=barred["child_id"],
                )
                audit.record(
                    db,
                    actor,
                    "collection_refused",
                    child_id=barred["child_id"],
                    reason="on the not-permitted list",
                )
            return OneOffOutcome(waiting_for_id=False)

    candidates = [
        row
        for row in db.query(
            "SELECT o.*, c.collection_password_hash FROM one_off_collections o "
            "JOIN children c ON c.id = o.child_id "
            "WHERE o.day = ? AND o.cancelled_at IS NULL AND o.id_checked_at IS NULL",
            [today],
        )
        if same_name(row["collector_name"], name)
    ]
    match = next(
        (
            row
            for row in candidates
            if credentials.check_collection_password(row["collection_password_hash"], password)
        ),
        None,
    )
    if not candidates:
        credentials.check_collection_password(None, password)  # the same time either way
    if match is None:
        reason = (
            "the name matches today's one-off collector but the family password was wrong"
            if candidates
            else "the name is not a one-off collector arranged for today"
        )
        with write(db):
            alerts.raise_alert(
                db,
                "collection_refused",
                f"Someone giving the name {name!r} asked to collect a child at the {kiosk} "
                f"kiosk: {reason}.",
                kiosk=kiosk,
                child_id=candidates[0]["child_id"] if candidates else None,
            )
            audit.record(
                db,
                actor,
                "collection_refused",
                child_id=candidates[0]["child_id"] if candidates else None,
                reason=reason,
            )
        return OneOffOutcome(waiting_for_id=False)

    child = child_name(db, match["child_id"])
    with write(db):
        alerts.raise_alert(
            db,
            "one_off_waiting",
            f"{match['collector_name']} ({match['relationship'] or 'one-off collector'}) is at "
            f"the {kiosk} kiosk to collect {child}, as arranged by "
            f"{match['arranged_by'] or 'the family'}. The password was right: check their "
            "photo ID, then confirm.",
            kiosk=kiosk,
            child_id=match["child_id"],
            one_off_collection_id=match["id"],
            dedupe_key=f"one_off_waiting:{match['id']}",
        )
        audit.record(
            db,
            actor,
            "one_off_collector_at_door",
            child_id=match["child_id"],
            subject_kind="one_off_collection",
            subject_id=match["id"],
            reason="name and family password match today's arrangement; photo ID to be seen",
        )
    return OneOffOutcome(waiting_for_id=True, one_off_collection_id=match["id"])


class CollectionProblem(ValueError):
    """A staff action on a collection that cannot be done; the message says why."""


def confirm_one_off_id(db: Database, one_off_collection_id: int, staff: audit.Actor) -> int:
    """A member of staff has seen the one-off collector's photo ID: sign the child out to
    them. Returns the register entry that was closed."""
    from doorbook import register

    with write(db):
        row = _arrangement(db, one_off_collection_id)
        if row["cancelled_at"]:
            raise CollectionProblem("This one-off collection was cancelled.")
        if row["id_checked_at"]:
            raise CollectionProblem("This collector's ID has already been checked.")
        if row["day"] != clock.today(settings.timezone(db)).isoformat():
            raise CollectionProblem("This one-off collection was arranged for another day.")
        entry = register.open_entry(db, row["child_id"])
        if entry is None:
            raise CollectionProblem("The child is not signed in, so cannot be signed out.")
        now = clock.stamp()
        update(
            db,
            "one_off_collections",
            one_off_collection_id,
            {"id_checked_at": now, "id_checked_by": staff.id},
        )
        update(
            db,
            "attendance",
            entry["id"],
            {
                "departed_at": now,
                "collected_by_name": row["collector_name"],
                "one_off_collection_id": one_off_collection_id,
            },
        )
        audit.record(
            db,
            staff,
            "signed_out",
            subject_kind="attendance",
            subject_id=entry["id"],
            child_id=row["child_id"],
            collected_by=row["collector_name"],
            reason="one-off collection: family password given and photo ID seen by staff",
        )
        alerts.resolve_where(
            db,
            staff,
            "Photo ID seen; child signed out to the one-off collector.",
            kind="one_off_waiting",
            one_off_collection_id=one_off_collection_id,
        )
        alerts.child_collected(db, row["child_id"], staff)
        events.changed(db, "on-site")
    return entry["id"]


def _arrangement(db: Database, one_off_collection_id: int) -> dict:
    rows = list(db.query("SELECT * FROM one_off_collections WHERE id = ?", [one_off_collection_id]))
    if not rows:
        raise CollectionProblem("There is no such one-off collection.")
    return rows[0]


def refuse_one_off(db: Database, one_off_collection_id: int, staff: audit.Actor, note: str) -> None:
    """A member of staff did not accept the collector's ID: the child stays."""
    with write(db):
        row = _arrangement(db, one_off_collection_id)
        audit.record(
            db,
            staff,
            "collection_refused",
            subject_kind="one_off_collection",
            subject_id=one_off_collection_id,
            child_id=row["child_id"],
            reason=f"photo ID not accepted by staff: {note}",
        )
        alerts.resolve_where(
            db,
            staff,
            f"Refused: {note}",
            kind="one_off_waiting",
            one_off_collection_id=one_off_collection_id,
        )
