"""The database keeps what it confirms: settings checked, schema named and repeatable."""

import sqlite3

import pytest

from doorbook import clock, migrations
from doorbook.db import open_db, write


def schema(db):
    return sorted(
        (row[0], row[1], row[2])
        for row in db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
    )


def test_every_connection_is_wal_full_sync_with_foreign_keys(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_migrations_applied_twice_leave_the_same_schema(db):
    before = schema(db)
    migrations.apply(db)
    migrations.apply(db)
    assert schema(db) == before
    assert migrations.schema_version(db) == migrations.latest_version()


def test_the_whole_data_model_exists_from_the_start(db):
    tables = set(db.table_names())
    assert {
        "staff",
        "children",
        "contacts",
        "child_contacts",
        "not_permitted",
        "one_off_collections",
        "credentials",
        "attendance",
        "register_corrections",
        "staff_attendance",
        "organisations",
        "visitors",
        "visits",
        "supervision_periods",
        "expected_visits",
        "alerts",
        "audit_log",
        "settings",
        "rooms",
    } <= tables


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError), write(db):
        db["children"].insert(
            {
                "first_name": "No",
                "last_name": "Room",
                "date_of_birth": "2023-01-01",
                "room_id": 999,
                "created_at": clock.stamp(),
            }
        )
    assert db["children"].count == 0


def test_a_failed_write_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError), write(db):
        db["settings"].insert({"key": "setting_name", "value": "Half done"})
        raise RuntimeError("power cut, as it were")
    assert db["settings"].count == 0


def test_a_child_cannot_be_signed_in_twice_at_once(db):
    with write(db):
        room = db.execute("SELECT id FROM rooms LIMIT 1").fetchone()[0]
        child = (
            db["children"]
            .insert(
                {
                    "first_name": "A",
                    "last_name": "B",
                    "date_of_birth": "2023-01-01",
                    "room_id": room,
                    "created_at": clock.stamp(),
                }
            )
            .last_pk
        )
        row = {
            "child_id": child,
            "day": "2026-11-22",
            "arrived_at": clock.stamp(),
            "created_at": clock.stamp(),
        }
        db["attendance"].insert(row)
    with pytest.raises(sqlite3.IntegrityError), write(db):
        db["attendance"].insert(row)
    assert db["attendance"].count == 1


def test_the_audit_log_is_append_only(db):
    from doorbook import audit

    entry = audit.record(db, audit.SYSTEM, "test_entry")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), write(db):
        db.execute("UPDATE audit_log SET action = 'changed' WHERE id = ?", [entry])
    with pytest.raises(sqlite3.IntegrityError, match="retention"), write(db):
        db.execute("DELETE FROM audit_log WHERE id = ?", [entry])
    assert db["audit_log"].get(entry)["action"] == "test_entry"


def test_a_database_with_the_wrong_settings_is_refused(tmp_path, monkeypatch):
    from doorbook import db as database

    real_connect = sqlite3.connect

    class NoWal(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.startswith("PRAGMA journal_mode = WAL"):
                return super().execute("PRAGMA journal_mode = DELETE")
            return super().execute(sql, *args)

    monkeypatch.setattr(
        database.sqlite3, "connect", lambda *a, **k: real_connect(*a, factory=NoWal, **k)
    )
    with pytest.raises(database.DatabaseSetupError, match="journal_mode=wal"):
        open_db(tmp_path / "x.db")


def test_local_days_are_23_and_25_hours_when_the_clocks_change():
    from datetime import date

    start, end = clock.day_bounds(date(2026, 3, 29), "Europe/London")
    assert (clock.parse(end) - clock.parse(start)).total_seconds() == 23 * 3600
    start, end = clock.day_bounds(date(2026, 10, 25), "Europe/London")
    assert (clock.parse(end) - clock.parse(start)).total_seconds() == 25 * 3600
    assert clock.day_bounds(date(2026, 7, 1), "Europe/London")[0] == "2026-06-30 23:00:00.000000"
