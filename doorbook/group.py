"""A group of settings: the group's office keeps a read-only copy of each site, restored from
that site's Litestream replica, and reads across them. Each site stays the only writer of
its own records; the office never opens a site's database, only the replica's files, and
its copies are opened read-only and immutable.

The office's own folder (``doorbook group --group PATH``) holds ``group.db`` (the sites,
the office's logins, its audit log, each site's latest summary) and ``sites/SLUG.db``, the
copies. A refresh restores a site only when its replica has moved on, into a new file that
is checked and then renamed over the old one, so a reader never sees half a restore.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database, Migrations

from doorbook import clock, credentials, dashboard, exports, replication, text
from doorbook.db import open_db, write

GROUP_DB = "group.db"
SITES = "sites"
STALE_AFTER = timedelta(minutes=10)
# Office roles: what each may see. Names of children and visitors are for safeguarding only.
ROLES = {
    "office": "counts, alert kinds and reports",
    "safeguarding": "also children's and visitors' names, each view audited",
}
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")

migrations = Migrations("doorbook-group")


@migrations()
def g001_group(db: Database) -> None:
    db["sites"].create(
        {
            "id": int,
            "slug": str,
            "name": str,
            "replica_url": str,
            "added_at": str,
            "copy_txid": int,
            "copied_at": str,  # when the office's copy was last restored
            "checked_at": str,  # when the replica was last looked at
            "heartbeat_at": str,  # the site's own clock, from the copy: current up to then
            "summary": str,  # JSON: counts and alert kinds, no names
            "problem": str,
        },
        pk="id",
        not_null={"slug", "name", "replica_url", "added_at"},
    )
    db["sites"].create_index(["slug"], unique=True)
    db["accounts"].create(
        {
            "id": int,
            "username": str,
            "name": str,
            "role": str,
            "password_hash": str,
            "created_at": str,
        },
        pk="id",
        not_null={"username", "name", "role", "password_hash", "created_at"},
    )
    db["accounts"].create_index(["username"], unique=True)
    db["audit"].create(
        {"id": int, "at": str, "username": str, "action": str, "site": str, "detail": str},
        pk="id",
        not_null={"at", "action"},
    )


class GroupProblem(ValueError):
    """Something the office typed or asked for that cannot be done; the message says why."""


def open_group(folder: Path) -> Database:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SITES).mkdir(exist_ok=True)
    path = folder / GROUP_DB
    if not path.exists():
        path.touch(mode=0o600)
    db = open_db(path)
    with write(db):
        migrations.apply(db)
    return db


def record(db: Database, who: str | None, action: str, site: str = "", **detail) -> None:
    with write(db):
        db["audit"].insert(
            {
                "at": clock.stamp(),
                "username": who,
                "action": action,
                "site": site,
                "detail": json.dumps(detail, sort_keys=True),
            }
        )


# ---- Sites and accounts ----


def add_site(db: Database, slug: str, name: str, replica_url: str, by: str = "") -> None:
    slug = (slug or "").strip().lower()
    if not SLUG.fullmatch(slug):
        raise GroupProblem("A site's short name is 1-40 lower-case letters, digits or dashes.")
    name, problem = text.clean(name, "the site's name", max_length=100)
    if problem:
        raise GroupProblem(problem.message)
    try:
        dest = replication.parse_destination(replica_url)
    except replication.ReplicationProblem as error:
        raise GroupProblem(str(error)) from None
    if dest is None:
        raise GroupProblem("Give the site's replica: a folder, sftp://… or s3://….")
    if db.execute("SELECT 1 FROM sites WHERE slug = ?", [slug]).fetchone():
        raise GroupProblem(f"There is already a site called {slug}.")
    with write(db):
        db["sites"].insert(
            {"slug": slug, "name": name, "replica_url": dest.url, "added_at": clock.stamp()}
        )
    record(db, by or None, "site_added", slug, replica=dest.shown)


def create_account(db: Database, username: str, name: str, role: str, password: str) -> None:
    username = (username or "").strip().casefold()
    if not re.fullmatch(r"[a-z0-9._-]{2,40}", username):
        raise GroupProblem("A username is 2-40 letters, digits, dots, dashes or underscores.")
    name, problem = text.clean(name, "the name", max_length=100)
    if problem:
        raise GroupProblem(problem.message)
    if role not in ROLES:
        raise GroupProblem(f"The role must be one of: {', '.join(ROLES)}.")
    if len(password or "") < 10:
        raise GroupProblem("A password needs at least 10 characters.")
    if db.execute("SELECT 1 FROM accounts WHERE username = ?", [username]).fetchone():
        raise GroupProblem(f"There is already an account {username}.")
    with write(db):
        db["accounts"].insert(
            {
                "username": username,
                "name": name,
                "role": role,
                "password_hash": credentials.hash_password(password),
                "created_at": clock.stamp(),
            }
        )
    record(db, None, "account_created", username=username, role=role)


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    name: str
    role: str

    @property
    def may_see_names(self) -> bool:
        return self.role == "safeguarding"


WRONG_LOGINS_ALLOWED = 5
WRONG_LOGIN_WINDOW = timedelta(minutes=15)


class LoginsPaused(GroupProblem):
    """Too many wrong passwords for this account lately; the message says how long."""


def log_in(db: Database, username: str, password: str) -> Account | None:
    """Check a login. Wrong passwords are limited per account (5 in 15 minutes), like the
    panel's, so the office's names cannot be guessed into."""
    username = (username or "").strip().casefold()[:60]
    since = clock.stamp(datetime.now(UTC) - WRONG_LOGIN_WINDOW)
    wrong = db.execute(
        "SELECT count(*), min(at) FROM audit WHERE action = 'login_failed' AND username = ? "
        "AND at >= ? AND at > coalesce((SELECT max(at) FROM audit WHERE username = ? "
        "AND action = 'logged_in'), '')",
        [username, since, username],
    ).fetchone()
    if wrong[0] >= WRONG_LOGINS_ALLOWED:
        wait = clock.parse(wrong[1]) + WRONG_LOGIN_WINDOW - datetime.now(UTC)
        record(db, username, "login_refused_paused")
        raise LoginsPaused(
            f"Too many wrong passwords for this account. Please try again in "
            f"{max(1, round(wait.total_seconds() / 60))} minutes."
        )
    row = db.execute(
        "SELECT id, username, name, role, password_hash FROM accounts WHERE username = ?",
        [username],
    ).fetchone()
    ok = credentials.check_password(row[4] if row else None, password or "")
    record(db, username or None, "logged_in" if ok and row else "login_failed")
    return Account(*row[:4]) if ok and row else None


def account(db: Database, account_id: int | None) -> Account | None:
    if account_id is None:
        return None
    row = db.execute(
        "SELECT id, username, name, role FROM accounts WHERE id = ?", [account_id]
    ).fetchone()
    return Account(*row) if row else None


# ---- The copies ----


def copy_path(folder: Path, slug: str) -> Path:
    return folder / SITES / f"{slug}.db"


def open_copy(path: Path) -> Database:
    """A site's copy, read-only and immutable: SQLite cannot write it, lock it, or make a
    WAL beside it. A refresh renames a new file over it; open connections keep the old."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    return Database(conn, execute_plugins=False)


