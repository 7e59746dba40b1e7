"""Families at the kiosk, in Debian's Chromium, at the kiosk's sizes."""

import pytest
from playwright.sync_api import expect

from doorbook.db import get_db, write
from tests.browser import SIZE_IDS, SIZES, start_as_parent, tap_pin, type_on_kiosk_keyboard

pytestmark = pytest.mark.browser


def register_rows(app, name):
    with app.app_context():
        return list(
            get_db().query(
                "SELECT a.* FROM attendance a JOIN children c ON c.id = a.child_id "
                "WHERE c.first_name = ?",
                [name],
            )
        )


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_drop_off_two_children_with_a_message(browser, live_demo, screenshots, size):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    start_as_parent(page, live_demo.url, "482913")  # Rachel Hart
    expect(page.get_by_role("heading", name="Hello, Rachel")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Millie Hart")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Oscar Hart")).to_be_checked()
    page.screenshot(path=str(screenshots / f"kiosk-children-{size[0]}x{size[1]}.png"))
    page.get_by_label("Message for the key person (optional)").click()
    type_on_kiosk_keyboard(page, "slept badly")
    page.screenshot(path=str(screenshots / f"kiosk-keyboard-{size[0]}x{size[1]}.png"))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    expect(page.get_by_text("Millie Hart signed in at")).to_be_visible()
    expect(page.get_by_text("Oscar Hart signed in at")).to_be_visible()
    page.screenshot(path=str(screenshots / f"kiosk-signed-in-{size[0]}x{size[1]}.png"))
    rows = register_rows(live_demo.app, "Amelia")
    assert len(rows) == 1
    assert rows[0]["brought_by_name"] == "Rachel Hart"
    assert rows[0]["message_for_key_person"] == "slept badly"
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("button", name="Parent or carer")).to_be_visible()
    page.close()


def test_grandmother_collects_two_children(browser, live_demo):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    start_as_parent(page, live_demo.url, "482913")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    start_as_parent(page, live_demo.url, "690352")  # Margaret Hart, may collect both
    expect(page.get_by_role("group", name="Here now")).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("Millie Hart signed out at")).to_be_visible()
    expect(page.get_by_text("Oscar Hart signed out at")).to_be_visible()
    rows = register_rows(live_demo.app, "Oscar")
    assert rows[0]["collected_by_name"] == "Margaret Hart"
    page.close()


def test_a_parent_who_may_not_collect_is_asked_to_wait(browser, live_demo, screenshots):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    start_as_parent(page, live_demo.url, "278503")  # Jess Thompson drops Ava off
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    start_as_parent(page, live_demo.url, "731946")  # Chris Thompson: may not collect
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(
        page.get_by_role("heading", name="Please wait — a member of staff is coming to help you.")
    ).to_be_visible()
    expect(page.get_by_text("Ava")).to_have_count(0)
    page.screenshot(path=str(screenshots / "kiosk-please-wait-800x480.png"))
    assert register_rows(live_demo.app, "Ava")[0]["departed_at"] is None
    page.close()


