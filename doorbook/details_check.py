"""Contact details kept up to date: once a term (a setting, about 120 days) an adult who has
identified at the kiosk is shown their own phone number, masked but for its last digits, and
asked whether it is still right. *Yes* records the day; *No* puts them on the office's list.
Nobody else's details are ever shown. A phone number changed in the panel counts as
confirmed that day (staff took it from the adult).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from doorbook import audit, clock, settings
from doorbook.db import write

SHOWN_DIGITS = 3


def masked(phone: str) -> str:
    """ "07700 900101" → "07••• •••101": the first two and last three digits, the rest dots."""
    digits = [c for c in phone if c.isdigit()]
    if len(digits) < 7:
        return "•" * max(len(digits) - SHOWN_DIGITS, 0) + "".join(digits[-SHOWN_DIGITS:])
    keep = {0, 1, *range(len(digits) - SHOWN_DIGITS, len(digits))}
    out, index = [], 0
    for c in phone.strip():
        if c.isdigit():
            out.append(c if index in keep else "•")
            index += 1
        elif c in " +":
            out.append(c)
    return "".join(out)


def _last_confirmed(row: dict) -> date:
    if row["phone_confirmed_on"]:
        return date.fromisoformat(row["phone_confirmed_on"])
    return clock.parse(row["created_at"]).date()


def is_due(db: Database, contact_id: int, today: date | None = None) -> str | None:
    """The masked number to ask about, if this adult's confirmation is due; else None."""
    today = today or clock.today(settings.timezone(db))
    rows = list(
        db.query(
            "SELECT phone, phone_confirmed_on, details_update_requested_on, created_at "
            "FROM contacts WHERE id = ? AND active = 1",
            [contact_id],
        )
    )
    if not rows or not (rows[0]["phone"] or "").strip() or rows[0]["details_update_requested_on"]:
        return None
    term = timedelta(days=settings.get_int(db, "contact_confirm_days"))
    if today - _last_confirmed(rows[0]) < term:
        return None
    return masked(rows[0]["phone"])


def confirm(db: Database, actor: audit.Actor, contact_id: int, still_right: bool) -> None:
    today = clock.today(settings.timezone(db)).isoformat()
    column = "phone_confirmed_on" if still_right else "details_update_requested_on"
    with write(db):
        db.execute(f"UPDATE contacts SET {column} = ? WHERE id = ?", [today, contact_id])  # noqa: S608
        audit.record(
            db,
            actor,
            "contact_details_confirmed" if still_right else "contact_details_wrong",
            subject_kind="contacts",
            subject_id=contact_id,
        )


def updated_by_staff(db: Database, actor: audit.Actor, contact_id: int) -> None:
    """The office has the new details: off the list, and confirmed today."""
    today = clock.today(settings.timezone(db)).isoformat()
    with write(db):
        db.execute(
            "UPDATE contacts SET phone_confirmed_on = ?, details_update_requested_on = NULL "
            "WHERE id = ?",
            [today, contact_id],
        )
        audit.record(
            db, actor, "contact_details_updated", subject_kind="contacts", subject_id=contact_id
        )


@dataclass(frozen=True)
class OutOfDate:
    contact_id: int
    name: str
    last_confirmed: date
    said_wrong_on: str | None


def out_of_date(db: Database, today: date | None = None) -> list[OutOfDate]:
    """Adults who said their details are wrong, then those not confirmed for a term."""
    today = today or clock.today(settings.timezone(db))
    term = timedelta(days=settings.get_int(db, "contact_confirm_days"))
    found = []
    for row in db.query(
        "SELECT id, name, phone_confirmed_on, details_update_requested_on, created_at "
        "FROM contacts WHERE active = 1 ORDER BY name"
    ):
        last = _last_confirmed(row)
        if row["details_update_requested_on"] or today - last >= term:
            found.append(
                OutOfDate(row["id"], row["name"], last, row["details_update_requested_on"])
            )
    found.sort(key=lambda o: (o.said_wrong_on is None, o.last_confirmed))
    return found