def _replica_txid(dest: replication.Destination, config: Path, path: Path) -> int:
    """The newest transaction on the replica: for a folder, from its file names (cheap);
    otherwise by asking Litestream."""
    if dest.kind == "file":
        ltx = Path(dest.shown) / "ltx"
        if not ltx.is_dir():
            return 0
        highest = 0
        for level in ltx.iterdir():
            for name in os.listdir(level):
                if name.endswith(".ltx"):
                    highest = max(highest, int(name[:-4].split("-")[-1], 16))
        return highest
    return replication.replica_position(config, path)[1]


def refresh_site(folder: Path, db: Database, site: dict) -> bool:
    """Bring one site's copy up to date; returns whether it changed."""
    path = copy_path(folder, site["slug"])
    dest = replication.parse_destination(site["replica_url"])
    now = clock.stamp()
    with tempfile.TemporaryDirectory(prefix="doorbook-group-") as scratch:
        config = replication.write_config(
            Path(scratch) / "litestream.yml", replication.litestream_config(path, dest)
        )
        try:
            txid = _replica_txid(dest, config, path)
            if txid == 0:
                raise GroupProblem("the replica holds no copy yet")
            if txid == site["copy_txid"] and path.exists():
                with write(db):
                    db["sites"].update(site["id"], {"checked_at": now, "problem": None})
                return False
            incoming = path.with_name(f".{path.name}.incoming")
            incoming.unlink(missing_ok=True)
            result = subprocess.run(  # noqa: S603 - the pinned binary, our own arguments
                [
                    replication.litestream_binary(),
                    "restore",
                    "-config",
                    str(config),
                    "-o",
                    str(incoming),
                    str(path),
                ],
                capture_output=True,
                text=True,
                timeout=600,
            )
            if result.returncode != 0 or not incoming.exists():
                raise GroupProblem(replication._last_line(result.stderr) or "restore failed")
            check = sqlite3.connect(f"file:{incoming}?mode=ro&immutable=1", uri=True)
            try:
                if check.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise GroupProblem("the restored copy failed its check")
            finally:
                check.close()
            os.chmod(incoming, 0o444)
            incoming.replace(path)
        except (GroupProblem, replication.ReplicationProblem, subprocess.SubprocessError) as e:
            with write(db):
                db["sites"].update(site["id"], {"checked_at": now, "problem": str(e)[:300]})
            return False
    summary = summarise(path)
    with write(db):
        db["sites"].update(
            site["id"],
            {
                "copy_txid": txid,
                "copied_at": now,
                "checked_at": now,
                "heartbeat_at": summary.pop("heartbeat_at"),
                "summary": json.dumps(summary),
                "problem": None,
            },
        )
    return True


