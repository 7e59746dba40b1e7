"""`doorbook serve` as a subprocess on a free loopback port, for tests of what the deployed
server decides (threads, streams, connections) and for the fault scripts' fast versions.
The server and client are the benches' own (bench/common.py), so tests and benches agree."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
for folder in (BENCH, BENCH / "faults"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from common import Client, DemoServer  # noqa: E402
from journeys import FAMILIES, Kiosk, journey  # noqa: E402

__all__ = ["FAMILIES", "Client", "DemoServer", "Kiosk", "journey"]
