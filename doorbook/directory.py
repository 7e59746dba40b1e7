"""Reading the setting's records: children, parents and carers, staff, organisations and
bookings, as the manager's panel shows them, and a record's recent history.

Readers only: every change goes through doorbook.people, which audits it. The panel asks
these by name and renders what they answer."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from doorbook import clock, settings

Choice = tuple[int, str]  # (id, the name shown)


def _today(db: Database) -> str:
    return clock.today(settings.timezone(db)).isoformat()


def _one(db: Database, sql: str, params: list) -> dict | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def _choices(db: Database, sql: str, params: list | None = None) -> list[Choice]:
    return [(row[0], row[1]) for row in db.execute(sql, params or []).fetchall()]


# ---- Choices offered in the panel's forms ----


def room_choices(db: Database) -> list[Choice]:
    """The rooms in use, in the setting's own order."""
    return _choices(db, "SELECT id, name FROM rooms WHERE active = 1 ORDER BY id")


def staff_choices(db: Database) -> list[Choice]:
    """Staff whose accounts are active, by name (key persons, supervisors)."""
    return _choices(db, "SELECT id, name FROM staff WHERE active = 1 ORDER BY name")


def child_choices(db: Database, on: date | None = None) -> list[Choice]:
    """Children on the roll today, or on the day given (not yet left), by first then last
    name."""
    return _choices(
        db,
        "SELECT id, first_name || ' ' || last_name FROM children "
        "WHERE left_on IS NULL OR left_on > ? ORDER BY first_name, last_name",
        [on.isoformat() if on else _today(db)],
    )


def contact_choices(db: Database, *, active_only: bool = False) -> list[Choice]:
    """Parents and carers by name; `active_only` leaves out those no longer with the setting."""
    where = "WHERE active = 1 " if active_only else ""
    return _choices(db, f"SELECT id, name FROM contacts {where}ORDER BY name")  # noqa: S608


def organisation_choices(db: Database) -> list[Choice]:
    return _choices(db, "SELECT id, name FROM organisations ORDER BY name")


# ---- Children ----


def children_list(db: Database) -> list[dict]:
    """Every child with their room and key person: those on the roll first, by name."""
    return list(
        db.query(
            "SELECT c.*, r.name AS room, k.name AS key_person FROM children c "
            "JOIN rooms r ON r.id = c.room_id LEFT JOIN staff k ON k.id = c.key_person_id "
            "ORDER BY c.left_on IS NOT NULL, c.first_name, c.last_name"
        )
    )


def child_record(db: Database, child_id: int) -> dict | None:
    return _one(db, "SELECT * FROM children WHERE id = ?", [child_id])


def child_links(db: Database, child_id: int) -> list[dict]:
    """A child's parents and carers: the link (relationship, may collect) with their name
    and photo."""
    return list(
        db.query(
            "SELECT cc.*, k.name, k.photo_file FROM child_contacts cc "
            "JOIN contacts k ON k.id = cc.contact_id WHERE cc.child_id = ? ORDER BY k.name",
            [child_id],
        )
    )


def not_permitted(db: Database, child_id: int) -> list[dict]:
    """The people a child must not be handed to (entries not removed)."""
    return list(
        db.query(
            "SELECT * FROM not_permitted WHERE child_id = ? AND removed_at IS NULL", [child_id]
        )
    )


def one_offs_today(db: Database, child_id: int) -> list[dict]:
    """Today's one-off collections arranged for a child and not cancelled."""
    return list(
        db.query(
            "SELECT * FROM one_off_collections WHERE child_id = ? AND day = ? "
            "AND cancelled_at IS NULL",
            [child_id, _today(db)],
        )
    )


def child_of_not_permitted(db: Database, entry_id: int) -> int | None:
    """Whose not-permitted list an entry is on, or None if there is no such entry."""
    row = db.execute("SELECT child_id FROM not_permitted WHERE id = ?", [entry_id]).fetchone()
    return row[0] if row else None


def child_of_one_off(db: Database, entry_id: int) -> int | None:
    """Which child a one-off collection is for, or None if there is no such entry."""
    row = db.execute("SELECT child_id FROM one_off_collections WHERE id = ?", [entry_id]).fetchone()
    return row[0] if row else None


# ---- Parents and carers ----


