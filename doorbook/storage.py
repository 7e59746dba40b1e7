"""When the data folder's disk is full: the kiosk tells the person to use the paper book, the
manager is told at once, and service resumes by itself when there is room again.

A full disk cannot hold an alert, so the trouble is kept in this process (the one server
process) and shown at the top of every open panel's alerts, which are told to refresh. The
first write that succeeds afterwards ends it and stores a *disk was full* alert saying when
and how many actions were refused, so the paper book's entries get copied into the register.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import threading
from dataclasses import dataclass

from sqlite_utils import Database

from doorbook import clock

log = logging.getLogger(__name__)
_lock = threading.Lock()


@dataclass
class DiskFull:
    since: str  # stored UTC time
    refused: int


_trouble: DiskFull | None = None


def is_disk_full(error: BaseException) -> bool:
    if isinstance(error, sqlite3.OperationalError):
        return "disk is full" in str(error) or getattr(error, "sqlite_errorcode", 0) == 13
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


def refused() -> None:
    """A write failed for want of space: remember it and tell the open panels."""
    global _trouble
    from doorbook import events

    with _lock:
        first = _trouble is None
        if first:
            _trouble = DiskFull(clock.stamp(), 0)
        _trouble.refused += 1
    if first:
        log.error("the data folder's disk is full: nothing can be saved")
    events.publish("alerts")


def trouble() -> DiskFull | None:
    return _trouble


def saved(db: Database) -> None:
    """A write has just committed: if the disk had been full, that is over; say so."""
    global _trouble
    if _trouble is None:
        return
    with _lock:
        ended, _trouble = _trouble, None
    if ended is None:
        return
    from doorbook import alerts

    log.warning("the data folder's disk has room again")
    try:
        alerts.raise_alert(
            db,
            "disk_full",
            f"The data folder's disk was full from {ended.since[:16]} UTC until "
            f"{clock.stamp()[:16]} UTC: nothing could be saved, and {ended.refused} "
            "action(s) at the kiosk or in the panel were refused. People were asked to use "
            "the paper book: copy its entries into the register (Corrections).",
        )
    except Exception as error:
        if not is_disk_full(error):
            raise
        refused()
