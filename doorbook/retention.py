"""Retention: what is past its period is removed or anonymised, with a dry run first
(``plan_purge``) and an audit entry. Visits linked to a child protection plan are kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlite_utils import Database

from doorbook import absences, audit, clock, complaints, safeguarding, settings
from doorbook.db import write


@dataclass
class PurgePlan:
    visits: list[int] = field(default_factory=list)
    kept_for_child_protection: int = 0
    register_entries: list[int] = field(default_factory=list)
    children_anonymised: list[int] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)
    complaints: list[int] = field(default_factory=list)
    audit_entries: int = 0
    safeguarding: safeguarding.SafeguardingPurge = field(
        default_factory=safeguarding.SafeguardingPurge
    )

    def describe(self) -> str:
        return (
            f"{len(self.visits)} visits (and their visitors' details), "
            f"{len(self.register_entries)} register entries, "
            f"{len(self.children_anonymised)} children who left long ago anonymised, "
            f"{len(self.alerts)} alerts, {len(self.complaints)} complaints closed long ago, "
            f"{self.audit_entries} audit entries; "
            f"{self.kept_for_child_protection} visits kept for a child protection plan; "
            f"{self.safeguarding.describe()}"
        )


def _years_ago(db: Database, key: str, today: date) -> date:
    years = settings.get_int(db, key)
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def plan_purge(db: Database, today: date | None = None) -> PurgePlan:
    today = today or clock.today(settings.timezone(db))
    plan = PurgePlan()
    visit_cutoff = _years_ago(db, "retention_visitor_years", today).isoformat()
    for row in db.query(
        "SELECT v.id, c.child_protection_plan FROM visits v "
        "LEFT JOIN children c ON c.id = v.child_id WHERE v.day < ?",
        [visit_cutoff],
    ):
        if row["child_protection_plan"]:
            plan.kept_for_child_protection += 1
        else:
            plan.visits.append(row["id"])
    plan.safeguarding = safeguarding.plan_purge(
        db, _years_ago(db, "retention_safeguarding_years_after_leaving", today)
    )
    left_cutoff = _years_ago(db, "retention_register_years_after_leaving", today).isoformat()
    for row in db.query(
        "SELECT id FROM children WHERE left_on IS NOT NULL AND left_on < ? "
        "AND first_name != 'Removed'",
        [left_cutoff],
    ):
        # A child's concerns and involvements are kept far longer than the register: their
        # name stays with them until those go too.
        if row["id"] in plan.safeguarding.children or not safeguarding.keeps_records(db, row["id"]):
            plan.children_anonymised.append(row["id"])
        plan.register_entries += [
            r[0] for r in db.execute("SELECT id FROM attendance WHERE child_id = ?", [row["id"]])
        ]
    alert_cutoff = clock.stamp(
        clock.at_local(
            _years_ago(db, "retention_alert_years", today), time.min, settings.timezone(db)
        )
    )
    plan.alerts = [
        r[0] for r in db.execute("SELECT id FROM alerts WHERE raised_at < ?", [alert_cutoff])
    ]
    plan.complaints = complaints.past_retention(db, today)
    audit_cutoff = f"{_years_ago(db, 'retention_audit_years', today).isoformat()} 00:00:00.000000"
    plan.audit_entries = db.execute(
        "SELECT count(*) FROM audit_log WHERE at < ?", [audit_cutoff]
    ).fetchone()[0]
    return plan


def purge(db: Database, actor: audit.Actor, today: date | None = None) -> PurgePlan:
    """Remove or anonymise what is past its retention period, in one transaction, and audit
    it. Visits linked to a child protection plan are kept."""
    with write(db):
        plan = plan_purge(db, today)
        today = today or clock.today(settings.timezone(db))
        for visit_id in plan.visits:
            visitor = db.execute(
                "SELECT visitor_id FROM visits WHERE id = ?", [visit_id]
            ).fetchone()[0]
            db.execute("UPDATE alerts SET visit_id = NULL WHERE visit_id = ?", [visit_id])
            db.execute("DELETE FROM supervision_periods WHERE visit_id = ?", [visit_id])
            # A concern's chronology keeps the visit's stage (its summary names the visitor).
            db.execute(
                "UPDATE involvement_stages SET visit_id = NULL WHERE visit_id = ?", [visit_id]
            )
            db.execute("DELETE FROM visits WHERE id = ?", [visit_id])
            if not db.execute("SELECT 1 FROM visits WHERE visitor_id = ?", [visitor]).fetchone():
                db.execute("DELETE FROM visitors WHERE id = ?", [visitor])
        for entry in plan.register_entries:
            db.execute("DELETE FROM register_corrections WHERE attendance_id = ?", [entry])
            db.execute("DELETE FROM attendance WHERE id = ?", [entry])
        for child_id in plan.safeguarding.children:
            safeguarding.purge_child(db, child_id)
        for child_id in plan.children_anonymised:
            db.execute(
                "UPDATE children SET first_name = 'Removed', last_name = ?, known_as = NULL, "
                "date_of_birth = '1900-01-01', collection_password_hash = NULL WHERE id = ?",
                [f"child {child_id}", child_id],
            )
            db.execute("DELETE FROM not_permitted WHERE child_id = ?", [child_id])
            absences.purge_child(db, child_id)
            db.execute("DELETE FROM child_contacts WHERE child_id = ?", [child_id])
        for alert_id in plan.alerts:
            db.execute("DELETE FROM alerts WHERE id = ?", [alert_id])
        for complaint_id in plan.complaints:
            db.execute("DELETE FROM complaints WHERE id = ?", [complaint_id])
        audit_cutoff = (
            f"{_years_ago(db, 'retention_audit_years', today).isoformat()} 00:00:00.000000"
        )
        db.execute("DELETE FROM audit_log WHERE at < ?", [audit_cutoff])
        audit.record(db, actor, "retention_purge", summary=plan.describe())
    return plan
