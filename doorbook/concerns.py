"""Concerns about a child, recorded in writing and signed and dated by the member of staff
and by the manager (or DSL), each with their own password.

A signature keeps who signed, when (UTC) and a SHA-256 of what they signed, so any later
change to the record shows. A signed concern is never edited (the database refuses it):
a later entry can correct it, and is shown as a correction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlite_utils import Database

from doorbook import accounts, audit, clock, settings
from doorbook.accounts import StaffMember
from doorbook.db import insert, write

COUNTERSIGNING_ROLES = ("manager", "deputy")
FIELDS = ("seen_or_heard", "happened_at", "location", "words_used", "action_taken")


class ConcernProblem(ValueError):
    """A concern could not be recorded or signed; the message says why, for the person."""


WRONG_PASSWORD = (  # a message, not a password
    "That is not your password, so nothing was signed. Type your own panel password "  # noqa: S105
    "(after 5 wrong tries, signing waits 15 minutes)."
)


@dataclass(frozen=True)
class Signature:
    signed_as: str
    staff_id: int
    staff_name: str
    signed_at: str
    content_hash: str


@dataclass(frozen=True)
class Concern:
    id: int
    child_id: int
    seen_or_heard: str
    happened_at: str
    location: str | None
    words_used: str | None
    action_taken: str
    corrects_id: int | None
    written_by: int
    written_by_name: str
    written_at: str
    signatures: tuple[Signature, ...]
    intact: bool  # the record still matches what was signed

    def signature(self, signed_as: str) -> Signature | None:
        return next((s for s in self.signatures if s.signed_as == signed_as), None)

    @property
    def countersigned(self) -> bool:
        return self.signature("countersignature") is not None

    def summary(self) -> str:
        parts = [f"Seen or heard: {self.seen_or_heard}"]
        if self.location:
            parts.append(f"Where: {self.location}")
        if self.words_used:
            parts.append(f"Words used: “{self.words_used}”")
        parts.append(f"Action taken: {self.action_taken}")
        return " ".join(part if part.endswith((".", "!", "?")) else part + "." for part in parts)

    def signatures_line(self, tz: str) -> str:
        line = "; ".join(
            f"{'signed' if s.signed_as == 'author' else 'countersigned'} by {s.staff_name} "
            f"on {clock.local(s.signed_at, tz):%d %b %Y at %H:%M}"
            for s in self.signatures
        )
        if not self.countersigned:
            line += "; waiting for the manager's countersignature"
        if not self.intact:
            line += "; CHANGED SINCE IT WAS SIGNED"
        return line


def content_hash(record: dict) -> str:
    """What a signature covers: the concern's words, the child, when, who wrote it, and what
    it corrects, in a fixed form."""
    signed = {
        name: record.get(name)
        for name in ("child_id", *FIELDS, "corrects_id", "written_by", "written_at")
    }
    data = json.dumps(signed, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _countersigned_hash(record: dict, author: str) -> str:
    # The countersignature covers the record and the author's signature of it.
    return hashlib.sha256(f"{content_hash(record)}:{author}".encode()).hexdigest()


def record_concern(
    db: Database,
    staff: StaffMember,
    password: str,
    *,
    child_id: int,
    seen_or_heard: str,
    happened_at: str,
    location: str | None,
    words_used: str | None,
    action_taken: str,
    corrects_id: int | None = None,
) -> int:
    """Write a concern and sign it with the writer's own password (any member of staff with
    a login; a correction only by someone who may see the child's concerns)."""
    if not accounts.confirm_own_password(db, staff, password, why="a concern"):
        raise ConcernProblem(WRONG_PASSWORD)
    with write(db):
        if not db.execute(
            "SELECT 1 FROM children WHERE id = ? AND first_name != 'Removed'", [child_id]
        ).fetchone():
            raise ConcernProblem("There is no such child.")
        if corrects_id is not None:
            original = db.execute(
                "SELECT child_id FROM concerns WHERE id = ?", [corrects_id]
            ).fetchone()
            if original is None or original[0] != child_id:
                raise ConcernProblem("The concern to correct is not this child's.")
        record = {
            "child_id": child_id,
            "seen_or_heard": seen_or_heard,
            "happened_at": happened_at,
            "location": location or None,
            "words_used": words_used or None,
            "action_taken": action_taken,
            "corrects_id": corrects_id,
            "written_by": staff.id,
            "written_at": clock.stamp(),
        }
        concern_id = insert(db, "concerns", record)
        insert(
            db,
            "concern_signatures",
            {
                "concern_id": concern_id,
                "signed_as": "author",
                "staff_id": staff.id,
                "staff_name": staff.name,
                "signed_at": record["written_at"],
                "content_hash": content_hash(record),
            },
        )
        audit.record(
            db,
            staff.actor(),
            "concern_corrected" if corrects_id else "concern_recorded",
            subject_kind="concerns",
            subject_id=concern_id,
            child_id=child_id,
            corrects=corrects_id,
        )
    return concern_id


