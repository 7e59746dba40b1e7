"""The kiosk home in Debian's Chromium, at the kiosk's sizes."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

JOURNEYS = ["Parent or carer", "Visiting professional", "Other visitor", "Staff", "Signing out"]


@pytest.mark.parametrize("size", [(800, 480), (1280, 800)], ids=["800x480", "1280x800"])
def test_kiosk_home_shows_five_journeys_by_role_and_name(browser, live_demo, screenshots, size):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(live_demo.url + "/")
    for name in JOURNEYS:
        button = page.get_by_role("button", name=name, exact=True)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
        assert box["y"] + box["height"] <= size[1], f"{name} is below the fold"
    expect(page.get_by_role("button", name="Call a member of staff")).to_be_visible()
    page.screenshot(path=str(screenshots / f"kiosk-home-{size[0]}x{size[1]}.png"))
    page.get_by_role("button", name="Parent or carer").click()
    expect(page.get_by_role("heading", name="Parent or carer")).to_be_visible()
    assert page.url == live_demo.url + "/"  # nothing in the address bar
    page.close()
