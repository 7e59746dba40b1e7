"""The attendance register: children signed in and out, who brought and who collected them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from doorbook import alerts, audit, clock, collection, events, not_arrived, settings
from doorbook.db import insert, update, write
from doorbook.identify import Person


@dataclass(frozen=True)
class ChildAtDoor:
    """One of an adult's own children, as the kiosk shows them after identification."""

    id: int
    name: str
    here: bool
    since: str | None  # stored UTC time of arrival, when here


@dataclass(frozen=True)
class Result:
    child_id: int
    name: str
    outcome: str  # signed_in | already_in | signed_out | not_here | refused | not_theirs
    at: str | None = None


def display_name(row) -> str:
    return f"{row['known_as'] or row['first_name']} {row['last_name']}"


def children_for(db: Database, contact_id: int) -> list[ChildAtDoor]:
    """The children linked to this adult who have not left the setting, with their state."""
    today = clock.today(settings.timezone(db)).isoformat()
    rows = db.query(
        "SELECT c.id, c.first_name, c.last_name, c.known_as, a.arrived_at "
        "FROM child_contacts cc JOIN children c ON c.id = cc.child_id "
        "LEFT JOIN attendance a ON a.child_id = c.id AND a.departed_at IS NULL "
        "WHERE cc.contact_id = ? AND (c.left_on IS NULL OR c.left_on > ?) "
        "ORDER BY c.date_of_birth, c.first_name",
        [contact_id, today],
    )
    return [
        ChildAtDoor(row["id"], display_name(row), row["arrived_at"] is not None, row["arrived_at"])
        for row in rows
    ]


def child_open_entry(db: Database, child_id: int) -> dict | None:
    """The child's register entry while they are signed in (not yet departed), or None."""
    rows = list(
        db.query("SELECT * FROM attendance WHERE child_id = ? AND departed_at IS NULL", [child_id])
    )
    return rows[0] if rows else None


def child_leaves(
    db: Database,
    entry: dict,
    actor: audit.Actor,
    *,
    reason: str,
    at: str | None = None,
    collected_by_name: str | None = None,
    collected_by_contact_id: int | None = None,
    one_off_collection_id: int | None = None,
) -> str:
    """The one way a child is signed out, whoever does it (the kiosk, staff confirming a
    one-off collector's photo ID, a manager correcting the register): the register entry is
    closed, the decision audited, the child's *not yet collected* alerts resolved, any
    visit still on site to see this child flagged, and every open panel told. Returns the
    departure time stored."""
    from doorbook import visits

    at = at or clock.stamp()
    with write(db):
        values: dict[str, object] = {"departed_at": at}
        if collected_by_name is not None:
            values["collected_by_name"] = collected_by_name
        if collected_by_contact_id is not None:
            values["collected_by_contact_id"] = collected_by_contact_id
        if one_off_collection_id is not None:
            values["one_off_collection_id"] = one_off_collection_id
        update(db, "attendance", entry["id"], values)
        audit.record(
            db,
            actor,
            "signed_out",
            subject_kind="attendance",
            subject_id=entry["id"],
            child_id=entry["child_id"],
            collected_by=collected_by_name or "",
            reason=reason,
        )
        alerts.child_collected(db, entry["child_id"], actor)
        visits.child_went_home(db, entry["child_id"], at)
        events.changed(db, "on-site")
    return at


def _own(db: Database, person: Person, child_ids: list[int]) -> dict[int, ChildAtDoor]:
    mine = {child.id: child for child in children_for(db, person.id)}
    return {child_id: mine[child_id] for child_id in child_ids if child_id in mine}


def sign_in(
    db: Database, person: Person, child_ids: list[int], *, kiosk: str, message: str | None = None
) -> list[Result]:
    """Sign these of the adult's children in, noting who brought them (and any message for
    the key person). A child already in is reported, not signed in twice."""
    actor = person.actor(kiosk)
    results = []
    with write(db):
        own = _own(db, person, child_ids)
        now = clock.stamp()
        today = clock.today(settings.timezone(db)).isoformat()
        for child_id in child_ids:
            child = own.get(child_id)
            if child is None:
                audit.record(db, actor, "sign_in_refused", child_id=child_id, reason="not theirs")
                results.append(Result(child_id, "", "not_theirs"))
                continue
            if child.here:  # read inside this write transaction, so it is current
                results.append(Result(child_id, child.name, "already_in", child.since))
                continue
            entry_id = insert(
                db,
                "attendance",
                {
                    "child_id": child_id,
                    "day": today,
                    "arrived_at": now,
                    "brought_by_contact_id": person.id,
                    "brought_by_name": person.name,
                    "message_for_key_person": message or None,
                    "created_at": now,
                },
            )
            not_arrived.child_arrived(db, child_id, actor)
            audit.record(
                db,
                actor,
                "signed_in",
                subject_kind="attendance",
                subject_id=entry_id,
                child_id=child_id,
                brought_by=person.name,
            )
            results.append(Result(child_id, child.name, "signed_in", now))
        events.changed(db, "on-site")
    return results


