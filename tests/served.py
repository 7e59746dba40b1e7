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

# The fault scripts (bench/faults/), whose fast versions tests/test_faults.py runs.
import disk_full  # noqa: E402
import flood  # noqa: E402
import kill_during_sign_ins  # noqa: E402
import restart_mid_procedure  # noqa: E402
from common import BIN, Client, DemoServer, log_in_as_manager, manager_cookie  # noqa: E402
from journeys import FAMILIES, Kiosk, journey  # noqa: E402

__all__ = [
    "BIN",
    "FAMILIES",
    "Client",
    "DemoServer",
    "Kiosk",
    "disk_full",
    "flood",
    "journey",
    "log_in_as_manager",
    "manager_cookie",
    "kill_during_sign_ins",
    "restart_mid_procedure",
]
