"""The manager sees the off-site copy's health on the dashboard, and an alert when it is
behind, in Debian's Chromium."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from doorbook import replication, settings
from doorbook.db import get_db

pytestmark = pytest.mark.browser


def test_a_copy_that_fell_behind_is_flagged_and_raises_an_alert(
    browser, demo_app, live_demo, screenshots
):
    from tests.admin_helpers import MANAGER
    from tests.browser import log_in_to_panel

    data = Path(demo_app.config["DATA_DIR"])
    now = datetime.now(UTC)
    with demo_app.app_context():
        settings.set_many(get_db(), {"replica_url": "/media/doorbook-copy"})
        replication.write_status(
            data,
            {
                "destination": "/media/doorbook-copy",
                "checked_at": now.isoformat(),
                "reached_at": (now - timedelta(minutes=25)).isoformat(),
                "behind_since": (now - timedelta(minutes=24)).isoformat(),
            },
        )
        replication.check_alert(get_db(), data)  # what the server's scheduler does
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in_to_panel(page, live_demo.url, MANAGER)
    copy = page.get_by_role("region", name="Off-site copy")
    expect(copy.get_by_text("⚠ BEHIND")).to_be_visible()
    expect(copy).to_contain_text("Behind for more than 10 minutes")
    expect(copy).to_contain_text("/media/doorbook-copy")
    alert = page.get_by_role("listitem").filter(has_text="Off-site copy is behind")
    expect(alert).to_be_visible()
    page.screenshot(path=str(screenshots / "admin-copy-behind-1280x800.png"), full_page=True)

    # The copy catches up: the panel says so by itself (it refreshes every 30 s).
    replication.write_status(
        data,
        {
            "destination": "/media/doorbook-copy",
            "checked_at": datetime.now(UTC).isoformat(),
            "reached_at": datetime.now(UTC).isoformat(),
        },
    )
    expect(copy.get_by_text("✓ Up to date")).to_be_visible(timeout=40_000)
    page.context.close()
