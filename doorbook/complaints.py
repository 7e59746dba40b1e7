"""Complaints and concerns about quality, as the complaints procedure asks: a written
complaint is acknowledged within 10 days, the complainant hears the outcome within 28 days,
the outcome and any appeal are recorded, and the record is kept for at least 3 years after
it is closed. The summary shown to Ofsted is summative: dates, nature, action, outcome — no
names.

Deadlines are local dates. The scheduler calls ``check_deadlines``: a reminder before each
deadline and an alert when one is missed, each raised once (its own dedupe key), even across a
restart; doing what was due resolves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from doorbook import alerts, audit, clock, settings
from doorbook.db import insert, update, write

COMPLAINANTS = {"parent_carer": "Parent or carer", "agency": "Agency", "other": "Other"}
CHANNELS = {"verbal": "Verbal", "written": "Written", "email": "Email"}
CATEGORIES = {"complaint": "Complaint", "concern": "Concern about quality"}
# The Ofsted summary's words for what a complaint was about.
NATURES = {
    "safety": "Safety and safeguarding",
    "collection": "Drop-off and collection",
    "care": "Care and learning",
    "staff": "Staff conduct",
    "communication": "Communication with families",
    "health": "Health, food and hygiene",
    "premises": "Premises and equipment",
    "fees": "Fees and administration",
    "other": "Other",
}
OUTCOMES = {"upheld": "Upheld", "partly_upheld": "Partly upheld", "not_upheld": "Not upheld"}
WRITTEN = ("written", "email")


class ComplaintProblem(ValueError):
    """Something the manager can put right (said in the panel next to the form)."""


@dataclass(frozen=True)
class Deadline:
    what: str  # acknowledgement | feedback
    due: date
    done_on: date | None

    def state(self, today: date) -> str:
        if self.done_on:
            return "done" if self.done_on <= self.due else "done late"
        if today > self.due:
            return "overdue"
        return "due"


def reference(complaint_id: int) -> str:
    return f"C-{complaint_id}"


def deadlines(row: dict) -> list[Deadline]:
    found = []
    if row.get("acknowledgement_due"):
        found.append(
            Deadline(
                "acknowledgement",
                date.fromisoformat(row["acknowledgement_due"]),
                _day(row.get("acknowledged_on")),
            )
        )
    found.append(
        Deadline("feedback", date.fromisoformat(row["feedback_due"]), _day(row.get("feedback_on")))
    )
    return found


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def record(db: Database, actor: audit.Actor, values: dict) -> int:
    """A new complaint or concern; its clocks start on the day it was received."""
    received = values["received_on"]
    today = clock.today(settings.timezone(db))
    if received > today:
        raise ComplaintProblem("The day it was received cannot be in the future.")
    ack_days = settings.get_int(db, "complaint_acknowledge_days")
    feedback_days = settings.get_int(db, "complaint_feedback_days")
    row = {
        **values,
        "received_on": received.isoformat(),
        "acknowledgement_due": (received + timedelta(days=ack_days)).isoformat()
        if values["channel"] in WRITTEN
        else None,
        "feedback_due": (received + timedelta(days=feedback_days)).isoformat(),
        "recorded_by": actor.id if actor.kind == "staff" else None,
        "created_at": clock.stamp(),
    }
    with write(db):
        complaint_id = insert(db, "complaints", row)
        audit.record(
            db,
            actor,
            "complaint_recorded",
            subject_kind="complaints",
            subject_id=complaint_id,
            child_id=values.get("child_id"),
            reference=reference(complaint_id),
            channel=values["channel"],
            category=values["category"],
        )
    return complaint_id


def get(db: Database, complaint_id: int) -> dict | None:
    rows = list(
        db.query(
            "SELECT k.*, c.first_name || ' ' || c.last_name AS child, s.name AS recorded_by_name "
            "FROM complaints k LEFT JOIN children c ON c.id = k.child_id "
            "LEFT JOIN staff s ON s.id = k.recorded_by WHERE k.id = ?",
            [complaint_id],
        )
    )
    return rows[0] if rows else None


def listing(db: Database) -> list[dict]:
    """Open complaints first (soonest deadline first), then closed ones, newest first."""
    return list(
        db.query(
            "SELECT k.*, c.first_name || ' ' || c.last_name AS child FROM complaints k "
            "LEFT JOIN children c ON c.id = k.child_id "
            "ORDER BY k.closed_on IS NOT NULL, "
            "CASE WHEN k.closed_on IS NULL THEN min(coalesce(k.acknowledgement_due, "
            "k.feedback_due), k.feedback_due) END, k.received_on DESC, k.id DESC"
        )
    )


def _change(db: Database, actor: audit.Actor, complaint_id: int, action: str, values: dict) -> None:
    with write(db):
        before = get(db, complaint_id)
        if before is None:
            raise ComplaintProblem("That complaint is not on record.")
        if before["closed_on"] and action != "complaint_appeal":
            raise ComplaintProblem("This complaint is closed; record an appeal to reopen it.")
        update(db, "complaints", complaint_id, values)
        changes = {
            key: [before.get(key), value]
            for key, value in values.items()
            if before.get(key) != value and key != "investigation"
        }
        audit.record(
            db,
            actor,
            action,
            subject_kind="complaints",
            subject_id=complaint_id,
            child_id=before["child_id"],
            reference=reference(complaint_id),
            changes=changes,
        )


def acknowledge(db: Database, actor: audit.Actor, complaint_id: int, on: date) -> None:
    _check_not_future(db, on)
    _change(db, actor, complaint_id, "complaint_acknowledged", {"acknowledged_on": on.isoformat()})
    _resolve(db, actor, complaint_id, "acknowledgement", "Acknowledged.")


def add_note(db: Database, actor: audit.Actor, complaint_id: int, note: str) -> None:
    """Investigation notes are added to, never rewritten: each with its date and author."""
    with write(db):
        row = get(db, complaint_id)
        if row is None:
            raise ComplaintProblem("That complaint is not on record.")
        today = clock.today(settings.timezone(db)).isoformat()
        entry = f"{today} {actor.name}: {note}"
        notes = f"{row['investigation']}\n{entry}" if row["investigation"] else entry
        _change(db, actor, complaint_id, "complaint_note_added", {"investigation": notes})


def give_feedback(
    db: Database,
    actor: audit.Actor,
    complaint_id: int,
    *,
    on: date,
    outcome: str,
    outcome_note: str,
    action_taken: str,
) -> None:
    """The outcome told to the complainant: whether upheld, what was done. Closes it."""
    _check_not_future(db, on)
    named = names_in(db, action_taken)
    if named:
        raise ComplaintProblem(
            "The action taken goes in the summary for Ofsted, which names nobody: please "
            f"take out {', '.join(sorted(named))}."
        )
    _change(
        db,
        actor,
        complaint_id,
        "complaint_feedback_given",
        {
            "feedback_on": on.isoformat(),
            "outcome": outcome,
            "outcome_note": outcome_note,
            "action_taken": action_taken,
            "closed_on": on.isoformat(),
        },
    )
    _resolve(db, actor, complaint_id, "feedback", "Feedback given.")
    _resolve(db, actor, complaint_id, "acknowledgement", "Closed with feedback.")


def record_appeal(
    db: Database, actor: audit.Actor, complaint_id: int, *, on: date, appeal: str
) -> None:
    """An appeal reopens the complaint; its outcome is given as feedback again."""
    _check_not_future(db, on)
    _change(
        db,
        actor,
        complaint_id,
        "complaint_appeal",
        {"appeal": appeal, "appeal_on": on.isoformat(), "closed_on": None},
    )


def _check_not_future(db: Database, on: date) -> None:
    if on > clock.today(settings.timezone(db)):
        raise ComplaintProblem("That date is in the future.")


def _keys(complaint_id: int, what: str) -> tuple[str, str]:
    return f"complaint:{complaint_id}:{what}:soon", f"complaint:{complaint_id}:{what}:missed"


def _resolve(db: Database, actor: audit.Actor, complaint_id: int, what: str, note: str) -> None:
    soon, missed = _keys(complaint_id, what)
    alerts.resolve_where(db, actor, note, kind="complaint_due", dedupe_key=soon)
    alerts.resolve_where(db, actor, note, kind="complaint_overdue", dedupe_key=missed)


def check_deadlines(db: Database, today: date | None = None) -> int:
    """Raise the reminders and missed-deadline alerts that are due; return how many."""
    today = today or clock.today(settings.timezone(db))
    reminder = timedelta(days=settings.get_int(db, "complaint_reminder_days"))
    raised = 0
    for row in db.query("SELECT * FROM complaints WHERE closed_on IS NULL"):
        for deadline in deadlines(row):
            if deadline.done_on:
                continue
            soon, missed = _keys(row["id"], deadline.what)
            label = f"Complaint {reference(row['id'])} (received {row['received_on']})"
            if today > deadline.due:
                raised += (
                    alerts.raise_alert(
                        db,
                        "complaint_overdue",
                        f"{label}: the {deadline.what} was due on {deadline.due.isoformat()} "
                        "and has not been recorded.",
                        dedupe_key=missed,
                    )
                    is not None
                )
            elif today >= deadline.due - reminder:
                raised += (
                    alerts.raise_alert(
                        db,
                        "complaint_due",
                        f"{label}: the {deadline.what} is due by {deadline.due.isoformat()}.",
                        dedupe_key=soon,
                    )
                    is not None
                )
    return raised


# ---- The summary for Ofsted: summative, no names ----

_WORD = re.compile(r"[^\W\d_]+")


def _people_names(db: Database) -> set[str]:
    names: set[str] = set()
    for sql in (
        "SELECT first_name || ' ' || last_name || ' ' || coalesce(known_as, '') FROM children",
        "SELECT name FROM contacts",
        "SELECT name FROM staff",
        "SELECT complainant_name FROM complaints",
    ):
        for (value,) in db.execute(sql):
            names.update(w.casefold() for w in _WORD.findall(value or "") if len(w) > 2)
    return names


def names_in(db: Database, text: str) -> set[str]:
    """The words in ``text`` that are the name of someone on record."""
    known = _people_names(db)
    return {w for w in _WORD.findall(text or "") if w.casefold() in known}


def _scrub(text: str, known: set[str]) -> str:
    return _WORD.sub(lambda m: "[name]" if m.group(0).casefold() in known else m.group(0), text)


def ofsted_summary(db: Database, first: date, last: date) -> list[dict]:
    """Complaints received in [first, last]: date, nature, category, action, outcome."""
    known = _people_names(db)
    rows = []
    for row in db.query(
        "SELECT * FROM complaints WHERE received_on BETWEEN ? AND ? ORDER BY received_on, id",
        [first.isoformat(), last.isoformat()],
    ):
        rows.append(
            {
                "reference": reference(row["id"]),
                "received_on": row["received_on"],
                "category": CATEGORIES[row["category"]],
                "nature": NATURES.get(row["nature"], "Other"),
                "action_taken": _scrub(row["action_taken"] or "", known),
                "outcome": OUTCOMES.get(row["outcome"] or "", "Open"),
                "closed_on": row["closed_on"] or "",
            }
        )
    return rows


SUMMARY_HEADER = [
    "Reference",
    "Received",
    "Category",
    "Nature",
    "Action taken",
    "Outcome",
    "Closed",
]


def summary_rows(summary: list[dict]) -> list[list[object]]:
    return [
        [
            r["reference"],
            r["received_on"],
            r["category"],
            r["nature"],
            r["action_taken"],
            r["outcome"],
            r["closed_on"],
        ]
        for r in summary
    ]


# ---- Retention: at least 3 years after closing ----

RETENTION_FLOOR_YEARS = 3  # "a record of complaints will be kept for at least 3 years"


def past_retention(db: Database, today: date) -> list[int]:
    years = max(RETENTION_FLOOR_YEARS, settings.get_int(db, "retention_complaint_years"))
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    return [
        r[0]
        for r in db.execute(
            "SELECT id FROM complaints WHERE closed_on IS NOT NULL AND closed_on < ?",
            [cutoff.isoformat()],
        )
    ]
