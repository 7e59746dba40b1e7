"""A group of settings at scale: 100 sites, each with a year of a 60-place setting.

Builds one site (the demo setting plus a year of bench/scale.py's register and visits, at 60
places), replicates it once with the real Litestream, and gives each of the N sites its own
copy of that replica (the same records under N names: Litestream replicas are plain files).
Then, as the group's office would:

- `doorbook group refresh`: the time to restore every site's copy (first time), and again
  when nothing changed (what each refresh costs in the steady state);
- the group dashboard's render p95 (50 requests, logged in);
- a cross-site report for the last year (attendance, agencies, unsupervised minutes, alerts);
- the office process's peak memory.

    .venv/bin/python bench/group.py [--sites 100] [--places 60] [--years 1]

Bounded: about a minute for 100 sites on the 2-core development machine; --sites 20 for a
quicker look.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
# This file is called group.py, like the office's own package: look for packages elsewhere
# first (bench's own modules, scale and common, are still found).
sys.path[:] = [p for p in sys.path if p not in (HERE, "")]
from group import create_group_app  # noqa: E402  (the package, not this file)

sys.path.append(HERE)

import scale  # noqa: E402
from common import BIN, percentile  # noqa: E402

from doorbook import clock, create_app, group, replication, settings  # noqa: E402
from doorbook.db import get_db  # noqa: E402
from doorbook.demo import load as load_demo  # noqa: E402


def build(folder: Path, sites: int, places: int, years: int) -> float:
    site = folder / "template"
    app = create_app({"DATA_DIR": str(site)})
    with app.app_context():
        db = get_db()
        load_demo(db)
        scale.PLACES = places
        scale.fill(db, years)
        replica = folder / "replica-template"
        settings.set_many(db, {"replica_url": str(replica)})
        replication.heartbeat(db)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    config = replication.write_config(
        folder / "litestream.yml",
        replication.litestream_config(
            site / "doorbook.db", replication.parse_destination(str(replica))
        ),
    )
    subprocess.run(
        [replication.litestream_binary(), "replicate", "-once", "-config", str(config)],
        check=True,
        capture_output=True,
    )
    office = group.open_group(folder / "office")
    for n in range(sites):
        shutil.copytree(replica, folder / "replicas" / f"site-{n:03d}")
        group.add_site(
            office, f"site-{n:03d}", f"Nursery {n:03d}", str(folder / "replicas" / f"site-{n:03d}")
        )
    group.create_account(office, "office", "Group Office", "office", "bench-office-password")
    return (site / "doorbook.db").stat().st_size / 1024 / 1024


def refresh_seconds(office: Path) -> float:
    started = time.monotonic()
    subprocess.run(
        [BIN / "doorbook", "group", "refresh", "--group", str(office)],
        check=True,
        capture_output=True,
    )
    return time.monotonic() - started


def measure(office: Path) -> None:
    """Run in a process of its own, so its memory is the office's, not the builder's."""
    app = create_group_app(office, {"WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"username": "office", "password": "bench-office-password"})
    client.get("/")
    samples = []
    for _ in range(50):
        started = time.perf_counter()
        assert client.get("/").status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
    db = group.open_group(office)
    zone = settings.DEFAULTS["timezone"]  # the office's zone, as group/ sets it
    today = clock.today(zone)
    started = time.perf_counter()
    tables = group.report(office, db, today - timedelta(days=365), today, zone=zone)
    report = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"dashboard p50 {percentile(samples, 50):.1f} ms, p95 {percentile(samples, 95):.1f} ms; "
        f"a year's cross-site report {report:.1f} s "
        f"({sum(r[1] for r in tables['attendance']):,} sessions); "
        f"office process peak memory {peak:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--places", type=int, default=60)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    folder = Path(tempfile.mkdtemp(prefix="doorbook-bench-group-"))
    try:
        started = time.monotonic()
        size = build(folder, args.sites, args.places, args.years)
        built = time.monotonic() - started
        office = folder / "office"
        first = refresh_seconds(office)
        again = refresh_seconds(office)
        print(
            f"Group: {args.sites} sites, each {args.years} year(s) of a {args.places}-place "
            f"setting ({size:.1f} MB each; built in {built:.0f} s)"
        )
        print(
            f"refresh all sites: first (restore every copy) {first:.1f} s, "
            f"nothing changed {again:.1f} s"
        )
        peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        subprocess.run([sys.executable, __file__, "--measure", str(office)], check=True)
        print(f"largest child process (doorbook group refresh / litestream) {peak_children:.0f} MB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
