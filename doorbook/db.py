"""The one SQLite database: opening it safely, and the one way to write to it.

Every connection is opened with WAL, synchronous=FULL (with NORMAL a committed sign-in can
roll back after a power cut), foreign keys on and a busy timeout, and the settings are read
back so a wrong one stops the app instead of silently losing data. Writes go through
``write(db)``: one ``BEGIN IMMEDIATE`` transaction, serialised inside this process because
Debian 12's SQLite 3.40 has the WAL-reset bug that needs two writers at the same instant.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g
from sqlite_utils import Database

DB_FILENAME = "doorbook.db"
BUSY_TIMEOUT_MS = 5000

# One lock for every write in this process: the kiosk, the panel, the CLI, GPIO callbacks.
_write_lock = threading.RLock()

# SQLite's answers that mean "this database cannot be written" (disk full, I/O error,
# read-only, cannot open); /healthz reports the last one until a write succeeds again.
_CANNOT_WRITE = {13, 10, 8, 14}
_write_failures: dict[str, tuple[str, str]] = {}  # database file -> (when, what)


def database_file(db: Database) -> str:
    """The file this handle opened ("" for an in-memory database). Asked once per handle: a
    handle never changes file, and settings and kiosk PINs ask on nearly every request."""
    name = getattr(db, "_doorbook_file", None)
    if name is None:
        row = db.execute("PRAGMA database_list").fetchone()
        name = db._doorbook_file = row[2] if row else ""  # type: ignore[attr-defined]
    return name


def _note_write(db: Database, error: BaseException | None) -> None:
    if error is None:
        if _write_failures:
            _write_failures.pop(database_file(db), None)
    elif isinstance(error, sqlite3.Error) and (
        (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF in _CANNOT_WRITE
    ):
        from datetime import UTC, datetime

        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        _write_failures[database_file(db)] = (when, str(error))


def last_write_failure(db: Database) -> tuple[str, str] | None:
    """(when, what) of the last write that failed for want of disk or permission, if no
    write has succeeded since."""
    return _write_failures.get(database_file(db)) if _write_failures else None


class DatabaseSetupError(RuntimeError):
    """The database file could not be opened with the settings Doorbook relies on."""


def open_db(path: str | Path) -> Database:
    """Open the database at ``path`` with Doorbook's connection settings, checked."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # No connection checkpoints by itself: only one party does (WAL-reset bug; replication.py).
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    if path != ":memory:" and (journal.lower() != "wal" or synchronous != 2 or foreign_keys != 1):
        conn.close()
        raise DatabaseSetupError(
            f"{path}: expected journal_mode=wal, synchronous=FULL, foreign_keys=ON; "
            f"got {journal}, {synchronous}, {foreign_keys}"
        )
    return Database(conn, execute_plugins=False)


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction: BEGIN IMMEDIATE ... COMMIT, serialised within the process.

    Nested calls join the outer transaction, so a rule that writes can be called on its own
    or as part of a larger change; an error anywhere rolls the whole change back.
    """
    with _write_lock:
        if db.conn.in_transaction:
            yield db
            return
        db.conn.execute("BEGIN IMMEDIATE")
        db._after_commit = []  # type: ignore[attr-defined]
        try:
            yield db
        except BaseException as error:
            _note_write(db, error)
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            db._after_commit = []  # type: ignore[attr-defined]
            raise
        else:
            try:
                db.conn.execute("COMMIT")
            except sqlite3.Error as error:
                _note_write(db, error)
                raise
            _note_write(db, None)
    callbacks, db._after_commit = db._after_commit, []  # type: ignore[attr-defined]
    for callback in callbacks:
        callback()
    from doorbook import storage

    if storage.trouble() is not None:  # a write worked: the disk has room again
        storage.saved(db)


def after_commit(db: Database, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current write transaction has committed (never on rollback).
    The same callback asked for again within the transaction still runs once."""
    pending = getattr(db, "_after_commit", None)
    if db.conn.in_transaction and pending is not None:
        if callback not in pending:
            pending.append(callback)
    else:
        callback()


def db_path(app: Flask) -> Path:
    return Path(app.config["DATA_DIR"]) / DB_FILENAME


def get_db() -> Database:
    """This thread's database handle for the current app, opened once and kept.

    Connections live as long as the server's threads: closing the last connection makes
    SQLite checkpoint and delete the WAL, which would cost every request a disk sync.
    """
    db = g.get("db")  # asked many times a request: one look-up
    if db is None:
        local = current_app.extensions["doorbook_connections"]
        db = getattr(local, "db", None)
        if db is None:
            db = local.db = open_db(db_path(current_app))
        g.db = db
    return db


def end_request(_exc: BaseException | None = None) -> None:
    """Nothing a request left half-done survives it (every write commits or rolls back)."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


def insert(db: Database, table: str, row: dict) -> int:
    """Insert one row and return its id: plain SQL for the kiosk's hot paths (sqlite-utils'
    insert reads the table's schema on every call). Table and column names come from code."""
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    return db.conn.execute(sql, list(row.values())).lastrowid


def update(db: Database, table: str, row_id: int, values: dict) -> None:
    assignments = ", ".join(f"{column} = ?" for column in values)
    sql = f"UPDATE {table} SET {assignments} WHERE id = ?"  # noqa: S608
    db.conn.execute(sql, [*values.values(), row_id])


def init_app(app: Flask) -> None:
    from doorbook import migrations

    path = db_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Children's records: readable by the service's own user only.
        path.touch(mode=0o600)
    db = open_db(path)
    try:
        with _write_lock:
            migrations.apply(db)
    finally:
        db.close()
    app.extensions["doorbook_connections"] = threading.local()
    app.teardown_appcontext(end_request)
