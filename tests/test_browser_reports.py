"""The end-of-day records in Debian's Chromium."""

import pytest
from playwright.sync_api import expect

from tests.admin_helpers import MANAGER
from tests.browser import log_in_to_panel, start_as_parent

pytestmark = pytest.mark.browser


def test_roll_call_in_one_click_and_a_register_correction(browser, live_demo, screenshots):
    kiosk = browser.new_page(viewport={"width": 800, "height": 480})
    start_as_parent(kiosk, live_demo.url, "482913")
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    expect(kiosk.get_by_role("heading", name="Signed in")).to_be_visible()

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    log_in_to_panel(page, live_demo.url, MANAGER)
    page.get_by_role("link", name="Children").click()
    page.get_by_role("link", name="Fire roll call").click()  # one click, from any page
    expect(page.get_by_role("heading", name="Fire roll call: 2 on site")).to_be_visible()
    expect(page.get_by_text("Amelia Hart")).to_be_visible()
    page.screenshot(path=str(screenshots / "admin-roll-call-1280x800.png"))

    page.get_by_role("link", name="Register").click()
    row = page.get_by_role("row").filter(has_text="Amelia Hart")
    row.locator("summary").click()  # each row's correction form opens on demand
    row.get_by_label("Which time").select_option("arrived")
    row.get_by_label("New time").fill("07:55")
    row.get_by_label("Reason").fill("Arrived before the kiosk was on")
    row.get_by_role("button", name="Save correction").click()
    expect(
        page.get_by_text("Corrected: Amelia Hart's arrival is corrected to 07:55.")
    ).to_be_visible()
    expect(page.get_by_text("Arrived before the kiosk was on")).to_be_visible()
    page.screenshot(path=str(screenshots / "admin-register-1280x800.png"), full_page=True)
    page.close()
    kiosk.close()
