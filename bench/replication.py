"""Never lose a day: how far behind the off-site copy runs, and how long a restore takes.

1. Lag: `doorbook serve` on the demo and `doorbook replicate` (the real Litestream) to a
   folder; the kiosk signs a family in or out over HTTP, then the replica folder is watched
   for the change's LTX file. Prints p50/p95 seconds from the kiosk's confirmation to the
   change being on the replica.
2. Restore: ten years of a 100-place setting (bench/scale.py's data) is replicated, then
   `doorbook restore --from` rebuilds it in an empty folder (Litestream's restore plus
   Doorbook's checks). Prints the time.

    .venv/bin/python bench/replication.py [--changes 30] [--years 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from common import BIN, Client, DemoServer, percentile
from scale import fill

from doorbook import create_app, replication
from doorbook.db import get_db
from doorbook.demo import load as load_demo

PIN = "482913"  # the demo's Rachel Hart, two children


def start_replicator(data: Path, copy: Path, scratch: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        replication.ENV_URL: str(copy),
        "RUNTIME_DIRECTORY": str(scratch / "run"),
    }
    return subprocess.Popen(
        [BIN / "doorbook", "--data", str(data), "replicate"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=120)


def ltx_files(copy: Path) -> set[str]:
    folder = copy / "ltx" / "0"
    return set(os.listdir(folder)) if folder.exists() else set()


def wait_for_new_file(copy: Path, known: set[str], seconds: float = 60) -> float:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ltx_files(copy) - known:
            return time.monotonic()
        time.sleep(0.01)
    raise RuntimeError("the change never reached the replica")


def lag(changes: int) -> list[float]:
    scratch = Path(tempfile.mkdtemp(prefix="doorbook-bench-replication-"))
    copy = scratch / "copy"
    with DemoServer() as server:
        replicator = start_replicator(server.data, copy, scratch)
        try:
            wait_for_new_file(copy, set())
            time.sleep(3)  # the first snapshot and compaction settle
            samples = []
            for n in range(changes):
                known = ltx_files(copy)
                with Client(server.port) as kiosk:
                    page = kiosk.request("POST", "/parent/identify", {"credential": PIN})
                    nonce = page.split('name="nonce" value="', 1)[1].split('"', 1)[0]
                    children = [
                        part.split('"', 1)[0] for part in page.split('name="child" value="')[1:]
                    ]
                    kiosk.request(
                        "POST",
                        f"/parent/sign-{'in' if n % 2 == 0 else 'out'}",
                        {"nonce": nonce, "child": children},
                    )
                    confirmed = time.monotonic()
                samples.append(wait_for_new_file(copy, known) - confirmed)
                time.sleep(0.5)
        finally:
            stop(replicator)
    shutil.rmtree(scratch, ignore_errors=True)
    return samples


def restore_time(years: int) -> tuple[float, float, dict[str, int]]:
    scratch = Path(tempfile.mkdtemp(prefix="doorbook-bench-restore-"))
    data, copy, fresh = scratch / "pi", scratch / "copy", scratch / "new-pi"
    app = create_app({"DATA_DIR": str(data)})
    with app.app_context():
        db = get_db()
        load_demo(db)
        fill(db, years)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_mb = (data / "doorbook.db").stat().st_size / 1024 / 1024
    replicator = start_replicator(data, copy, scratch)
    try:
        deadline = time.monotonic() + 600
        while not (replication.read_status(data) or {}).get("reached_at"):
            if time.monotonic() > deadline:
                raise RuntimeError("the first copy never arrived")
            time.sleep(0.5)
    finally:
        stop(replicator)
    started = time.monotonic()
    result = subprocess.run(
        [BIN / "doorbook", "--data", str(fresh), "restore", "--from", str(copy)],
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    counts = replication.verify(fresh / "doorbook.db")
    shutil.rmtree(scratch, ignore_errors=True)
    return took, size_mb, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=30, help="kiosk changes to time")
    parser.add_argument("--years", type=int, default=10, help="years of data to restore")
    args = parser.parse_args()
    samples = lag(args.changes) if args.changes else []
    if samples:
        print(
            f"Lag, kiosk confirmation -> change on the replica ({len(samples)} changes, "
            f"Litestream sync-interval {replication.SYNC_INTERVAL}): "
            f"p50 {percentile(samples, 50):.2f} s, p95 {percentile(samples, 95):.2f} s, "
            f"max {max(samples):.2f} s"
        )
    took, size_mb, counts = restore_time(args.years)
    print(
        f"Restore of {args.years} years of a 100-place setting ({size_mb:.0f} MB, "
        f"{counts['attendance']:,} register rows, {counts['visits']:,} visits) from a folder "
        f"replica with `doorbook restore --from`, checks included: {took:.1f} s"
    )


if __name__ == "__main__":
    main()
