"""Need to know: who may see a child's concerns and involvements, every look audited, the
child's chronology, and how long these records are kept.

Only the manager (the setting's DSL), the deputy and the child's own key person see them;
nothing of them reaches the kiosk."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlite_utils import Database

from doorbook import audit, clock, settings
from doorbook.accounts import StaffMember
from doorbook.db import write

NEED_TO_KNOW_ROLES = ("manager", "deputy")


def may_see(db: Database, staff: StaffMember, child_id: int) -> bool:
    """The manager/DSL, the deputy, or this child's key person."""
    if staff.role in NEED_TO_KNOW_ROLES:
        return True
    row = db.execute("SELECT key_person_id FROM children WHERE id = ?", [child_id]).fetchone()
    return bool(row and row[0] == staff.id)


def children_in_view(db: Database, staff: StaffMember) -> list[dict]:
    """The children whose records this member of staff may see: all for the manager and
    deputy, their key children for a key person."""
    sql = (
        "SELECT c.id, c.first_name, c.last_name, c.child_protection_plan, k.name AS key_person "
        "FROM children c LEFT JOIN staff k ON k.id = c.key_person_id "
        "WHERE c.first_name != 'Removed'"
    )
    params: list = []
    if staff.role not in NEED_TO_KNOW_ROLES:
        sql += " AND c.key_person_id = ?"
        params.append(staff.id)
    return list(db.query(sql + " ORDER BY c.first_name, c.last_name", params))


def record_look(
    db: Database, staff: StaffMember, child_id: int | None, how: str, **details
) -> None:
    """Every view, print and export of these records is audited: how is viewed | printed |
    exported."""
    audit.record(
        db,
        staff.actor(),
        f"safeguarding_{how}",
        subject_kind="children" if child_id else None,
        subject_id=child_id,
        child_id=child_id,
        **details,
    )


def child_name(db: Database, child_id: int) -> str | None:
    row = db.execute(
        "SELECT first_name || ' ' || last_name FROM children WHERE id = ?", [child_id]
    ).fetchone()
    return row[0] if row else None


# ---- Whose record it is: the child the need-to-know check is about ----


def _child_of(db: Database, sql: str, record_id: int) -> int | None:
    row = db.execute(sql, [record_id]).fetchone()
    return row[0] if row else None


def child_on_record(db: Database, child_id: int) -> int | None:
    """The child's id if there is such a child, else None."""
    return _child_of(db, "SELECT id FROM children WHERE id = ?", child_id)


def child_of_concern(db: Database, concern_id: int) -> int | None:
    return _child_of(db, "SELECT child_id FROM concerns WHERE id = ?", concern_id)


def child_of_involvement(db: Database, involvement_id: int) -> int | None:
    return _child_of(db, "SELECT child_id FROM involvements WHERE id = ?", involvement_id)


def child_of_stage(db: Database, stage_id: int) -> int | None:
    return _child_of(db, "SELECT child_id FROM involvement_stages WHERE id = ?", stage_id)


# ---- The chronology: concerns, involvements, visits and stages, in the order they happened ----


@dataclass(frozen=True)
class Entry:
    at: str  # stored UTC
    kind: str  # concern | correction | involvement | stage name
    title: str
    text: str
    by: str
    third_party: str | None = None  # the agency whose information this is
    stage_id: int | None = None
    rank: int = 1  # at the same time: an involvement before its referral


def chronology(db: Database, child_id: int) -> list[Entry]:
    from doorbook import concerns, involvements

    tz = settings.timezone(db)
    entries: list[Entry] = []
    for concern in concerns.for_child(db, child_id):
        entries.append(
            Entry(
                concern.happened_at,
                "correction" if concern.corrects_id else "concern",
                f"Correction to concern {concern.corrects_id}"
                if concern.corrects_id
                else f"Concern {concern.id}",
                concern.summary(),
                concern.signatures_line(tz),
            )
        )
    for involvement in involvements.for_child(db, child_id):
        first = min([involvement.opened_at, *(s.happened_at for s in involvement.stages)])
        entries.append(
            Entry(
                first,
                "involvement",
                f"Involvement: {involvement.agency}",
                f"{involvement.purpose}. {involvement.consent_line()}",
                involvement.opened_by_name,
                rank=0,
            )
        )
        for stage in involvement.stages:
            entries.append(_stage_entry(stage, involvement.agency))
    for stage in involvements.stages_without_involvement(db, child_id):
        entries.append(_stage_entry(stage, None))
    # Agency visits recorded before visits became stages still belong in the chronology.
    for visit in db.query(
        "SELECT v.signed_in_at, r.name, r.role, COALESCE(o.name, r.organisation_name) AS org "
        "FROM visits v JOIN visitors r ON r.id = v.visitor_id "
        "LEFT JOIN organisations o ON o.id = r.organisation_id WHERE v.child_id = ? "
        "AND NOT EXISTS (SELECT 1 FROM involvement_stages g WHERE g.visit_id = v.id)",
        [child_id],
    ):
        who = ", ".join(part for part in (visit["name"], visit["role"], visit["org"]) if part)
        entries.append(
            Entry(visit["signed_in_at"], "visit", "Visit", f"Visit from {who}", "the visitor log")
        )
    return sorted(entries, key=lambda e: (e.at, e.rank))


