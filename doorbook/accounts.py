"""Staff accounts for the admin panel: who may log in, with which role."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlite_utils import Database

from doorbook import audit, clock, credentials, people, text
from doorbook.db import insert, write
from doorbook.schemas import ADMIN_PASSWORD_MIN, USERNAME_PATTERN

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


def create_account(
    db: Database,
    *,
    name: str,
    username: str,
    password: str,
    role: str,
    actor: audit.Actor,
) -> int:
    """Give a member of staff an admin login (creating them if they are not on record yet)."""
    name, problem = text.clean(name, "a name", max_length=text.NAME_MAX)
    if problem:
        raise AccountProblem(problem.message)
    if role not in ROLES:
        raise AccountProblem(f"The role must be one of: {', '.join(ROLES)}.")
    username = username.strip().casefold()
    if not USERNAME_PATTERN.fullmatch(username):
        raise AccountProblem("The username must be 2-40 letters, digits, dots, dashes or _.")
    if len(password) < ADMIN_PASSWORD_MIN:
        raise AccountProblem(f"The password must be at least {ADMIN_PASSWORD_MIN} characters.")
    with write(db):
        if db.execute(
            "SELECT 1 FROM staff WHERE admin_username = ? COLLATE NOCASE", [username]
        ).fetchone():
            raise AccountProblem(f"The username {username} is taken.")
        found = people.find_named(db, "staff", name)
        existing = db.execute(
            "SELECT id, admin_username FROM staff WHERE id = ?", [found]
        ).fetchone()
        if existing and existing[1]:
            raise AccountProblem(f"{name} already has a login ({existing[1]}).")
        now = clock.stamp()
        if existing:
            staff_id = existing[0]
            db.execute(
                "UPDATE staff SET admin_username = ?, role = ?, active = 1 WHERE id = ?",
                [username, role, staff_id],
            )
        else:
            staff_id = insert(
                db,
                "staff",
                {
                    "name": name,
                    "job_title": role.capitalize(),
                    "role": role,
                    "admin_username": username,
                    "created_at": now,
                },
            )
        credentials.add_staff_password(db, staff_id, password, now)
        audit.record(
            db,
            actor,
            "staff_account_created",
            subject_kind="staff",
            subject_id=staff_id,
            role=role,
            username=username,
        )
    return staff_id


# ---- Logging in: per account (a kiosk and the office share one IP), never locked for good ----

LOGIN_FAILURE_LIMIT = 5
LOGIN_WINDOW = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
SEEN_WRITE_INTERVAL = timedelta(seconds=60)  # spare the SD card: not a write per request


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str
    role: str
    username: str | None = None

    @property
    def manages(self) -> bool:
        return self.role in ("manager", "deputy")

    def actor(self, where: str = "admin panel") -> audit.Actor:
        return audit.Actor("staff", self.id, self.name, where)


@dataclass(frozen=True)
class LoginOutcome:
    staff: StaffMember | None = None
    locked_until: str | None = None  # stored UTC time, when too many failures


def _locked_until(db: Database, username: str) -> str | None:
    since = clock.stamp(clock.now() - LOGIN_WINDOW)
    recent = [
        row[0]
        for row in db.execute(
            "SELECT at FROM login_failures WHERE username = ? AND at > ? ORDER BY at DESC",
            [username, since],
        ).fetchall()
    ]
    if len(recent) < LOGIN_FAILURE_LIMIT:
        return None
    # Locked until the window has passed since the failure that reached the limit.
    return clock.stamp(clock.parse(recent[LOGIN_FAILURE_LIMIT - 1]) + LOGIN_WINDOW)


def log_in(db: Database, username: str, password: str, *, where: str) -> LoginOutcome:
    """Check a username and password. Every login, failure and lock-out is audited."""
    username = username.strip().casefold()[:40]
    locked = _locked_until(db, username)
    if locked:
        audit.record(db, audit.Actor("system", name=username, kiosk=where), "login_refused_locked")
        credentials.check_password(None, password)  # the same time as a real check
        return LoginOutcome(locked_until=locked)
    row = db.execute(
        "SELECT s.id, s.name, s.role, s.admin_username, c.secret_hash FROM staff s "
        "JOIN credentials c ON c.staff_id = s.id AND c.kind = 'password' "
        "AND c.revoked_at IS NULL WHERE s.admin_username = ? COLLATE NOCASE AND s.active = 1",
        [username],
    ).fetchone()
    if row is None or not credentials.check_password(row[4], password):
        with write(db):
            insert(db, "login_failures", {"username": username, "at": clock.stamp()})
            audit.record(db, audit.Actor("system", name=username, kiosk=where), "login_failed")
        return LoginOutcome(locked_until=_locked_until(db, username))
    staff = StaffMember(row[0], row[1], row[2], row[3])
    with write(db):
        db.execute("DELETE FROM login_failures WHERE username = ?", [username])
        audit.record(db, staff.actor(where), "logged_in")
    return LoginOutcome(staff=staff)


def _session_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(db: Database, staff: StaffMember) -> str:
    """A new server-side session (a new id at every login); returns the id for the cookie."""
    session_id = secrets.token_urlsafe(32)
    now = clock.stamp()
    with write(db):
        insert(
            db,
            "admin_sessions",
            {
                "id": _session_key(session_id),
                "staff_id": staff.id,
                "created_at": now,
                "last_seen_at": now,
            },
        )
    return session_id


def session_staff(db: Database, session_id: str | None) -> StaffMember | None:
    """Who this session belongs to, if it is still valid: not logged out, not idle for 30
    minutes, not older than 12 hours, and the account not disabled."""
    if not session_id or len(session_id) > 100:
        return None
    key = _session_key(session_id)
    row = db.execute(
        "SELECT s.id, s.name, s.role, s.admin_username, a.created_at, a.last_seen_at "
        "FROM admin_sessions a JOIN staff s ON s.id = a.staff_id "
        "WHERE a.id = ? AND a.ended_at IS NULL AND s.active = 1",
        [key],
    ).fetchone()
    if row is None:
        return None
    now = clock.now()
    if now - clock.parse(row[5]) > IDLE_TIMEOUT or now - clock.parse(row[4]) > ABSOLUTE_TIMEOUT:
        end_session(db, session_id, reason="timed out")
        return None
    if now - clock.parse(row[5]) > SEEN_WRITE_INTERVAL:
        with write(db):
            db.execute(
                "UPDATE admin_sessions SET last_seen_at = ? WHERE id = ?", [clock.stamp(now), key]
            )
    return StaffMember(row[0], row[1], row[2], row[3])


def end_session(db: Database, session_id: str | None, *, reason: str = "logged out") -> None:
    if not session_id:
        return
    key = _session_key(session_id)
    with write(db):
        row = db.execute(
            "SELECT staff_id FROM admin_sessions WHERE id = ? AND ended_at IS NULL", [key]
        ).fetchone()
        if row is None:
            return
        db.execute("UPDATE admin_sessions SET ended_at = ? WHERE id = ?", [clock.stamp(), key])
        name = db.execute("SELECT name FROM staff WHERE id = ?", [row[0]]).fetchone()[0]
        audit.record(
            db,
            audit.Actor("staff", row[0], name, "admin panel"),
            "logged_out" if reason == "logged out" else "session_ended",
            reason=reason,
        )


def set_active(db: Database, staff_id: int, active: bool, actor: audit.Actor) -> None:
    """Disable (or enable) a staff account: a disabled account's sessions end at once."""
    with write(db):
        db.execute("UPDATE staff SET active = ? WHERE id = ?", [int(active), staff_id])
        if not active:
            db.execute(
                "UPDATE admin_sessions SET ended_at = ? WHERE staff_id = ? AND ended_at IS NULL",
                [clock.stamp(), staff_id],
            )
        audit.record(
            db,
            actor,
            "staff_enabled" if active else "staff_disabled",
            subject_kind="staff",
            subject_id=staff_id,
        )


def unlock(db: Database, username: str, actor: audit.Actor) -> None:
    with write(db):
        db.execute("DELETE FROM login_failures WHERE username = ?", [username.casefold()])
        audit.record(db, actor, "login_unlocked", username=username)


def confirm_own_password(db: Database, staff: StaffMember, password: str, *, why: str) -> bool:
    """A signature: the member of staff types their own password again. Wrong tries count
    towards the same per-account limit as logging in, and every try is audited."""
    username = (staff.username or "").casefold()
    row = db.execute(
        "SELECT c.secret_hash FROM credentials c JOIN staff s ON s.id = c.staff_id "
        "WHERE c.staff_id = ? AND c.kind = 'password' AND c.revoked_at IS NULL AND s.active = 1",
        [staff.id],
    ).fetchone()
    if not username or not password or len(password) > 200 or _locked_until(db, username):
        credentials.check_password(None, password or "")
        ok = False
    else:
        ok = credentials.check_password(row[0] if row else None, password)
    with write(db):
        if not ok:
            insert(db, "login_failures", {"username": username or "?", "at": clock.stamp()})
        audit.record(db, staff.actor(), "signature_given" if ok else "signature_refused", what=why)
    return ok
