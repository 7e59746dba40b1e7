"""Helpers for tests of working with other professionals: logins for key persons, and a
concern, an involvement and its stages, recorded as staff would."""

from __future__ import annotations

from doorbook import accounts, clock, concerns, involvements
from tests.admin_helpers import give_login
from tests.conftest import DEMO_ZONE

AISHA = ("aisha", "aisha's own password")  # key person of Amelia Hart, Isla Murphy, Maya Patel
SALT = "NHS Children's Speech and Language Therapy"


def key_person_login(db) -> accounts.StaffMember:
    staff_id = give_login(db, "Aisha Begum", *AISHA)
    return accounts.StaffMember(staff_id, "Aisha Begum", "practitioner", AISHA[0])


def manager(db) -> accounts.StaffMember:
    row = db.execute("SELECT id FROM staff WHERE name = 'Priya Sharma'").fetchone()
    return accounts.StaffMember(row[0], "Priya Sharma", "manager", "priya")


def child_id(db, first: str) -> int:
    return db.execute("SELECT id FROM children WHERE first_name = ?", [first]).fetchone()[0]


def organisation_id(db, name: str) -> int:
    return db.execute("SELECT id FROM organisations WHERE name = ?", [name]).fetchone()[0]


def a_concern(db, author, password: str, child: int, **changes) -> int:
    return concerns.record_concern(
        db,
        author,
        password,
        child_id=child,
        **{
            "seen_or_heard": "A bruise on her left forearm, about 2 cm, at snack time.",
            "happened_at": clock.stamp(),
            "location": "Pre-school room",
            "words_used": "Daddy's door did it",
            "action_taken": "Told the manager at 10:20; body map done.",
            **changes,
        },
    )


def a_referral_with_consent(db, staff, child: int, organisation: int | None) -> int:
    return involvements.open_involvement(
        db,
        staff,
        child_id=child,
        organisation_id=organisation,
        agency=SALT,
        professionals="Grace Mensah",
        purpose="speech and language assessment",
        referral_at=clock.stamp(),
        consent_given_by="Rachel Hart",
        consent_given_on=clock.today(DEMO_ZONE).isoformat(),
        consent_how="written",
    )
