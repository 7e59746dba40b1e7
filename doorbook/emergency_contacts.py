"""Emergency contacts: the adults rung, in order, after those with parental responsibility
when a child has not arrived; and the children who have fewer than two."""

from __future__ import annotations

from sqlite_utils import Database

from doorbook import absences, audit, clock
from doorbook.db import update, write


def set_emergency_order(
    db: Database,
    actor: audit.Actor,
    child_id: int,
    contact_id: int,
    order: int | None,
    *,
    because: str | None = None,
) -> bool:
    """Make a linked adult an emergency contact (rung in ``order``), or stop. Returns False
    (and records nothing) when they already were so."""
    with write(db):
        link = db.execute(
            "SELECT cc.parental_responsibility, k.phone, k.name, cc.emergency_order "
            "FROM child_contacts cc "
            "JOIN contacts k ON k.id = cc.contact_id WHERE cc.child_id = ? AND cc.contact_id = ?",
            [child_id, contact_id],
        ).fetchone()
        if link is None:
            raise absences.AbsenceProblem("Link this adult to the child first.")
        if order is not None:
            if link[0]:
                raise absences.AbsenceProblem(
                    f"{link[2]} has parental responsibility and is rung first anyway; "
                    "emergency contacts are other people."
                )
            if not link[1]:
                raise absences.AbsenceProblem(f"{link[2]} has no phone number; add one first.")
            if not 1 <= order <= 9:
                raise absences.AbsenceProblem("The order is a number from 1 to 9.")
        if link[3] == order:
            return False
        db.execute(
            "UPDATE child_contacts SET emergency_order = ?, updated_at = ? "
            "WHERE child_id = ? AND contact_id = ?",
            [order, clock.stamp(), child_id, contact_id],
        )
        audit.record(
            db,
            actor,
            "emergency_contact_changed",
            subject_kind="contacts",
            subject_id=contact_id,
            child_id=child_id,
            contact=link[2],
            order=str(order) if order else "none",
            **({"because": because} if because else {}),
        )
    return True


def could_be_emergency_contacts(db: Database, child_id: int) -> list[dict]:
    """The adults linked to a child, without parental responsibility, who are not (yet) among
    the child's emergency contacts."""
    return list(
        db.query(
            "SELECT k.id, k.name, k.phone, cc.relationship FROM child_contacts cc "
            "JOIN contacts k ON k.id = cc.contact_id WHERE cc.child_id = ? "
            "AND cc.parental_responsibility = 0 AND cc.emergency_order IS NULL "
            "ORDER BY k.name",
            [child_id],
        )
    )


def record_none_available(
    db: Database, actor: audit.Actor, child_id: int, note: str | None
) -> None:
    """The manager records that the family has no emergency contacts to give (or clears
    it with an empty note)."""
    with write(db):
        absences.child_name(db, child_id)
        update(
            db,
            "children",
            child_id,
            {
                "no_emergency_contacts_note": note or None,
                "no_emergency_contacts_by": actor.id if note else None,
                "no_emergency_contacts_at": clock.stamp() if note else None,
            },
        )
        audit.record(
            db,
            actor,
            "no_emergency_contacts" if note else "no_emergency_contacts_cleared",
            subject_kind="children",
            subject_id=child_id,
            child_id=child_id,
            note=note or "",
        )


def short_of_emergency_contacts(db: Database) -> list[dict]:
    """Children with fewer than two emergency contacts and no "none available" recorded."""
    day = absences.today(db).isoformat()
    return list(
        db.query(
            "SELECT c.id, c.first_name || ' ' || c.last_name AS name, r.name AS room, "
            "(SELECT count(*) FROM child_contacts cc JOIN contacts k ON k.id = cc.contact_id "
            " WHERE cc.child_id = c.id AND cc.emergency_order IS NOT NULL "
            " AND cc.parental_responsibility = 0 AND k.active = 1) AS emergency_contacts "
            "FROM children c JOIN rooms r ON r.id = c.room_id "
            "WHERE (c.left_on IS NULL OR c.left_on > ?) AND c.no_emergency_contacts_note IS NULL "
            "AND emergency_contacts < 2 ORDER BY c.first_name, c.last_name",
            [day],
        )
    )
