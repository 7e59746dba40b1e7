"""Working with other professionals in Debian's Chromium: the key person records a concern,
the manager countersigns, a referral with the parents' consent, the visit at the kiosk, and
the parents told; and the errors a person can meet on the way, read from the screen."""

import pytest
from playwright.sync_api import expect

from doorbook import clock
from doorbook.db import get_db
from tests.admin_helpers import MANAGER, PRACTITIONER, give_login
from tests.browser import log_in_to_panel, sign_in_unannounced_professional
from tests.conftest import DEMO_ZONE
from tests.professionals_helpers import AISHA, SALT

pytestmark = pytest.mark.browser


def logins(app, *who):
    with app.app_context():
        for name, credentials in who:
            give_login(get_db(), name, *credentials)


def staff_browser(browser, url, who):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in_to_panel(page, url, who)
    expect(page.get_by_role("link", name="Concerns & agencies")).to_be_visible()
    return context, page


def record_a_concern(page, password):
    page.get_by_role("link", name="Concerns & agencies").click()
    page.get_by_role("link", name="Record a concern").click()
    page.get_by_role("combobox", name="Child").select_option(label="Amelia Hart")
    page.get_by_label("What you saw or heard").fill(
        "A bruise about 2 cm on her left forearm, seen when she took her coat off."
    )
    page.get_by_label("Words used").fill("Daddy's door did it")
    page.get_by_label("Action you took").fill("Told Priya at 09:20; body map completed.")
    page.get_by_label("Where it happened").fill("Pre-school cloakroom")
    page.get_by_label("Sign with your own password").fill(password)
    page.get_by_role("button", name="Sign and record the concern").click()


def test_the_walk_concern_countersigned_referral_visit_and_parents_told(
    browser, live_demo, panel, kiosk, screenshots
):
    logins(live_demo.app, ("Aisha Begum", AISHA))
    url = live_demo.url

    # The key person records a concern and signs it with her own password.
    context, aisha = staff_browser(browser, url, AISHA)
    record_a_concern(aisha, AISHA[1])
    expect(aisha.get_by_text("Your concern about Amelia Hart is recorded")).to_be_visible()
    concern = aisha.get_by_role("article", name="Concern 1")
    expect(concern.get_by_text("Signed by Aisha Begum on")).to_be_visible()
    expect(concern.get_by_text("Waiting for the manager's countersignature")).to_be_visible()
    aisha.screenshot(path=str(screenshots / "panel-concern-signed-1280x800.png"), full_page=True)
    context.close()

    # The manager reviews and countersigns it with her own.
    panel.get_by_role("link", name="Concerns & agencies").click()
    panel.get_by_role("link", name="Concern 1 about Amelia Hart").click()
    concern = panel.get_by_role("article", name="Concern 1")
    concern.get_by_label("Countersign with your own password").fill(MANAGER[1])
    concern.get_by_role("button", name="Review and countersign").click()
    expect(panel.get_by_text("Concern 1 is countersigned by you and dated.")).to_be_visible()
    concern = panel.get_by_role("article", name="Concern 1")
    expect(concern.get_by_text("Countersigned by Priya Sharma on")).to_be_visible()
    expect(concern.get_by_text("Unchanged since it was signed.")).to_be_visible()
    concern.screenshot(path=str(screenshots / "panel-concern-countersigned-1280x800.png"))

    # A referral with the parents' consent.
    panel.get_by_label("Agency", exact=True).select_option(label=SALT)
    panel.get_by_label("Professional(s)").fill("Grace Mensah")
    panel.get_by_label("Purpose, need to know only").fill("speech and language assessment")
    panel.get_by_label("Given by").fill("Rachel Hart")
    panel.get_by_label("On", exact=True).fill(clock.today(DEMO_ZONE).isoformat())
    panel.get_by_label("How", exact=True).select_option("written")
    panel.get_by_role("button", name="Record the referral").click()
    involvement = panel.get_by_role("article", name=SALT)
    expect(involvement.get_by_text("Consent given by Rachel Hart on")).to_be_visible()
    referral = panel.locator(".task").filter(has_text="referral")
    referral.get_by_text("Record that the parents were told").click()
    referral.get_by_label("How").select_option("in person")
    referral.get_by_role("button", name="Record").click()
    expect(panel.get_by_text("Recorded: the task is done.")).to_be_visible()

    # The speech and language therapist arrives at the kiosk with her invitation.
    with live_demo.app.app_context():
        code = (
            get_db()
            .execute(
                "SELECT reference_code FROM expected_visits WHERE visitor_name = 'Grace Mensah'"
            )
            .fetchone()[0]
        )
    kiosk.goto(url + "/")
    kiosk.get_by_role("button", name="Visiting professional").click()
    kiosk.get_by_label("Reference code").fill(code)
    kiosk.get_by_role("button", name="Continue").click()
    kiosk.get_by_role("button", name="Yes, sign me in").click()
    expect(kiosk.get_by_text("Escorted at all times")).to_be_visible()
    kiosk.screenshot(path=str(screenshots / "kiosk-professional-badge-800x480.png"))

    # The task to tell the parents waits, then is done.
    panel.get_by_role("link", name="Concerns & agencies").click()
    task = "Tell Daniel Hart or Rachel Hart about today's speech and language assessment visit"
    expect(panel.get_by_role("link", name=task)).to_be_visible()
    panel.screenshot(path=str(screenshots / "panel-professionals-1280x800.png"), full_page=True)
    panel.get_by_role("link", name=task).click()
    visit = panel.locator(".task").filter(has_text=task)
    visit.get_by_text("Record that the parents were told").click()
    visit.get_by_label("Who was told").fill("Rachel Hart")
    visit.get_by_label("How").select_option("by phone")
    visit.get_by_role("button", name="Record").click()
    expect(panel.get_by_text("The parents have been told about every stage.")).to_be_visible()
    timeline = panel.get_by_role("article", name=SALT)
    expect(timeline.get_by_text("Visit from Grace Mensah")).to_be_visible()
    expect(timeline.get_by_text("Parents informed: Rachel Hart told by phone")).to_be_visible()
    panel.screenshot(path=str(screenshots / "panel-chronology-1280x800.png"), full_page=True)
    panel.get_by_role("link", name="Print (A4)").click()
    expect(panel.get_by_role("heading", name="Chronology: Amelia Hart")).to_be_visible()
    expect(panel.get_by_text("Confidential: need to know only")).to_be_visible()
    panel.screenshot(path=str(screenshots / "print-chronology-1280x800.png"))


