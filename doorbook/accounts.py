"""Staff accounts for the admin panel: who may log in, with which role."""

from __future__ import annotations

from sqlite_utils import Database

from doorbook import audit, clock, credentials, text
from doorbook.db import write
from doorbook.importer import ADMIN_PASSWORD_MIN, USERNAME_PATTERN

ROLES = ("manager", "deputy", "practitioner")


class AccountProblem(ValueError):
    """An account could not be created or changed; the message says why, for a person."""


def has_manager_login(db: Database) -> bool:
    return bool(
        db.execute(
            "SELECT 1 FROM staff s JOIN credentials c ON c.staff_id = s.id "
            "WHERE s.role = 'manager' AND s.active = 1 AND s.admin_username IS NOT NULL "
            "AND c.kind = 'password' AND c.revoked_at IS NULL"
        ).fetchone()
    )


def create_manager(
    db: Database, *, name: str, username: str, password: str, actor: audit.Actor
) -> int:
    name, problem = text.clean(name, "a name", max_length=text.NAME_MAX)
    if problem:
        raise AccountProblem(problem.message)
    username = username.strip().casefold()
    if not USERNAME_PATTERN.fullmatch(username):
        raise AccountProblem("The username must be 2-40 letters, digits, dots, dashes or _.")
    if len(password) < ADMIN_PASSWORD_MIN:
        raise AccountProblem(f"The password must be at least {ADMIN_PASSWORD_MIN} characters.")
    with write(db):
        taken = db.execute(
            "SELECT 1 FROM staff WHERE admin_username = ? COLLATE NOCASE OR name = ?",
            [username, name],
        ).fetchone()
        if taken:
            raise AccountProblem(f"There is already a member of staff called {name} or {username}.")
        now = clock.stamp()
        staff_id = (
            db["staff"]
            .insert(
                {
                    "name": name,
                    "job_title": "Manager",
                    "role": "manager",
                    "admin_username": username,
                    "created_at": now,
                }
            )
            .last_pk
        )
        db["credentials"].insert(
            {
                "kind": "password",
                "staff_id": staff_id,
                "secret_hash": credentials.hash_password(password),
                "created_at": now,
            }
        )
        audit.record(
            db,
            actor,
            "staff_account_created",
            subject_kind="staff",
            subject_id=staff_id,
            role="manager",
            username=username,
        )
    return staff_id
