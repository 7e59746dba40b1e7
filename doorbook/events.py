"""Live events for open admin panels: one fan-out in the one server process.

Domain code calls ``changed(db, topic)`` inside its write; the topic is published once the
transaction has committed (never for a rolled-back change). Each open panel's event stream
holds a ``Subscription``. Streams carry only a topic ("alerts", "on-site"); the panel then
fetches what changed, so nothing personal travels in the stream itself. In-process listeners
(``on_publish``: the Pi's LED and buzzer) also get the publish's payload, e.g. the id and kind
of a newly raised alert.

Each open stream holds one of the server's request threads for as long as it is open, so
``StreamGate`` caps how many may be open at once, overall and per panel session. The rest of
the threads are kept for the kiosks, ``/healthz`` and the panels' own requests: whatever the
panels do, the kiosk answers. A stream refused by the gate is told to retry later.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from doorbook.db import after_commit

_lock = threading.Lock()
_subscribers: set[queue.Queue] = set()
_listeners: list[Callable[[str, dict[str, Any]], None]] = []
log = logging.getLogger(__name__)


class Subscription:
    """One open event stream. Use as a context manager so it is always removed."""

    def __init__(self, maxsize: int = 100):
        self.queue: queue.Queue[str] = queue.Queue(maxsize=maxsize)

    def __enter__(self) -> Subscription:
        with _lock:
            _subscribers.add(self.queue)
        return self

    def __exit__(self, *exc) -> None:
        with _lock:
            _subscribers.discard(self.queue)

    def next(self, timeout: float) -> str | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None


def publish(topic: str, **payload: Any) -> None:
    """Tell the open streams ``topic`` and the listeners ``topic`` with ``payload``."""
    with _lock:
        targets = list(_subscribers)
    for target in targets:
        # A stalled panel loses events; it fetches everything again when it reconnects.
        with contextlib.suppress(queue.Full):
            target.put_nowait(topic)
    for listener in list(_listeners):
        try:
            listener(topic, payload)
        except Exception:  # a failing listener must not undo a committed change
            log.exception("event listener %r failed for %s", listener, topic)


def on_publish(listener: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]:
    """Call ``listener(topic, payload)`` after each publish; returns the way to stop.

    The one registry for in-process listeners: a new alert is published as "alerts" with
    ``raised`` (its id) and ``kind`` in the payload."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


class StreamGate:
    """At most ``overall`` open streams, and ``per_session`` for one panel session."""

    def __init__(self, overall: int, per_session: int):
        self.overall = overall
        self.per_session = per_session
        self._lock = threading.Lock()
        self._open: dict[str, int] = {}

    def enter(self, session_key: str, per_session: bool = True) -> bool:
        """Take a place for a stream of ``session_key``; False when there is none."""
        with self._lock:
            if sum(self._open.values()) >= self.overall:
                return False
            if per_session and self._open.get(session_key, 0) >= self.per_session:
                return False
            self._open[session_key] = self._open.get(session_key, 0) + 1
            return True

    def leave(self, session_key: str) -> None:
        with self._lock:
            left = self._open.get(session_key, 0) - 1
            if left > 0:
                self._open[session_key] = left
            else:
                self._open.pop(session_key, None)


def stream_limits(threads: int) -> tuple[int, int]:
    """(overall, per session) caps on open streams for a server with ``threads`` threads.

    A third of the threads (at least 6) stay free for kiosk requests, /healthz and the
    panels' own page requests. Four per session leaves two of a browser's six connections
    per host for the panel's own requests, whatever its tabs do.
    """
    reserved = max(6, threads // 3)
    return max(1, threads - reserved), 4


# One publisher per topic, so a write that changes many records (an import: hundreds)
# publishes each topic once, and each open panel fetches once, not once per record.
_publishers: dict[str, Callable[[], None]] = {}


def changed(db: Database, topic: str, **payload: Any) -> None:
    """Publish ``topic`` (with ``payload`` for listeners) when the current write commits;
    a topic without a payload once, however often the write asks."""
    if payload:
        after_commit(db, lambda: publish(topic, **payload))
    else:
        after_commit(db, _publishers.setdefault(topic, functools.partial(publish, topic)))
