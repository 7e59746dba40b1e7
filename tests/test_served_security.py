"""Security at the door as deployed: `doorbook serve` (waitress) behind Caddy, over HTTP.

Flask's test client never goes through waitress, so everything here talks to the real server
started as a subprocess on a free loopback port. Caddy connects from 127.0.0.1 (the trusted
proxy); a client that is not the proxy is played by a connection from 127.0.0.2, another
loopback address of this machine.
"""

from __future__ import annotations

import re
import secrets
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from doorbook import create_app
from tests.admin_helpers import MANAGER
from tests.served import Browser, Served

PROXY_MODE = {"DOORBOOK_BEHIND_PROXY": "1"}
NOT_THE_PROXY = "127.0.0.2"
HX = {"HX-Request": "true"}
# What Caddy sends for a phone or PC on the setting's network.
FROM_THE_WIFI = {"X-Forwarded-For": "192.168.1.50", "X-Forwarded-Proto": "https"}
REFUSED = "This screen is for the entrance kiosk"
# The alerts what happens at the door can raise (the demo may hold others, e.g. absences).
DOOR_ALERTS = (
    "SELECT kind, attempts FROM alerts WHERE kind IN "
    "('pin_lockout', 'collection_refused', 'one_off_waiting', 'not_permitted_at_door')"
)


@pytest.fixture
def demo_data(tmp_path, demo_template):
    data = tmp_path / "demo"
    shutil.copytree(demo_template, data)
    return data


@pytest.fixture
def behind_caddy(demo_data):
    with Served(demo_data, env=PROXY_MODE) as served:
        yield served


def kiosk_routes(data) -> list[tuple[str, str]]:
    """Every kiosk URL and method, from the app's own URL map (enrolment is public)."""
    app = create_app({"DATA_DIR": str(data)})
    examples = {"journey": "parent", "action": "sign-in"}
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "kiosk" or rule.endpoint.startswith("kiosk.enrol"):
            continue
        path = rule.rule
        for name in rule.arguments:
            value = examples.get(name, "1")
            path = re.sub(rf"<[^>]*\b{name}>", value, path)
        routes += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def log_in_to_panel(browser: Browser):
    browser.get("/admin/login")
    return browser.post("/admin/login", {"username": MANAGER[0], "password": MANAGER[1]})


