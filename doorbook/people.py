"""Keeping the setting's records right: children, parents and carers and what they may do,
not-permitted persons, one-off collections, staff, organisations, bookings.

Every change is audited with what changed (old -> new), never the secret itself, and why
when there is a reason to give (``because``: "import of contacts.csv"). Records are matched
by name in one way, ``find_named``, wherever they are looked up or refused as duplicates."""

from __future__ import annotations

import secrets
from datetime import date

from sqlite_utils import Database

from doorbook import (
    audit,
    clock,
    codes,
    credentials,
    details_check,
    events,
    schemas,
    settings,
    text,
)
from doorbook.db import insert, update, write


class RecordProblem(ValueError):
    """A change that cannot be made; the message says why, for the manager."""


def _changes(before: dict | None, after: dict) -> dict[str, str]:
    return {
        key: f"{(before or {}).get(key)!s} -> {value!s}"
        for key, value in after.items()
        if before is None or before.get(key) != value
    }


def _because(because: str | None) -> dict[str, str]:
    """The reason an audit entry gives, when there is one (the panel's own changes have none)."""
    return {"because": because} if because else {}


def _row(db: Database, table: str, row_id: int) -> dict:
    rows = list(db.query(f"SELECT * FROM {table} WHERE id = ?", [row_id]))  # noqa: S608
    if not rows:
        raise RecordProblem("That record does not exist (any more).")
    return rows[0]


# A child's name as the other records and files write it: "First Last".
CHILD_NAME = "first_name || ' ' || last_name"


def find_named(
    db: Database,
    table: str,
    name: str,
    *,
    column: str = "name",
    where: str = "1",
    params: list | tuple = (),
    other_than: int | None = None,
) -> int | None:
    """The id of the record in ``table`` whose ``column`` is the same name as ``name`` as
    people write names (``text.same_name``: case, accents and spacing aside), or None.

    The one way a record is found by its name: the panel's duplicate check and the import
    both use it, so "amelia hart" in a file is Amelia Hart, never a second child."""
    key = text.name_key(name)
    for row_id, stored in db.execute(
        f"SELECT id, {column} FROM {table} WHERE ({where}) AND id IS NOT ?",  # noqa: S608
        [*params, other_than],
    ):
        if text.name_key(stored or "") == key:
            return row_id
    return None


def _refuse_duplicate(
    db: Database, table: str, column: str, value: str, row_id: int | None, message: str
) -> None:
    if find_named(db, table, value, column=column, other_than=row_id) is not None:
        raise RecordProblem(message)


def _close(
    db: Database,
    actor: audit.Actor,
    table: str,
    entry_id: int,
    column: str,
    action: str,
    **details: object,
) -> dict:
    """End a record (removed, cancelled) by stamping ``column``; audit it. Returns the row."""
    with write(db):
        entry = _row(db, table, entry_id)
        update(db, table, entry_id, {column: clock.stamp()})
        audit.record(
            db,
            actor,
            action,
            subject_kind=table,
            subject_id=entry_id,
            child_id=entry["child_id"],
            **{k: entry[v] for k, v in details.items()},
        )
    return entry


def _save(
    db: Database,
    table: str,
    row_id: int | None,
    values: dict,
    actor: audit.Actor,
    what: str,
    child_id: int | None = None,
    because: str | None = None,
) -> int:
    """Insert or update one record, auditing what changed (nothing changed: no entry)."""
    with write(db):
        before = _row(db, table, row_id) if row_id else None
        if row_id:
            update(db, table, row_id, values)
        else:
            row_id = insert(db, table, {**values, "created_at": clock.stamp()})
        changed = _changes(before, values)
        if changed:
            audit.record(
                db,
                actor,
                f"{what}_{'changed' if before else 'added'}",
                subject_kind=table,
                subject_id=row_id,
                child_id=child_id,
                **changed,
                **_because(because),
            )
        events.changed(db, "on-site")
    return row_id


# ---- Children ----


def save_child(
    db: Database,
    actor: audit.Actor,
    values: dict,
    child_id: int | None = None,
    *,
    because: str | None = None,
) -> int:
    """values: first_name, last_name, known_as, date_of_birth, room_id, key_person_id,
    sen_support, child_protection_plan."""
    name = f"{values['first_name']} {values['last_name']}"
    with write(db):
        _refuse_duplicate(
            db, "children", CHILD_NAME, name, child_id, f"There is already a child called {name}."
        )
        return _save(
            db, "children", child_id, values, actor, "child", child_id=child_id, because=because
        )


def find_child(db: Database, name: str) -> int | None:
    """The child called ``name`` ("First Last"), matched as ``find_named`` matches names."""
    return find_named(db, "children", name, column=CHILD_NAME)


