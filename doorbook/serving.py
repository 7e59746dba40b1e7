"""How `doorbook serve` runs waitress, so that the kiosk always answers.

Waitress reads each request whole on its one I/O thread before a worker thread sees it, so
a client that connects and sends nothing (or sends slowly) holds no worker thread, only a
connection. Connections are what such clients can exhaust: waitress stops accepting at
``connection_limit`` (100 by default), and the kiosk's next connection would then wait in
the queue until one times out. So the limit is raised well above what the setting's
browsers need, and idle connections are closed after ``channel_timeout`` seconds. A
connection with a request in progress (an open event stream) is never idle.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

CONNECTION_LIMIT = 500  # under the usual 1,024 open files a process may have
IDLE_CONNECTION_SECONDS = 30  # browsers open a new connection when they need one


def waitress_options(threads: int) -> dict[str, Any]:
    return {
        "threads": threads,
        "ident": "Doorbook",
        "connection_limit": CONNECTION_LIMIT,
        "channel_timeout": IDLE_CONNECTION_SECONDS,
        "cleanup_interval": 10,
        # Keep reading a connection while its request runs, so an event stream learns at
        # once that its browser has gone (environ["waitress.client_disconnected"]).
        "channel_request_lookahead": 5,
    }


M_ARENA_MAX = -8  # glibc's mallopt() parameter


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Fewer glibc malloc arenas: each of waitress's threads would otherwise get its own,
    holding freed memory; measured with bench/alert_latency.py, 82.9 MiB after 10,000
    requests became 69.5 MiB (the budget is 80 MB). Python's interpreter lock lets one
    thread run Python at a time, so the arenas were not buying speed. False where there is
    no glibc (the server runs as before)."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        return bool(ctypes.CDLL(name).mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False
