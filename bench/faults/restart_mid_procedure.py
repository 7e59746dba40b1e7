"""Restart mid-procedure: open alerts and the uncollected-child escalation survive restarts
and kills, and no step is skipped or repeated.

Starts `doorbook serve` on a fresh demo (loopback, a free port), signs three families'
children in, raises and acknowledges some alerts, then sets closing time 16 minutes ago (the
"closing" and "+15 minutes" steps are due). It restarts the server --restarts times, each time
killing it (SIGKILL, or a clean stop every other time) at a random moment while its scheduler
may be raising the steps. Then closing time moves to 31 minutes ago (the "+30 minutes" step
is due too) and it does the same again. After each phase, with the server up: every due step
exists exactly once for each child still here, and every alert that was open before is still
open, acknowledged as it was. Prints its figures last.

    .venv/bin/python bench/faults/restart_mid_procedure.py [--restarts 20]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import BIN, DemoServer  # noqa: E402
from confirmed import Tally, one_journey  # noqa: E402
from flood import panel_login  # noqa: E402
from journeys import FAMILIES, Kiosk  # noqa: E402

AVA_MOTHER = "278503"  # Jess Thompson
AVA_FATHER = "731946"  # Chris Thompson: parental responsibility, may not collect

STEPS = (0, 15, 30)  # minutes after closing: doorbook.uncollected.STEPS
ZONES = ("Europe/London", "America/New_York", "Asia/Tokyo", "Pacific/Auckland")


def zone_and_closing(minutes_ago: int) -> tuple[str, str]:
    """A time zone whose local time is well inside a day, and closing time in it."""
    for zone in ZONES:
        local = datetime.now(UTC).astimezone(ZoneInfo(zone))
        if local.hour >= 1 and local.hour < 23:
            return zone, (local - timedelta(minutes=minutes_ago)).strftime("%H:%M")
    raise RuntimeError("no time zone fits")


def settings_set(data: Path, key: str, value: str) -> None:
    subprocess.run(
        [BIN / "doorbook", "--data", str(data), "settings", "set", key, value],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def alerts_state(database: Path) -> dict[int, tuple]:
    conn = sqlite3.connect(database)
    try:
        return {
            row[0]: tuple(row[1:])
            for row in conn.execute(
                "SELECT id, kind, dedupe_key, acknowledged_at, resolved_at FROM alerts"
            )
        }
    finally:
        conn.close()


def open_attendance(database: Path) -> list[int]:
    conn = sqlite3.connect(database)
    try:
        return [r[0] for r in conn.execute("SELECT id FROM attendance WHERE departed_at IS NULL")]
    finally:
        conn.close()


def steps_raised(state: dict[int, tuple]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind, dedupe_key, *_ in state.values():
        if kind == "not_collected":
            counts[dedupe_key] = counts.get(dedupe_key, 0) + 1
    return counts


def wait_for_steps(server: DemoServer, expected: set[str], seconds: float = 30) -> None:
    """The scheduler checks as the server starts; wait until its check has written."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if expected <= set(steps_raised(alerts_state(server.data / "doorbook.db"))):
            return
        time.sleep(0.2)


def phase(server: DemoServer, restarts: int, rng: random.Random, due: tuple[int, ...]) -> dict:
    database = server.data / "doorbook.db"
    before = alerts_state(database)
    repeated = 0
    for n in range(restarts):
        server.start()
        server.wait_ready()
        time.sleep(rng.uniform(0.0, 0.4))
        if n % 2:
            server.__exit__()  # a clean stop (SIGTERM), as systemd does
        else:
            server.kill()
        repeated += sum(count - 1 for count in steps_raised(alerts_state(database)).values())
    server.start()
    server.wait_ready()
    expected = {f"not_collected:{a}:{m}" for a in open_attendance(database) for m in due}
    wait_for_steps(server, expected)
    after = alerts_state(database)
    raised = steps_raised(after)
    changed = [
        alert_id
        for alert_id, row in before.items()
        if after.get(alert_id) != row and row[0] != "not_collected"
    ]
    return {
        "restarts": restarts,
        "steps_due": len(expected),
        "steps_skipped": len(expected - set(raised)),
        "steps_repeated": repeated + sum(count - 1 for count in raised.values()),
        "steps_not_due_raised": len(set(raised) - expected),
        "earlier_alerts_changed": len(changed),
        "open_alerts": sum(1 for row in after.values() if row[3] is None),
    }


def run(restarts: int, seed: int | None = None) -> dict:
    rng = random.Random(seed)
    started = time.monotonic()
    server = DemoServer()
    try:
        with server:
            tally = Tally()
            kiosk = Kiosk(server.port)
            for _, pin in FAMILIES[:3]:
                one_journey(kiosk, pin, tally)  # signed in: these children are still here
            kiosk.home()
            kiosk.htmx("POST", "/help")  # an alert the manager acknowledges
            panel = panel_login(server.port)
            alerts = panel.request("GET", "/admin/parts/alerts")
            alert_id = re.search(r"/admin/alerts/(\d+)/acknowledge", alerts).group(1)
            panel.request("POST", f"/admin/alerts/{alert_id}/acknowledge", {"note": "coming"})
            panel.close()
            one_journey(kiosk, AVA_MOTHER, tally)  # Ava is here too ...
            kiosk.home()
            kiosk.pad()
            screen = kiosk.identify(AVA_FATHER)  # ... and her father may not collect her:
            kiosk.act(screen, "sign-out")  # a refused collection, left unacknowledged
            kiosk.close()
        zone, closing = zone_and_closing(16)
        settings_set(server.data, "timezone", zone)
        settings_set(server.data, "closing_time", closing)
        first = phase(server, restarts, rng, due=(0, 15))
        server.__exit__()
        _, closing = zone_and_closing(31)
        settings_set(server.data, "closing_time", closing)
        second = phase(server, restarts, rng, due=STEPS)
    finally:
        server.__exit__()
    return {
        "children_still_here": len(tally.confirmed),
        "after_closing_plus_16_min": first,
        "after_closing_plus_31_min": second,
        "seconds": round(time.monotonic() - started, 1),
    }


def passed(figures: dict) -> bool:
    return all(
        figures[name]["steps_skipped"] == 0
        and figures[name]["steps_repeated"] == 0
        and figures[name]["steps_not_due_raised"] == 0
        and figures[name]["earlier_alerts_changed"] == 0
        for name in ("after_closing_plus_16_min", "after_closing_plus_31_min")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restarts", type=int, default=20)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    figures = run(min(args.restarts, 200), args.seed)
    for name in ("after_closing_plus_16_min", "after_closing_plus_31_min"):
        f = figures[name]
        print(
            f"{name.replace('_', ' ')}: {f['restarts']} restarts (half of them kill -9), "
            f"{f['steps_due']} steps due, {f['steps_skipped']} skipped, "
            f"{f['steps_repeated']} repeated, {f['steps_not_due_raised']} raised early; "
            f"{f['earlier_alerts_changed']} earlier alerts changed"
        )
    print(json.dumps(figures))
    sys.exit(0 if passed(figures) else 1)


if __name__ == "__main__":
    main()