def child_leaves(db: Database, child_id: int, left_on: date, actor: audit.Actor) -> None:
    """From the leaving date the child no longer appears at the kiosk."""
    with write(db):
        _row(db, "children", child_id)
        update(db, "children", child_id, {"left_on": left_on.isoformat()})
        audit.record(
            db,
            actor,
            "child_left",
            subject_kind="children",
            subject_id=child_id,
            child_id=child_id,
            left_on=left_on.isoformat(),
        )


def set_collection_password(
    db: Database,
    child_id: int,
    password: str,
    actor: audit.Actor,
    *,
    because: str | None = None,
) -> None:
    problem = schemas.collection_password_problem(password)
    if problem:
        raise RecordProblem(problem.message("the collection password"))
    with write(db):
        _row(db, "children", child_id)
        update(
            db,
            "children",
            child_id,
            {"collection_password_hash": credentials.hash_collection_password(password)},
        )
        audit.record(
            db,
            actor,
            "collection_password_set",
            subject_kind="children",
            subject_id=child_id,
            child_id=child_id,
            **_because(because),
        )


def is_collection_password(db: Database, child_id: int, password: str) -> bool:
    """Whether ``password`` is already the family's collection password for this child."""
    row = db.execute(
        "SELECT collection_password_hash FROM children WHERE id = ?", [child_id]
    ).fetchone()
    # No password yet: nothing to compare (and no password hash to spend time on).
    return bool(row and row[0]) and credentials.check_collection_password(row[0], password)


# ---- Parents and carers ----


def save_contact(
    db: Database,
    actor: audit.Actor,
    values: dict,
    contact_id: int | None = None,
    *,
    because: str | None = None,
    from_the_adult: bool = True,
) -> int:
    """values: name, phone, language (and photo_file when a photo is set).

    ``from_the_adult``: staff took a new phone number from the adult themselves, so their
    details count as confirmed today; an import's number does not."""
    with write(db):
        _refuse_duplicate(
            db,
            "contacts",
            "name",
            values["name"],
            contact_id,
            f"There is already a contact called {values['name']}.",
        )
        before = db.execute("SELECT phone FROM contacts WHERE id = ?", [contact_id]).fetchone()
        saved = _save(db, "contacts", contact_id, values, actor, "contact", because=because)
        changed_phone = before is not None and "phone" in values and before[0] != values["phone"]
        if changed_phone and from_the_adult:
            # Staff took the new number from the adult: confirmed today, off the office's list.
            details_check.updated_by_staff(db, actor, saved)
        return saved


def link(
    db: Database,
    actor: audit.Actor,
    *,
    contact_id: int,
    child_id: int,
    relationship: str,
    parental_responsibility: bool,
    may_collect: bool,
    because: str | None = None,
) -> bool:
    """Link an adult to a child, or change the link: what they are, and whether they may
    collect (the kiosk's collection check reads this). Returns False (and records nothing)
    when the link was already so."""
    values = {
        "relationship": relationship,
        "parental_responsibility": int(parental_responsibility),
        "may_collect": int(may_collect),
    }
    with write(db):
        _row(db, "contacts", contact_id)
        _row(db, "children", child_id)
        before = next(
            db.query(
                "SELECT relationship, parental_responsibility, may_collect FROM child_contacts "
                "WHERE child_id = ? AND contact_id = ?",
                [child_id, contact_id],
            ),
            None,
        )
        if before == values:
            return False
        if before:
            db.execute(
                "UPDATE child_contacts SET relationship = ?, parental_responsibility = ?, "
                "may_collect = ?, updated_at = ? WHERE child_id = ? AND contact_id = ?",
                [*values.values(), clock.stamp(), child_id, contact_id],
            )
        else:
            insert(
                db,
                "child_contacts",
                {
                    "child_id": child_id,
                    "contact_id": contact_id,
                    **values,
                    "updated_at": clock.stamp(),
                },
            )
        audit.record(
            db,
            actor,
            "authorisation_changed" if before else "authorisation_added",
            subject_kind="contacts",
            subject_id=contact_id,
            child_id=child_id,
            **_changes(before, values),
            **_because(because),
        )
    return True


def unlink(db: Database, actor: audit.Actor, *, contact_id: int, child_id: int) -> None:
    with write(db):
        removed = db.execute(
            "DELETE FROM child_contacts WHERE child_id = ? AND contact_id = ?",
            [child_id, contact_id],
        ).rowcount
        if removed:
            audit.record(
                db,
                actor,
                "authorisation_removed",
                subject_kind="contacts",
                subject_id=contact_id,
                child_id=child_id,
            )


def _pin_owner(contact_id: int | None, staff_id: int | None) -> tuple[str, int]:
    owner_column, owner_id = ("contact_id", contact_id) if contact_id else ("staff_id", staff_id)
    if owner_id is None:
        raise RecordProblem("A PIN belongs to a contact or a member of staff.")
    return owner_column, owner_id


