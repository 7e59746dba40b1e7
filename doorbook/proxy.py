"""Who is really asking, behind Caddy (K6): waitress, the one place that knows which peer a
request came from, believes X-Forwarded-For and -Proto only from the configured proxy and
strips them from everyone else, so a phone on the Wi-Fi cannot claim to be the Pi.
"""

from __future__ import annotations

import ipaddress
import os

# Caddy runs on the Pi and connects from loopback (deploy/Caddyfile).
LOOPBACK_PROXY = "127.0.0.1"
TRUSTED_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"})


class ProxyProblem(ValueError):
    """A trusted-proxy setting that would be unsafe or is not an address."""


def trusted_proxy_from_environment() -> str | None:
    """``DOORBOOK_TRUSTED_PROXY``, else loopback when ``DOORBOOK_BEHIND_PROXY=1``, else none."""
    explicit = os.environ.get("DOORBOOK_TRUSTED_PROXY", "").strip()
    if explicit:
        return explicit
    return LOOPBACK_PROXY if os.environ.get("DOORBOOK_BEHIND_PROXY") == "1" else None


def waitress_options(trusted_proxy: str | None) -> dict:
    """waitress.serve() keywords: forwarded headers believed from ``trusted_proxy`` only."""
    options: dict = {"clear_untrusted_proxy_headers": True}
    if not trusted_proxy:
        return options
    try:
        address = str(ipaddress.ip_address(trusted_proxy))
    except ValueError:
        raise ProxyProblem(
            f"{trusted_proxy!r} is not an IP address: give the proxy's own address, e.g. "
            f"{LOOPBACK_PROXY} (trusting every peer would let anyone claim to be the kiosk)"
        ) from None
    options.update(
        trusted_proxy=address,
        trusted_proxy_count=1,  # Caddy replaces X-Forwarded-For from untrusted clients
        trusted_proxy_headers=set(TRUSTED_HEADERS),
    )
    return options
