"""Helpers for tests of the admin panel."""

from __future__ import annotations

from doorbook import clock, credentials
from doorbook.db import write

MANAGER = ("priya", "acorns-demo-manager")
DEPUTY = ("tom", "acorns-demo-deputy")
PRACTITIONER = ("sam", "a practitioner's password")


def give_login(db, staff_name: str, username: str, password: str) -> int:
    """Give a demo staff member (who has none) an admin login."""
    with write(db):
        staff_id = db.execute("SELECT id FROM staff WHERE name = ?", [staff_name]).fetchone()[0]
        db.execute("UPDATE staff SET admin_username = ? WHERE id = ?", [username, staff_id])
        db["credentials"].insert(
            {
                "kind": "password",
                "staff_id": staff_id,
                "secret_hash": credentials.hash_password(password),
                "created_at": clock.stamp(),
            }
        )
    return staff_id


def log_in(client, who=MANAGER):
    return client.post("/admin/login", data={"username": who[0], "password": who[1]})


def staff_id(db, name: str) -> int:
    return db.execute("SELECT id FROM staff WHERE name = ?", [name]).fetchone()[0]
