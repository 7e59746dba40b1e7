"""Families' voice in Debian's Chromium: a question after drop-off (in Urdu, right to left),
the phone number confirmed in one tap or reported wrong, and a complaint form's errors on the
manager's screen."""

from datetime import date

import pytest
from playwright.sync_api import expect

from doorbook import audit, questions
from doorbook.db import get_db
from tests.browser import tap_pin

pytestmark = pytest.mark.browser


def ask(app, **translations):
    with app.app_context():
        questions.ask(
            get_db(),
            audit.Actor("staff", 1, "Priya Shah"),
            "How was drop-off today?",
            ["Good", "OK", "Too slow"],
            date(2099, 1, 1),
            translations,
        )


def due_to_confirm(app, name):
    with app.app_context():
        db = get_db()
        db.execute("UPDATE contacts SET phone_confirmed_on = '2025-01-01' WHERE name = ?", [name])
        db.conn.commit()


class Taps:
    """Counts a person's taps on the kiosk, as the issue's tap budget counts them."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def tap(self, locator):
        locator.click()
        self.count += 1

    def pin(self, pin):
        tap_pin(self.page, pin)
        self.count += len(pin)


def test_a_parent_answers_the_question_in_urdu_and_is_not_asked_again(
    kiosk, live_demo, screenshots
):
    ask(live_demo.app, ur=("آج بچے کو چھوڑنا کیسا رہا؟", ["اچھا", "ٹھیک", "بہت سست"]))
    taps = Taps(kiosk)
    kiosk.goto(live_demo.url + "/")
    taps.tap(kiosk.get_by_role("button", name="Parent or carer"))
    taps.pin("427159")  # Imran Khan, Urdu
    taps.tap(kiosk.get_by_role("button", name="آمد درج کریں", exact=True))
    question = kiosk.get_by_role("heading", name="آج بچے کو چھوڑنا کیسا رہا؟")
    expect(question).to_be_visible()
    expect(kiosk.locator("html")).to_have_attribute("dir", "rtl")
    kiosk.screenshot(path=str(screenshots / "kiosk-question-ur-800x480.png"))
    assert kiosk.get_by_role("button", name="بہت سست").is_visible()
    kiosk.get_by_role("button", name="بہت سست").click()
    expect(kiosk.get_by_text("شکریہ۔")).to_be_visible()
    with live_demo.app.app_context():
        [result] = questions.results(get_db())
    assert result.counts[2] == ("Too slow", 1)
    # Collection later (the next person at the kiosk): the question is not shown again.
    kiosk.context.clear_cookies()
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    tap_pin(kiosk, "427159")
    kiosk.get_by_role("button", name="روانگی درج کریں", exact=True).click()
    expect(kiosk.get_by_role("status").first).to_be_visible()
    expect(question).to_have_count(0)


def test_drop_off_with_a_question_pending_is_still_nine_taps(kiosk, live_demo):
    ask(live_demo.app)
    taps = Taps(kiosk)
    kiosk.goto(live_demo.url + "/")
    taps.tap(kiosk.get_by_role("button", name="Parent or carer"))
    taps.pin("318274")  # Funmi Adeyemi
    taps.tap(kiosk.get_by_role("button", name="Sign in", exact=True))
    expect(kiosk.get_by_text("Noah Adeyemi signed in at")).to_be_visible()
    expect(kiosk.get_by_role("heading", name="How was drop-off today?")).to_be_visible()
    done = kiosk.get_by_role("button", name="Done")
    box = done.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 480  # no scrolling to finish
    taps.tap(done)
    expect(kiosk.get_by_role("button", name="Parent or carer")).to_be_visible()
    assert taps.count == 9


def test_a_parent_confirms_their_number_in_one_tap(kiosk, live_demo, screenshots):
    due_to_confirm(live_demo.app, "Funmi Adeyemi")
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    tap_pin(kiosk, "318274")
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    expect(kiosk.get_by_role("heading", name="Is your phone number still right?")).to_be_visible()
    expect(kiosk.get_by_text("07••• •••104")).to_be_visible()
    kiosk.screenshot(path=str(screenshots / "kiosk-details-check-800x480.png"))
    kiosk.get_by_role("button", name="Yes, it is right").click()
    expect(kiosk.get_by_text("Thank you.")).to_be_visible()
    with live_demo.app.app_context():
        confirmed = (
            get_db()
            .execute("SELECT phone_confirmed_on FROM contacts WHERE name = 'Funmi Adeyemi'")
            .fetchone()[0]
        )
    assert confirmed != "2025-01-01"


def test_a_parent_whose_number_is_wrong_appears_on_the_office_list(kiosk, panel, live_demo):
    due_to_confirm(live_demo.app, "Siobhan Murphy")
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    tap_pin(kiosk, "763018")  # Siobhan Murphy
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    kiosk.get_by_role("button", name="No, I'll tell staff").click()
    expect(kiosk.get_by_text("Please tell a member of staff your new details.")).to_be_visible()
    panel.goto(live_demo.url + "/admin/contact-details")
    row = panel.get_by_role("row").filter(has_text="Siobhan Murphy")
    expect(row).to_contain_text("details are wrong")
    row.get_by_role("button", name="Details checked").click()
    expect(panel.get_by_text("Marked as up to date.")).to_be_visible()
    expect(panel.get_by_role("row").filter(has_text="Siobhan Murphy")).to_have_count(0)


def test_a_complaint_without_details_says_so_on_the_managers_screen(panel, live_demo, screenshots):
    panel.goto(live_demo.url + "/admin/complaints")
    panel.get_by_label("How it came").select_option("written")
    panel.get_by_label("Complaint or concern").select_option("complaint")
    panel.get_by_label("What it is about").select_option("collection")
    panel.get_by_label("Who complained").select_option("parent_carer")
    panel.get_by_label("Their name").fill("Rachel Hart")
    panel.get_by_role("button", name="Record it").click()
    expect(panel.get_by_text("Please enter the details.")).to_be_visible()
    expect(panel.get_by_label("Their name")).to_have_value("Rachel Hart")
    panel.get_by_label("What happened").fill("The gate was left open at collection.")
    panel.get_by_role("button", name="Record it").click()
    expect(panel.get_by_role("heading", name="Complaint C-1")).to_be_visible()
    expect(panel.get_by_text("Acknowledgement due")).to_be_visible()
    panel.screenshot(path=str(screenshots / "admin-complaint-1280x800.png"), full_page=True)
    # The Ofsted summary's action may not name anyone: the refusal is on the screen.
    panel.get_by_label("Outcome").select_option("upheld")
    panel.get_by_label("What the complainant was told").fill("We are sorry; it is fixed.")
    panel.get_by_label("Action taken").fill("Rachel was given a new gate code.")
    panel.get_by_role("button", name="Record the feedback and close").click()
    expect(panel.get_by_text("please take out Rachel")).to_be_visible()