def contacts_list(db: Database) -> list[dict]:
    """Every parent and carer, by name, with their children in one line each
    ("Name (relationship, may collect)")."""
    return list(
        db.query(
            "SELECT k.*, group_concat(c.first_name || ' ' || c.last_name || ' (' "
            "|| cc.relationship "
            "|| CASE WHEN cc.may_collect THEN ', may collect' ELSE ', may not collect' END "
            "|| ')', '; ') AS children FROM contacts k "
            "LEFT JOIN child_contacts cc ON cc.contact_id = k.id "
            "LEFT JOIN children c ON c.id = cc.child_id GROUP BY k.id ORDER BY k.name"
        )
    )


def contact_record(db: Database, contact_id: int) -> dict | None:
    return _one(db, "SELECT * FROM contacts WHERE id = ?", [contact_id])


def contact_links(db: Database, contact_id: int) -> list[dict]:
    """An adult's children: the link with the child's names."""
    return list(
        db.query(
            "SELECT cc.*, c.first_name, c.last_name FROM child_contacts cc "
            "JOIN children c ON c.id = cc.child_id WHERE cc.contact_id = ?",
            [contact_id],
        )
    )


def qr_card(db: Database, contact_id: int) -> tuple[int, str] | None:
    """An adult's QR card that still works: (its id, when it was issued), or None."""
    row = db.execute(
        "SELECT id, created_at FROM credentials WHERE kind = 'qr_card' AND contact_id = ? "
        "AND revoked_at IS NULL",
        [contact_id],
    ).fetchone()
    return (row[0], row[1]) if row else None


def has_pin(db: Database, contact_id: int) -> bool:
    """Whether an adult has a kiosk PIN that still works."""
    return bool(
        db.execute(
            "SELECT 1 FROM credentials WHERE kind = 'pin' AND contact_id = ? "
            "AND revoked_at IS NULL",
            [contact_id],
        ).fetchone()
    )


# ---- Staff ----


def staff_list(db: Database) -> list[dict]:
    """Every member of staff with their room: active accounts first, by name."""
    return list(
        db.query(
            "SELECT s.*, r.name AS room FROM staff s LEFT JOIN rooms r ON r.id = s.room_id "
            "ORDER BY s.active DESC, s.name"
        )
    )


def staff_record(db: Database, staff_id: int) -> dict | None:
    return _one(db, "SELECT * FROM staff WHERE id = ?", [staff_id])


# ---- Organisations and bookings ----


def organisations_list(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM organisations ORDER BY name"))


def bookings_ahead(db: Database) -> list[dict]:
    """Expected visits from today on, not cancelled, in time order: the child, organisation
    and supervisor by name, and when the visitor arrived and left, if they have."""
    return list(
        db.query(
            "SELECT e.*, o.name AS organisation, c.first_name || ' ' || c.last_name AS child, "
            "s.name AS supervisor, v.signed_in_at AS arrived_at, v.signed_out_at AS left_at "
            "FROM expected_visits e JOIN children c ON c.id = e.child_id "
            "LEFT JOIN organisations o ON o.id = e.organisation_id "
            "LEFT JOIN staff s ON s.id = e.supervisor_id "
            "LEFT JOIN visits v ON v.expected_visit_id = e.id "
            "WHERE e.day >= ? AND e.cancelled_at IS NULL ORDER BY e.day, e.time",
            [_today(db)],
        )
    )


def booking_record(db: Database, booking_id: int) -> dict | None:
    """One expected visit with its organisation's name (cancelled ones included)."""
    return _one(
        db,
        "SELECT e.*, o.name AS organisation FROM expected_visits e "
        "LEFT JOIN organisations o ON o.id = e.organisation_id WHERE e.id = ?",
        [booking_id],
    )


# ---- History ----

# Comings and goings and alerts are in the day's records, not in a record's history.
_NOT_HISTORY = "('signed_in', 'signed_out', 'alert_raised', 'alert_resolved')"
# An entry about an adult's or a staff member's QR card names its owner in its details.
_OWNER = {"contacts": "$.contact_id", "staff": "$.staff_id"}


def history(
    db: Database, *, child_id: int | None = None, subject: tuple[str, int] | None = None
) -> list[dict]:
    """A record's recent history, newest first (30 entries): everything about a child, or
    about one subject (a kind of record and its id: an adult's entries are not a complaint's
    that has the same number)."""
    if child_id is not None:
        where, params = "child_id = ?", [child_id]
    else:
        kind, subject_id = subject
        where = "((subject_kind = ? AND subject_id = ?) OR json_extract(details, ?) = ?)"
        params = [kind, subject_id, _OWNER[kind], subject_id]
    return list(
        db.query(
            f"SELECT * FROM audit_log WHERE {where} AND action NOT IN {_NOT_HISTORY} "  # noqa: S608
            "ORDER BY id DESC LIMIT 30",
            params,
        )
    )
