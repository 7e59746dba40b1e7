"""The data folder's disk fills up: the kiosk tells the person to use the paper book, the
manager is alerted, nothing already saved is lost, and service resumes by itself when space
returns (no restart).

Needs root: the data folder is a small tmpfs of its own (mounted here, unmounted at the end).
Starts `doorbook serve` on it (loopback, a free port), signs three families in, fills the
disk, tries three more families at the kiosk while a manager's panel is open, frees the
space, and tries them again. Prints its figures last.

    sudo .venv/bin/python bench/faults/disk_full.py
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import BIN, DemoServer  # noqa: E402
from confirmed import Tally, integrity, missing, one_journey  # noqa: E402
from flood import panel_login  # noqa: E402
from journeys import FAMILIES, Kiosk  # noqa: E402

# Families whose kiosk language is English, so the answer's words can be read here.
ENGLISH = [
    pin
    for name, pin in FAMILIES
    if name not in ("Katarzyna Nowak", "Imran Khan", "Ricardo Fernandes")
]
BEFORE, DURING = ENGLISH[:3], ENGLISH[3:6]
DISK = "4m"


@contextlib.contextmanager
def small_disk():
    folder = Path(tempfile.mkdtemp(prefix="doorbook-full-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0700", "doorbook-full", folder],
        check=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", folder], check=False)
        with contextlib.suppress(OSError):
            folder.rmdir()


def fill(folder: Path) -> Path:
    """Write a file until the disk says it is full."""
    filler = folder / "filler"
    out = open(filler, "wb", buffering=0)  # noqa: SIM115
    try:
        for size in (65536, 512):  # then the last partial block too
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * size)
    finally:
        with contextlib.suppress(OSError):
            out.close()
    return filler


def watch_stream(port: int, cookie: str, events: list, stop: threading.Event) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/admin/events", headers={"Cookie": cookie})
    response = conn.getresponse()
    while not stop.is_set():
        try:
            line = response.readline()
        except TimeoutError:
            continue
        if not line:
            break
        if line.startswith(b"event: alerts"):
            events.append(time.monotonic())
    conn.close()


def attempt(port: int, pin: str, tally: Tally) -> tuple[int, str]:
    """A family at the kiosk; returns the status and text of the kiosk's last answer."""
    kiosk = Kiosk(port)
    try:
        before = len(tally.confirmed)
        one_journey(kiosk, pin, tally)
        if len(tally.confirmed) > before:
            return 200, "signed"
        return 0, ""
    except RuntimeError:
        return 0, ""
    finally:
        kiosk.close()


def refused_answer(port: int, pin: str) -> tuple[int, str, bool]:
    """PIN, then the sign-in tap; the answer the person sees (status, text, for the page)."""
    kiosk = Kiosk(port)
    try:
        kiosk.home()
        kiosk.pad()
        answer = kiosk.identify(pin)
        if answer.status == 200 and 'hx-post="/parent/sign-in"' in answer.body:
            answer = kiosk.act(answer, "sign-in")
        return answer.status, answer.body, "x-doorbook-answer" in answer.headers
    finally:
        kiosk.close()


def run() -> dict:
    if os.geteuid() != 0:
        raise PermissionError("disk_full.py mounts a small tmpfs: run it as root")
    started = time.monotonic()
    tally = Tally()
    figures: dict = {}
    with small_disk() as folder:
        data = folder / "data"
        subprocess.run(
            [BIN / "doorbook", "--data", str(data), "demo"], check=True, stdout=subprocess.DEVNULL
        )
        with DemoServer(data=data) as server:
            for pin in BEFORE:
                attempt(server.port, pin, tally)
            saved_before = list(tally.confirmed)
            panel = panel_login(server.port)
            cookie = "doorbook_admin=" + panel.cookies["doorbook_admin"]
            events: list[float] = []
            stop = threading.Event()
            watcher = threading.Thread(
                target=watch_stream, args=(server.port, cookie, events, stop), daemon=True
            )
            watcher.start()
            time.sleep(0.3)

            filler = fill(folder)
            answers = [refused_answer(server.port, pin) for pin in DURING]
            time.sleep(0.3)
            alerts_part = panel.request("GET", "/admin/parts/alerts")
            figures["kiosk_answers_while_full"] = [status for status, _, _ in answers]
            figures["kiosk_said_paper_book"] = sum(
                "paper book" in body and marked for _, body, marked in answers
            )
            figures["panel_shows_disk_full"] = "The disk is full" in alerts_part
            figures["stream_events_while_full"] = len(events)
            figures["healthz_while_full"] = server.healthz()

            for leftover in folder.glob("filler*"):
                leftover.unlink()
            del filler
            resumed = [attempt(server.port, pin, tally)[0] for pin in DURING]
            figures["kiosk_after_space_returned"] = resumed
            figures["healthz_after"] = server.healthz()
            alerts_part = panel.request("GET", "/admin/parts/alerts")
            figures["panel_has_disk_was_full_alert"] = (
                "The disk was full: nothing could be saved" in alerts_part
            )
            stop.set()
            panel.close()
        database = data / "doorbook.db"
        figures["confirmed_before_full"] = len(saved_before)
        figures["confirmed_lost"] = len(missing(database, tally.confirmed))
        figures["integrity"] = integrity(database)
        figures["database_locked_in_log"] = server.log_text().count("database is locked")
    figures["seconds"] = round(time.monotonic() - started, 1)
    return figures


def passed(figures: dict) -> bool:
    return (
        figures["kiosk_said_paper_book"] == len(DURING)
        and all(status == 503 for status in figures["kiosk_answers_while_full"])
        and figures["panel_shows_disk_full"]
        and figures["stream_events_while_full"] > 0
        and figures["kiosk_after_space_returned"] == [200] * len(DURING)
        and figures["healthz_after"] == 200
        and figures["panel_has_disk_was_full_alert"]
        and figures["confirmed_lost"] == 0
        and figures["integrity"] == "ok"
    )


def main() -> None:
    figures = run()
    print(
        f"disk full: {figures['kiosk_said_paper_book']} of {len(DURING)} families told to use "
        f"the paper book (answers {figures['kiosk_answers_while_full']}); panel alerted: "
        f"{figures['panel_shows_disk_full']} ({figures['stream_events_while_full']} live "
        f"events); /healthz {figures['healthz_while_full']} while full, "
        f"{figures['healthz_after']} after; space back: {figures['kiosk_after_space_returned']}"
        f"; {figures['confirmed_lost']} of {figures['confirmed_before_full']} saved changes "
        f"lost; integrity {figures['integrity']}"
    )
    print(json.dumps(figures))
    sys.exit(0 if passed(figures) else 1)


if __name__ == "__main__":
    main()
