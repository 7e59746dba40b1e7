"""Speed at scale: ten years of a 100-place setting.

Fills a temporary data folder (through the app's own schema) with about 500,000 register
rows and 50,000 visits with supervision, with realistic daily patterns (weekdays, arrivals
07:30-09:30, departures 15:00-18:00, a few visits a day), then prints for that database:
the dashboard's render p95 (budget <= 30 ms), one day's visitor log and register export
(<= 100 ms), one year's CSV (<= 3 s), and the database's size.

    .venv/bin/python bench/scale.py [--years 10]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from common import percentile

from doorbook import clock, create_app, exports, settings
from doorbook.db import get_db, write
from doorbook.demo import load as load_demo

ZONE = ZoneInfo(settings.DEFAULTS["timezone"])  # the demo setting's zone
PLACES = 100


def stamp(day: date, minutes: int) -> str:
    local = datetime.combine(day, datetime.min.time(), tzinfo=ZONE) + timedelta(minutes=minutes)
    return clock.stamp(local)


def fill(db, years: int, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    today = clock.today(settings.timezone(db))
    first_day = today - timedelta(days=365 * years)
    rooms = [r[0] for r in db.execute("SELECT id FROM rooms")]
    staff = [r[0] for r in db.execute("SELECT id FROM staff")]
    with write(db):
        now = clock.stamp()
        db.conn.executemany(
            "INSERT INTO children (first_name, last_name, date_of_birth, room_id, created_at, "
            "sen_support, child_protection_plan) VALUES (?, ?, ?, ?, ?, 0, ?)",
            # Two sessions a day (mornings, afternoons): twice as many children as places.
            [
                (
                    f"Child{n}",
                    f"Family{n}",
                    "2020-01-01",
                    rooms[n % len(rooms)],
                    now,
                    int(n % 97 == 0),
                )
                for n in range(2 * PLACES)
            ],
        )
        children = [
            r[0] for r in db.execute("SELECT id FROM children WHERE first_name LIKE 'Child%'")
        ]
        db.conn.executemany(
            "INSERT INTO organisations (name, dbs_assurance_on_file, created_at) VALUES (?, 1, ?)",
            [(f"Agency {n}", now) for n in range(30)],
        )
    attendance, visits, periods = [], [], []
    day = first_day
    while day < today:
        if day.weekday() < 5:
            for n, child in enumerate(children):
                if rng.random() < 0.95:
                    morning = n % 2 == 0
                    arrive = rng.randint(450, 570) if morning else rng.randint(750, 790)
                    leave = rng.randint(720, 750) if morning else rng.randint(900, 1080)
                    attendance.append(
                        (
                            child,
                            day.isoformat(),
                            stamp(day, arrive),
                            "Parent",
                            stamp(day, leave),
                            "Parent",
                            stamp(day, arrive),
                        )
                    )
            for _ in range(rng.randint(15, 25)):  # therapists, contractors, tours, inspectors
                arrive = rng.randint(540, 960)
                visits.append(
                    (
                        day.isoformat(),
                        stamp(day, arrive),
                        stamp(day, arrive + rng.randint(20, 120)),
                        rng.choice(children) if rng.random() < 0.6 else None,
                    )
                )
        day += timedelta(days=1)
    with write(db):
        db.conn.executemany(
            "INSERT INTO attendance (child_id, day, arrived_at, brought_by_name, departed_at, "
            "collected_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            attendance,
        )
        for n, (day_text, signed_in, signed_out, child) in enumerate(visits):
            visitor = db.conn.execute(
                "INSERT INTO visitors (name, organisation_id, role, created_at) "
                "VALUES (?, ?, 'Visiting professional', ?)",
                (f"Visitor {n}", 1 + n % 30, signed_in),
            ).lastrowid
            visit = db.conn.execute(
                "INSERT INTO visits (visitor_id, kind, day, child_id, signed_in_at, "
                "signed_out_at) VALUES (?, ?, ?, ?, ?, ?)",
                (visitor, "agency" if child else "other", day_text, child, signed_in, signed_out),
            ).lastrowid
            if child:
                periods.append((visit, rng.choice(staff), signed_in, signed_out))
        db.conn.executemany(
            "INSERT INTO supervision_periods (visit_id, staff_id, started_at, ended_at) "
            "VALUES (?, ?, ?, ?)",
            periods,
        )
        # Today: a morning in progress, so the dashboard has something to show.
        db.conn.executemany(
            "INSERT INTO attendance (child_id, day, arrived_at, created_at) VALUES (?, ?, ?, ?)",
            [
                (child, today.isoformat(), clock.stamp(), clock.stamp())
                for child in children[::2][:95]
            ],
        )
    return {"register_rows": len(attendance) + 95, "visits": len(visits)}


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="doorbook-scale-"))
    app = create_app({"DATA_DIR": str(folder), "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db = get_db()
        load_demo(db)
        started = time.perf_counter()
        counts = fill(db, args.years)
        filled = time.perf_counter() - started
        db.execute("PRAGMA optimize")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    client = app.test_client()
    client.post("/admin/login", data={"username": "priya", "password": "acorns-demo-manager"})
    client.get("/admin/dashboard")
    dashboard = timed(lambda: client.get("/admin/dashboard"), 100)

    with app.app_context():
        db = get_db()
        today = clock.today(settings.timezone(db))
        day = today - timedelta(days=30)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        day_export = timed(
            lambda: (
                exports.to_csv(
                    exports.VISITOR_LOG_HEADER,
                    exports.visitor_log_rows(db, exports.visitor_log(db, day)),
                ),
                exports.to_csv(
                    exports.REGISTER_HEADER, exports.register_rows(db, exports.register(db, day))
                ),
            ),
            30,
        )
        year_start = today - timedelta(days=365)

        def year_csv():
            visitor_rows = exports.visitor_log_rows(db, exports.visitor_log(db, year_start, today))
            register_rows = exports.register_rows(db, exports.register(db, year_start, today))
            return (
                exports.to_csv(exports.VISITOR_LOG_HEADER, visitor_rows),
                exports.to_csv(exports.REGISTER_HEADER, register_rows),
            )

        year = timed(year_csv, 3)
    size_mb = sum(p.stat().st_size for p in folder.glob("doorbook.db*")) / 1024 / 1024
    print(
        f"Scale: {args.years} years of a {PLACES}-place setting "
        f"({counts['register_rows']:,} register rows, {counts['visits']:,} visits; "
        f"filled in {filled:.0f} s)"
    )
    print(
        f"  dashboard render:        p50 {statistics.median(dashboard):7.1f} ms, "
        f"p95 {percentile(dashboard, 95):7.1f} ms   (budget p95 <= 30 ms)"
    )
    print(
        f"  one day's log+register:  p50 {statistics.median(day_export):7.1f} ms, "
        f"p95 {percentile(day_export, 95):7.1f} ms   (budget <= 100 ms)"
    )
    print(f"  one year's CSV (both):   best {min(year):7.0f} ms               (budget <= 3000 ms)")
    print(f"  database size:           {size_mb:7.1f} MB")
    print(
        json.dumps(
            {
                "dashboard_p95_ms": round(percentile(dashboard, 95), 1),
                "day_export_p95_ms": round(percentile(day_export, 95), 1),
                "year_csv_ms": round(min(year)),
                "db_mb": round(size_mb, 1),
                **counts,
            }
        )
    )


if __name__ == "__main__":
    main()
