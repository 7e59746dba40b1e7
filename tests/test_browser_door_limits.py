"""The lock-outs at the door, as the person at the kiosk sees them (800x480)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from doorbook.db import get_db
from tests.browser import tap_pin

pytestmark = pytest.mark.browser


def collect(page, url: str, name: str, password: str) -> None:
    page.goto(url + "/")
    page.get_by_role("button", name="Parent or carer").click()
    page.get_by_role("button", name="I'm collecting for a family").click()
    # The screen focuses the name field itself once swapped in: wait for it, or the focus
    # could move back there while the password is being typed.
    expect(page.get_by_label("Your full name")).to_be_focused()
    page.get_by_label("Your full name").fill(name)
    page.get_by_label("The family's collection password").click()
    page.get_by_label("The family's collection password").fill(password)
    page.get_by_role("button", name="Continue").click()


def wrong_pin(page, pin: str) -> None:
    """Tap a PIN and wait for the kiosk's answer, so the next tap starts on a fresh pad."""
    with page.expect_response(lambda r: r.url.endswith("/parent/identify")):
        tap_pin(page, pin)
    expect(page.locator(".pin-dots span.filled")).to_have_count(0)  # the answer's fresh pad


def test_too_many_wrong_collector_tries_are_explained_on_the_screen(kiosk, live_demo, screenshots):
    for n in range(4):
        collect(kiosk, live_demo.url, "Tunde Bakare", f"daisy{n}")
        expect(kiosk.get_by_role("heading", name=re.compile("Please wait"))).to_be_visible()
    collect(kiosk, live_demo.url, "Tunde Bakare", "daisy5")
    expect(
        kiosk.get_by_role(
            "heading", name="Too many tries. Please wait 5 minutes, or ask a member of staff."
        )
    ).to_be_visible()
    kiosk.screenshot(path=str(screenshots / "kiosk-collector-lockout-800x480.png"))
    # Even the right password waits now; the manager has one alert that counts the tries.
    collect(kiosk, live_demo.url, "Tunde Bakare", "sunflower")
    expect(kiosk.get_by_role("heading", name=re.compile("Too many tries"))).to_be_visible()
    kiosk.get_by_role("button", name="Back to the start").click()
    expect(kiosk.get_by_role("button", name="Parent or carer")).to_be_visible()
    with live_demo.app.app_context():
        rows = (
            get_db()
            .execute(
                "SELECT kind, attempts FROM alerts WHERE kind IN ('collection_refused', "
                "'one_off_waiting')"
            )
            .fetchall()
        )
    assert [tuple(r) for r in rows] == [("collection_refused", 6)]


def test_a_pin_lockout_says_how_many_seconds_are_left(kiosk, live_demo, screenshots):
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    for n in range(5):
        wrong_pin(kiosk, f"00000{n}")
    expect(kiosk.get_by_role("alert").filter(has_text="Too many tries")).to_contain_text(
        # The kiosk counts the seconds down as they pass (kiosk.js): any of the minute.
        re.compile(r"Please wait ([1-5]?[0-9]|60) seconds, or ask a member of staff\.")
    )
    kiosk.screenshot(path=str(screenshots / "kiosk-pin-lockout-800x480.png"))


def test_the_panel_shows_when_nothing_can_be_saved(panel, monkeypatch, screenshots):
    from doorbook import health

    monkeypatch.setattr(health, "MIN_FREE_BYTES", 1 << 62)  # as if the disk were full
    panel.reload()
    expect(panel.get_by_role("alert").filter(has_text="cannot save anything")).to_contain_text(
        "the disk holding the database is full"
    )
    panel.screenshot(path=str(screenshots / "panel-cannot-save-1280x800.png"))


def test_the_pin_lockout_is_said_in_urdu_right_to_left(kiosk, live_demo, screenshots):
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="English").click()
    kiosk.get_by_role("button", name="اردو").click()
    kiosk.get_by_role("button", name="والدین یا نگہداشت کنندہ").click()
    for n in range(5):
        wrong_pin(kiosk, f"00000{n}")
    expect(kiosk.get_by_role("alert").filter(has_text="بہت زیادہ کوششیں")).to_contain_text("سیکنڈ")
    kiosk.screenshot(path=str(screenshots / "kiosk-pin-lockout-ur-800x480.png"))