def refresh(folder: Path, db: Database) -> dict[str, bool]:
    """Every site, one after another (a slow replica delays only the refresh, never a page)."""
    return {
        site["slug"]: refresh_site(folder, db, site)
        for site in db.query("SELECT * FROM sites ORDER BY slug")
    }


# ---- What each site is doing now (counts, no names) ----


def _unsupervised_now(copy: Database) -> list[dict]:
    return [
        v
        for v in dashboard.visits_on_site(copy)
        if v["kind"] == "agency" and v["supervisor_id"] is None
    ]


def summarise(path: Path) -> dict:
    copy = open_copy(path)
    try:
        rooms = dashboard.rooms_now(copy)
        alerts = Counter(a["kind"] for a in dashboard.alert_cards(copy))
        try:
            beat = copy.execute("SELECT at FROM replica_heartbeat WHERE id = 1").fetchone()
        except sqlite3.OperationalError:  # a site on a Doorbook before the heartbeat
            beat = None
        name = copy.execute("SELECT value FROM settings WHERE key = 'setting_name'").fetchone()
        return {
            "setting_name": name[0] if name else "",
            "children_in": sum(len(r.children) for r in rooms),
            "staff_in": len(dashboard.staff_on_site(copy)),
            "rooms": [
                {
                    "name": r.name,
                    "children": len(r.children),
                    "staff": len(r.staff),
                    "ratio": r.ratio,
                    "short": r.short,
                }
                for r in rooms
            ],
            "alerts": dict(alerts),
            "unsupervised_now": len(_unsupervised_now(copy)),
            "heartbeat_at": beat[0] if beat else None,
        }
    finally:
        copy.conn.close()


@dataclass
class SiteNow:
    slug: str
    name: str
    summary: dict
    heartbeat_at: datetime | None
    stale: bool
    problem: str | None


def sites_now(db: Database, stale_after: timedelta = STALE_AFTER) -> list[SiteNow]:
    """Each site's latest summary, and whether its copy is current: a site whose copy has
    not moved for longer than ``stale_after`` is stale (flagged, not shown as current)."""
    now = datetime.now(UTC)
    out = []
    for row in db.query("SELECT * FROM sites ORDER BY name"):
        beat = clock.parse(row["heartbeat_at"]) if row["heartbeat_at"] else None
        out.append(
            SiteNow(
                row["slug"],
                row["name"],
                json.loads(row["summary"]) if row["summary"] else {},
                beat,
                beat is None or now - beat > stale_after,
                row["problem"],
            )
        )
    return out


def site_name(db: Database, slug: str) -> str | None:
    """A site's name as the group calls it, or None if there is no such site."""
    row = db.execute("SELECT name FROM sites WHERE slug = ?", [slug]).fetchone()
    return row[0] if row else None


