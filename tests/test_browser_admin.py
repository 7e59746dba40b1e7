"""The manager's panel, live, in Debian's Chromium, beside a kiosk in a second context."""

import pytest
from playwright.sync_api import expect

from tests.admin_helpers import MANAGER
from tests.browser import (
    log_in_to_panel,
    sign_in_unannounced_professional,
    start_as_parent,
    tap_pin,
)

pytestmark = pytest.mark.browser


def staff_signs_in(kiosk, url, pin):
    kiosk.goto(url + "/")
    kiosk.get_by_role("button", name="Staff", exact=True).click()
    tap_pin(kiosk, pin)
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    expect(kiosk.get_by_role("heading", name="Signed in")).to_be_visible()


def test_a_visitors_alert_appears_live_and_the_manager_assigns_a_supervisor(
    panel, kiosk, live_demo, screenshots
):
    staff_signs_in(kiosk, live_demo.url, "731850")  # Aisha Begum is on site
    expect(panel.get_by_text("Aisha Begum", exact=False).first).to_be_visible()
    sign_in_unannounced_professional(kiosk, live_demo.url)

    # No reload: the panel hears of it through its event stream.
    alert = panel.get_by_role("listitem").filter(has_text="Unsupervised agency visit")
    expect(alert).to_be_visible(timeout=5_000)
    expect(panel.get_by_role("table").get_by_text("UNSUPERVISED")).to_be_visible()
    panel.screenshot(path=str(screenshots / "admin-unsupervised-1280x800.png"), full_page=True)
    alert.get_by_label("Supervisor").select_option(label="Aisha Begum")
    alert.get_by_role("button", name="Assign").click()
    expect(panel.get_by_text("SUPERVISED by Aisha Begum")).to_be_visible()
    expect(panel.get_by_text("No open alerts.")).to_be_visible()
    panel.screenshot(path=str(screenshots / "admin-supervised-1280x800.png"), full_page=True)

    # Aisha signs out at the kiosk: the visit is unsupervised again, on the open panel.
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Staff", exact=True).click()
    tap_pin(kiosk, "731850")
    kiosk.get_by_role("button", name="Sign out", exact=True).click()
    expect(panel.get_by_text("Aisha Begum has signed out")).to_be_visible(timeout=5_000)
    expect(panel.get_by_role("table").get_by_text("UNSUPERVISED")).to_be_visible()


def test_a_refused_collection_reaches_the_open_panel(panel, kiosk, live_demo, screenshots):
    start_as_parent(kiosk, live_demo.url, "278503")  # Jess brings Ava
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    expect(kiosk.get_by_role("heading", name="Signed in")).to_be_visible()
    start_as_parent(kiosk, live_demo.url, "731946")  # Chris may not collect
    kiosk.get_by_role("button", name="Sign out", exact=True).click()
    expect(
        kiosk.get_by_role("heading", name="Please wait — a member of staff is coming to help you.")
    ).to_be_visible()

    alert = panel.get_by_role("listitem").filter(has_text="Collection refused")
    expect(alert).to_be_visible(timeout=5_000)
    expect(alert).to_contain_text("Chris Thompson tried to collect Ava Thompson")
    panel.screenshot(path=str(screenshots / "admin-collection-refused-1280x800.png"))
    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert).to_contain_text("Acknowledged by Priya Sharma")
    alert.get_by_label("Note").fill("Spoke to Chris; Jess is coming")
    alert.get_by_role("button", name="Resolve").click()
    expect(panel.get_by_text("No open alerts.")).to_be_visible()


def test_a_panel_opened_late_shows_every_open_alert(browser, live_demo):
    kiosk = browser.new_page(viewport={"width": 800, "height": 480})
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Call a member of staff").click()
    expect(kiosk.get_by_role("heading", name="A member of staff is on their way.")).to_be_visible()
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    log_in_to_panel(page, live_demo.url, MANAGER)
    expect(
        page.get_by_role("listitem").filter(has_text="Help requested at the kiosk")
    ).to_be_visible()
    page.close()
    kiosk.close()


def test_live_updates_never_take_the_focus_or_what_is_being_typed(panel, kiosk, live_demo):
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Call a member of staff").click()
    note = panel.get_by_role("listitem").filter(has_text="Help requested").get_by_label("Note")
    expect(note).to_be_visible(timeout=5_000)
    note.click()
    note.type("Going to reception")
    from doorbook import alerts
    from doorbook.db import get_db

    with live_demo.app.app_context():  # meanwhile, a new alert reaches the open panel
        alerts.raise_alert(get_db(), "pin_lockout", "Too many wrong PINs at the back door.")
    panel.wait_for_timeout(500)
    expect(note).to_be_focused()
    expect(note).to_have_value("Going to reception")
    panel.get_by_role("heading", name="On site now").click()  # leaving the part: it catches up
    alerts_region = panel.get_by_role("region", name="Alerts")
    expect(alerts_region.get_by_text("Kiosk PIN lock-out")).to_be_visible(timeout=5_000)