def test_a_qr_card_scanned_by_a_usb_scanner_identifies_the_parent(browser, live_demo):
    from doorbook import cards

    with live_demo.app.app_context():
        db = get_db()
        contact = db.execute("SELECT id FROM contacts WHERE name = 'Funmi Adeyemi'").fetchone()[0]
        token = cards.issue(db, contact_id=contact, actor=cards.SYSTEM)
    page = browser.new_page(viewport={"width": 800, "height": 480})
    page.goto(live_demo.url + "/")
    page.get_by_role("button", name="Parent or carer").click()
    expect(page.get_by_text("Type your PIN or scan your card.")).to_be_visible()
    page.keyboard.type(token, delay=5)  # the scanner "types" the token...
    page.keyboard.press("Enter")  # ...and Enter
    expect(page.get_by_role("heading", name="Hello, Funmi")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Noah Adeyemi")).to_be_visible()
    page.close()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_a_wrong_pin_says_so_and_lets_the_parent_try_again(browser, live_demo, screenshots, size):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    start_as_parent(page, live_demo.url, "000000")
    expect(page.get_by_role("alert")).to_have_text(
        "That PIN or card was not recognised. Please try again."
    )
    page.screenshot(path=str(screenshots / f"kiosk-pin-{size[0]}x{size[1]}.png"))
    tap_pin(page, "318274")
    expect(page.get_by_role("heading", name="Hello, Funmi")).to_be_visible()
    page.close()


def test_someone_collecting_for_a_family_is_asked_for_photo_id(browser, live_demo, screenshots):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    page.goto(live_demo.url + "/")
    page.get_by_role("button", name="Parent or carer").click()
    page.get_by_role("button", name="I'm collecting for a family").click()
    page.get_by_label("Your full name").click()
    type_on_kiosk_keyboard(page, "Tunde Bakare")
    page.screenshot(path=str(screenshots / "kiosk-collecting-800x480.png"))
    page.get_by_label("The family's collection password").click()
    type_on_kiosk_keyboard(page, "sunflower")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Thank you — please show photo ID to a member of staff.")
    ).to_be_visible()
    with live_demo.app.app_context():
        kinds = [r["kind"] for r in get_db().query("SELECT kind FROM alerts")]
    assert kinds == ["one_off_waiting"]
    page.close()


def test_staff_sign_in_and_out(browser, live_demo):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    page.goto(live_demo.url + "/")
    page.get_by_role("button", name="Staff", exact=True).click()
    tap_pin(page, "731850")  # Aisha Begum
    expect(page.get_by_text("You are not signed in.")).to_be_visible()
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Aisha Begum signed in at")).to_be_visible()
    page.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Staff", exact=True).click()
    tap_pin(page, "731850")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("Aisha Begum signed out at")).to_be_visible()
    page.close()


def test_call_a_member_of_staff(browser, live_demo):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    page.goto(live_demo.url + "/")
    page.get_by_role("button", name="Call a member of staff").click()
    expect(page.get_by_role("heading", name="A member of staff is on their way.")).to_be_visible()
    with live_demo.app.app_context():
        assert get_db()["alerts"].count == 1
    page.close()


def test_a_not_permitted_person_at_the_door_sees_only_please_wait(browser, live_demo):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    page.goto(live_demo.url + "/")
    page.get_by_role("button", name="Parent or carer").click()
    page.get_by_role("button", name="I'm collecting for a family").click()
    page.get_by_label("Your full name").fill("Sean Murphy")
    page.get_by_label("The family's collection password").fill("lighthouse")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Please wait — a member of staff is coming to help you.")
    ).to_be_visible()
    expect(page.get_by_text("Isla")).to_have_count(0)
    with live_demo.app.app_context():
        (kind,) = [r["kind"] for r in get_db().query("SELECT kind FROM alerts")]
    assert kind == "not_permitted_at_door"
    page.close()