def _stage_entry(stage, agency: str | None) -> Entry:
    return Entry(
        stage.happened_at,
        stage.kind,
        f"{stage.title}" + (f" ({agency})" if agency else ""),
        f"{stage.summary} — {stage.informed_line()}",
        stage.recorded_by_name or "signed in at the kiosk",
        third_party=stage.from_agency,
        stage_id=stage.id,
    )


CHRONOLOGY_HEADER = ["when", "what", "entry", "details", "by"]


def chronology_csv(db: Database, entries: list[Entry], shared_with_agency_consent: set[int]) -> str:
    """The chronology as CSV. A report from another agency is included only when that
    agency's consent to share it has been recorded (or the export stays in the setting)."""
    tz = settings.timezone(db)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CHRONOLOGY_HEADER)
    for entry in entries:
        details = entry.text
        if entry.third_party and entry.stage_id not in shared_with_agency_consent:
            details = f"Report from {entry.third_party}: not shared without that agency's consent."
        writer.writerow(
            [
                f"{clock.local(entry.at, tz):%Y-%m-%d %H:%M}",
                entry.kind,
                _safe(entry.title),
                _safe(details),
                _safe(entry.by),
            ]
        )
    return out.getvalue()


def _safe(value: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# ---- Retention ----


@dataclass
class SafeguardingPurge:
    children: list[int] = field(default_factory=list)
    kept_for_child_protection: int = 0

    def describe(self) -> str:
        return (
            f"concerns and involvements of {len(self.children)} children who left long ago "
            f"(kept for {self.kept_for_child_protection} with a child protection plan)"
        )


def keeps_records(db: Database, child_id: int) -> bool:
    """Whether concerns, involvements or stages are kept for this child."""
    return any(
        db.execute(f"SELECT 1 FROM {table} WHERE child_id = ? LIMIT 1", [child_id]).fetchone()  # noqa: S608
        for table in ("concerns", "involvements", "involvement_stages")
    )


def plan_purge(db: Database, cutoff: date) -> SafeguardingPurge:
    """Children who left before ``cutoff`` and still have concerns or involvements: theirs
    go, unless the child has a child protection plan."""
    plan = SafeguardingPurge()
    for row in db.query(
        "SELECT c.id, c.child_protection_plan FROM children c WHERE c.left_on IS NOT NULL "
        "AND c.left_on < ? AND (EXISTS (SELECT 1 FROM concerns WHERE child_id = c.id) "
        "OR EXISTS (SELECT 1 FROM involvement_stages WHERE child_id = c.id) "
        "OR EXISTS (SELECT 1 FROM involvements WHERE child_id = c.id))",
        [cutoff.isoformat()],
    ):
        if row["child_protection_plan"]:
            plan.kept_for_child_protection += 1
        else:
            plan.children.append(row["id"])
    return plan


def purge_child(db: Database, child_id: int) -> None:
    """Remove one child's concerns and involvements (called inside the retention purge)."""
    with write(db):
        stages = "SELECT id FROM involvement_stages WHERE child_id = ?"
        db.execute(f"DELETE FROM parents_informed WHERE stage_id IN ({stages})", [child_id])  # noqa: S608
        db.execute(f"DELETE FROM agency_share_consents WHERE stage_id IN ({stages})", [child_id])  # noqa: S608
        db.execute("DELETE FROM involvement_stages WHERE child_id = ?", [child_id])
        involvements = "SELECT id FROM involvements WHERE child_id = ?"
        for table in ("visits", "expected_visits"):
            db.execute(
                f"UPDATE {table} SET involvement_id = NULL "  # noqa: S608
                f"WHERE involvement_id IN ({involvements})",
                [child_id],
            )
        db.execute("DELETE FROM involvements WHERE child_id = ?", [child_id])
        db.execute(
            "DELETE FROM concern_signatures WHERE concern_id IN "
            "(SELECT id FROM concerns WHERE child_id = ?)",
            [child_id],
        )
        db.execute("DELETE FROM concerns WHERE child_id = ?", [child_id])
