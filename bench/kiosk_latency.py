"""Kiosk latency: the drop-off journey's HTTP requests against `doorbook serve` on the demo.

Starts the production server (waitress) on a free loopback port with a fresh demo data
folder, replays identify → list → sign in → list → sign out N times (default 1,000) as
the kiosk's htmx would, and prints p50/p95/p99 per step, with a bare Flask endpoint on the
same server as the floor. Budget on the development machine: p95 <= 15 ms and <= 3x the floor.

    .venv/bin/python bench/kiosk_latency.py [--iterations 1000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
PIN = "482913"  # Rachel Hart: brings and collects Amelia and Oscar


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Kiosk:
    """One kiosk browser: a keep-alive connection, the session cookie, the CSRF token."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookie = ""
        page = self.request("GET", "/")
        token = re.search(r'"X-CSRFToken": &#34;([^&]+)&#34;', page).group(1)
        self.headers = {"X-CSRFToken": token, "HX-Request": "true"}

    def request(self, method: str, path: str, form: dict | None = None) -> str:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if hasattr(self, "headers"):
            headers.update(self.headers)
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status}")
        return text


def nonce(page: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', page).group(1)


def children(page: str) -> list[str]:
    return re.findall(r'name="child" value="(\d+)"', page)


def timed(samples: dict, step: str, fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    samples.setdefault(step, []).append((time.perf_counter() - start) * 1000)
    return result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(iterations: int) -> dict:
    data = Path(tempfile.mkdtemp(prefix="doorbook-bench-"))
    subprocess.run(
        [BIN / "doorbook", "--data", str(data), "demo"], check=True, stdout=subprocess.DEVNULL
    )
    port = free_port()
    env = {**os.environ, "DOORBOOK_BENCH_FLOOR": "1"}
    server = subprocess.Popen(
        [BIN / "doorbook", "--data", str(data), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        kiosk = Kiosk(port)
        samples: dict[str, list[float]] = {}
        for _ in range(min(50, iterations)):  # warm up
            kiosk.request("GET", "/_floor")
        for _ in range(iterations):
            timed(samples, "floor (bare Flask endpoint)", kiosk.request, "GET", "/_floor")
            timed(
                samples,
                "identify (PIN)",
                kiosk.request,
                "POST",
                "/parent/identify",
                {"credential": PIN},
            )
            page = timed(samples, "list children", kiosk.request, "GET", "/parent/children")
            done = timed(
                samples,
                "sign in",
                kiosk.request,
                "POST",
                "/parent/sign-in",
                {"nonce": nonce(page), "child": children(page)},
            )
            assert "signed in at" in done, done[:300]
            page = kiosk.request("GET", "/parent/children")
            done = timed(
                samples,
                "sign out",
                kiosk.request,
                "POST",
                "/parent/sign-out",
                {"nonce": nonce(page), "child": children(page)},
            )
            assert "signed out at" in done, done[:300]
        return samples
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1000)
    args = parser.parse_args()
    samples = run(args.iterations)
    floor = statistics.median(samples["floor (bare Flask endpoint)"])
    floor_p95 = percentile(samples["floor (bare Flask endpoint)"], 95)
    print(f"Kiosk latency, {args.iterations} drop-off journeys, waitress on 127.0.0.1 (ms)")
    print(f"{'step':30} {'p50':>7} {'p95':>7} {'p99':>7} {'p95/floor':>10}")
    worst = 0.0
    for step, values in samples.items():
        p95 = percentile(values, 95)
        ratio = p95 / floor_p95
        if not step.startswith("floor"):
            worst = max(worst, p95)
        print(
            f"{step:30} {percentile(values, 50):7.2f} {p95:7.2f} "
            f"{percentile(values, 99):7.2f} {ratio:9.1f}x"
        )
    print(
        json.dumps(
            {
                "worst_step_p95_ms": round(worst, 2),
                "floor_p50_ms": round(floor, 2),
                "budget_p95_ms": 15,
                "within_budget": worst <= 15,
            }
        )
    )


if __name__ == "__main__":
    main()
