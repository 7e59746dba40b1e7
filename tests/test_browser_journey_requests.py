"""The benches replay exactly the requests the kiosk's pages make: Chromium's drop-off and
collection, recorded at the server, equal bench/journeys.py's for the same journeys."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import start_as_parent
from tests.served import Kiosk, journey

pytestmark = pytest.mark.browser
RACHEL = "482913"


def recorded(app) -> list[tuple[str, str]]:
    """Wrap the live server's app so that every request reaching it is written down."""
    seen: list[tuple[str, str]] = []
    inner = app.wsgi_app

    def record(environ, start_response):
        seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        return inner(environ, start_response)

    app.wsgi_app = record
    return seen


def test_bench_journeys_make_the_requests_chromium_makes(kiosk, live_demo):
    seen = recorded(live_demo.app)
    kiosk.clock.install()
    for action, button, heading in (
        ("sign-in", "Sign in", "Signed in"),
        ("sign-out", "Sign out", "Signed out"),
    ):
        if action == "sign-in":
            start_as_parent(kiosk, live_demo.url, RACHEL)
        else:
            kiosk.get_by_role("button", name="Parent or carer").click()
            for digit in RACHEL:
                kiosk.locator("form.keypad").get_by_role("button", name=digit, exact=True).click()
        kiosk.get_by_role("button", name=button, exact=True).click()
        expect(kiosk.get_by_role("heading", name=heading)).to_be_visible()
        kiosk.clock.run_for(9000)  # the "done" screen goes home by itself after 8 s
        expect(kiosk.get_by_role("button", name="Parent or carer")).to_be_visible()
    chromium = list(seen)

    seen.clear()
    bench = Kiosk(int(live_demo.url.rsplit(":", 1)[1]))
    journey(bench, RACHEL, "sign-in")
    journey(bench, RACHEL, "sign-out")
    bench.home()  # where Chromium's last reload lands
    bench.close()

    def shape(requests):
        # The page's files load in parallel, in any order: compare them as a set.
        files = sorted(r for r in requests if r[1].startswith("/static/"))
        return [r for r in requests if not r[1].startswith("/static/")], files

    assert shape(seen) == shape(chromium)
    # The journey's own steps are all there, in order (screens may load more by themselves).
    steps = iter(shape(chromium)[0])
    for step in [
        ("GET", "/"),
        ("GET", "/parent"),
        ("POST", "/parent/identify"),
        ("POST", "/parent/sign-in"),
        ("POST", "/reset"),
        ("GET", "/"),
        ("GET", "/parent"),
        ("POST", "/parent/identify"),
        ("POST", "/parent/sign-out"),
        ("POST", "/reset"),
        ("GET", "/"),
    ]:
        assert step in steps, step
    assert len(shape(chromium)[1]) == 5  # each file once: kept by the browser afterwards
