"""Kiosk latency: the drop-off journey's HTTP requests against `doorbook serve` on the demo.

Starts the production server (waitress) on a free loopback port with a fresh demo data
folder, replays identify -> list -> sign in -> list -> sign out N times (default 1,000) as
the kiosk's htmx would, and prints p50/p95/p99 per step, with a bare Flask endpoint on the
same server as the floor. Budget on the development machine: p95 <= 15 ms and <= 3x the floor.

    .venv/bin/python bench/kiosk_latency.py [--iterations 1000]
"""

from __future__ import annotations

import argparse
import json
import re
import time

from common import Client, DemoServer, percentile

PIN = "482913"  # Rachel Hart: brings and collects Amelia and Oscar
FLOOR = "floor (bare Flask endpoint)"


def timed(samples: dict, step: str, fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    samples.setdefault(step, []).append((time.perf_counter() - start) * 1000)
    return result


def form(page: str) -> dict:
    return {
        "nonce": re.search(r'name="nonce" value="([^"]+)"', page).group(1),
        "child": re.findall(r'name="child" value="(\d+)"', page),
    }


def run(iterations: int) -> dict:
    with DemoServer(env={"DOORBOOK_BENCH_FLOOR": "1"}) as server:
        kiosk = Client(server.port)
        samples: dict[str, list[float]] = {}
        for _ in range(min(50, iterations)):  # warm up
            kiosk.request("GET", "/_floor")
        for _ in range(iterations):
            timed(samples, FLOOR, kiosk.request, "GET", "/_floor")
            timed(
                samples,
                "identify (PIN)",
                kiosk.request,
                "POST",
                "/parent/identify",
                {"credential": PIN},
            )
            page = timed(samples, "list children", kiosk.request, "GET", "/parent/children")
            done = timed(samples, "sign in", kiosk.request, "POST", "/parent/sign-in", form(page))
            assert "signed in at" in done, done[:300]
            page = kiosk.request("GET", "/parent/children")
            done = timed(samples, "sign out", kiosk.request, "POST", "/parent/sign-out", form(page))
            assert "signed out at" in done, done[:300]
        return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1000)
    args = parser.parse_args()
    samples = run(args.iterations)
    floor_p95 = percentile(samples[FLOOR], 95)
    print(f"Kiosk latency, {args.iterations} drop-off journeys, waitress on 127.0.0.1 (ms)")
    print(f"{'step':30} {'p50':>7} {'p95':>7} {'p99':>7} {'p95/floor':>10}")
    worst = 0.0
    for step, values in samples.items():
        p95 = percentile(values, 95)
        if step != FLOOR:
            worst = max(worst, p95)
        print(
            f"{step:30} {percentile(values, 50):7.2f} {p95:7.2f} "
            f"{percentile(values, 99):7.2f} {p95 / floor_p95:9.1f}x"
        )
    print(
        json.dumps(
            {
                "worst_step_p95_ms": round(worst, 2),
                "floor_p95_ms": round(floor_p95, 2),
                "budget_p95_ms": 15,
                "within_budget": worst <= 15,
            }
        )
    )


if __name__ == "__main__":
    main()