def read_db(data, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(f"file:{data / 'doorbook.db'}?mode=ro", uri=True) as conn:
        return conn.execute(sql, params).fetchall()


# ---- K6: only a kiosk is a kiosk, behind Caddy too ----


@pytest.mark.served
def test_behind_caddy_every_kiosk_route_refuses_a_client_from_the_network(behind_caddy):
    phone = Browser(behind_caddy, headers=FROM_THE_WIFI)
    phone.get("/enrol")  # a session and a CSRF token, so a POST is refused for who it is
    routes = kiosk_routes(behind_caddy.data)
    assert len(routes) > 15
    for method, path in routes:
        answer = phone.request(method, path, {} if method == "POST" else None, HX)
        assert answer.status == 403, f"{method} {path}: {answer.status}"
        assert REFUSED in answer.text, f"{method} {path}"
    the_pi = Browser(behind_caddy)  # its own browser, straight to 127.0.0.1
    assert the_pi.get("/").status == 200 and "Parent or carer" in the_pi.get("/").text


@pytest.mark.served
def test_a_forged_and_a_revoked_device_cookie_are_refused_an_enrolled_one_accepted(
    behind_caddy,
):
    forged = Browser(behind_caddy, headers=FROM_THE_WIFI)
    forged.cookies["doorbook_kiosk"] = "kiosk_" + secrets.token_urlsafe(32)
    assert forged.get("/").status == 403

    manager = Browser(behind_caddy, headers={**FROM_THE_WIFI, "X-Forwarded-For": "192.168.1.9"})
    log_in_to_panel(manager)
    enrolling = manager.post("/admin/kiosks", {"name": "back door"})
    code = re.search(r'class="secret">([^<]+)<', enrolling.text).group(1)

    tablet = Browser(behind_caddy, headers={**FROM_THE_WIFI, "X-Forwarded-For": "192.168.1.60"})
    assert tablet.get("/").status == 403
    tablet.get("/enrol")
    enrolled = tablet.post("/enrol", {"code": code})
    assert enrolled.status == 302
    cookie = enrolled.cookie("doorbook_kiosk")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Max-Age=7776000" in cookie  # 90 days, renewed on each day of use
    home = tablet.get("/")
    assert home.status == 200 and "Parent or carer" in home.text
    assert tablet.post("/help", {}, HX).status == 200
    assert read_db(behind_caddy.data, "SELECT kiosk FROM alerts WHERE kind = 'help_requested'") == [
        ("back door",)
    ]

    kiosks_page = manager.get("/admin/kiosks").text
    device = re.search(r'action="/admin/kiosks/(\d+)/revoke"', kiosks_page).group(1)
    manager.post(f"/admin/kiosks/{device}/revoke")
    revoked = tablet.get("/")
    assert revoked.status == 403 and REFUSED in revoked.text


@pytest.mark.served
def test_enrolling_over_plain_http_from_the_network_is_refused(demo_data):
    # Served on a loopback address that is not 127.0.0.1 would still be loopback; so this
    # plays "plain HTTP through a proxy" instead: Caddy says the client used http.
    with Served(demo_data, env=PROXY_MODE) as served:
        tablet = Browser(served, headers={"X-Forwarded-For": "192.168.1.61"})
        page = tablet.get("/enrol")
        assert page.status == 400 and "over HTTPS" in page.text


@pytest.mark.served
def test_the_admin_cookie_is_secure_only_when_https_comes_from_the_trusted_proxy(behind_caddy):
    office = Browser(behind_caddy, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in office.get("/admin/login").cookie("session")  # holds the CSRF token
    via_caddy = office.post("/admin/login", {"username": MANAGER[0], "password": MANAGER[1]})
    assert via_caddy.status == 302
    assert "Secure" in via_caddy.cookie("doorbook_admin")

    claiming = Browser(behind_caddy, headers={"X-Forwarded-Proto": "https"}, source=NOT_THE_PROXY)
    direct = log_in_to_panel(claiming)
    assert direct.status == 302
    assert "Secure" not in direct.cookie("doorbook_admin")


@pytest.mark.served
def test_a_forwarded_address_from_anyone_but_the_proxy_is_ignored(behind_caddy):
    # 127.0.0.2 is this machine, but not the proxy: its X-Forwarded-For is thrown away.
    claiming = Browser(behind_caddy, headers=FROM_THE_WIFI, source=NOT_THE_PROXY)
    assert claiming.get("/").status == 200
    via_caddy = Browser(behind_caddy, headers=FROM_THE_WIFI)
    assert via_caddy.get("/").status == 403


@pytest.mark.served
def test_without_proxy_mode_no_one_is_believed(demo_data):
    with Served(demo_data) as served:
        answer = Browser(served, headers={"X-Forwarded-Proto": "https"})
        assert "Secure" not in log_in_to_panel(answer).cookie("doorbook_admin")


@pytest.mark.served
def test_a_trusted_proxy_that_is_not_an_address_is_refused(demo_data):
    import subprocess

    from tests.served import BIN

    for value in ("*", "caddy"):
        result = subprocess.run(
            [BIN / "doorbook", "--data", str(demo_data), "serve", "--trusted-proxy", value],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2 and "is not an IP address" in result.stderr


# ---- K5: wrong tries are limited however fast they come ----


@pytest.mark.served
def test_40_parallel_wrong_pins_evaluate_at_most_5(behind_caddy):
    kiosk = Browser(behind_caddy)
    kiosk.get("/parent")

    def wrong_pin(n: int):
        return kiosk.request("POST", "/parent/identify", {"credential": f"{100000 + n:06d}"}, HX)

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(wrong_pin, range(40)))

    evaluated = read_db(behind_caddy.data, "SELECT count(*) FROM pin_failures")[0][0]
    assert evaluated == 5
    assert sum("not recognised" in a.text for a in answers) == 4
    locked = [a for a in answers if a.status == 429]
    assert len(locked) == 36
    assert all(re.search(r"Too many tries. Please wait \d+ seconds", a.text) for a in locked)
    assert read_db(behind_caddy.data, DOOR_ALERTS) == [("pin_lockout", 1)]
    right = kiosk.request("POST", "/parent/identify", {"credential": "482913"}, HX)
    assert right.status == 429 and "Too many tries" in right.text


@pytest.mark.served
def test_100_collector_tries_in_a_minute_raise_one_alert_and_lock_the_path(behind_caddy):
    kiosk = Browser(behind_caddy)
    kiosk.get("/collecting")

    def try_to_collect(n: int):
        name = "Tunde Bakare" if n % 2 else f"Someone Number{n}"
        return kiosk.request("POST", "/collecting", {"name": name, "password": f"guess{n}"}, HX)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(try_to_collect, range(100)))

    assert all(a.status in (200, 429) for a in answers)
    evaluated = read_db(behind_caddy.data, "SELECT count(*) FROM collector_failures")[0][0]
    assert evaluated == 5
    # At most the first four are told "please wait"; the rest learn the path is shut.
    assert sum(a.status == 429 for a in answers) >= 96
    assert all("Too many tries" in a.text for a in answers if a.status == 429)
    assert all("Please wait" in a.text for a in answers if a.status == 200)
    assert read_db(behind_caddy.data, DOOR_ALERTS) == [("collection_refused", 100)]
    # The right name and password no longer get through: the path is shut for a while.
    right = kiosk.request(
        "POST", "/collecting", {"name": "Tunde Bakare", "password": "sunflower"}, HX
    )
    assert right.status == 429 and re.search(r"Please wait \d+ minutes", right.text)
    assert read_db(behind_caddy.data, DOOR_ALERTS) == [("collection_refused", 101)]

    manager = Browser(behind_caddy)
    log_in_to_panel(manager)
    dashboard = manager.get("/admin/dashboard").text
    assert "101 tries" in dashboard


# ---- /healthz: can the database be written? ----


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB file system of our own (tmpfs), mounted for this test and always removed."""
    import os
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.served
def test_a_full_disk_makes_healthz_answer_503_with_the_reason(small_disk, demo_template):
    data = small_disk / "demo"
    shutil.copytree(demo_template, data)
    with Served(data) as served:
        assert served.request("GET", "/healthz").status == 200
        filler = small_disk / "filler"
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
            except OSError:
                pass
        answer = served.request("GET", "/healthz")
        assert answer.status == 503
        assert '"status":"unavailable"' in answer.text.replace(" ", "")
        assert "the disk holding the database is full" in answer.text
        filler.unlink()
        assert served.request("GET", "/healthz").status == 200  # back by itself