def test_an_idle_kiosk_goes_home_and_forgets_the_parent(browser, live_demo):
    from doorbook import settings

    with live_demo.app.app_context():
        settings.set_many(get_db(), {"idle_timeout_seconds": "2"})
    page = browser.new_page(viewport={"width": 800, "height": 480})
    start_as_parent(page, live_demo.url, "482913")
    expect(page.get_by_role("heading", name="Hello, Rachel")).to_be_visible()
    # Nobody touches the screen: it goes back to the start by itself.
    expect(page.get_by_role("button", name="Parent or carer")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Millie")).to_have_count(0)
    assert len(live_demo.app.extensions["kiosk_interactions"]) == 0
    page.close()


def in_sight(page, locator, size, what: str) -> None:
    """The whole of it is on the screen without scrolling, at this size."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None, what
    assert box["y"] >= 0 and box["x"] >= 0, f"{what} starts off screen: {box}"
    assert box["x"] + box["width"] <= size[0] + 0.5, f"{what} is cut off at the side: {box}"
    assert box["y"] + box["height"] <= size[1] + 0.5, f"{what} is below the fold: {box}"


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("language", ["en", "ur"])
def test_a_parent_of_two_sees_sign_in_and_report_an_absence_without_scrolling(
    browser, live_demo, screenshots, size, language
):
    if language == "ur":  # Rachel Hart reads the kiosk in Urdu, right to left
        with live_demo.app.app_context():
            db = get_db()
            with write(db):
                db.execute("UPDATE contacts SET language = 'ur' WHERE name = 'Rachel Hart'")
    sign_in, report = {
        "en": ("Sign in", "Report an absence"),
        "ur": ("آمد درج کریں", "غیر حاضری کی اطلاع دیں"),
    }[language]
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    start_as_parent(page, live_demo.url, "482913")  # Rachel Hart: Amelia (Millie) and Oscar
    expect(page.get_by_role("checkbox", name="Millie Hart")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Oscar Hart")).to_be_visible()
    shot = f"kiosk-children-two-{language}-{size[0]}x{size[1]}.png"
    page.screenshot(path=str(screenshots / shot))
    assert page.evaluate("document.getElementById('screen').scrollTop") == 0
    in_sight(page, page.get_by_role("button", name=sign_in, exact=True), size, sign_in)
    in_sight(page, page.get_by_role("button", name=report, exact=True), size, report)
    page.close()


def test_with_one_child_here_and_one_not_every_action_is_in_sight(browser, live_demo, screenshots):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    start_as_parent(page, live_demo.url, "482913")
    page.get_by_role("checkbox", name="Millie Hart").uncheck()
    page.get_by_role("button", name="Sign in", exact=True).click()  # Oscar only
    expect(page.get_by_text("Oscar Hart signed in at")).to_be_visible()
    start_as_parent(page, live_demo.url, "482913")
    expect(page.get_by_role("group", name="Here now")).to_be_visible()
    page.screenshot(path=str(screenshots / "kiosk-children-here-and-not-800x480.png"))
    for name in ("Sign in", "Sign out", "Report an absence"):
        in_sight(page, page.get_by_role("button", name=name, exact=True), (800, 480), name)
    page.close()


def test_with_the_policy_question_asked_too_report_an_absence_stays_in_sight(
    browser, live_demo, screenshots
):
    """The setting asks parents to confirm the attendance policy: the question comes after
    *Report an absence*, so it, *Sign in* and *Sign out* stay on the 800x480 screen."""
    from pathlib import Path

    from doorbook import attendance_policies, settings
    from doorbook.audit import SYSTEM

    with live_demo.app.app_context():
        db = get_db()
        settings.set_many(db, {"ask_parents_to_confirm_policy": "yes"})
        data_dir = Path(live_demo.app.config["DATA_DIR"])
        attendance_policies.save_policy(
            db, SYSTEM, b"%PDF-1.4\n% Acorns attendance policy\n", data_dir
        )
    page = browser.new_page(viewport={"width": 800, "height": 480})
    start_as_parent(page, live_demo.url, "482913")
    page.get_by_role("checkbox", name="Millie Hart").uncheck()
    page.get_by_role("button", name="Sign in", exact=True).click()  # Oscar only
    expect(page.get_by_text("Oscar Hart signed in at")).to_be_visible()
    start_as_parent(page, live_demo.url, "482913")  # one here, one not, and the question
    expect(page.get_by_role("button", name="I have read the attendance policy")).to_be_visible()
    page.screenshot(path=str(screenshots / "kiosk-children-policy-800x480.png"))
    for name in ("Sign in", "Sign out", "Report an absence"):
        in_sight(page, page.get_by_role("button", name=name, exact=True), (800, 480), name)
    page.close()
