"""Live events for open admin panels: one fan-out in the one server process.

Domain code calls ``changed(db, topic)`` inside its write; the topic is published once the
transaction has committed (never for a rolled-back change). Each open panel's event stream
holds a ``Subscription``. Events carry only a topic ("alerts", "on-site"); the panel then
fetches what changed, so nothing personal travels in the stream itself.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable

from sqlite_utils import Database

from doorbook.db import after_commit

TOPICS = ("alerts", "on-site")
_lock = threading.Lock()
_subscribers: set[queue.Queue] = set()
_listeners: list[Callable[[str], None]] = []


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


def publish(topic: str) -> None:
    with _lock:
        targets = list(_subscribers)
    for target in targets:
        # A stalled panel loses events; it fetches everything again when it reconnects.
        with contextlib.suppress(queue.Full):
            target.put_nowait(topic)
    for listener in list(_listeners):
        listener(topic)


def on_publish(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call ``listener(topic)`` after each publish; returns the way to stop."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def subscribers() -> int:
    with _lock:
        return len(_subscribers)


def changed(db: Database, topic: str) -> None:
    """Publish ``topic`` when the current write commits."""
    after_commit(db, lambda: publish(topic))
