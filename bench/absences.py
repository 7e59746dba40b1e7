"""Absences at scale: ten years of a 100-place setting's bookings, absences and follow-ups.

Fills a temporary data folder (through the app's own schema) with 200 children booked on
weekdays (mornings, afternoons or all day), about 5 % of booked days absent with a reason
and 1 % followed up with two or three calls each, plus ten years of register rows for the
days they came; then prints, for that database, p50/p95 of:

- the dashboard's *Expected today* part (per room, with the staff forecast), over HTTP
  through Flask's test client with a logged-in manager (budget: the dashboard's 30 ms);
- the scheduler's absence check (runs every 20 s in the server);
- the DSL's 4-week prolonged and repeated absence report;
- one day's register CSV with the absences and follow-ups.

    .venv/bin/python bench/absences.py [--years 10]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

from common import percentile

from doorbook import absences, clock, create_app, exports, not_arrived, settings
from doorbook.db import get_db, write
from doorbook.demo import load as load_demo

PLACES = 100
PATTERNS = [
    [(d, "morning") for d in range(5)],
    [(d, "afternoon") for d in range(5)],
    [(0, "all_day"), (2, "all_day"), (4, "all_day")],
    [(1, "all_day"), (3, "all_day")],
]


def fill(db, years: int, seed: int = 11) -> dict[str, int]:
    rng = random.Random(seed)
    zone = settings.timezone(db)
    today = clock.today(zone)
    first = today - timedelta(days=365 * years)
    rooms = [r[0] for r in db.execute("SELECT id FROM rooms")]
    staff = db.execute("SELECT id FROM staff LIMIT 1").fetchone()[0]
    counts = {"booked days": 0, "absences": 0, "follow-ups": 0, "calls": 0, "register": 0}
    with write(db):
        now = clock.stamp()
        children = []
        for n in range(2 * PLACES):
            child = db.execute(
                "INSERT INTO children (first_name, last_name, date_of_birth, room_id, "
                "created_at, sen_support, child_protection_plan) VALUES (?, ?, ?, ?, ?, 0, 0)",
                [f"Kid{n}", f"Scale{n}", "2020-01-01", rooms[n % len(rooms)], now],
            ).lastrowid
            contact = db.execute(
                "INSERT INTO contacts (name, phone, language, active, created_at) "
                "VALUES (?, '07700 900000', 'en_GB', 1, ?)",
                [f"Parent of Kid{n}", now],
            ).lastrowid
            db.execute(
                "INSERT INTO child_contacts (child_id, contact_id, relationship, "
                "parental_responsibility, may_collect, updated_at) "
                "VALUES (?, ?, 'mother', 1, 1, ?)",
                [child, contact, now],
            )
            pattern = PATTERNS[n % len(PATTERNS)]
            db.conn.executemany(
                "INSERT INTO booked_sessions (child_id, weekday, session, starts_on, "
                "term_time_only, created_at) VALUES (?, ?, ?, ?, 0, ?)",
                [(child, w, s, first.isoformat(), now) for w, s in pattern],
            )
            children.append((child, contact, {w for w, _ in pattern}))
        absence_rows, follow_up_rows, attendance_rows = [], [], []
        day = first
        while day < today:
            for child, contact, weekdays in children:
                if day.weekday() not in weekdays:
                    continue
                counts["booked days"] += 1
                roll = rng.random()
                iso = day.isoformat()
                if roll < 0.05:
                    absence_rows.append((child, iso, "ill", "phone", "Parent", now))
                elif roll < 0.06:
                    follow_up_rows.append((child, iso, contact))
                else:
                    arrived = clock.stamp(
                        clock.at_local(day, clock_time(8, rng.randint(0, 59)), zone)
                    )
                    left = clock.stamp(
                        clock.at_local(day, clock_time(16, rng.randint(0, 59)), zone)
                    )
                    attendance_rows.append((child, iso, arrived, left, arrived))
            day += timedelta(days=1)
        db.conn.executemany(
            "INSERT INTO absences (child_id, day, reason, reported_via, reported_by_name, "
            "reported_at) VALUES (?, ?, ?, ?, ?, ?)",
            absence_rows,
        )
        db.conn.executemany(
            "INSERT INTO attendance (child_id, day, arrived_at, departed_at, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            attendance_rows,
        )
        for child, iso, contact in follow_up_rows:
            follow_up = db.execute(
                "INSERT INTO follow_ups (child_id, day, session_starts_at, started_at, ended_at, "
                "ended_because, end_note) VALUES (?, ?, ?, ?, ?, 'closed_by_dsl', 'bench')",
                [child, iso, now, now, now],
            ).lastrowid
            calls = rng.randint(2, 3)
            db.conn.executemany(
                "INSERT INTO contact_attempts (follow_up_id, contact_id, contact_name, phone, "
                "made_by, made_at, outcome) VALUES (?, ?, 'Parent', '07700 900000', ?, ?, "
                "'no_answer')",
                [(follow_up, contact, staff, now)] * calls,
            )
            counts["calls"] += calls
        counts["absences"] = len(absence_rows)
        counts["follow-ups"] = len(follow_up_rows)
        counts["register"] = len(attendance_rows)
    db.execute("ANALYZE")
    return counts


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="doorbook-absences-bench-"))
    app = create_app({"DATA_DIR": str(folder), "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db = get_db()
        load_demo(db)
        started = time.perf_counter()
        counts = fill(db, args.years)
        print(
            f"filled {args.years} years in {time.perf_counter() - started:.0f} s: "
            + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        )
        today = clock.today(settings.timezone(db))
        figures = {
            "absence check (scheduler, every 20 s)": timed(
                lambda: not_arrived.check(db), args.runs
            ),
            "prolonged and repeated report (4 weeks)": timed(
                lambda: absences.prolonged_and_repeated(db), max(20, args.runs // 10)
            ),
            "day's register CSV with absences": timed(
                lambda: exports.to_csv(exports.REGISTER_HEADER, exports.register_table(db, today)),
                args.runs,
            ),
        }
    client = app.test_client()
    client.post("/admin/login", data={"username": "priya", "password": "acorns-demo-manager"})
    figures["dashboard's Expected today part (HTTP)"] = timed(
        lambda: client.get("/admin/parts/expected", headers={"HX-Request": "true"}), args.runs
    )
    print(f"{'measure':45} {'p50 ms':>8} {'p95 ms':>8}")
    for name, (p50, p95) in figures.items():
        print(f"{name:45} {p50:8.2f} {p95:8.2f}")
    size = sum(p.stat().st_size for p in folder.glob("doorbook.db*"))
    print(f"database: {size / 1e6:.0f} MB in {folder}")


if __name__ == "__main__":
    main()
