"""Helpers for tests of the admin panel."""

from __future__ import annotations

from doorbook import accounts

MANAGER = ("priya", "acorns-demo-manager")
DEPUTY = ("tom", "acorns-demo-deputy")
PRACTITIONER = ("sam", "a practitioner's password")


def give_login(db, staff_name: str, username: str, password: str) -> int:
    """Give a demo staff member (who has none) an admin login, as `doorbook create-user`."""
    role = db.execute("SELECT role FROM staff WHERE name = ?", [staff_name]).fetchone()[0]
    return accounts.create_account(
        db,
        name=staff_name,
        username=username,
        password=password,
        role=role,
        actor=accounts.audit.SYSTEM,
    )


def log_in(client, who=MANAGER):
    return client.post("/admin/login", data={"username": who[0], "password": who[1]})


def staff_id(db, name: str) -> int:
    return db.execute("SELECT id FROM staff WHERE name = ?", [name]).fetchone()[0]
