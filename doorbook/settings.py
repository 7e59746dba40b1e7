"""The setting's own settings, with defaults; the database holds only what was changed."""

from __future__ import annotations

import time

from sqlite_utils import Database

from doorbook.db import write

DEFAULTS: dict[str, str] = {
    "setting_name": "Doorbook",
    "timezone": "Europe/London",
    "opening_time": "07:30",
    "closing_time": "18:00",
    "idle_timeout_seconds": "60",
    "pin_attempts_per_minute": "5",
    "pin_lockout_seconds": "60",
    "alert_repeat_seconds": "60",
    "badge_paper": "62mm",  # 62mm (a 62 mm label, e.g. Brother QL) or a6
    "badge_auto_print": "no",  # yes: print the badge as soon as it is shown
    "end_of_day_folder": "",  # where the day's CSVs go at closing time (e.g. a USB stick)
    "retention_visitor_years": "6",
    "retention_register_years_after_leaving": "3",
    "retention_audit_years": "6",
    "retention_alert_years": "6",
}


# Read on nearly every request; kept for a few seconds (and dropped when this process
# changes them), so a change made by another process is seen within CACHE_SECONDS.
CACHE_SECONDS = 5.0
_cache: dict[str, tuple[float, dict[str, str]]] = {}


def _database_file(db: Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] if row else ""


def all_settings(db: Database) -> dict[str, str]:
    key = _database_file(db)
    cached = _cache.get(key)
    now = time.monotonic()
    if cached and cached[0] > now:
        return cached[1]
    stored = {row[0]: row[1] for row in db.execute("SELECT key, value FROM settings")}
    values = {name: stored.get(name, default) for name, default in DEFAULTS.items()}
    _cache[key] = (now + CACHE_SECONDS, values)
    return values


def get(db: Database, key: str) -> str:
    return all_settings(db)[key]


def get_int(db: Database, key: str) -> int:
    return int(get(db, key))


def timezone(db: Database) -> str:
    return get(db, "timezone")


def set_many(db: Database, values: dict[str, str]) -> None:
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise KeyError(f"unknown settings: {', '.join(sorted(unknown))}")
    with write(db):
        db["settings"].upsert_all(
            [{"key": k, "value": str(v)} for k, v in values.items()], pk="key"
        )
    _cache.pop(_database_file(db), None)
