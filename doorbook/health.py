"""Can Doorbook do its job right now? `/healthz` (monitoring, the kiosk browser's wait) asks
here. "The database answers" is not enough: on a full disk reads work and every sign-in
fails, so the checks are about writing, and cost next to nothing."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from doorbook import db as database

# Below this, a sign-in's commit (WAL frames, then a checkpoint) may not fit.
MIN_FREE_BYTES = 2 * 1024 * 1024


class _RollBack(Exception):
    """Ends the probe's transaction without committing it."""


def write_problem(db: Database, data_dir: str | Path) -> str | None:
    """Why the database cannot be written now, for a person to read; None if it can."""
    stats = os.statvfs(data_dir)
    free = stats.f_bavail * stats.f_frsize
    if free < MIN_FREE_BYTES:
        return f"the disk holding the database is full ({free // 1024} KB free)"
    # A write that is rolled back: it takes the write lock and proves the file takes writes,
    # and touches no disk. Skipped while another write holds the lock (the server is busy
    # writing, which is itself a sign of health).
    if database._write_lock.acquire(blocking=False):
        try:
            with database.write(db):
                # Rewrites the header's user_version with its own value: a real page write,
                # and no table or constraint for a later migration to trip over.
                version = db.execute("PRAGMA user_version").fetchone()[0]
                db.execute(f"PRAGMA user_version = {int(version)}")
                raise _RollBack
        except _RollBack:
            pass
        except sqlite3.Error as error:
            return f"the database cannot be written: {error}"
        finally:
            database._write_lock.release()
    failure = database.last_write_failure(db)
    if failure:
        return f"the last write failed at {failure[0]} UTC: {failure[1]}"
    return None
