"""Keeping the records, in Debian's Chromium: what the manager changes, the kiosk obeys."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import start_as_parent
from tests.test_browser_visitors import decode_qr

pytestmark = pytest.mark.browser


def test_a_grandparent_added_as_a_collector_collects_at_the_kiosk(
    panel, kiosk, live_demo, screenshots
):
    panel.get_by_role("link", name="Parents & carers").click()
    panel.get_by_role("link", name="Add a parent or carer").click()
    panel.get_by_label("Full name").fill("Kemi Adeyemi")
    panel.get_by_label("Phone").fill("07700 900150")
    panel.get_by_role("button", name="Save").click()
    expect(panel.get_by_text("Saved.")).to_be_visible()
    links = panel.get_by_role("region", name="Children")
    links.get_by_label("Child").select_option(label="Noah Adeyemi")
    links.get_by_label("Relationship").fill("grandmother")
    links.get_by_label("May collect").check()
    links.get_by_role("button", name="Link or update").click()
    expect(panel.get_by_text("may collect", exact=False).first).to_be_visible()
    panel.get_by_role("button", name="New random PIN").click()
    pin = panel.locator(".shown-once .secret").inner_text().strip()
    assert len(pin) == 6 and pin.isdigit()
    panel.screenshot(path=str(screenshots / "admin-contact-1280x800.png"), full_page=True)

    start_as_parent(kiosk, live_demo.url, "318274")  # Funmi brings Noah
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    expect(kiosk.get_by_text("Noah Adeyemi signed in at")).to_be_visible()
    start_as_parent(kiosk, live_demo.url, pin)  # Grandma Kemi collects
    expect(kiosk.get_by_role("heading", name="Hello, Kemi")).to_be_visible()
    kiosk.get_by_role("button", name="Sign out", exact=True).click()
    expect(kiosk.get_by_text("Noah Adeyemi signed out at")).to_be_visible()


def test_a_revoked_qr_card_fails_at_the_kiosk(panel, kiosk, live_demo, tmp_path):
    panel.goto(live_demo.url + "/admin/contacts")
    panel.get_by_role("link", name="Laura Clarke").click()
    panel.get_by_role("button", name="Issue and print a QR card").click()
    card = panel.get_by_role("article", name="QR card")
    expect(card).to_contain_text("Laura Clarke")
    shot = tmp_path / "card.png"
    card.screenshot(path=str(shot))
    token = decode_qr(shot)

    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    expect(kiosk.get_by_text("Type your PIN or scan your card.")).to_be_visible()
    kiosk.keyboard.type(token, delay=5)
    kiosk.keyboard.press("Enter")
    expect(kiosk.get_by_role("heading", name="Hello, Laura")).to_be_visible()

    panel.get_by_role("link", name="Back").click()
    panel.get_by_role("button", name="Revoke the QR card").click()
    expect(panel.get_by_text("The QR card is revoked")).to_be_visible()
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    expect(kiosk.get_by_text("Type your PIN or scan your card.")).to_be_visible()
    kiosk.keyboard.type(token, delay=5)
    kiosk.keyboard.press("Enter")
    expect(kiosk.get_by_role("alert")).to_have_text(
        "That PIN or card was not recognised. Please try again."
    )


def test_a_booked_visits_invitation_signs_the_visitor_in(
    panel, kiosk, live_demo, tmp_path, screenshots
):
    panel.get_by_role("link", name="Bookings").click()
    panel.get_by_label("Visitor's full name").fill("Jo Whitfield")
    panel.get_by_label("Role").fill("Health visitor")
    panel.get_by_label("Child").select_option(label="Leo Fernandes")
    panel.get_by_label("Time").fill("15:30")
    panel.get_by_label("Supervisor").select_option(label="Hannah Lewis")
    panel.get_by_role("button", name="Book and show the invitation").click()
    # Leo has no involvement with consent recorded: the booking needs a reason to go ahead.
    expect(panel.get_by_text("No consent recorded.")).to_be_visible()
    panel.get_by_label("Reason to go ahead without recorded consent").fill(
        "Health visitor's routine two-year check, agreed with the parents by phone."
    )
    panel.get_by_role("button", name="Book and show the invitation").click()
    invitation = panel.get_by_role("article", name="Invitation")
    expect(invitation).to_contain_text("Jo Whitfield")
    panel.screenshot(path=str(screenshots / "admin-invitation-1280x800.png"))
    shot = tmp_path / "invitation.png"
    invitation.get_by_role("img", name="Invitation QR code").screenshot(path=str(shot))
    token = decode_qr(shot)
    assert token.startswith("inv_")

    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Visiting professional").click()
    expect(kiosk.get_by_text("Scan the QR code on your invitation")).to_be_visible()
    kiosk.keyboard.type(token, delay=5)
    kiosk.keyboard.press("Enter")
    expect(kiosk.get_by_role("heading", name="Is this you?")).to_be_visible()
    expect(kiosk.get_by_text("Jo Whitfield")).to_be_visible()
    expect(kiosk.get_by_text("Leo", exact=True)).to_be_visible()
    kiosk.get_by_role("button", name="Yes, sign me in").click()
    expect(kiosk.get_by_role("article", name="Visitor badge")).to_contain_text("Jo Whitfield")


def test_a_register_exported_as_html_opens_from_a_usb_stick_styled_and_prints_landscape(
    browser, run_cli, tmp_path, screenshots
):
    """`doorbook export --format html` saves a file that is never served (no CSP applies):
    opened from the stick, with no server, it is still styled and prints on A4 landscape."""
    from doorbook import clock
    from tests.conftest import DEMO_ZONE

    folder = tmp_path / "demo"
    assert run_cli("demo", data=folder).exit_code == 0
    saved = tmp_path / "usb" / "register.html"
    saved.parent.mkdir()
    today = clock.today(DEMO_ZONE).isoformat()
    result = run_cli(
        "export", "register", "--date", today, "--format", "html", "-o", str(saved), data=folder
    )
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(saved.as_uri())
    expect(page.get_by_role("heading", name="Attendance register")).to_be_visible()
    header = page.get_by_role("columnheader").first
    expect(header).to_have_css("border-top-style", "solid")
    expect(header).to_have_css("background-color", "rgb(238, 238, 238)")
    page.screenshot(path=str(screenshots / "export-register-html.png"))
    pdf = page.pdf(prefer_css_page_size=True)
    size = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert size and float(size.group(1)) > float(size.group(2)), "not A4 landscape"
    page.close()
