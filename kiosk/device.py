"""Only a kiosk is a kiosk (K6): the Pi itself (loopback), or a device the manager has
enrolled (it holds a revocable device token in a cookie that lasts while it is used).

Behind Caddy the address is the real client's: `doorbook serve` believes X-Forwarded-For
from the configured proxy only (doorbook/proxy.py)."""

from __future__ import annotations

import functools
import ipaddress
import logging
import sqlite3

from flask import Request, Response, g

from doorbook import kiosks
from doorbook.db import get_db

COOKIE = "doorbook_kiosk"
LOCAL = "entrance"
COOKIE_SECONDS = kiosks.DEVICE_IDLE_DAYS * 24 * 3600

log = logging.getLogger(__name__)


def is_loopback(request: Request) -> bool:
    return _is_loopback_address(request.remote_addr or "")


@functools.lru_cache(maxsize=256)
def _is_loopback_address(address: str) -> bool:
    # Asked on every kiosk request, by the same few addresses: parsed once each.
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def kiosk_name(request: Request) -> str | None:
    """Which kiosk this request comes from, or None if it is not from a kiosk."""
    token = request.cookies.get(COOKIE)
    enrolled = kiosks.device(get_db(), token)
    if enrolled:
        try:
            if kiosks.seen(get_db(), enrolled):
                g.renew_kiosk_cookie = token
        except sqlite3.Error:  # e.g. a full disk: the kiosk still answers; renew another day
            log.exception("could not note that kiosk %s was seen", enrolled.name)
        return enrolled.name
    return LOCAL if is_loopback(request) else None


def set_device_cookie(response: Response, token: str) -> None:
    # Secure: it is a credential, so only ever sent over HTTPS (Chromium also treats
    # http://127.0.0.1 as secure, for tests and the Pi itself).
    response.set_cookie(
        COOKIE, token, max_age=COOKIE_SECONDS, httponly=True, samesite="Strict", secure=True
    )


def renew_device_cookie(response: Response) -> Response:
    token = g.pop("renew_kiosk_cookie", None)
    if token:
        set_device_cookie(response, token)
    return response
