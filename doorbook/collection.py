"""Who may take a child home (rule K2), decided in one place.

A child is collected by an adult linked to them with *may collect* who is not on their
*not permitted* list; or, when the family has arranged it for today, by the named one-off
collector who gives the family's collection password and whose photo ID a member of staff
has seen. Everything else is refused calmly, the manager is alerted with the reason, and
every decision is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from doorbook import alerts, audit, clock, credentials, settings, tries
from doorbook.db import insert, write
from doorbook.text import same_name


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # for the manager and the audit log, never shown at the kiosk
    not_permitted: bool = False  # refused because the adult is on the child's not-permitted list


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
            False,
            f"on the not-permitted list: {barred['reason'] or 'no reason given'}",
            not_permitted=True,
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


def refuse(
    db: Database,
    actor: audit.Actor,
    *,
    kiosk: str,
    child_id: int | None,
    reason: str,
    message: str | None = None,
    not_permitted: bool = False,
    contact_id: int | None = None,
    repeat_key: str | None = None,
) -> None:
    """A collection refused at the door (K2), recorded in the one way whoever refuses it:
    the manager is alerted (an adult on the child's not-permitted list is the most serious
    alert, *not permitted at the door*; anything else is *collection refused*) and the
    decision is audited with its reason. The child stays signed in, and the kiosk says only
    the neutral "please wait, a member of staff is coming": never the reason, never a child.

    With a ``repeat_key``, tries that go on (wrong passwords, the same person again and
    again) are counted on one open alert rather than raising one each."""
    kind = "not_permitted_at_door" if not_permitted else "collection_refused"
    fields: dict[str, Any] = {"kiosk": kiosk, "child_id": child_id, "contact_id": contact_id}
    with write(db):
        if repeat_key:
            alerts.raise_or_count(
                db,
                kind,
                message,
                repeat_key=repeat_key,
                within_seconds=settings.get_int(db, "collector_lockout_seconds"),
                **fields,
            )
        else:
            alerts.raise_alert(db, kind, message or alerts.KINDS[kind].title, **fields)
        audit.record(db, actor, "collection_refused", child_id=child_id, reason=reason)


@dataclass(frozen=True)
class OneOffOutcome:
    """What happened when someone said they were collecting for a family."""

    waiting_for_id: bool  # the kiosk says "please show photo ID"; otherwise "please wait"
    one_off_collection_id: int | None = None
    wait_seconds: int = 0  # too many wrong tries: refused without checking, for this long

    @property
    def locked(self) -> bool:
        return self.wait_seconds > 0


def collector_lockout_seconds(db: Database, kiosk: str, child_ids: list[int]) -> int:
    """How long the emergency-collector path stays shut at this kiosk, or for these children's
    family (from any kiosk); 0 if it is open."""
    limit = settings.get_int(db, "collector_attempts")
    window = settings.get_int(db, "collector_lockout_seconds")
    waits = [
        tries.wait_seconds(
            db, "collector_failures", "kiosk = ?", [kiosk], limit=limit, window=window
        )
    ]
    if child_ids:
        marks = ", ".join("?" * len(child_ids))
        waits.append(
            tries.wait_seconds(
                db,
                "collector_failures",
                f"child_id IN ({marks})",
                child_ids,
                limit=limit,
                window=window,
            )
        )
    return max(waits)


def collector_at_door(db: Database, name: str, password: str, *, kiosk: str) -> OneOffOutcome:
    """Journey 3: a named one-off collector gives the family's collection password.

    The kiosk's answer never says which part was wrong, nor whether a child exists. Wrong
    tries are limited per kiosk and per family; the check of the limit and the count of the
    try are one serialised write, so tries sent all at once get no more guesses.
    """
    tz = settings.timezone(db)
    today = clock.today(tz).isoformat()
    actor = audit.Actor("visitor", name=name, kiosk=kiosk)

    with write(db):
        barred = next(
            (
                row
                for row in db.query(
                    "SELECT np.*, c.first_name, c.last_name FROM not_permitted np "
                    "JOIN children c ON c.id = np.child_id WHERE np.removed_at IS NULL"
                )
                if same_name(row["name"], name)
            ),
            None,
        )
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
        family = sorted({row["child_id"] for row in candidates})
        wait = collector_lockout_seconds(db, kiosk, family)
        if barred:
            # Always told, locked or not: one alert per person and kiosk however often
            # they try.
            refuse(
                db,
                actor,
                kiosk=kiosk,
                child_id=barred["child_id"],
                reason="on the not-permitted list",
                message=f"{barred['name']}, who is NOT PERMITTED to collect "
                f"{barred['first_name']} {barred['last_name']}, has given their name at the "
                f"{kiosk} kiosk. Reason on file: {barred['reason'] or 'none given'}.",
                not_permitted=True,
                repeat_key=f"not_permitted:{kiosk}:{barred['id']}",
            )
            if not wait:
                _count_failure(db, kiosk, [barred["child_id"]])
            return OneOffOutcome(waiting_for_id=False, wait_seconds=wait)
        if wait:
            refuse(
                db,
                actor,
                kiosk=kiosk,
                child_id=family[0] if family else None,
                reason="too many wrong tries: refused without checking",
                repeat_key=f"collector:{kiosk}",
            )
            return OneOffOutcome(waiting_for_id=False, wait_seconds=wait)
        # Counted before the password is checked (slowly, outside the lock); a right
        # password takes its try back.
        failure_id = _count_failure(db, kiosk, family)

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
            wait = collector_lockout_seconds(db, kiosk, family)
            locked = (
                f" Too many wrong tries: the kiosk refuses collectors for {wait} seconds."
                if wait
                else ""
            )
            refuse(
                db,
                actor,
                kiosk=kiosk,
                child_id=family[0] if family else None,
                reason=reason,
                message=f"Someone giving the name {name!r} asked to collect a child at the "
                f"{kiosk} kiosk: {reason}.{locked}",
                repeat_key=f"collector:{kiosk}",
            )
        return OneOffOutcome(waiting_for_id=False, wait_seconds=wait)

    child = child_name(db, match["child_id"])
    with write(db):
        db.execute("DELETE FROM collector_failures WHERE id = ?", [failure_id])
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


def _count_failure(db: Database, kiosk: str, family: list[int]) -> int:
    return insert(
        db,
        "collector_failures",
        {"kiosk": kiosk, "child_id": family[0] if family else None, "at": clock.stamp()},
    )


class CollectionProblem(ValueError):
    """A staff action on a collection that cannot be done; the message says why."""


def arrangement(db: Database, one_off_collection_id: int) -> dict:
    """A one-off collection arrangement, or CollectionProblem if there is none."""
    rows = list(db.query("SELECT * FROM one_off_collections WHERE id = ?", [one_off_collection_id]))
    if not rows:
        raise CollectionProblem("There is no such one-off collection.")
    return rows[0]


def refuse_one_off(db: Database, one_off_collection_id: int, staff: audit.Actor, note: str) -> None:
    """A member of staff did not accept the collector's ID: the child stays."""
    with write(db):
        row = arrangement(db, one_off_collection_id)
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
