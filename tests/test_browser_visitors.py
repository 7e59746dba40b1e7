"""Visitors at the kiosk, in Debian's Chromium, at the kiosk's sizes."""

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from doorbook import alerts
from doorbook.db import get_db
from tests.browser import SIZE_IDS, SIZES, sign_in_other_visitor, type_on_kiosk_keyboard

pytestmark = pytest.mark.browser


def decode_qr(png_path) -> str:
    """Read a QR code from a screenshot with a real decoder (Debian's zbar-tools)."""
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg is missing: apt-get install zbar-tools (.ci/run does)"
    out = subprocess.run(
        [zbarimg, "--raw", "-q", str(png_path)], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def reference_code(app, visitor):
    with app.app_context():
        return (
            get_db()
            .execute("SELECT reference_code FROM expected_visits WHERE visitor_name = ?", [visitor])
            .fetchone()[0]
        )


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_invited_professional_types_the_reference_code(browser, live_demo, screenshots, size):
    code = reference_code(live_demo.app, "Grace Mensah")
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(live_demo.url + "/")
    page.get_by_role("button", name="Visiting professional").click()
    page.get_by_label("Reference code").click()
    type_on_kiosk_keyboard(page, code.replace("-", ""))
    page.screenshot(path=str(screenshots / f"kiosk-invitation-code-{size[0]}x{size[1]}.png"))
    # The only field: the keyboard's ✓ sends it.
    page.get_by_role("group", name="Keyboard").get_by_role("button", name="Done").click()
    expect(page.get_by_role("heading", name="Is this you?")).to_be_visible()
    expect(page.get_by_text("Grace Mensah")).to_be_visible()
    expect(page.get_by_text("Amelia", exact=True)).to_be_visible()
    page.screenshot(path=str(screenshots / f"kiosk-invitation-{size[0]}x{size[1]}.png"))
    page.get_by_role("button", name="Yes, sign me in").click()
    expect(
        page.get_by_role("heading", name="You are signed in. Please wear your badge.")
    ).to_be_visible()
    expect(page.get_by_text("Escorted at all times")).to_be_visible()
    page.screenshot(path=str(screenshots / f"kiosk-badge-{size[0]}x{size[1]}.png"))
    with live_demo.app.app_context():
        assert [a["kind"] for a in alerts.open_alerts(get_db())] == ["unsupervised_visit"]
    page.close()


def test_the_badge_qr_code_decodes_and_signs_the_visitor_out(browser, live_demo, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    sign_in_other_visitor(
        page,
        live_demo.url,
        "Dave Price",
        organisation="Sparks Electrical",
        purpose="Fire alarm service",
        here_to_see="Priya Sharma",
    )
    badge = page.get_by_role("article", name="Visitor badge")
    expect(badge).to_be_visible()
    shot = tmp_path / "badge.png"
    badge.screenshot(path=str(shot))
    token = decode_qr(shot)
    assert token.startswith("bdg_")
    page.get_by_role("button", name="Done").click()

    page.get_by_role("button", name="Signing out").click()
    expect(page.get_by_role("button", name="Dave P.")).to_be_visible()
    page.keyboard.type(token, delay=5)  # the USB scanner reads the badge...
    page.keyboard.press("Enter")
    expect(page.get_by_text("Dave P. signed out at")).to_be_visible()
    with live_demo.app.app_context():
        assert get_db().execute("SELECT signed_out_at FROM visits").fetchone()[0]
    page.close()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_unannounced_professional_on_the_kiosk_keyboard(browser, live_demo, screenshots, size):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(live_demo.url + "/")
    page.get_by_role("button", name="Visiting professional").click()
    page.get_by_role("button", name="I don't have an invitation").click()
    page.get_by_label("Your full name").click()
    type_on_kiosk_keyboard(page, "Priya Gill")
    page.screenshot(path=str(screenshots / f"kiosk-professional-form-{size[0]}x{size[1]}.png"))
    keyboard = page.get_by_role("group", name="Keyboard")
    keyboard.get_by_role("button", name="Next").click()  # ✓ moves to the next field
    expect(page.get_by_label("Organisation")).to_be_focused()
    type_on_kiosk_keyboard(page, "Lambeth Early Help")
    page.get_by_role("button", name="Social worker").click()
    expect(page.get_by_label("Your role")).to_have_value("Social worker")
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_text("Step 2 of 2")).to_be_visible()
    page.get_by_label("The child you have come to see").click()
    type_on_kiosk_keyboard(page, "Noah Adeyemi")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("article", name="Visitor badge")).to_contain_text("Priya Gill")
    page.close()


def test_a_missing_field_is_named_beside_it(browser, live_demo, screenshots):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    page.goto(live_demo.url + "/")
    page.get_by_role("button", name="Other visitor").click()
    page.get_by_label("Your full name").fill("Dave Price")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Please enter the reason for your visit.")).to_be_visible()
    expect(page.get_by_label("Your full name")).to_have_value("Dave Price")
    page.screenshot(path=str(screenshots / "kiosk-visitor-errors-800x480.png"))
    page.close()


def test_picking_a_name_to_sign_out(browser, live_demo, screenshots):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    sign_in_other_visitor(page, live_demo.url, "Dave Price")
    page.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Signing out").click()
    page.screenshot(path=str(screenshots / "kiosk-signing-out-800x480.png"))
    page.get_by_role("button", name="Dave P.").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_text("Dave P. signed out at")).to_be_visible()
    page.close()


@pytest.mark.parametrize(
    "paper, size_mm", [("62mm", (62, 100)), ("a6", (105, 148))], ids=["62mm-label", "a6"]
)
def test_the_badge_prints_on_one_page_of_its_paper(browser, live_demo, paper, size_mm):
    import re as regex

    from doorbook import settings

    with live_demo.app.app_context():
        settings.set_many(get_db(), {"badge_paper": paper})
    page = browser.new_page(viewport={"width": 800, "height": 480})
    sign_in_other_visitor(page, live_demo.url, "Dave Price")
    expect(page.get_by_role("article", name="Visitor badge")).to_be_visible()
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = regex.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(boxes) == 1, "one page"
    width, height = (float(v) * 25.4 / 72 for v in boxes[0])
    assert round(width) == size_mm[0] and round(height) == size_mm[1]
    page.close()