def _pin_in_use(db: Database, lookup: str) -> tuple[int | None, int | None] | None:
    """(staff_id, contact_id) of whoever holds the PIN with this look-up, if anyone does."""
    return db.execute(
        "SELECT staff_id, contact_id FROM credentials WHERE kind = 'pin' AND lookup = ? "
        "AND revoked_at IS NULL",
        [lookup],
    ).fetchone()


def _replace_pin(db: Database, owner_column: str, owner_id: int, lookup: str) -> None:
    now = clock.stamp()
    db.execute(
        f"UPDATE credentials SET revoked_at = ? WHERE kind = 'pin' AND {owner_column} = ? "  # noqa: S608
        "AND revoked_at IS NULL",
        [now, owner_id],
    )
    insert(
        db,
        "credentials",
        {"kind": "pin", owner_column: owner_id, "lookup": lookup, "created_at": now},
    )


def new_pin(db: Database, actor: audit.Actor, *, contact_id=None, staff_id=None) -> str:
    """A new random 6-digit kiosk PIN for one person, shown once; their old PIN stops
    working. No two people can ever share a PIN (a unique index guards it too)."""
    owner_column, owner_id = _pin_owner(contact_id, staff_id)
    with write(db):
        while True:
            pin = f"{secrets.randbelow(1_000_000):06d}"
            lookup = credentials.pin_lookup(db, pin)
            if not _pin_in_use(db, lookup):
                break
        _replace_pin(db, owner_column, owner_id, lookup)
        audit.record(
            db,
            actor,
            "kiosk_pin_reset",
            subject_kind="contacts" if contact_id else "staff",
            subject_id=owner_id,
        )
    return pin


def set_pin(
    db: Database,
    actor: audit.Actor,
    pin: str,
    *,
    contact_id: int | None = None,
    staff_id: int | None = None,
    because: str | None = None,
) -> bool:
    """Give one person the kiosk PIN ``pin`` (from an import); their old PIN stops working.
    Returns False (and records nothing) when it already is theirs."""
    owner_column, owner_id = _pin_owner(contact_id, staff_id)
    if not credentials.is_valid_pin(pin):
        raise RecordProblem("A kiosk PIN is exactly 6 digits.")
    with write(db):
        lookup = credentials.pin_lookup(db, pin)
        holder = _pin_in_use(db, lookup)
        if holder and holder == ((staff_id, None) if staff_id else (None, contact_id)):
            return False
        if holder:
            raise RecordProblem("That PIN is already someone else's; choose another.")
        _replace_pin(db, owner_column, owner_id, lookup)
        audit.record(
            db,
            actor,
            "kiosk_pin_set",
            subject_kind="contacts" if contact_id else "staff",
            subject_id=owner_id,
            **_because(because),
        )
    return True


def set_admin_password(
    db: Database, actor: audit.Actor, staff_id: int, password: str, *, because: str | None = None
) -> bool:
    """Set a member of staff's panel password (from an import); their old one stops working.
    Returns False (and records nothing) when it already is their password."""
    with write(db):
        _row(db, "staff", staff_id)
        current = db.execute(
            "SELECT id, secret_hash FROM credentials WHERE kind = 'password' AND staff_id = ? "
            "AND revoked_at IS NULL",
            [staff_id],
        ).fetchall()
        if any(credentials.check_password(row[1], password) for row in current):
            return False
        now = clock.stamp()
        for row in current:
            update(db, "credentials", row[0], {"revoked_at": now})
        credentials.add_staff_password(db, staff_id, password, now)
        audit.record(
            db,
            actor,
            "admin_password_set",
            subject_kind="staff",
            subject_id=staff_id,
            **_because(because),
        )
    return True


# ---- Not permitted; one-off collections ----


