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


def aisha_supervises_two_visitors(db, organisation: str, role: str) -> int:
    """Aisha Begum signs in and supervises Grace Mensah and Sarah Osei, both seeing Millie
    Hart. Returns Aisha's staff id."""
    from doorbook import staff_register, supervision, visits
    from doorbook.audit import SYSTEM
    from doorbook.identify import Person

    aisha = db.execute("SELECT id FROM staff WHERE name = 'Aisha Begum'").fetchone()[0]
    staff_register.sign_in(db, Person("staff", aisha, "Aisha Begum"), kiosk="entrance")
    for name in ("Grace Mensah", "Sarah Osei"):
        signed_in = visits.sign_in_agency(
            db,
            name=name,
            organisation=organisation,
            role=role,
            phone=None,
            child_name="Millie Hart",
            kiosk="entrance",
        )
        supervision.assign(db, signed_in.visit_id, aisha, SYSTEM)
    return aisha
