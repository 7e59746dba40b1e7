"""Only a kiosk is a kiosk (K6): the Pi itself (loopback), or a device the manager has
enrolled (it holds a revocable device token in a long-lived cookie)."""

from __future__ import annotations

import ipaddress

from flask import Request

from doorbook import kiosks
from doorbook.db import get_db

COOKIE = "doorbook_kiosk"
LOCAL = "entrance"


def is_loopback(request: Request) -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def kiosk_name(request: Request) -> str | None:
    """Which kiosk this request comes from, or None if it is not from a kiosk."""
    enrolled = kiosks.device_name(get_db(), request.cookies.get(COOKIE))
    if enrolled:
        return enrolled
    return LOCAL if is_loopback(request) else None
