"""Crash durability: SIGKILL the server at random moments while kiosks sign families in and
out, then check that every change a kiosk confirmed on screen is in the database and that
SQLite's integrity check is ok.

Starts `doorbook serve` on a fresh demo (loopback, a free port). Each round: start the server,
let two kiosks run drop-offs and collections for a random 20-500 ms after their first
answer, kill -9 the server (a power cut, as far as the process can tell), run `PRAGMA
integrity_check`, and go on. At the end every confirmed sign-in and sign-out must be found.
Bounded by --kills and --max-seconds; prints its figures last.

    .venv/bin/python bench/faults/kill_during_sign_ins.py [--kills 300] [--max-seconds 900]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import DemoServer  # noqa: E402
from confirmed import Tally, integrity, kiosk_loop, missing  # noqa: E402
from journeys import FAMILIES  # noqa: E402


def run(kills: int, max_seconds: float = 900, seed: int | None = None, data: Path | None = None):
    rng = random.Random(seed)
    tally = Tally()
    started = time.monotonic()
    bad_integrity = []
    server = DemoServer(data=data)
    done = 0
    try:
        while done < kills:
            done += 1
            server.wait_ready()
            stop = threading.Event()
            kiosks = [
                threading.Thread(
                    target=kiosk_loop,
                    args=(server.port, [pin for _, pin in FAMILIES[i::2]], tally, stop),
                )
                for i in range(2)
            ]
            answered_before = tally.answers
            for kiosk in kiosks:
                kiosk.start()
            # The random moment counts from the kiosks' first answer, so that a busy machine,
            # slow to serve the first request after a restart, still kills mid-journey.
            first_answer_by = time.monotonic() + 15
            while tally.answers == answered_before and time.monotonic() < first_answer_by:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.02, 0.5))
            server.kill()
            stop.set()
            for kiosk in kiosks:
                kiosk.join(timeout=15)
            result = integrity(server.data / "doorbook.db")
            if result != "ok":
                bad_integrity.append(result)
            if time.monotonic() - started > max_seconds:
                break
            server.start()
    finally:
        server.__exit__()
    lost = missing(server.data / "doorbook.db", tally.confirmed)
    return {
        "kills": done,
        "journeys_confirmed": tally.journeys,
        "changes_confirmed": len(tally.confirmed),
        "changes_lost": len(lost),
        "requests_cut_off_by_a_kill": tally.cut_off,
        "integrity_not_ok": len(bad_integrity),
        "server_errors": len(tally.server_errors),
        "seconds": round(time.monotonic() - started, 1),
        "lost": [vars(change) for change in lost[:10]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    figures = run(args.kills, args.max_seconds, args.seed)
    print(
        f"{figures['kills']} kills in {figures['seconds']} s: "
        f"{figures['changes_confirmed']} confirmed changes ({figures['journeys_confirmed']} "
        f"journeys), {figures['changes_lost']} lost; integrity_check not ok "
        f"{figures['integrity_not_ok']} times; {figures['requests_cut_off_by_a_kill']} "
        f"requests cut off by a kill"
    )
    print(json.dumps(figures))
    sys.exit(0 if figures["changes_lost"] == 0 and figures["integrity_not_ok"] == 0 else 1)


if __name__ == "__main__":
    main()
