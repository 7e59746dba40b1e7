"""The office PC's view: the panel in Chromium through Caddy over HTTPS, as on the Pi.

Over HTTPS the CSRF check also wants a Referer from this site, and the live updates must pass
through the proxy at once: neither shows without a real browser behind a real Caddy."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.admin_helpers import MANAGER
from tests.browser import log_in_to_panel
from tests.served import Browser, Caddy, Served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("caddy"), reason="needs Debian's caddy"),
]


def test_the_panel_works_through_caddy_over_https_with_live_alerts(
    browser, tmp_path, demo_template, screenshots
):
    data = tmp_path / "demo"
    shutil.copytree(demo_template, data)
    with (
        Served(data, env={"DOORBOOK_BEHIND_PROXY": "1"}) as served,
        Caddy(served, tmp_path, name="localhost") as caddy,
    ):
        context = browser.new_context(
            viewport={"width": 1280, "height": 800}, ignore_https_errors=True
        )
        try:
            page = context.new_page()
            log_in_to_panel(page, caddy.url, MANAGER)
            expect(page.get_by_text("Live: updates appear here as they happen.")).to_be_visible()
            cookies = {c["name"]: c for c in context.cookies()}
            assert cookies["doorbook_admin"]["secure"] and cookies["session"]["secure"]

            # The entrance kiosk (the Pi's own browser, straight to the app) calls for help;
            # the alert reaches the office through Caddy's event stream.
            entrance = Browser(served)
            entrance.get("/")
            assert entrance.post("/help", {}, {"HX-Request": "true"}).status == 200
            alert = page.locator(".alert").filter(has_text="Help requested at the kiosk")
            expect(alert).to_be_visible()
            alert.get_by_role("button", name="Acknowledge").click()  # an htmx POST, CSRF
            expect(page.get_by_text("Acknowledged by Priya Sharma")).to_be_visible()
            page.screenshot(path=str(screenshots / "panel-through-caddy-1280x800.png"))
        finally:
            context.close()
