"""Concurrent writers: 8 kiosks, 2 admin panels and their open event streams at once.

Starts `doorbook serve` on a fresh demo (loopback, a free port). For --seconds (default 60):
eight kiosks sign their families in and out and now and then press *Call a member of staff*
(an alert); two panels, each with three live event streams open, fetch the dashboard's parts
as the streams say and acknowledge the alerts they see. Checks: no 5xx answer, no "database
is locked" in any answer or in the server's log, every change a kiosk or panel confirmed is in
the database, and SQLite's integrity check is ok. Prints its figures last.

    .venv/bin/python bench/faults/flood.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import sqlite3
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import Client, DemoServer  # noqa: E402
from confirmed import Tally, check, integrity, missing, one_journey  # noqa: E402
from journeys import FAMILIES, Kiosk  # noqa: E402

KIOSKS = 8
PANELS = 2
STREAMS_PER_PANEL = 3
MANAGER = ("priya", "acorns-demo-manager")


def kiosk_worker(port: int, pin: str, tally: Tally, stop: threading.Event, helps: list) -> None:
    kiosk = Kiosk(port, timeout=30)
    turn = 0
    while not stop.is_set():
        one_journey(kiosk, pin, tally)
        turn += 1
        if turn % 5 == 0:  # someone at the door calls for help
            kiosk.home()
            answer = kiosk.htmx("POST", "/help")
            check(answer, "/help", tally)
            if answer.status == 200:
                helps.append(time.time())
    kiosk.close()


def panel_login(port: int) -> Client:
    panel = Client(port, "/admin/login", timeout=30)
    panel.request(
        "POST",
        "/admin/login",
        {
            "username": MANAGER[0],
            "password": MANAGER[1],
            "csrf_token": panel.headers["X-CSRFToken"],
        },
        expect=(302,),
    )
    page = panel.request("GET", "/admin/dashboard")
    token = re.search(r'"X-CSRFToken": &#34;([^&]+)&#34;', page)
    panel.headers["X-CSRFToken"] = token.group(1)
    return panel


def stream(port: int, cookie: str, events: list, stop: threading.Event) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/admin/events", headers={"Cookie": cookie})
    response = conn.getresponse()
    if response.status != 200:
        events.append(f"refused {response.status}")
        return
    while not stop.is_set():
        line = response.readline()
        if not line:
            return
        if line.startswith(b"event: "):
            events.append(line.strip().decode())
    conn.close()


def panel_worker(
    port: int, tally: Tally, stop: threading.Event, acknowledged: list, statuses: dict
) -> None:
    panel = panel_login(port)
    cookie = "doorbook_admin=" + panel.cookies["doorbook_admin"]
    events: list[str] = []
    streams = [
        threading.Thread(target=stream, args=(port, cookie, events, stop), daemon=True)
        for _ in range(STREAMS_PER_PANEL)
    ]
    for s in streams:
        s.start()
    while not stop.is_set():
        for path in ("/admin/parts/alerts", "/admin/parts/on-site"):
            body = panel.request("GET", path, expect=tuple(range(100, 600)))
            if "database is locked" in body:
                tally.locked += 1
        alerts = panel.request("GET", "/admin/parts/alerts", expect=tuple(range(100, 600)))
        for alert_id in re.findall(r"/admin/alerts/(\d+)/acknowledge", alerts)[:3]:
            panel.request(
                "POST", f"/admin/alerts/{alert_id}/acknowledge", {"note": ""}, expect=(200, 409)
            )
            status = panel.last_status
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                acknowledged.append(int(alert_id))
        time.sleep(0.2)
    panel.close()
    statuses["stream events"] = statuses.get("stream events", 0) + len(events)


def run(seconds: float) -> dict:
    tally = Tally()
    stop = threading.Event()
    helps: list[float] = []
    acknowledged: list[int] = []
    statuses: dict = {}
    with DemoServer(log=True) as server:
        workers = [
            threading.Thread(
                target=kiosk_worker, args=(server.port, FAMILIES[i][1], tally, stop, helps)
            )
            for i in range(KIOSKS)
        ]
        workers += [
            threading.Thread(
                target=panel_worker, args=(server.port, tally, stop, acknowledged, statuses)
            )
            for _ in range(PANELS)
        ]
        started = time.monotonic()
        for worker in workers:
            worker.start()
        stop.wait(seconds)
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
        elapsed = time.monotonic() - started
        healthy = server.healthz()
    database = server.data / "doorbook.db"
    lost = missing(database, tally.confirmed)
    conn = sqlite3.connect(database)
    unacknowledged = [
        alert_id
        for alert_id in acknowledged
        if conn.execute("SELECT acknowledged_at FROM alerts WHERE id = ?", [alert_id]).fetchone()[0]
        is None
    ]
    conn.close()
    log = server.log_text()
    return {
        "seconds": round(elapsed, 1),
        "kiosks": KIOSKS,
        "panels": PANELS,
        "streams": PANELS * STREAMS_PER_PANEL,
        "journeys_confirmed": tally.journeys,
        "changes_confirmed": len(tally.confirmed),
        "changes_lost": len(lost),
        "help_alerts": len(helps),
        "acknowledgements_confirmed": len(acknowledged),
        "acknowledgements_lost": len(unacknowledged),
        "stream_events": statuses.get("stream events", 0),
        "server_errors": len(tally.server_errors),
        "database_locked": tally.locked + log.count("database is locked"),
        "tracebacks_in_log": log.count("Traceback"),
        "integrity": integrity(database),
        "healthz_after": healthy,
    }


def passed(figures: dict) -> bool:
    return (
        figures["changes_lost"] == 0
        and figures["acknowledgements_lost"] == 0
        and figures["server_errors"] == 0
        and figures["database_locked"] == 0
        and figures["integrity"] == "ok"
        and figures["healthz_after"] == 200
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    figures = run(min(args.seconds, 600))
    print(
        f"{figures['seconds']} s, {KIOSKS} kiosks, {PANELS} panels, {figures['streams']} "
        f"streams: {figures['journeys_confirmed']} journeys, {figures['changes_confirmed']} "
        f"confirmed changes, {figures['changes_lost']} lost; {figures['help_alerts']} help "
        f"alerts, {figures['acknowledgements_confirmed']} acknowledged "
        f"({figures['acknowledgements_lost']} lost); {figures['server_errors']} 5xx; "
        f"{figures['database_locked']} 'database is locked'; integrity {figures['integrity']}"
    )
    print(json.dumps(figures))
    sys.exit(0 if passed(figures) else 1)


if __name__ == "__main__":
    main()
