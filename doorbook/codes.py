"""Short codes a person types: a booking's reference and a kiosk's enrolment code."""

from __future__ import annotations

import secrets

from sqlite_utils import Database

# No letters or digits that are mistaken for one another (I/1, O/0, L).
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def short_code() -> str:
    """Eight random characters in two groups: ABCD-2345."""
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def new_reference_code(db: Database) -> str:
    """A booking's code, which a visitor can type instead of scanning their invitation."""
    while True:
        code = short_code()
        if not db.execute(
            "SELECT 1 FROM expected_visits WHERE reference_code = ?", [code]
        ).fetchone():
            return code
