"""A Pi's budget: the kiosk's journeys with the server held to a Raspberry Pi 4's CPU, while a
headless Chromium renders the kiosk at the same time.

Needs root and the cgroup v1 `cpu` controller (/sys/fs/cgroup/cpu), as on the development
machine; every cgroup it makes is removed at the end.

Calibration. A small pure-Python loop (hashing, dicts, strings: the kind of work a request
does) is timed here, unconstrained, on one core. A Pi 4 core (Cortex-A72, 1.5 GHz) runs such
code about PI_FACTOR times slower than this machine's core (DESIGN.md: "a Pi 4 is roughly
3-5x slower"; 4 is used unless --pi-factor or --pi-score says otherwise; on a real Pi,
`python bench/pi_budget.py --calibrate` prints its own score to pass as --pi-score). One Pi
core is then a CFS quota of 1/PI_FACTOR of a core here, and the bench checks it by running
the loop inside that quota. The "Pi" is a cgroup with the quota of 4 Pi cores; inside it, the
server is capped at one Pi core (its Python threads share one interpreter lock, so one core
is what it can use on the Pi too), and Chromium has the rest.

Three runs, each the same drop-offs and collections (bench/journeys.py, one kiosk):
  1. the Pi, no browser rendering;
  2. the Pi with Chromium rendering the kiosk non-stop, no priority: every thread of every
     Chromium process competes with the server's threads one for one (no CPU controller);
  3. the same with the service unit's priority (deploy/doorbook.service: CPUWeight=1000,
     which also turns systemd's CPU controller on): the server's group has ten times the
     browser's weight.
Prints p50/p95/p99 per step for each run, and the calibration, last.

    sudo .venv/bin/python bench/pi_budget.py [--journeys 200] [--pi-factor 4]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import stat
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from common import DemoServer, percentile
from journeys import FAMILIES, Kiosk, journey

CPU_ROOT = Path("/sys/fs/cgroup/cpu")
# A short period: with 100 ms, a group that used its quota early would stall for up to
# 75 ms, which is CFS's rhythm, not a slower core's.
PERIOD_US = 10_000
PI_CORES = 4
PI_FACTOR = 4.0
WEIGHT_RATIO = 10  # CPUWeight=1000 against the default 100
STEPS = ("home", "pad", "identify", "parts", "sign in", "sign out", "reset")


def calibration_loop(rounds: int) -> None:
    data = {}
    for n in range(rounds):
        key = f"child-{n % 97}"
        data[key] = hashlib.sha256(key.encode()).hexdigest()[:12] + str(n)
        " ".join(sorted(data)[:5]).upper().split()


def calibration_score(seconds: float = 1.0, clock=time.thread_time) -> float:
    """Loop rounds per second (the median of three tries). By CPU time, the core's own
    speed, whatever else the machine is doing; by wall time (``time.perf_counter``), what
    a process gets inside a quota."""
    scores = []
    for _ in range(3):
        rounds, started, wall = 0, clock(), time.perf_counter()
        while time.perf_counter() - wall < seconds:
            calibration_loop(200)
            rounds += 200
        scores.append(rounds / (clock() - started))
    return sorted(scores)[1]


class Cgroup:
    """A cgroup v1 `cpu` group of our own, removed on close."""

    def __init__(self, name: str, parent: Path = CPU_ROOT):
        self.path = parent / name
        self.path.mkdir()

    def quota(self, cores: float) -> None:
        (self.path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        (self.path / "cpu.cfs_quota_us").write_text(str(int(PERIOD_US * cores)))

    def shares(self, shares: int) -> None:
        (self.path / "cpu.shares").write_text(str(shares))

    def add(self, pid: int) -> None:
        (self.path / "cgroup.procs").write_text(str(pid))

    def child(self, name: str) -> Cgroup:
        return Cgroup(name, self.path)

    def remove(self) -> None:
        remove_group(self.path)


def remove_group(path: Path) -> None:
    """Move what is left in a group (and its children) back to the root; remove them."""
    if not path.exists():
        return
    for sub in path.iterdir():
        if sub.is_dir():
            remove_group(sub)
    for pid in (path / "cgroup.procs").read_text().split():
        with contextlib.suppress(OSError):
            (CPU_ROOT / "cgroup.procs").write_text(pid)
    with contextlib.suppress(OSError):
        path.rmdir()


def score_in(group: Cgroup) -> float:
    """The calibration loop's score inside ``group`` (a child process, moved in first)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        group.add(os.getpid())
        os.write(write, f"{calibration_score(clock=time.perf_counter):.0f}".encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as answer:
        return float(answer.read())


def chromium_wrapper(folder: Path, group: Cgroup) -> Path:
    """A script that puts Chromium (and every process it starts) into ``group``."""
    script = folder / "chromium-in-cgroup"
    script.write_text(
        f'#!/bin/sh\necho $$ > "{group.path / "cgroup.procs"}"\nexec /usr/bin/chromium "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def render_kiosk(url: str, executable: Path, stop: threading.Event, counts: dict) -> None:
    """The Pi's own kiosk browser, busy: load the kiosk, open the PIN pad, paint, again."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 800, "height": 480})
        while not stop.is_set():
            page.goto(url)
            page.screenshot()
            page.goto(url + "language")
            page.screenshot()
            counts["renders"] = counts.get("renders", 0) + 2
        browser.close()


def journeys_under(server: DemoServer, count: int) -> dict[str, list[float]]:
    kiosk = Kiosk(server.port, timeout=60)
    samples: dict[str, list[float]] = {}

    def timer(step, fn):
        started = time.perf_counter()
        result = fn()
        samples.setdefault(step, []).append((time.perf_counter() - started) * 1000)
        return result

    done = 0
    while done < count:
        for action in ("sign-in", "sign-out"):
            for _, pin in FAMILIES:
                journey(kiosk, pin, action, timer)
                done += 1
    kiosk.close()
    return samples


def run_one(
    label: str, server: DemoServer, pi: Cgroup, count: int, browser: str, folder: Path
) -> dict:
    """One run. browser: "none", "no priority" or "unit priority"."""
    server_group = pi.child("server")
    server_group.quota(1 / PI_FACTOR)  # one Pi core: the server's interpreter lock
    stop, counts = threading.Event(), {}
    renderer = None
    try:
        if browser == "unit priority":
            server_group.shares(1024 * WEIGHT_RATIO)
            browser_group = pi.child("browser")
            browser_group.shares(1024)
        else:
            browser_group = pi  # Chromium's threads sit beside the server's, one for one
        server_group.add(server.process.pid)  # with all its threads
        if browser != "none":
            wrapper = chromium_wrapper(folder, browser_group)
            url = f"http://127.0.0.1:{server.port}/"
            renderer = threading.Thread(
                target=render_kiosk, args=(url, wrapper, stop, counts), daemon=True
            )
            renderer.start()
            time.sleep(3)  # Chromium started and rendering
        cpu_before = server.cpu_seconds()
        started = time.perf_counter()
        samples = journeys_under(server, count)
        wall = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu_before
    finally:
        stop.set()
        if renderer is not None:
            renderer.join(timeout=30)
        remove_group(pi.path / "server")
        remove_group(pi.path / "browser")
    journeys = sum(len(samples.get(s, [])) for s in ("sign in", "sign out"))
    return {
        "run": label,
        "journeys": journeys,
        "journeys_per_s": round(journeys / wall, 1),
        "server_cpu_ms_per_journey": round(cpu * 1000 / journeys, 2),
        "browser_renders": counts.get("renders", 0),
        "steps": {
            step: [round(percentile(samples[step], p), 1) for p in (50, 95, 99)]
            for step in STEPS
            if step in samples
        },
    }


def main() -> None:
    global PI_FACTOR
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--pi-factor", type=float, default=PI_FACTOR)
    parser.add_argument("--pi-score", type=float, help="the --calibrate score of a real Pi 4")
    parser.add_argument("--calibrate", action="store_true", help="print this machine's score")
    args = parser.parse_args()
    here = calibration_score()
    if args.calibrate:
        print(json.dumps({"calibration_score": round(here), "machine": platform.node()}))
        return
    if os.geteuid() != 0 or not (CPU_ROOT / "cpu.cfs_quota_us").exists():
        raise SystemExit("pi_budget.py needs root and the cgroup v1 cpu controller")
    PI_FACTOR = here / args.pi_score if args.pi_score else args.pi_factor
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        raise SystemExit("pi_budget.py needs Debian's chromium")
    folder = Path(tempfile.mkdtemp(prefix="doorbook-pi-"))
    pi = Cgroup(f"doorbook-pi-{os.getpid()}")
    results = []
    try:
        pi.quota(PI_CORES / PI_FACTOR)
        one_core = pi.child("calibration")
        one_core.quota(1 / PI_FACTOR)
        in_quota = score_in(one_core)
        one_core.remove()
        with DemoServer() as server:
            journey(Kiosk(server.port), FAMILIES[0][1], "sign-in")  # warm up
            journey(Kiosk(server.port), FAMILIES[0][1], "sign-out")
            for label, browser in (
                ("the Pi, no browser", "none"),
                ("the Pi + Chromium rendering, no priority", "no priority"),
                ("the Pi + Chromium rendering, unit's CPUWeight", "unit priority"),
            ):
                results.append(run_one(label, server, pi, args.journeys, browser, folder))
    finally:
        pi.remove()
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"Pi budget, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()} "
        f"({os.cpu_count()} CPUs, shared): one kiosk, {args.journeys} journeys per run (ms)"
    )
    for result in results:
        print(
            f"\n{result['run']}: {result['journeys_per_s']} journeys/s, server CPU "
            f"{result['server_cpu_ms_per_journey']} ms per journey, "
            f"{result['browser_renders']} browser renders"
        )
        print(f"  {'step':10} {'p50':>7} {'p95':>7} {'p99':>7}")
        for step, (p50, p95, p99) in result["steps"].items():
            print(f"  {step:10} {p50:7.1f} {p95:7.1f} {p99:7.1f}")
    calibration = {
        "score_here": round(here),
        "pi_factor": round(PI_FACTOR, 2),
        "pi_core_target": round(here / PI_FACTOR),
        "score_in_one_pi_core_quota": round(in_quota),
        "pi_quota_cores_here": round(PI_CORES / PI_FACTOR, 3),
    }
    print(
        f"\ncalibration: loop score here {calibration['score_here']}/s; a Pi 4 core taken as "
        f"1/{calibration['pi_factor']} of it = {calibration['pi_core_target']}/s; measured "
        f"inside the one-Pi-core quota: {calibration['score_in_one_pi_core_quota']}/s"
    )
    print(json.dumps({"calibration": calibration, "runs": results}))


if __name__ == "__main__":
    main()
