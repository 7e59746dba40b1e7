"""What the kiosk remembers about the person in front of it, server-side and briefly (K4).

The browser holds only a random id in its (signed) session cookie; who the person is stays
here, in the one server process, and is forgotten when they finish, when the kiosk goes idle,
or when the server restarts. Nothing personal is ever in a URL.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from doorbook.identify import Person

GRACE_SECONDS = 15  # beyond the idle timeout, in case the screen's timer is late


@dataclass
class Interaction:
    person: Person | None  # None for visitors, who never identify with a credential
    journey: str  # parent | staff | professional | visitor | signing-out
    expires: float
    data: dict = field(default_factory=dict)  # e.g. the invitation being confirmed
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    done: dict[str, str] = field(default_factory=dict)  # nonce -> rendered confirmation

    def renew_nonce(self) -> None:
        self.nonce = secrets.token_urlsafe(16)


class Interactions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Interaction] = {}

    def start(self, person: Person | None, journey: str, idle_seconds: int) -> str:
        key = secrets.token_urlsafe(24)
        with self._lock:
            self._sweep()
            self._items[key] = Interaction(
                person, journey, time.monotonic() + idle_seconds + GRACE_SECONDS
            )
        return key

    def get(self, key: str | None, idle_seconds: int) -> Interaction | None:
        if not key:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None or item.expires < time.monotonic():
                self._items.pop(key, None)
                return None
            item.expires = time.monotonic() + idle_seconds + GRACE_SECONDS
            return item

    def end(self, key: str | None) -> None:
        if key:
            with self._lock:
                self._items.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            self._sweep()
            return len(self._items)

    def _sweep(self) -> None:
        now = time.monotonic()
        for key in [k for k, v in self._items.items() if v.expires < now]:
            del self._items[key]
