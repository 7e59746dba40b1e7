"""Helpers for HTTP tests of the kiosk: what a browser would send."""

from __future__ import annotations

import re

HX = {"HX-Request": "true"}


def identify(client, pin: str, journey: str = "parent"):
    return client.post(f"/{journey}/identify", data={"credential": pin}, headers=HX)


def nonce_of(page: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', page).group(1)


def child_ids(page: str) -> list[str]:
    return re.findall(r'name="child" value="(\d+)"', page)


def text_of(response) -> str:
    return response.get_data(as_text=True)
