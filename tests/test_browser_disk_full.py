"""A full disk, as the person at the kiosk sees it: the paper book, in their language."""

from __future__ import annotations

import os
import subprocess

import pytest
from playwright.sync_api import expect

from tests.admin_helpers import MANAGER
from tests.browser import log_in_to_panel, start_as_parent
from tests.served import BIN, DemoServer, disk_full

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs for the data folder"),
]


@pytest.mark.parametrize(
    ("pin", "title", "words"),
    [
        ("318274", "Nothing can be saved just now", "paper book"),  # Funmi Adeyemi
        ("245781", "Teraz nie można niczego zapisać", "papierowej księgi"),  # Katarzyna, Polish
    ],
)
def test_a_full_disk_tells_the_person_to_use_the_paper_book(
    browser, kiosk, screenshots, pin, title, words
):
    with disk_full.small_disk() as folder:
        data = folder / "data"
        subprocess.run([BIN / "doorbook", "--data", str(data), "demo"], check=True)
        with DemoServer(data=data) as server:
            url = f"http://127.0.0.1:{server.port}"
            start_as_parent(kiosk, url, pin)
            sign_in = kiosk.get_by_role("button", name="Sign in", exact=True)
            if pin == "245781":
                sign_in = kiosk.get_by_role("button", name="Zapisz wejście")
            expect(sign_in).to_be_visible()
            office = browser.new_context(viewport={"width": 1280, "height": 800})
            panel = office.new_page()
            log_in_to_panel(panel, url, MANAGER)
            expect(panel.get_by_text("Live: updates appear here as they happen.")).to_be_visible()
            disk_full.fill(folder)
            sign_in.click()
            expect(kiosk.get_by_text(title)).to_be_visible()
            expect(kiosk.get_by_text(words)).to_be_visible()
            kiosk.screenshot(path=str(screenshots / f"kiosk-disk-full-{pin}-800x480.png"))
            # The manager's panel (open in the office) says so at once, above every alert.
            expect(panel.get_by_text("The disk is full: nothing can be saved")).to_be_visible()
            expect(panel.get_by_text("asking people to use the paper book")).to_be_visible()
            panel.screenshot(path=str(screenshots / "panel-disk-full-1280x800.png"))
            for leftover in folder.glob("filler*"):
                leftover.unlink()
            sign_in.click()  # the same screen works again once there is room
            expect(
                kiosk.get_by_role("heading", name="Signed in").or_(
                    kiosk.get_by_role("heading", name="Wejście zapisane")
                )
            ).to_be_visible()
