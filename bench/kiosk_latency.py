"""Kiosk latency and CPU: the kiosk's own requests against `doorbook serve` on the demo.

Starts the production server (waitress) on a free loopback port with a fresh demo data
folder. Then, with 1 and with 4 concurrent kiosk clients (separate processes), replays
drop-offs and collections for nine families exactly as the kiosk's pages make them
(bench/journeys.py: home page, its files, PIN pad, identify, sign in or out, reset), and a
bare Flask endpoint on the same server (the floor). Prints p50/p95/p99 per step, journeys
per second, and the server's CPU per request beside the floor's: the whole process (from
/proc) and each kind of request (its server thread's CPU time).

Budgets on the development machine: p95 <= 15 ms per step; CPU per kiosk request <= 2.5x
the floor's. On a shared machine the CPU ratio is the robust figure.

    .venv/bin/python bench/kiosk_latency.py [--journeys 1000] [--clients 1 4] [--markdown]

With --markdown it also prints README's "Speed" tables from the figures it measured.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

from common import DemoServer, percentile
from journeys import FAMILIES, Kiosk, journey

FLOOR = "floor"
ENV = {"DOORBOOK_BENCH_FLOOR": "1"}


def kiosk_days(port: int, families: list[tuple[str, str]], days: int) -> dict:
    """One kiosk: each day, every family drops off, then every family collects."""
    kiosk = Kiosk(port)
    samples: dict[str, list[float]] = {}

    def timer(step, fn):
        started = time.perf_counter()
        result = fn()
        samples.setdefault(step, []).append((time.perf_counter() - started) * 1000)
        return result

    for _ in range(days):
        for action in ("sign-in", "sign-out"):
            for _name, pin in families:
                journey(kiosk, pin, action, timer)
    kiosk.close()
    return {"samples": samples, "requests": len(kiosk.sent), "journeys": days * 2 * len(families)}


def floor_requests(port: int, count: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        conn.request("GET", "/_floor")
        response = conn.getresponse()
        response.read()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status == 200
    conn.close()
    return {"samples": {FLOOR: samples}, "requests": count, "journeys": 0}


def meter(port: int) -> dict[str, list[float]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/_floor/cpu")
    totals = json.loads(conn.getresponse().read())
    conn.close()
    return totals


def phase(server: DemoServer, clients: int, work, *args) -> dict:
    """Run ``work`` in ``clients`` processes at once; merge their samples; measure the CPU."""
    meter(server.port)  # reset
    cpu_before, started = server.cpu_seconds(), time.perf_counter()
    with ProcessPoolExecutor(clients) as pool:
        results = list(pool.map(work, *args))
    wall = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu_before
    merged: dict[str, list[float]] = {}
    for result in results:
        for step, values in result["samples"].items():
            merged.setdefault(step, []).extend(values)
    requests = sum(r["requests"] for r in results)
    return {
        "samples": merged,
        "requests": requests,
        "journeys": sum(r["journeys"] for r in results),
        "wall_s": wall,
        "cpu_ms_per_request": cpu * 1000 / requests,
        "meter": meter(server.port),
    }


def run(journeys: int, clients: int) -> dict:
    days = max(1, math.ceil(journeys / (2 * len(FAMILIES))))
    shares = [FAMILIES[i::clients] for i in range(clients)]
    with DemoServer(env=ENV) as server:
        # Warm up: every template, every connection, the families' first day.
        phase(server, 1, kiosk_days, [server.port], [FAMILIES], [1])
        phase(server, 1, floor_requests, [server.port], [200])
        floor_count = max(500, journeys * 6 // clients)
        floor = phase(
            server, clients, floor_requests, [server.port] * clients, [floor_count] * clients
        )
        kiosk = phase(
            server, clients, kiosk_days, [server.port] * clients, shares, [days] * clients
        )
        return {"floor": floor, "kiosk": kiosk, "rss_mib": server.rss_mib()}


def per_request_cpu(meter_totals: dict[str, list[float]]) -> dict[str, float]:
    return {key: spent * 1000 / count for key, (count, spent) in meter_totals.items()}


STEP_REQUESTS = {
    "home": "GET /",
    "pad": "GET /parent",
    "identify": "POST /parent/identify",
    "sign in": "POST /parent/sign-in",
    "sign out": "POST /parent/sign-out",
    "reset": "POST /reset",
    "files": "GET /static",
    "parts": "GET /parent/policy",
}


STEP_NAMES = {
    "home": "home page",
    "pad": "PIN pad",
    "identify": "identify (PIN)",
    "sign in": "sign in (one or two children)",
    "sign out": "sign out",
    "reset": "reset",
}


def report(clients: int, result: dict) -> dict:
    floor, kiosk = result["floor"], result["kiosk"]
    floor_thread = per_request_cpu(floor["meter"])["GET /_floor"]
    thread = per_request_cpu(kiosk["meter"])
    print(
        f"\n{clients} kiosk client(s): {kiosk['journeys']} journeys, {kiosk['requests']} "
        f"requests in {kiosk['wall_s']:.1f} s = {kiosk['journeys'] / kiosk['wall_s']:.1f} "
        f"journeys/s"
    )
    print(
        f"{'step':10} {'n':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'p95/floor':>9} {'CPU ms':>7} {'CPU/floor':>9}"
    )
    floor_p95 = percentile(floor["samples"][FLOOR], 95)
    rows = [(FLOOR, floor["samples"][FLOOR], floor_thread)]
    for step in ("home", "files", "pad", "identify", "parts", "sign in", "sign out", "reset"):
        if step in kiosk["samples"]:
            rows.append((step, kiosk["samples"][step], thread.get(STEP_REQUESTS[step])))
    worst = 0.0
    table = []
    for step, values, cpu in rows:
        p95 = percentile(values, 95)
        if step != FLOOR:
            worst = max(worst, p95)
        cpu_text = f"{cpu:7.2f} {cpu / floor_thread:8.1f}x" if cpu is not None else ""
        if step == FLOOR or step in STEP_NAMES:
            name = "floor (bare Flask endpoint)" if step == FLOOR else STEP_NAMES[step]
            table.append(
                f"| {name} | {percentile(values, 50):.2f} | {p95:.2f} | "
                f"{percentile(values, 99):.2f} | {cpu:.2f} ms | {cpu / floor_thread:.1f}× |"
            )
        print(
            f"{step:10} {len(values):6d} {percentile(values, 50):7.2f} {p95:7.2f} "
            f"{percentile(values, 99):7.2f} {p95 / floor_p95:8.1f}x {cpu_text}"
        )
    ratio = kiosk["cpu_ms_per_request"] / floor["cpu_ms_per_request"]
    print(
        f"server process CPU per request: kiosk {kiosk['cpu_ms_per_request']:.2f} ms, floor "
        f"{floor['cpu_ms_per_request']:.2f} ms: {ratio:.2f}x the floor (budget 2.5x)"
    )
    return {
        "clients": clients,
        "journeys_per_s": round(kiosk["journeys"] / kiosk["wall_s"], 1),
        "worst_step_p95_ms": round(worst, 2),
        "floor_p95_ms": round(floor_p95, 2),
        "cpu_ms_per_kiosk_request": round(kiosk["cpu_ms_per_request"], 3),
        "cpu_ms_per_floor_request": round(floor["cpu_ms_per_request"], 3),
        "cpu_ratio": round(ratio, 2),
        "rss_mib": round(result["rss_mib"], 1),
        "table": table,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--markdown", action="store_true", help="also print README's tables")
    args = parser.parse_args()
    print(
        f"Kiosk latency and CPU, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.node()} ({platform.machine()}, {__import__('os').cpu_count()} CPUs), "
        f"waitress on 127.0.0.1"
    )
    figures = [report(clients, run(args.journeys, clients)) for clients in args.clients]
    tables = [figure.pop("table") for figure in figures]
    print(json.dumps(figures))
    if args.markdown:
        print_markdown(figures, tables)


def print_markdown(figures: list[dict], tables: list[list[str]]) -> None:
    """README's tables: each step with the first client count, then the whole runs."""
    first = figures[0]["clients"]
    kiosks = f"{first} kiosk" + ("s" if first > 1 else "")
    print(f"\n| step, {kiosks} | p50 ms | p95 ms | p99 ms | server thread CPU | ÷ floor |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(tables[0]))
    heads = [f"{f['clients']} kiosk" + ("s" if f["clients"] > 1 else "") for f in figures]
    print("\n| | " + " | ".join(heads) + " |")
    print("| --- |" + " --- |" * len(figures))
    rows = [
        ("journeys per second", lambda f: f"{f['journeys_per_s']}"),
        ("worst step p95", lambda f: f"{f['worst_step_p95_ms']:.1f} ms"),
        (
            "server process CPU per kiosk request",
            lambda f: f"{f['cpu_ms_per_kiosk_request']:.2f} ms",
        ),
        ("the same for the floor", lambda f: f"{f['cpu_ms_per_floor_request']:.2f} ms"),
        ("ratio (aim 2.5×)", lambda f: f"{f['cpu_ratio']:.1f}×"),
    ]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(f) for f in figures) + " |")


if __name__ == "__main__":
    main()
