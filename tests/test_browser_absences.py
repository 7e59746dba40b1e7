"""Absences in Debian's Chromium: a parent reports tomorrow's absence at the 800x480 kiosk in
Polish and the manager sees it on the register; the follow-up of the demo's child not
arrived; the error paths a person can meet, read from the screen."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from doorbook import audit, clock, not_arrived, sessions
from doorbook.db import get_db
from tests.admin_helpers import DEPUTY, give_login
from tests.browser import log_in_to_panel, start_as_parent
from tests.conftest import DEMO_ZONE

pytestmark = pytest.mark.browser


def child_id(app, first):
    with app.app_context():
        return (
            get_db().execute("SELECT id FROM children WHERE first_name = ?", [first]).fetchone()[0]
        )


def tomorrow_booked(app, first):
    """Make sure the child is booked tomorrow, whatever weekday the test runs on."""
    tomorrow = clock.today(DEMO_ZONE) + timedelta(days=1)
    with app.app_context():
        db = get_db()
        child = child_id(app, first)
        if child not in sessions.expected_on(db, tomorrow):
            sessions.add_change(db, audit.SYSTEM, child, tomorrow, "extra", "morning")
    return tomorrow


def test_a_parent_reports_tomorrows_absence_in_polish_and_the_manager_sees_it(
    kiosk, panel, live_demo, screenshots
):
    tomorrow = tomorrow_booked(live_demo.app, "Zofia")
    start_as_parent(kiosk, live_demo.url, "245781")  # Katarzyna Nowak, Polish
    expect(kiosk.get_by_role("heading", name="Dzień dobry, Katarzyna")).to_be_visible()
    kiosk.get_by_role("button", name="Zgłoś nieobecność").click()
    expect(kiosk.get_by_role("heading", name="Zgłoś nieobecność")).to_be_visible()
    expect(kiosk.get_by_role("checkbox", name="Zosia Nowak")).to_be_checked()
    days = kiosk.get_by_role("group", name="Który dzień?").get_by_role("checkbox")
    for index in range(days.count()):
        days.nth(index).uncheck()
    kiosk.get_by_role("checkbox", name="Jutro").check()
    kiosk.screenshot(path=str(screenshots / "kiosk-absence-pl-800x480.png"))
    kiosk.get_by_role("button", name="Choroba").click()
    expect(kiosk.get_by_role("heading", name="Nieobecność zapisana")).to_be_visible()
    expect(kiosk.get_by_text("Zosia Nowak: Jutro (Choroba)")).to_be_visible()
    kiosk.screenshot(path=str(screenshots / "kiosk-absence-noted-pl-800x480.png"))

    panel.goto(f"{live_demo.url}/admin/records/register?date={tomorrow.isoformat()}")
    expected = panel.locator("section.expected")
    expect(expected.get_by_text("Zofia Nowak")).to_be_visible()
    expect(expected.get_by_text("absent: ill")).to_be_visible()
    expect(expected.get_by_text("reported by Katarzyna Nowak at the kiosk")).to_be_visible()
    panel.screenshot(path=str(screenshots / "admin-register-absence-1280x800.png"), full_page=True)


def test_the_kiosk_says_what_is_missing_in_the_parents_language(kiosk, live_demo):
    tomorrow_booked(live_demo.app, "Zofia")
    start_as_parent(kiosk, live_demo.url, "245781")
    kiosk.get_by_role("button", name="Zgłoś nieobecność").click()
    expect(kiosk.get_by_role("heading", name="Zgłoś nieobecność")).to_be_visible()
    days = kiosk.get_by_role("group", name="Który dzień?").get_by_role("checkbox")
    for index in range(days.count()):
        days.nth(index).uncheck()
    kiosk.get_by_role("button", name="Wyjazd / urlop").click()
    expect(kiosk.get_by_role("alert")).to_have_text("Wybierz dzień.")
    kiosk.get_by_role("checkbox", name="Zosia Nowak").uncheck()
    kiosk.get_by_role("checkbox", name="Jutro").check()
    kiosk.get_by_role("button", name="Inny powód").click()
    expect(kiosk.get_by_role("alert")).to_have_text("Najpierw wybierz dziecko.")
    with live_demo.app.app_context():
        assert get_db()["absences"].count == 1  # only the demo's own (Leo, reported ill)


def test_a_parent_of_two_reports_in_english_and_goes_back(kiosk, live_demo):
    tomorrow_booked(live_demo.app, "Amelia")
    start_as_parent(kiosk, live_demo.url, "482913")  # Rachel Hart: Millie and Oscar
    kiosk.get_by_role("button", name="Report an absence").click()
    expect(kiosk.get_by_role("checkbox", name="Millie Hart")).not_to_be_checked()
    kiosk.get_by_role("button", name="Ill").click()
    expect(kiosk.get_by_role("alert")).to_have_text("Please choose a child first.")
    kiosk.get_by_role("button", name="Back").click()
    expect(kiosk.get_by_role("heading", name="Hello, Rachel")).to_be_visible()


def test_the_manager_follows_up_the_child_not_arrived(panel, live_demo, screenshots):
    with live_demo.app.app_context():
        db = get_db()
        freddie = child_id(live_demo.app, "Freddie")
        starts = sessions.expected_on(db, clock.today(DEMO_ZONE))[freddie].starts
        not_arrived.check(db, starts + timedelta(minutes=31))
    panel.goto(f"{live_demo.url}/admin/dashboard")
    live = panel.locator("#expected-live")
    expect(live.get_by_text("Expected today")).to_be_visible()
    expect(live.get_by_text("NOT ARRIVED", exact=True)).to_be_visible()
    expect(panel.get_by_text("Child expected and not arrived").first).to_be_visible()
    panel.screenshot(
        path=str(screenshots / "admin-dashboard-expected-1280x800.png"), full_page=True
    )
    live.get_by_role("link", name="Follow up: who to ring").click()
    expect(panel.get_by_role("heading", name="Freddie Clarke has not arrived")).to_be_visible()
    expect(panel.get_by_role("heading", name="Next: Ring Laura Clarke")).to_be_visible()
    panel.get_by_label("What happened").first.select_option("no_answer")
    panel.get_by_role("button", name="Log the call to Laura Clarke").click()
    expect(panel.get_by_text("Call logged.")).to_be_visible()
    expect(panel.get_by_role("heading", name="Next: Ring Ben Carter")).to_be_visible()
    panel.screenshot(path=str(screenshots / "admin-follow-up-1280x800.png"), full_page=True)
    # An error path: closing without a note is refused on the screen, nothing changes.
    panel.get_by_label("What was found out or decided").fill("   ")
    panel.get_by_role("button", name="Close the follow-up").click()
    expect(panel.get_by_role("alert")).to_contain_text("Please enter a note of what was decided")
    panel.get_by_label("What was found out or decided").fill("Mum rang back: Freddie is with nan.")
    panel.get_by_role("button", name="Close the follow-up").click()
    expect(panel.get_by_text("closed by the DSL")).to_be_visible()


def test_resolving_the_not_arrived_alert_on_the_dashboard_closes_its_follow_up(
    panel, live_demo, screenshots
):
    with live_demo.app.app_context():
        db = get_db()
        freddie = child_id(live_demo.app, "Freddie")
        starts = sessions.expected_on(db, clock.today(DEMO_ZONE))[freddie].starts
        not_arrived.check(db, starts + timedelta(minutes=31))
    panel.goto(f"{live_demo.url}/admin/dashboard")
    card = panel.locator("li.alert-not_arrived").filter(has_text="Freddie Clarke")
    expect(card).to_be_visible()
    card.get_by_role("button", name="Resolve").click()  # no note: said, and nothing changes
    expect(panel.get_by_role("alert")).to_contain_text("Please write a note")
    expect(panel.get_by_role("alert")).to_contain_text("closes Freddie Clarke's follow-up")
    card.get_by_label("Note").fill("Dad rang back: Freddie is at his nan's today.")
    card.get_by_role("button", name="Resolve").click()
    expect(card).to_have_count(0)
    live = panel.locator("#expected-live")  # the day's picture agrees, without a reload
    expect(live.get_by_text("Freddie Clarke")).to_be_visible()
    expect(live.get_by_role("link", name="Follow up: who to ring")).to_have_count(0)
    panel.screenshot(path=str(screenshots / "admin-not-arrived-resolved-1280x800.png"))
    panel.goto(f"{live_demo.url}/admin/absences")
    expect(panel.get_by_role("heading", name="Children not arrived")).to_be_visible()
    expect(panel.get_by_role("link", name="Follow up Freddie Clarke")).to_have_count(0)
    with live_demo.app.app_context():
        follow_up = get_db().execute("SELECT id FROM follow_ups WHERE child_id = ?", [freddie])
        follow_up_id = follow_up.fetchone()[0]
    panel.goto(f"{live_demo.url}/admin/absences/follow-up/{follow_up_id}")
    ended = panel.get_by_role("status").filter(has_text="Ended")
    expect(ended).to_contain_text("closed by the DSL")
    expect(ended).to_contain_text("Dad rang back: Freddie is at his nan's today.")


def test_the_dsl_the_manager_marks_in_staff_sees_the_dsl_report_whatever_their_role(
    panel, browser, live_demo, screenshots
):
    """The manager makes Aisha Begum (SENCo, a practitioner's panel role) the DSL and Tom
    Okafor (deputy) no longer one, on their Staff pages; the DSL's report follows."""
    with live_demo.app.app_context():
        give_login(get_db(), "Aisha Begum", "aisha", "aisha's own password")
    for name, tick in (("Aisha Begum", True), ("Tom Okafor", False)):
        panel.goto(f"{live_demo.url}/admin/staff")
        panel.get_by_role("link", name=name).click()
        panel.get_by_label("Designated safeguarding lead (DSL)").set_checked(tick)
        panel.get_by_role("button", name="Save").click()
        expect(panel.get_by_text("Saved.")).to_be_visible()
    panel.goto(f"{live_demo.url}/admin/staff")
    expect(panel.get_by_role("row", name="Aisha Begum")).to_contain_text("practitioner, DSL")
    expect(panel.get_by_role("row", name="Tom Okafor")).not_to_contain_text("DSL")

    for who, sees in ((("aisha", "aisha's own password"), True), (DEPUTY, False)):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        log_in_to_panel(page, live_demo.url, who)
        page.goto(f"{live_demo.url}/admin/absences")
        expect(page.get_by_role("heading", name="Absences", exact=True)).to_be_visible()
        report = page.get_by_role("link", name="Prolonged and repeated absence (DSL)")
        if sees:
            report.click()
            heading = page.get_by_role("heading", name="Prolonged and repeated absence")
            expect(heading).to_be_visible()
            page.screenshot(path=str(screenshots / "admin-dsl-report-aisha-1280x800.png"))
        else:
            expect(report).to_have_count(0)
            page.goto(f"{live_demo.url}/admin/absences/report")
            expect(page.get_by_text("For the designated safeguarding lead")).to_be_visible()
            expect(page.get_by_text("(Aisha Begum, Priya Sharma)")).to_be_visible()
        context.close()


def test_the_phoned_in_absence_form_answers_on_the_screen(panel, live_demo):
    panel.goto(f"{live_demo.url}/admin/absences")
    panel.get_by_label("Child *").select_option(label="Freddie Clarke")
    panel.get_by_label("Reason *").select_option("ill")
    panel.get_by_label("Who told you *").fill("Laura\u202eClarke")
    panel.get_by_role("button", name="Record the absence").click()
    expect(panel.get_by_text("hidden text-direction characters")).to_be_visible()
    panel.get_by_label("Who told you *").fill("Laura Clarke (mother)")
    panel.get_by_role("button", name="Record the absence").click()
    expect(panel.get_by_role("status").first).to_contain_text("Recorded: Freddie Clarke absent")


@pytest.mark.parametrize("code", ["en_GB", "pl", "ur", "ar"])
def test_the_absence_screens_pass_axe(browser, live_demo, code):
    from doorbook.languages import LANGUAGES
    from tests.test_browser_accessibility import violations

    assert code in LANGUAGES
    tomorrow_booked(live_demo.app, "Amelia")
    context = browser.new_context(viewport={"width": 800, "height": 480}, bypass_csp=True)
    page = context.new_page()
    with live_demo.app.app_context():  # Rachel Hart, in this language
        db = get_db()
        db.execute("UPDATE contacts SET language = ? WHERE name = 'Rachel Hart'", [code])
        db.conn.commit()
    start_as_parent(page, live_demo.url, "482913")
    page.locator("button[hx-get='/parent/absence']").click()
    page.wait_for_selector("form.absence-form")
    found = violations(page, f"{code} absence")
    page.locator("input[name=child]").first.check()
    page.locator("button[name=reason][value=holiday]").click()
    page.wait_for_selector(".done")
    found += violations(page, f"{code} absence noted")
    assert found == [], "\n".join(found)
    context.close()


def test_the_absence_pages_in_the_panel_pass_axe(browser, live_demo):
    from tests.admin_helpers import MANAGER
    from tests.browser import log_in_to_panel
    from tests.test_browser_accessibility import violations

    with live_demo.app.app_context():
        db = get_db()
        freddie = child_id(live_demo.app, "Freddie")
        not_arrived.check(
            db,
            sessions.expected_on(db, clock.today(DEMO_ZONE))[freddie].starts + timedelta(hours=2),
        )
        follow_up = not_arrived.open_follow_ups(db)[0]["id"]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    log_in_to_panel(page, live_demo.url, MANAGER)
    found = []
    for path in (
        "/admin/absences",
        f"/admin/absences/follow-up/{follow_up}",
        "/admin/absences/report",
        "/admin/absences/calendar",
        "/admin/absences/policy",
        f"/admin/children/{freddie}/attendance",
        f"/admin/records/register?date={clock.today(DEMO_ZONE) + timedelta(days=1)}",
    ):
        page.goto(live_demo.url + path)
        found += violations(page, path)
    assert found == [], "\n".join(found)
    context.close()