def names_now(folder: Path, db: Database, who: Account, slug: str) -> dict:
    """Children on site by room and unsupervised visits, with names: safeguarding only, and
    every view is audited at the group."""
    if not who.may_see_names:
        raise PermissionError("names are for the safeguarding role")
    if not db.execute("SELECT 1 FROM sites WHERE slug = ?", [slug]).fetchone():
        raise GroupProblem("There is no such site.")
    record(db, who.username, "viewed_names", slug)
    copy = open_copy(copy_path(folder, slug))
    try:
        return {
            "rooms": [
                (
                    r.name,
                    [f"{c['known_as'] or c['first_name']} {c['last_name']}" for c in r.children],
                )
                for r in dashboard.rooms_now(copy)
            ],
            "unsupervised": [
                {
                    "visitor": v["visitor"],
                    "organisation": v["organisation"],
                    "child": v["child"] or v["child_name_typed"],
                    "since": v["signed_in_at"],
                }
                for v in _unsupervised_now(copy)
            ],
        }
    finally:
        copy.conn.close()


# ---- Reports across sites, for a date range ----

REPORT_HEADERS = {
    "attendance": ["Site", "Sessions attended", "Children", "Child-days"],
    "agencies": ["Site", "Organisation", "Visits", "Unsupervised minutes"],
    "supervision": ["Site", "Agency visits", "Unsupervised minutes", "Visits ever unsupervised"],
    "alerts": ["Site", "Alert", "Raised", "Still open", "Minutes open (median)", "Longest"],
}


def report(
    folder: Path, db: Database, first: date, last: date, *, zone: str
) -> dict[str, list[list]]:
    """Attendance, visits per agency, unsupervised minutes and alerts, for each site, from
    the copies. Uses the same rules as the site's own records (exports.visitor_log)."""
    if last < first:
        raise GroupProblem("The last day must not be before the first.")
    if (last - first).days > 366 * 3:
        raise GroupProblem("A report covers at most three years.")
    out: dict[str, list[list]] = defaultdict(list)
    start, end = clock.day_bounds(first, zone)[0], clock.day_bounds(last, zone)[1]
    for site in db.query("SELECT slug, name FROM sites ORDER BY name"):
        path = copy_path(folder, site["slug"])
        if not path.exists():
            continue
        copy = open_copy(path)
        try:
            sessions, children, child_days = copy.execute(
                "SELECT count(*), count(DISTINCT child_id), count(DISTINCT child_id || day) "
                "FROM attendance WHERE day BETWEEN ? AND ?",
                [first.isoformat(), last.isoformat()],
            ).fetchone()
            out["attendance"].append([site["name"], sessions, children, child_days])
            per_agency: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
            agency_visits = ever_unsupervised = 0
            unsupervised = 0.0
            for visit in exports.visitor_log(copy, first, last):
                if visit.row["kind"] != "agency":
                    continue
                minutes = visit.unsupervised_minutes or 0.0
                entry = per_agency[visit.row["organisation"] or "(not given)"]
                entry[0] += 1
                entry[1] += minutes
                agency_visits += 1
                unsupervised += minutes
                ever_unsupervised += minutes >= 1
            for organisation, (visits, minutes) in sorted(per_agency.items()):
                out["agencies"].append([site["name"], organisation, visits, round(minutes)])
            out["supervision"].append(
                [site["name"], agency_visits, round(unsupervised), ever_unsupervised]
            )
            by_kind: dict[str, list] = defaultdict(list)
            for kind, raised, resolved in copy.execute(
                "SELECT kind, raised_at, resolved_at FROM alerts "
                "WHERE raised_at >= ? AND raised_at < ?",
                [start, end],
            ):
                by_kind[kind].append((raised, resolved))
            for kind, rows in sorted(by_kind.items()):
                spans = sorted(
                    (clock.parse(b) - clock.parse(a)).total_seconds() / 60 for a, b in rows if b
                )
                median = spans[len(spans) // 2] if spans else None
                out["alerts"].append(
                    [
                        site["name"],
                        kind.replace("_", " "),
                        len(rows),
                        sum(1 for _a, b in rows if not b),
                        "" if median is None else round(median),
                        "" if not spans else round(spans[-1]),
                    ]
                )
        finally:
            copy.conn.close()
    return {key: out.get(key, []) for key in REPORT_HEADERS}


def report_csv(tables: dict[str, list[list]], which: str) -> bytes:
    return exports.to_csv(REPORT_HEADERS[which], tables[which])
