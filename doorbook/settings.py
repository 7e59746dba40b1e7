"""The setting's own settings, with defaults; the database holds only what was changed."""

from __future__ import annotations

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
    "retention_visitor_years": "6",
    "retention_register_years_after_leaving": "3",
    "retention_audit_years": "6",
    "retention_alert_years": "6",
}


def get(db: Database, key: str) -> str:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    if row is not None:
        return row[0]
    return DEFAULTS[key]


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


def all_settings(db: Database) -> dict[str, str]:
    stored = {row["key"]: row["value"] for row in db["settings"].rows}
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}
