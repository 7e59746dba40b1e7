"""The setting's attendance policy, shared with families: the uploaded PDF, the date each
adult with parental responsibility was given it, and whether the kiosk asks them once."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from doorbook import absences, audit, clock, settings
from doorbook.db import insert, write

POLICY_MAX_BYTES = 5 * 1024 * 1024
POLICY_FOLDER = "policies"


def current_policy(db: Database) -> dict | None:
    rows = list(
        db.query(
            "SELECT p.*, s.name AS uploaded_by_name FROM attendance_policies p "
            "LEFT JOIN staff s ON s.id = p.uploaded_by ORDER BY p.id DESC LIMIT 1"
        )
    )
    return rows[0] if rows else None


def policy_path(data_dir: Path, policy: dict) -> Path:
    return data_dir / POLICY_FOLDER / policy["file_name"]


def save_policy(db: Database, actor: audit.Actor, data: bytes, data_dir: Path) -> int:
    """Keep an uploaded attendance policy (a PDF) in the data folder."""
    if not data:
        raise absences.AbsenceProblem("Please choose the attendance policy's PDF file.")
    if len(data) > POLICY_MAX_BYTES:
        raise absences.AbsenceProblem("That file is larger than 5 MB; please upload a smaller PDF.")
    if not data.startswith(b"%PDF-"):
        raise absences.AbsenceProblem("That file is not a PDF; please save the policy as a PDF.")
    digest = hashlib.sha256(data).hexdigest()
    folder = data_dir / POLICY_FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    name = f"attendance-policy-{digest[:16]}.pdf"
    (folder / name).write_bytes(data)
    with write(db):
        policy_id = insert(
            db,
            "attendance_policies",
            {
                "file_name": name,
                "sha256": digest,
                "uploaded_by": actor.id if actor.kind == "staff" else None,
                "uploaded_at": clock.stamp(),
            },
        )
        audit.record(
            db,
            actor,
            "attendance_policy_uploaded",
            subject_kind="attendance_policies",
            subject_id=policy_id,
            sha256=digest,
        )
    return policy_id


def record_policy_given(
    db: Database, actor: audit.Actor, contact_id: int, given_on: date, how: str
) -> None:
    """The date this family (this adult) was given the current policy."""
    policy = current_policy(db)
    if policy is None:
        raise absences.AbsenceProblem("Upload the attendance policy first.")
    if given_on > absences.today(db):
        raise absences.AbsenceProblem("The date given cannot be in the future.")
    with write(db):
        _upsert_given(db, policy["id"], contact_id, given_on, how, actor)
        audit.record(
            db,
            actor,
            "attendance_policy_given",
            subject_kind="contacts",
            subject_id=contact_id,
            given_on=given_on.isoformat(),
            how=how,
        )


def _upsert_given(
    db: Database, policy_id: int, contact_id: int, given_on: date, how: str, actor: audit.Actor
) -> None:
    db.execute(
        "INSERT INTO policy_given (policy_id, contact_id, given_on, how, recorded_by, "
        "recorded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (policy_id, contact_id) DO UPDATE "
        "SET given_on = excluded.given_on, how = excluded.how, "
        "recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
        [
            policy_id,
            contact_id,
            given_on.isoformat(),
            how,
            actor.id if actor.kind == "staff" else None,
            clock.stamp(),
        ],
    )


def families(db: Database) -> list[dict]:
    """Every adult with parental responsibility for a child still here, with the date they
    were given the current policy (None if not yet)."""
    policy = current_policy(db)
    day = absences.today(db).isoformat()
    return list(
        db.query(
            "SELECT k.id, k.name, group_concat(c.first_name || ' ' || c.last_name, ', ') "
            "AS children, g.given_on, g.how FROM contacts k "
            "JOIN child_contacts cc ON cc.contact_id = k.id AND cc.parental_responsibility = 1 "
            "JOIN children c ON c.id = cc.child_id AND (c.left_on IS NULL OR c.left_on > ?) "
            "LEFT JOIN policy_given g ON g.contact_id = k.id AND g.policy_id = ? "
            "WHERE k.active = 1 GROUP BY k.id ORDER BY g.given_on IS NOT NULL, k.name",
            [day, policy["id"] if policy else 0],
        )
    )


def should_ask_about_policy(db: Database, contact_id: int) -> bool:
    """At the kiosk, once: the setting asks, a policy is uploaded, and this adult has
    parental responsibility and has not confirmed (or been given) it yet."""
    if settings.get(db, "ask_parents_to_confirm_policy") != "yes":
        return False
    policy = current_policy(db)
    if policy is None:
        return False
    return bool(
        db.execute(
            "SELECT 1 FROM child_contacts cc WHERE cc.contact_id = ? "
            "AND cc.parental_responsibility = 1 AND NOT EXISTS (SELECT 1 FROM policy_given g "
            "WHERE g.contact_id = cc.contact_id AND g.policy_id = ?)",
            [contact_id, policy["id"]],
        ).fetchone()
    )
