"""What the fault scripts share: kiosks that keep signing families in and out, writing down
every change the kiosk confirmed on screen, and the check that each one is in the database."""

from __future__ import annotations

import html
import http.client
import re
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from journeys import Kiosk  # noqa: E402

STORED_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # doorbook.clock's


def stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime(STORED_FORMAT)


@dataclass
class Confirmed:
    child_id: int
    name: str
    action: str  # sign-in | sign-out
    sent: float  # wall clock, when the kiosk's request left
    answered: float


@dataclass
class Tally:
    confirmed: list[Confirmed] = field(default_factory=list)
    journeys: int = 0
    cut_off: int = 0  # requests that got no answer (the server was killed under them)
    server_errors: list[str] = field(default_factory=list)  # any 5xx, with its path
    locked: int = 0  # answers that mention "database is locked"
    answers: int = 0  # every answer the server gave, whatever it said
    lock: threading.Lock = field(default_factory=threading.Lock)


def children_on(screen: str, action: str) -> dict[int, str]:
    """The children offered on the screen's sign-in or sign-out form: {id: name}."""
    parts = screen.split(f'hx-post="/parent/{action}"', 1)
    if len(parts) < 2:
        return {}
    form = parts[1].split("</form>", 1)[0]
    found = re.findall(
        r'name="child" value="(\d+)" checked> <span>([^<]+?)(?: <small>|</span>)', form
    )
    return {int(child_id): html.unescape(name.strip()) for child_id, name in found}


def one_journey(kiosk: Kiosk, pin: str, tally: Tally) -> None:
    """A family at the kiosk: sign in whoever is not here, or else sign out whoever is."""
    home = kiosk.home()
    check(home, "/", tally)
    kiosk.page_files()
    kiosk.load_parts(home)
    pad = kiosk.pad()
    check(pad, "/parent", tally)
    kiosk.load_parts(pad)
    screen = kiosk.identify(pin)
    check(screen, "/parent/identify", tally)
    kiosk.load_parts(screen)
    action = "sign-in" if children_on(screen.body, "sign-in") else "sign-out"
    offered = children_on(screen.body, action)
    if not offered:
        return
    sent = time.time()
    done = kiosk.act(screen, action)
    answered = time.time()
    check(done, f"/parent/{action}", tally)
    if done.status != 200 or 'id="done-title"' not in done.body:
        return
    kiosk.load_parts(done)
    # The confirmation names each child (in the family's language); only this kiosk acts
    # for this family, so each child named was changed by this request.
    results = done.body.split('class="results"', 1)[-1]
    with tally.lock:
        tally.journeys += 1
        for child_id, name in offered.items():
            if html.escape(name) in results:
                tally.confirmed.append(Confirmed(child_id, name, action, sent, answered))
    kiosk.reset()


def check(answer, path: str, tally: Tally) -> None:
    with tally.lock:
        tally.answers += 1
    if answer.status >= 500:
        with tally.lock:
            tally.server_errors.append(f"{answer.status} {path}")
    if "database is locked" in answer.body:
        with tally.lock:
            tally.locked += 1


def kiosk_loop(port: int, pins: list[str], tally: Tally, stop: threading.Event) -> None:
    """One kiosk, round its families until ``stop``; a request the server never answers
    (killed) is counted as cut off, and the kiosk starts again, as its page would."""
    kiosk = Kiosk(port, timeout=10)
    turn = 0
    while not stop.is_set():
        try:
            one_journey(kiosk, pins[turn % len(pins)], tally)
            turn += 1
        except (OSError, http.client.HTTPException, RuntimeError, AttributeError):
            with tally.lock:
                tally.cut_off += 1
            kiosk.close()
            if stop.wait(0.05):
                break
            kiosk = Kiosk(port, timeout=10)
    kiosk.close()


def missing(database: Path, confirmed: list[Confirmed]) -> list[Confirmed]:
    """The confirmed changes not found in the database (must be none)."""
    conn = sqlite3.connect(database)
    try:
        lost = []
        for change in confirmed:
            column = "arrived_at" if change.action == "sign-in" else "departed_at"
            row = conn.execute(
                f"SELECT 1 FROM attendance WHERE child_id = ? AND {column} BETWEEN ? AND ?",  # noqa: S608
                [
                    change.child_id,
                    stamp(change.sent - 1),
                    stamp(change.answered + 1),
                ],
            ).fetchone()
            if row is None:
                lost.append(change)
        return lost
    finally:
        conn.close()


def integrity(database: Path) -> str:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
