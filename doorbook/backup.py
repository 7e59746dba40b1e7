"""Backups: a consistent copy with SQLite's online backup API, checked, synced, renamed.

The copy is made from a read-only connection, so it never writes or checkpoints the live
database (one process owns the writes); it is safe while the kiosk is busy."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from doorbook import clock
from doorbook.secrets_files import CREDENTIAL_KEY_FILE, SECRET_KEY_FILE

PREFIX = "doorbook-"
SUFFIX = ".db"


class BackupProblem(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def integrity(path: Path) -> list[str]:
    """PRAGMA integrity_check of a database file, opened read-only."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        return [str(error)]


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=1024)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()


def backup(data_dir: Path, destination: Path, keep: int = 14) -> Path:
    """Copy the database into ``destination`` as doorbook-YYYYmmdd-HHMMSS-micro.db (plus the keys
    that kiosk PINs need), keeping the newest ``keep`` copies."""
    source = data_dir / "doorbook.db"
    if not source.exists():
        raise BackupProblem(f"there is no database at {source}")
    destination.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{clock.now():%Y%m%d-%H%M%S-%f}{SUFFIX}"
    partial = destination / f".{name}.partial"
    final = destination / name
    _copy(source, partial)
    problems = integrity(partial)
    if problems != ["ok"]:
        partial.unlink(missing_ok=True)
        raise BackupProblem("the copy failed its integrity check: " + "; ".join(problems[:5]))
    os.chmod(partial, 0o600)
    _fsync(partial)
    partial.replace(final)
    for key in (CREDENTIAL_KEY_FILE, SECRET_KEY_FILE):  # without them PINs can't be checked
        if (data_dir / key).exists():
            target = destination / key
            shutil.copyfile(data_dir / key, target)
            os.chmod(target, 0o600)
    _fsync(destination)
    old = sorted(destination.glob(f"{PREFIX}*{SUFFIX}"))[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return final


def restore(data_dir: Path, backup_file: Path) -> Path:
    """Check a backup, then put it in place; the replaced database is kept aside.
    Stop the server first (systemctl stop doorbook)."""
    if not backup_file.is_file():
        raise BackupProblem(f"there is no file {backup_file}")
    problems = integrity(backup_file)
    if problems != ["ok"]:
        raise BackupProblem(f"{backup_file} is not a sound database: " + "; ".join(problems[:5]))
    data_dir.mkdir(parents=True, exist_ok=True)
    current = data_dir / "doorbook.db"
    aside = data_dir / f"doorbook.db.replaced-{clock.now():%Y%m%d-%H%M%S}"
    incoming = data_dir / ".doorbook.db.restoring"
    _copy(backup_file, incoming)
    os.chmod(incoming, 0o600)
    _fsync(incoming)
    if current.exists():
        _copy(current, aside)  # a consistent copy of what is being replaced
        os.chmod(aside, 0o600)
    for suffix in ("-wal", "-shm"):
        Path(f"{current}{suffix}").unlink(missing_ok=True)
    incoming.replace(current)
    for key in (CREDENTIAL_KEY_FILE, SECRET_KEY_FILE):
        kept = backup_file.parent / key
        if kept.exists() and not (data_dir / key).exists():
            shutil.copyfile(kept, data_dir / key)
            os.chmod(data_dir / key, 0o600)
    return aside
