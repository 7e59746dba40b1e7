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


class DatabaseSetupError(RuntimeError):
    """The database file could not be opened with the settings Doorbook relies on."""


def open_db(path: str | Path) -> Database:
    """Open the database at ``path`` with Doorbook's connection settings, checked."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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

    Nested calls join the outer transaction (as a savepoint), so a rule that writes can be
    called on its own or as part of a larger change.
    """
    with _write_lock:
        if db.conn.in_transaction:
            with db.atomic():
                yield db
            return
        db.conn.execute("BEGIN IMMEDIATE")
        db._after_commit = []  # type: ignore[attr-defined]
        try:
            yield db
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            db._after_commit = []  # type: ignore[attr-defined]
            raise
        else:
            db.conn.execute("COMMIT")
    callbacks, db._after_commit = db._after_commit, []  # type: ignore[attr-defined]
    for callback in callbacks:
        callback()


def after_commit(db: Database, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current write transaction has committed (never on rollback)."""
    pending = getattr(db, "_after_commit", None)
    if db.conn.in_transaction and pending is not None:
        pending.append(callback)
    else:
        callback()


def db_path(app: Flask) -> Path:
    return Path(app.config["DATA_DIR"]) / DB_FILENAME


def get_db() -> Database:
    """The request's database handle, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = open_db(db_path(current_app))
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    from doorbook import migrations

    path = db_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Children's records: readable by the service's own user only.
        path.touch(mode=0o600)
    db = open_db(path)
    try:
        migrations.apply(db)
    finally:
        db.close()
    app.teardown_appcontext(close_db)