def add_not_permitted(
    db: Database,
    actor: audit.Actor,
    *,
    child_id: int,
    name: str,
    description: str | None,
    reason: str | None,
    photo_file: str | None = None,
    because: str | None = None,
) -> int:
    with write(db):
        _row(db, "children", child_id)
        entry = insert(
            db,
            "not_permitted",
            {
                "child_id": child_id,
                "name": name,
                "description": description,
                "reason": reason,
                "photo_file": photo_file,
                "created_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            actor,
            "not_permitted_added",
            subject_kind="not_permitted",
            subject_id=entry,
            child_id=child_id,
            name=name,
            reason=reason or "",
            **_because(because),
        )
    return entry


def _change_for_child(
    db: Database,
    actor: audit.Actor,
    table: str,
    kind: str,
    entry_id: int,
    values: dict,
    because: str | None,
) -> None:
    """An entry about one child changed, audited old -> new against that child."""
    with write(db):
        entry = _row(db, table, entry_id)
        _save(db, table, entry_id, values, actor, kind, child_id=entry["child_id"], because=because)


def change_not_permitted(
    db: Database, actor: audit.Actor, entry_id: int, values: dict, *, because: str | None = None
) -> None:
    """values: name, description, reason (the name as the file or the form now writes it)."""
    _change_for_child(db, actor, "not_permitted", "not_permitted", entry_id, values, because)


def remove_not_permitted(db: Database, actor: audit.Actor, entry_id: int) -> None:
    _close(db, actor, "not_permitted", entry_id, "removed_at", "not_permitted_removed", name="name")


def add_one_off(
    db: Database,
    actor: audit.Actor,
    *,
    child_id: int,
    collector_name: str,
    relationship: str | None,
    arranged_by: str | None,
    note: str | None,
    day: date | None = None,
    because: str | None = None,
) -> int:
    """A parent phoned: someone else collects today (today only; an import may name the day)."""
    with write(db):
        _row(db, "children", child_id)
        entry = insert(
            db,
            "one_off_collections",
            {
                "child_id": child_id,
                "day": (day or clock.today(settings.timezone(db))).isoformat(),
                "collector_name": collector_name,
                "relationship": relationship,
                "arranged_by": arranged_by,
                "note": note,
                "created_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            actor,
            "one_off_collection_arranged",
            subject_kind="one_off_collections",
            subject_id=entry,
            child_id=child_id,
            collector=collector_name,
            arranged_by=arranged_by,
            **_because(because),
        )
    return entry


def change_one_off(
    db: Database, actor: audit.Actor, entry_id: int, values: dict, *, because: str | None = None
) -> None:
    """values: collector_name, relationship, arranged_by, note."""
    _change_for_child(
        db, actor, "one_off_collections", "one_off_collection", entry_id, values, because
    )


def cancel_one_off(db: Database, actor: audit.Actor, entry_id: int) -> None:
    _close(
        db, actor, "one_off_collections", entry_id, "cancelled_at", "one_off_collection_cancelled"
    )


# ---- Staff and organisations ----


def save_staff(
    db: Database,
    actor: audit.Actor,
    values: dict,
    staff_id: int | None = None,
    *,
    because: str | None = None,
) -> int:
    """values: name, job_title, role, room_id, safeguarding_lead (the setting's DSL); an
    import also sets admin_username."""
    with write(db):
        _refuse_duplicate(
            db,
            "staff",
            "name",
            values["name"],
            staff_id,
            f"There is already a member of staff called {values['name']}.",
        )
        return _save(db, "staff", staff_id, values, actor, "staff", because=because)


def save_organisation(
    db: Database,
    actor: audit.Actor,
    values: dict,
    organisation_id: int | None = None,
    *,
    because: str | None = None,
) -> int:
    """values: name, dbs_assurance_on_file, dbs_assurance_until."""
    with write(db):
        _refuse_duplicate(
            db,
            "organisations",
            "name",
            values["name"],
            organisation_id,
            f"There is already an organisation called {values['name']}.",
        )
        return _save(
            db, "organisations", organisation_id, values, actor, "organisation", because=because
        )


# ---- Bookings (expected visits) ----


def book_visit(
    db: Database, actor: audit.Actor, values: dict, *, because: str | None = None
) -> int:
    """values: day, time, visitor_name, role, organisation_id, child_id, supervisor_id,
    purpose. Gets a reference code and an invitation QR token."""
    with write(db):
        code = codes.new_reference_code(db)
        booking = insert(
            db,
            "expected_visits",
            {
                **values,
                "reference_code": code,
                "token_lookup": credentials.token_lookup(credentials.invitation_token(db, code)),
                "created_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            actor,
            "visit_booked",
            subject_kind="expected_visits",
            subject_id=booking,
            child_id=values["child_id"],
            visitor=values["visitor_name"],
            day=values["day"],
            **_because(because),
        )
        events.changed(db, "on-site")
    return booking


def change_booking(
    db: Database, actor: audit.Actor, booking_id: int, values: dict, *, because: str | None = None
) -> None:
    """values: visitor_name, role, organisation_id, supervisor_id, purpose (and the consent:
    involvement_id, no_consent_reason)."""
    with write(db):
        booking = _row(db, "expected_visits", booking_id)
        _save(
            db,
            "expected_visits",
            booking_id,
            values,
            actor,
            "visit_booking",
            child_id=booking["child_id"],
            because=because,
        )


def cancel_booking(db: Database, actor: audit.Actor, booking_id: int) -> None:
    with write(db):
        if db.execute("SELECT 1 FROM visits WHERE expected_visit_id = ?", [booking_id]).fetchone():
            raise RecordProblem("The visitor has already arrived: this booking is kept.")
        _close(db, actor, "expected_visits", booking_id, "cancelled_at", "visit_booking_cancelled")
        events.changed(db, "on-site")
