"""Helpers for HTTP tests of the kiosk: what a browser would send."""

from __future__ import annotations

import csv
import re

from tests.conftest import DEMO_FILES

HX = {"HX-Request": "true"}


def identify(client, pin: str, journey: str = "parent"):
    return client.post(f"/{journey}/identify", data={"credential": pin}, headers=HX)


def nonce_of(page: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', page).group(1)


def child_ids(page: str) -> list[str]:
    return re.findall(r'name="child" value="(\d+)"', page)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def demo_child_words(with_rooms: bool = False) -> set[str]:
    """Every word that would give a demo child away: names, known-as, family passwords."""
    with open(DEMO_FILES / "children.csv", encoding="utf-8") as f:
        children = list(csv.DictReader(f))
    words = set()
    for c in children:
        words |= {c["first_name"], c["last_name"], c["known_as"], c["collection_password"]}
        if with_rooms:
            words.add(c["room"])
    return {w for w in words if w}
