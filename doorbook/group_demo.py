"""`doorbook group demo`: three fictional sites, each the demo setting under another name with
a day of activity, each replicated by the real Litestream to a folder, and a group office
that follows them. Nothing here is real: the people are the demo's own fictional ones."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from doorbook import (
    create_app,
    demo,
    group,
    identify,
    register,
    replication,
    settings,
    staff_register,
    visits,
)
from doorbook.db import get_db

SITES = [
    ("acorns", "Acorns Day Nursery"),
    ("bluebell", "Bluebell Pre-school"),
    ("chestnut", "Chestnut Children's Centre"),
]
PARENT_PINS = ["482913", "690352", "245781", "427159"]  # the demo's own families
STAFF_PINS = ["204817", "390562", "731850"]
ACCOUNTS = [
    ("office", "Group Office", "office", "group-demo-office"),
    ("safeguarding", "Group Safeguarding Lead", "safeguarding", "group-demo-safeguarding"),
]


def activity(db, n: int) -> None:
    """A morning at site ``n``: some families in, some staff in, and at two of the three
    sites an agency visit nobody is supervising yet."""
    for pin in PARENT_PINS[: 2 + n]:
        person = identify.identify(db, pin, kiosk="entrance", kind="contact").person
        ids = [child.id for child in register.children_for(db, person.id)]
        register.sign_in(db, person, ids, kiosk="entrance")
    for pin in STAFF_PINS[: 1 + n % 3]:
        person = identify.identify(db, pin, kiosk="entrance", kind="staff").person
        staff_register.sign_in(db, person, kiosk="entrance")
    if n != 1:
        visits.sign_in_agency(
            db,
            name="Jo Fictional",
            organisation="Lambeth Early Help",
            role="Family support worker",
            phone=None,
            child_name="Noah Adeyemi",
            kiosk="entrance",
        )


def build(folder: Path) -> Iterator[str]:
    office = group.open_group(folder)
    for n, (slug, name) in enumerate(SITES):
        site, replica = folder / "demo-sites" / slug, folder / "demo-replicas" / slug
        app = create_app({"DATA_DIR": str(site)})
        with app.app_context():
            db = get_db()
            demo.load(db)
            settings.set_many(db, {"setting_name": name, "replica_url": str(replica)})
            activity(db, n)
            replication.heartbeat(db)
        with tempfile.TemporaryDirectory() as scratch:
            config = replication.write_config(
                Path(scratch) / "litestream.yml",
                replication.litestream_config(
                    site / "doorbook.db", replication.parse_destination(str(replica))
                ),
            )
            subprocess.run(  # noqa: S603 - the pinned binary, our own config
                [replication.litestream_binary(), "replicate", "-once", "-config", str(config)],
                check=True,
                capture_output=True,
            )
        group.add_site(office, slug, name, str(replica), by="doorbook group demo")
        yield f"{name}: a day of activity, replicated to {replica}"
    group.refresh(folder, office)
    for username, full_name, role, password in ACCOUNTS:
        group.create_account(office, username, full_name, role, password)
    yield f"Group office in {folder}: {len(SITES)} sites copied."
