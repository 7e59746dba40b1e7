"""The one server process's background work: the uncollected-child check, repeating the
Pi's buzzer while any alert is unacknowledged, the off-site copy's health, and the WAL
checkpoint when Litestream is not the one doing it. Started by `doorbook serve` only."""

from __future__ import annotations

import logging
import threading
import time as wall
from pathlib import Path

from flask import Flask

from doorbook import (
    alerts,
    complaints,
    exports,
    not_arrived,
    replication,
    settings,
    uncollected,
)
from doorbook.db import db_path, open_db

log = logging.getLogger(__name__)
# Every 20 s; more often only if the replication heartbeat is set to be more frequent (tests).
INTERVAL_SECONDS = min(20, replication.HEARTBEAT_SECONDS)


class Scheduler:
    def __init__(self, database: Path, signals):
        self.database = database
        self.signals = signals
        self.stopping = threading.Event()
        self.last_chime = 0.0
        self.thread = threading.Thread(target=self.run, name="doorbook-scheduler", daemon=True)

    def tick(self) -> None:
        db = open_db(self.database)
        try:
            uncollected.check(db)
            not_arrived.check(db)
            complaints.check_deadlines(db)
            exports.end_of_day_export(db)
            replication.check_alert(db, self.database.parent)
            replication.heartbeat(db)
            repeat = settings.get_int(db, "alert_repeat_seconds")
            if alerts.unacknowledged_count(db) and wall.monotonic() - self.last_chime >= repeat:
                self.signals.chime()
                self.last_chime = wall.monotonic()
        finally:
            db.close()
        replication.server_checkpoint(self.database)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.tick()
            except Exception:  # keep going: the next tick may well succeed
                log.exception("scheduled check failed")
            self.stopping.wait(INTERVAL_SECONDS)

    def start(self) -> Scheduler:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)


def start(app: Flask) -> Scheduler:
    return Scheduler(db_path(app), app.extensions["signals"]).start()
