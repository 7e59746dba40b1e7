"""What the manager sees is current and complete, on every admin page: the header's live
alert count, lists that follow who is on site, and every answer shown where they acted."""

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in_unannounced_professional, start_as_parent, tap_pin
from tests.conftest import DEMO_ZONE

pytestmark = pytest.mark.browser


def staff_signs_in(kiosk, url, pin):
    kiosk.goto(url + "/")
    kiosk.get_by_role("button", name="Staff", exact=True).click()
    tap_pin(kiosk, pin)
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    expect(kiosk.get_by_role("heading", name="Signed in")).to_be_visible()


def collector_at_door(kiosk, url, name, password):
    kiosk.goto(url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    kiosk.get_by_role("button", name="I'm collecting for a family").click()
    kiosk.get_by_label("Your full name").fill(name)
    kiosk.get_by_label("The family's collection password").fill(password)
    kiosk.get_by_role("button", name="Continue").click()
    expect(kiosk.get_by_role("heading", name="please", exact=False)).to_be_visible()


def unannounced_professional(kiosk, url, name="Priya Gill", child="Noah Adeyemi"):
    sign_in_unannounced_professional(kiosk, url, name=name, child=child)


def test_a_new_alert_reaches_the_header_of_the_register_page_without_a_reload(
    panel, kiosk, live_demo, screenshots
):
    panel.get_by_role("navigation", name="Panel").get_by_role("link", name="Register").click()
    expect(panel.get_by_role("heading", name="Attendance register", exact=False)).to_be_visible()
    summary = panel.get_by_role("link", name="No open alerts")
    expect(summary).to_be_visible()
    panel.evaluate("window.notReloaded = true")

    collector_at_door(kiosk, live_demo.url, "Sean Murphy", "anything")  # not permitted
    summary = panel.locator("#alert-summary")
    expect(summary).to_contain_text("1 open alert", timeout=5_000)
    expect(summary).to_contain_text("Not-permitted person at the door: Sean Murphy")
    assert panel.evaluate("window.notReloaded") is True
    panel.screenshot(path=str(screenshots / "admin-header-alert-register-1280x800.png"))

    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Call a member of staff").click()
    expect(summary).to_contain_text("2 open alerts", timeout=5_000)
    # The most serious stays on top, and the summary leads to the dashboard.
    expect(summary).to_contain_text("Not-permitted person at the door")
    summary.click()
    expect(panel.get_by_role("heading", name="Alerts")).to_be_visible()
    expect(panel.get_by_role("listitem").filter(has_text="Sean Murphy")).to_be_visible()


def test_an_alerts_assign_list_offers_staff_who_signed_in_after_the_page_loaded(
    panel, kiosk, live_demo
):
    unannounced_professional(kiosk, live_demo.url)
    alert = panel.get_by_role("listitem").filter(has_text="Unsupervised agency visit")
    expect(alert).to_be_visible(timeout=5_000)
    expect(alert.get_by_label("Supervisor").get_by_role("option")).to_have_count(1)

    staff_signs_in(kiosk, live_demo.url, "731850")  # Aisha Begum arrives after
    choice = alert.get_by_label("Supervisor").get_by_role("option", name="Aisha Begum")
    expect(choice).to_have_count(1, timeout=5_000)
    alert.get_by_label("Supervisor").select_option(label="Aisha Begum")
    alert.get_by_role("button", name="Assign").click()
    expect(panel.get_by_text("SUPERVISED by Aisha Begum")).to_be_visible()


# ---- Every answer is shown where the manager acted ----


def test_refusing_a_collector_without_a_reason_says_so_in_the_alert(
    panel, kiosk, live_demo, screenshots
):
    start_as_parent(kiosk, live_demo.url, "318274")  # Funmi brings Noah
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    expect(kiosk.get_by_role("heading", name="Signed in")).to_be_visible()
    collector_at_door(kiosk, live_demo.url, "Tunde Bakare", "sunflower")
    alert = panel.get_by_role("listitem").filter(has_text="One-off collector waiting")
    expect(alert).to_be_visible(timeout=5_000)

    alert.get_by_role("button", name="Refuse").click()
    problem = panel.locator("#alerts").get_by_role("alert")
    expect(problem).to_have_text("⚠ Please say why the collector was refused.")
    panel.screenshot(path=str(screenshots / "admin-refuse-no-reason-1280x800.png"))

    # A hostile note is refused with words, not a stack trace; nothing is lost.
    alert = panel.get_by_role("listitem").filter(has_text="One-off collector waiting")
    alert.get_by_label("Reason").fill("ID \u202eforged")
    alert.get_by_role("button", name="Refuse").click()
    expect(problem).to_contain_text("it contains hidden text-direction characters")

    # The confirmation says what it did.
    alert.get_by_role("button", name="Photo ID seen: sign the child out").click()
    done = panel.locator("#alerts").get_by_role("status")
    expect(done).to_contain_text("Noah Adeyemi signed out to Tunde Bakare (one-off collection) at")
    panel.get_by_role("navigation", name="Panel").get_by_role("link", name="Register").click()
    row = panel.get_by_role("row").filter(has_text="Noah Adeyemi")
    expect(row).to_contain_text("One-off collection, arranged by Funmi Adeyemi")
    expect(row).to_contain_text("photo ID seen by Priya Sharma")


def test_assigning_from_an_alert_without_choosing_says_so_in_the_alert(panel, kiosk, live_demo):
    unannounced_professional(kiosk, live_demo.url)
    alert = panel.get_by_role("listitem").filter(has_text="Unsupervised agency visit")
    expect(alert).to_be_visible(timeout=5_000)
    alert.get_by_role("button", name="Assign").click()
    expect(panel.locator("#alerts").get_by_role("alert")).to_have_text(
        "⚠ Please choose a member of staff who is on site."
    )
    # The answer replaced the alerts, not the on-site table: each is on the page once.
    expect(panel.locator("#alerts")).to_have_count(1)
    expect(panel.locator("#on-site")).to_have_count(1)


def test_a_supervisor_who_left_meanwhile_is_refused_with_the_reason(panel, kiosk, live_demo):
    staff_signs_in(kiosk, live_demo.url, "731850")  # Aisha Begum
    unannounced_professional(kiosk, live_demo.url)
    row = panel.get_by_role("row").filter(has_text="Priya Gill")
    expect(row).to_be_visible(timeout=5_000)
    row.get_by_label("Assign").select_option(label="Aisha Begum")
    row.get_by_label("Assign").focus()  # the manager is choosing: the table waits for them

    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Staff", exact=True).click()
    tap_pin(kiosk, "731850")
    kiosk.get_by_role("button", name="Sign out", exact=True).click()
    expect(kiosk.get_by_text("Aisha Begum signed out at")).to_be_visible()

    row.get_by_role("button", name="Save").first.click()
    expect(panel.locator("#on-site").get_by_role("alert")).to_have_text(
        "⚠ Aisha Begum is not signed in, so cannot supervise. Choose someone on site."
    )


def test_resolving_an_alert_someone_else_resolved_says_so(panel, kiosk, live_demo):
    from doorbook import alerts
    from doorbook.db import get_db

    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Call a member of staff").click()
    alert = panel.get_by_role("listitem").filter(has_text="Help requested at the kiosk")
    expect(alert).to_be_visible(timeout=5_000)
    alert.get_by_label("Note").fill("On my way")  # typing: the list waits for them
    with live_demo.app.app_context():
        (alert_id,) = [a["id"] for a in alerts.open_alerts(get_db())]
        alerts.resolve(get_db(), alert_id, alerts.audit.Actor("staff", 2, "Tom Okafor"), "Done")
    alert.get_by_role("button", name="Resolve").click()
    expect(panel.locator("#alerts").get_by_role("alert")).to_have_text(
        "⚠ This alert has already been resolved."
    )
    expect(panel.get_by_text("No open alerts.")).to_be_visible()


@pytest.fixture
def panel_with_csrf(browser, tmp_path, demo_template):
    import shutil

    from doorbook import create_app
    from tests.admin_helpers import MANAGER
    from tests.browser import log_in_to_panel
    from tests.conftest import LiveServer

    data = tmp_path / "demo-csrf"
    shutil.copytree(demo_template, data)
    with LiveServer(create_app({"DATA_DIR": str(data), "TESTING": True})) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        log_in_to_panel(page, server.url, MANAGER)
        yield page, server
        context.close()


def test_an_expired_panel_page_is_explained_in_the_page(panel_with_csrf, browser):
    panel, server = panel_with_csrf
    kiosk = browser.new_page(viewport={"width": 800, "height": 480})
    kiosk.goto(server.url + "/")
    kiosk.get_by_role("button", name="Call a member of staff").click()
    alert = panel.get_by_role("listitem").filter(has_text="Help requested at the kiosk")
    expect(alert).to_be_visible(timeout=5_000)
    panel.evaluate("""document.body.setAttribute("hx-headers", '{"X-CSRFToken": "stale"}')""")
    alert.get_by_role("button", name="Acknowledge").click()
    expect(panel.locator("#answer")).to_contain_text("This page had expired")
    expect(alert).to_be_visible()  # the page is still there to act on after a reload
    kiosk.close()


# ---- A corrected departure has every consequence of a sign-out ----


def test_a_corrected_departure_resolves_the_childs_uncollected_alerts(
    panel, live_demo, screenshots
):
    from datetime import timedelta

    from doorbook import audit, clock, corrections, settings, uncollected
    from doorbook.db import get_db

    now = clock.local(clock.now(), DEMO_ZONE)
    if now.hour < 2:
        pytest.skip("the test needs two hours of today behind it")
    with live_demo.app.app_context():
        db = get_db()
        amelia = db.execute("SELECT id FROM children WHERE first_name = 'Amelia'").fetchone()[0]
        priya = db.execute("SELECT id FROM staff WHERE name = 'Priya Sharma'").fetchone()[0]
        corrections.add_missing_entry(
            db,
            amelia,
            now.date(),
            (now - timedelta(hours=2)).strftime("%H:%M"),
            None,
            "Forgot at drop-off",
            audit.Actor("staff", priya, "Priya Sharma"),
        )
        settings.set_many(
            db,
            {
                "opening_time": "00:00",
                "closing_time": (now - timedelta(minutes=20)).strftime("%H:%M"),
            },
        )
        uncollected.check(db)  # what the server's scheduler does every 20 s
    alert = panel.get_by_role("listitem").filter(has_text="Child not yet collected")
    expect(alert).to_have_count(2, timeout=5_000)

    panel.get_by_role("navigation", name="Panel").get_by_role("link", name="Register").click()
    expect(panel.locator("#alert-summary")).to_contain_text("2 open alerts")
    row = panel.get_by_role("row").filter(has_text="Amelia Hart")
    row.locator("summary").click()
    row.get_by_label("Which time").select_option("left")
    left = (now - timedelta(minutes=5)).strftime("%H:%M")
    row.get_by_label("New time").fill(left)
    row.get_by_label("Reason").fill("Dad collected her and forgot to sign out")
    row.get_by_role("button", name="Save correction").click()
    expect(panel.get_by_role("status").filter(has_text="Corrected")).to_contain_text(
        f"Amelia Hart is signed out at {left} (a correction). They are no longer on site."
    )
    expect(panel.locator("#alert-summary")).to_contain_text("No open alerts")
    panel.screenshot(
        path=str(screenshots / "admin-register-corrected-1280x800.png"), full_page=True
    )
    panel.get_by_role("navigation", name="Panel").get_by_role("link", name="Dashboard").click()
    expect(panel.get_by_text("No open alerts.")).to_be_visible()


def test_an_answer_stays_when_the_part_is_refreshed_live(panel, kiosk, live_demo):
    unannounced_professional(kiosk, live_demo.url)
    alert = panel.get_by_role("listitem").filter(has_text="Unsupervised agency visit")
    expect(alert).to_be_visible(timeout=5_000)
    alert.get_by_role("button", name="Assign").click()
    problem = panel.locator("#alerts").get_by_role("alert")
    expect(problem).to_contain_text("Please choose a member of staff who is on site.")
    panel.locator("body").click(position={"x": 5, "y": 700})  # focus leaves the alerts
    staff_signs_in(kiosk, live_demo.url, "731850")  # a live refresh of the alerts follows
    expect(
        alert.get_by_label("Supervisor").get_by_role("option", name="Aisha Begum")
    ).to_have_count(1, timeout=5_000)
    expect(problem).to_contain_text("Please choose a member of staff who is on site.")