def test_a_wrong_password_signs_nothing_and_says_so(browser, live_demo, screenshots):
    logins(live_demo.app, ("Aisha Begum", AISHA))
    context, page = staff_browser(browser, live_demo.url, AISHA)
    record_a_concern(page, "not my password")
    summary = page.get_by_role("alert").first
    expect(summary).to_contain_text("Nothing was signed")
    expect(summary).to_contain_text("That is not your password, so nothing was signed.")
    password = page.get_by_label("Sign with your own password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_value("")
    expect(page.get_by_label("What you saw or heard")).to_have_value(
        "A bruise about 2 cm on her left forearm, seen when she took her coat off."
    )
    page.screenshot(path=str(screenshots / "panel-concern-wrong-password-1280x800.png"))
    context.close()


def test_a_practitioner_who_is_not_the_key_person_reads_need_to_know(browser, live_demo):
    logins(live_demo.app, ("Sam Kowalski", PRACTITIONER))
    context, page = staff_browser(browser, live_demo.url, PRACTITIONER)
    page.goto(live_demo.url + "/admin/children/1/chronology")  # Amelia: not Sam's key child
    expect(page.get_by_role("heading", name="Need to know")).to_be_visible()
    expect(
        page.get_by_text("seen only by the manager, the deputy and the child's key")
    ).to_be_visible()
    context.close()


def test_booking_without_consent_warns_and_asks_for_a_reason(panel, live_demo, screenshots):
    panel.get_by_role("link", name="Bookings").click()
    panel.get_by_label("Visitor's full name").fill("Jo Whitfield")
    panel.get_by_label("Role").fill("Health visitor")
    panel.get_by_label("Child").select_option(label="Leo Fernandes")
    panel.get_by_label("Time").fill("15:30")
    panel.get_by_role("button", name="Book and show the invitation").click()
    warning = panel.locator(".consent-warning")
    expect(warning).to_contain_text("No consent recorded.")
    expect(warning.get_by_text("Please enter the reason to go ahead")).to_be_visible()
    warning.scroll_into_view_if_needed()
    panel.screenshot(path=str(screenshots / "panel-booking-no-consent-1280x800.png"))
    panel.get_by_label("Reason to go ahead without recorded consent").fill(
        "Two-year check: the health visitor's own service"
    )
    panel.get_by_role("button", name="Book and show the invitation").click()
    expect(panel.get_by_text("Jo Whitfield").first).to_be_visible()
    panel.goto(live_demo.url + "/admin/bookings")
    expect(panel.get_by_text("No consent recorded: Two-year check")).to_be_visible()


def test_sharing_an_agencys_report_asks_for_its_consent(panel, live_demo):
    from doorbook import involvements
    from tests.professionals_helpers import a_referral_with_consent, manager

    with live_demo.app.app_context():
        db = get_db()
        boss = manager(db)
        involvement = a_referral_with_consent(db, boss, 1, None)
        involvements.add_stage(
            db,
            boss,
            involvement,
            kind="report",
            happened_at=clock.stamp(),
            summary="Expressive language delay; six weekly sessions advised.",
            from_agency=True,
        )
    panel.goto(live_demo.url + "/admin/children/1/chronology")
    panel.get_by_label("Someone else:").check()
    panel.get_by_label("Who it is for").fill("Brixton Primary")
    panel.get_by_role("button", name="Export").click()
    expect(
        panel.get_by_text("Record that agency's consent to share it with Brixton")
    ).to_be_visible()


def test_an_unannounced_visit_to_a_child_without_consent_says_so_on_the_panel(
    panel, kiosk, live_demo, screenshots
):
    sign_in_unannounced_professional(kiosk, live_demo.url)

    visit = panel.get_by_role("row").filter(has_text="Priya Gill")
    expect(visit).to_be_visible(timeout=5_000)
    visit.get_by_label("Child").select_option(label="Noah Adeyemi")
    visit.get_by_role("button", name="Link").click()
    alert = panel.get_by_role("listitem").filter(
        has_text="Agency visit without the parents' recorded consent"
    )
    expect(alert).to_be_visible(timeout=5_000)
    expect(alert).to_contain_text("NO CONSENT RECORDED: Priya Gill")
    row = panel.get_by_role("row").filter(has_text="Priya Gill")
    expect(row.get_by_text("No consent recorded for this agency")).to_be_visible()
    panel.screenshot(path=str(screenshots / "panel-visit-no-consent-1280x800.png"), full_page=True)
