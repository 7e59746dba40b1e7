"""The group's office in Debian's Chromium: the dashboard of sites, and what a person meets
when something is refused (a wrong login, names for the wrong role, dates that do not work)."""

import shutil
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from group import create_group_app

pytestmark = pytest.mark.browser


@pytest.fixture
def office_url(tmp_path, demo_office_template):
    folder = tmp_path / "office"
    shutil.copytree(demo_office_template, folder)
    server = make_server("127.0.0.1", 0, create_group_app(folder), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def log_in(page, url, username, password):
    page.goto(url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_the_office_reads_every_site_and_meets_clear_refusals(browser, office_url, screenshots):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(page, office_url, "office", "not the password")
    expect(page.get_by_role("alert").filter(has_text="do not match")).to_be_visible()

    log_in(page, office_url, "office", "group-demo-office")
    sites = page.get_by_role("region", name="Sites now")
    expect(sites.get_by_role("row", name="Acorns Day Nursery")).to_contain_text("✓ Current")
    expect(sites.get_by_role("row", name="Chestnut Children's Centre")).to_contain_text(
        "1 UNSUPERVISED"
    )
    expect(sites).not_to_contain_text("Amelia")
    page.screenshot(path=str(screenshots / "group-dashboard-1280x800.png"), full_page=True)

    page.goto(office_url + "/sites/acorns/names")
    expect(
        page.get_by_role("alert").filter(has_text="for the group's safeguarding role")
    ).to_be_visible()

    page.goto(office_url + "/reports?from=2026-11-23&to=2026-01-01")
    expect(
        page.get_by_role("alert").filter(has_text="must not be before the first")
    ).to_be_visible()
    page.get_by_label("From").fill("2026-01-01")
    page.get_by_label("To").fill("2026-12-31")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Visits per agency")).to_be_visible()
    page.screenshot(path=str(screenshots / "group-reports-1280x800.png"), full_page=True)
    page.context.close()


def test_the_safeguarding_lead_sees_names_and_is_told_it_is_recorded(
    browser, office_url, screenshots
):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(page, office_url, "safeguarding", "group-demo-safeguarding")
    page.get_by_role("row", name="Acorns Day Nursery").get_by_role(
        "link", name="Names (audited)"
    ).click()
    expect(page.get_by_text("This view is recorded in the group's audit log.")).to_be_visible()
    expect(page.get_by_text("Jo Fictional")).to_be_visible()
    page.screenshot(path=str(screenshots / "group-names-1280x800.png"), full_page=True)
    page.context.close()


def test_too_many_wrong_passwords_pause_the_account_and_say_for_how_long(browser, office_url):
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    for _ in range(5):
        log_in(page, office_url, "office", "a wrong password")
        expect(page.get_by_role("alert").filter(has_text="do not match")).to_be_visible()
    log_in(page, office_url, "office", "group-demo-office")
    expect(
        page.get_by_role("alert").filter(has_text="Please try again in 15 minutes")
    ).to_be_visible()
    page.context.close()