def countersign(db: Database, staff: StaffMember, password: str, concern_id: int) -> None:
    """The manager (or DSL, or the deputy) reviews and countersigns with their own password;
    never the person who wrote it."""
    if staff.role not in COUNTERSIGNING_ROLES:
        raise ConcernProblem("Only the manager or deputy countersigns a concern.")
    concern = get(db, concern_id)
    if concern is None:
        raise ConcernProblem("There is no such concern.")
    if concern.written_by == staff.id:
        raise ConcernProblem(
            "You wrote this concern: another manager or the deputy countersigns it."
        )
    if concern.countersigned:
        raise ConcernProblem("This concern is already countersigned.")
    if not concern.intact:
        raise ConcernProblem("This concern has changed since it was signed: it cannot be signed.")
    if not accounts.confirm_own_password(db, staff, password, why="a countersignature"):
        raise ConcernProblem(WRONG_PASSWORD)
    with write(db):
        if db.execute(
            "SELECT 1 FROM concern_signatures WHERE concern_id = ? AND signed_as = ?",
            [concern_id, "countersignature"],
        ).fetchone():
            raise ConcernProblem("This concern is already countersigned.")
        record = _row(db, concern_id)
        insert(
            db,
            "concern_signatures",
            {
                "concern_id": concern_id,
                "signed_as": "countersignature",
                "staff_id": staff.id,
                "staff_name": staff.name,
                "signed_at": clock.stamp(),
                "content_hash": _countersigned_hash(
                    record, concern.signature("author").content_hash
                ),
            },
        )
        audit.record(
            db,
            staff.actor(),
            "concern_countersigned",
            subject_kind="concerns",
            subject_id=concern_id,
            child_id=concern.child_id,
        )


def _row(db: Database, concern_id: int) -> dict | None:
    return next(db.query("SELECT * FROM concerns WHERE id = ?", [concern_id]), None)


def _concern(db: Database, row: dict, names: dict[int, str]) -> Concern:
    signatures = tuple(
        Signature(s["signed_as"], s["staff_id"], s["staff_name"], s["signed_at"], s["content_hash"])
        for s in db.query(
            "SELECT * FROM concern_signatures WHERE concern_id = ? ORDER BY id", [row["id"]]
        )
    )
    author = next((s for s in signatures if s.signed_as == "author"), None)
    counter = next((s for s in signatures if s.signed_as == "countersignature"), None)
    intact = author is not None and author.content_hash == content_hash(row)
    if intact and counter is not None:
        intact = counter.content_hash == _countersigned_hash(row, author.content_hash)
    return Concern(
        row["id"],
        row["child_id"],
        row["seen_or_heard"],
        row["happened_at"],
        row["location"],
        row["words_used"],
        row["action_taken"],
        row["corrects_id"],
        row["written_by"],
        names.get(row["written_by"], "?"),
        row["written_at"],
        signatures,
        intact,
    )


def _names(db: Database) -> dict[int, str]:
    return dict(db.execute("SELECT id, name FROM staff").fetchall())


def get(db: Database, concern_id: int) -> Concern | None:
    row = _row(db, concern_id)
    return _concern(db, row, _names(db)) if row else None


def for_child(db: Database, child_id: int) -> list[Concern]:
    names = _names(db)
    return [
        _concern(db, row, names)
        for row in db.query(
            "SELECT * FROM concerns WHERE child_id = ? ORDER BY happened_at, id", [child_id]
        )
    ]


def awaiting_countersignature(db: Database) -> list[dict]:
    """Concerns the manager has still to review and countersign, oldest first."""
    return list(
        db.query(
            "SELECT c.id, c.child_id, c.written_at, s.name AS written_by, "
            "ch.first_name || ' ' || ch.last_name AS child FROM concerns c "
            "JOIN staff s ON s.id = c.written_by JOIN children ch ON ch.id = c.child_id "
            "WHERE NOT EXISTS (SELECT 1 FROM concern_signatures g WHERE g.concern_id = c.id "
            "AND g.signed_as = 'countersignature') ORDER BY c.written_at"
        )
    )


def local_time(db: Database, stored: str) -> str:
    return f"{clock.local(stored, settings.timezone(db)):%a %d %b %Y, %H:%M}"