def sign_out(db: Database, person: Person, child_ids: list[int], *, kiosk: str) -> list[Result]:
    """Sign these children out to this adult where the collection rule allows it (K2);
    otherwise the child stays signed in and the manager is alerted with the reason."""
    actor = person.actor(kiosk)
    results = []
    with write(db):
        own = _own(db, person, child_ids)
        now = clock.stamp()
        for child_id in child_ids:
            child = own.get(child_id)
            if child is None:
                audit.record(db, actor, "sign_out_refused", child_id=child_id, reason="not theirs")
                results.append(Result(child_id, "", "not_theirs"))
                continue
            entry = child_open_entry(db, child_id)
            if entry is None:
                results.append(Result(child_id, child.name, "not_here"))
                continue
            decision = collection.may_collect(db, child_id, person.id)
            if not decision.allowed:
                full_name = collection.child_name(db, child_id)
                collection.refuse(
                    db,
                    actor,
                    kiosk=kiosk,
                    child_id=child_id,
                    contact_id=person.id,
                    reason=decision.reason,
                    not_permitted=decision.not_permitted,
                    message=f"{person.name} tried to collect {full_name} at the {kiosk} kiosk "
                    f"and was refused: {decision.reason}. {full_name} is still signed in.",
                )
                results.append(Result(child_id, child.name, "refused"))
                continue
            child_leaves(
                db,
                entry,
                actor,
                at=now,
                collected_by_name=person.name,
                collected_by_contact_id=person.id,
                reason=decision.reason,
            )
            results.append(Result(child_id, child.name, "signed_out", now))
        events.changed(db, "on-site")
    return results


@dataclass(frozen=True)
class OneOffCollected:
    """What a member of staff's confirmation did, for them to see."""

    attendance_id: int
    child: str
    collector: str
    at: str  # stored UTC time

    def describe(self, tz: str) -> str:
        return (
            f"{self.child} signed out to {self.collector} (one-off collection) at "
            f"{clock.local(self.at, tz):%H:%M}. Photo ID seen: this is in the register and the "
            "child's history."
        )


def confirm_one_off_id(
    db: Database, one_off_collection_id: int, staff: audit.Actor
) -> OneOffCollected:
    """A member of staff has seen the one-off collector's photo ID: sign the child out to
    them. (Here, not in doorbook.collection: the register signs children out, and the
    collection rule never needs the register.)"""
    with write(db):
        row = collection.arrangement(db, one_off_collection_id)
        if row["cancelled_at"]:
            raise collection.CollectionProblem("This one-off collection was cancelled.")
        if row["id_checked_at"]:
            raise collection.CollectionProblem("This collector's ID has already been checked.")
        if row["day"] != clock.today(settings.timezone(db)).isoformat():
            raise collection.CollectionProblem(
                "This one-off collection was arranged for another day."
            )
        entry = child_open_entry(db, row["child_id"])
        if entry is None:
            raise collection.CollectionProblem(
                "The child is not signed in, so cannot be signed out."
            )
        update(
            db,
            "one_off_collections",
            one_off_collection_id,
            {"id_checked_at": clock.stamp(), "id_checked_by": staff.id},
        )
        audit.record(
            db,
            staff,
            "one_off_collection_confirmed",
            subject_kind="one_off_collection",
            subject_id=one_off_collection_id,
            child_id=row["child_id"],
            collector=row["collector_name"],
            photo_id_seen_by=staff.name or "staff",
        )
        at = child_leaves(
            db,
            entry,
            staff,
            collected_by_name=row["collector_name"],
            one_off_collection_id=one_off_collection_id,
            reason="one-off collection: family password given and photo ID seen by "
            f"{staff.name or 'staff'}",
        )
        alerts.resolve_where(
            db,
            staff,
            "Photo ID seen; child signed out to the one-off collector.",
            kind="one_off_waiting",
            one_off_collection_id=one_off_collection_id,
        )
    return OneOffCollected(
        entry["id"], collection.child_name(db, row["child_id"]), row["collector_name"], at
    )
