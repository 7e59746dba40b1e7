"""Every answer reaches the person at the screen: errors the server writes are shown where
the person acted, and a screen that cannot reach the server says so (static/answers.js)."""

import shutil

import pytest
from playwright.sync_api import expect

from doorbook import create_app
from tests.browser import start_as_parent, tap_pin
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_wrong_pins_lock_out_is_shown_and_pad_works_after(kiosk, live_demo):
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    # Five wrong tries a minute (pin_attempts_per_minute): the fifth locks the kiosk. Each
    # answer is waited for, so an earlier answer still on screen cannot pass for it.
    for _attempt in range(4):
        with kiosk.expect_response(lambda r: r.url.endswith("/parent/identify")):
            tap_pin(kiosk, "111111")
        expect(kiosk.get_by_text("That PIN or card was not recognised.")).to_be_visible()
    with kiosk.expect_response(lambda r: r.url.endswith("/parent/identify")):
        tap_pin(kiosk, "111111")
    expect(kiosk.get_by_text("Too many tries.")).to_be_visible()
    expect(kiosk.get_by_text("That PIN or card was not recognised.")).to_have_count(0)
    # The pad is not stuck: taps are sent again and answered again.
    tap_pin(kiosk, "482913")
    expect(kiosk.get_by_text("Too many tries.")).to_be_visible()
    expect(kiosk.locator(".pin-dots span.filled")).to_have_count(0)


def test_a_screen_that_cannot_reach_the_server_says_so(kiosk, live_demo):
    start_as_parent(kiosk, live_demo.url, "482913")
    expect(kiosk.get_by_role("heading", name="Hello, Rachel")).to_be_visible()
    live_demo.server.shutdown()
    live_demo.server.server_close()
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    expect(kiosk.get_by_role("alert")).to_contain_text("could not reach Doorbook")
    expect(kiosk.get_by_role("alert")).to_contain_text("use the paper book")


@pytest.fixture
def live_demo_with_csrf(tmp_path, demo_template):
    data = tmp_path / "demo-csrf"
    shutil.copytree(demo_template, data)
    with LiveServer(create_app({"DATA_DIR": str(data), "TESTING": True})) as server:
        yield server


def test_an_expired_page_is_explained_in_the_page(kiosk, live_demo_with_csrf):
    live_demo = live_demo_with_csrf
    start_as_parent(kiosk, live_demo.url, "482913")
    expect(kiosk.get_by_role("heading", name="Hello, Rachel")).to_be_visible()
    # The page's CSRF token no longer matches (e.g. the server's key changed overnight).
    kiosk.evaluate("""document.body.setAttribute("hx-headers", '{"X-CSRFToken": "stale"}')""")
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    expect(kiosk.get_by_role("alert")).to_contain_text("This page had expired")
    expect(kiosk.get_by_role("heading", name="Hello, Rachel")).to_be_visible()
