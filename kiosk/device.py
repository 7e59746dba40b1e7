"""Only a kiosk is a kiosk (K6): kiosk pages answer to the Pi itself (loopback)."""

from __future__ import annotations

import ipaddress

from flask import Request


def is_kiosk(request: Request) -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def kiosk_name(request: Request) -> str:
    return "entrance"
