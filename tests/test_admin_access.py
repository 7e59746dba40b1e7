"""Who may use the admin panel: logins, sessions, roles, and every route protected."""

from datetime import timedelta

import pytest

from doorbook import accounts, clock
from doorbook.db import write
from tests.admin_helpers import DEPUTY, MANAGER, PRACTITIONER, give_login, log_in, staff_id
from tests.kiosk_helpers import HX, text_of
from tests.professionals_helpers import key_person_login
from tests.route_roles import (
    EVERYONE,
    MANAGEMENT,
    NEED_TO_KNOW,
    PUBLIC,
    ROUTE_ROLES,
    SAFEGUARDING_LEADS,
)


@pytest.fixture
def practitioner(demo_db):
    return give_login(demo_db, "Sam Kowalski", *PRACTITIONER)


def admin_requests(app):
    """Every admin route, with each method it answers, and sample values for its parts."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint == "admin.login":
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "x")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    assert len(found) >= 12
    return found


def test_every_admin_route_refuses_an_anonymous_request(demo_app, demo_client):
    for endpoint, method, url in admin_requests(demo_app):
        response = demo_client.open(url, method=method)
        assert response.status_code == 302, f"{method} {url} ({endpoint})"
        assert response.headers["Location"].endswith("/admin/login")
        htmx = demo_client.open(url, method=method, headers=HX)
        assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/admin/login"


def safeguarding_records_of_child_1(db):
    """A concern, an involvement and a stage (each number 1) about child 1, Amelia Hart,
    whose key person is Aisha Begum: the records the need-to-know routes are about."""
    from tests.professionals_helpers import AISHA, a_concern, a_referral_with_consent

    aisha = key_person_login(db)
    assert a_concern(db, aisha, AISHA[1], 1) == 1
    assert a_referral_with_consent(db, aisha, 1, None) == 1
    return aisha


def test_every_admin_route_is_in_the_declared_table():
    """A route added without saying who may use it fails here, whatever its view declares."""
    import tempfile

    from doorbook import create_app

    app = create_app({"DATA_DIR": tempfile.mkdtemp(), "TESTING": True})
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    missing = sorted(endpoints - set(ROUTE_ROLES) - PUBLIC)
    assert not missing, (
        f"admin routes with no entry in tests/route_roles.py: {missing}. Add each with the "
        "people who may use it (EVERYONE, MANAGEMENT or NEED_TO_KNOW)."
    )
    gone = sorted(set(ROUTE_ROLES) - endpoints)
    assert not gone, f"tests/route_roles.py lists routes that no longer exist: {gone}"


def test_role_limits_hold_on_every_route(demo_app, demo_client, demo_db, practitioner):
    safeguarding_records_of_child_1(demo_db)
    log_in(demo_client, PRACTITIONER)  # Sam Kowalski: not Amelia's key person
    checked = {EVERYONE: 0, MANAGEMENT: 0, NEED_TO_KNOW: 0, SAFEGUARDING_LEADS: 0}
    for endpoint, method, url in admin_requests(demo_app):
        if endpoint in ("admin.event_stream", "admin.logout"):
            continue  # a stream (tested with the live server); logging out ends the test
        expected = ROUTE_ROLES[endpoint]
        response = demo_client.open(url, method=method, headers=HX)
        checked[expected] += 1
        if expected in (MANAGEMENT, NEED_TO_KNOW, SAFEGUARDING_LEADS):
            assert response.status_code == 403, f"{method} {url} let a practitioner in"
        else:
            assert response.status_code not in (401, 403), f"{method} {url}"
            assert "/login" not in response.headers.get("Location", ""), f"{method} {url}"
    assert checked[MANAGEMENT] >= 40 and checked[NEED_TO_KNOW] >= 8 and checked[EVERYONE] >= 15
    assert checked[SAFEGUARDING_LEADS] >= 1


def test_the_deputy_reaches_every_management_route(demo_app, demo_client):
    log_in(demo_client, DEPUTY)
    for endpoint, method, url in admin_requests(demo_app):
        if ROUTE_ROLES[endpoint] == MANAGEMENT:
            response = demo_client.open(url, method=method, headers=HX)
            assert response.status_code not in (401, 403), f"{method} {url}"


def mark_as_dsl(db, name: str, lead: bool) -> None:
    with write(db):
        db.execute("UPDATE staff SET safeguarding_lead = ? WHERE name = ?", [int(lead), name])


def test_the_dsl_routes_follow_the_safeguarding_lead_flag_not_the_role(
    demo_app, demo_client, demo_db
):
    """Aisha Begum (SENCo, a practitioner's panel role) is the DSL; Tom Okafor, the deputy,
    is no longer one: the DSL's pages follow the flag."""
    give_login(demo_db, "Aisha Begum", "aisha", "aisha's own password")
    mark_as_dsl(demo_db, "Aisha Begum", True)
    mark_as_dsl(demo_db, "Tom Okafor", False)
    dsl_routes = [r for r in admin_requests(demo_app) if ROUTE_ROLES[r[0]] == SAFEGUARDING_LEADS]
    assert dsl_routes
    log_in(demo_client, ("aisha", "aisha's own password"))
    for _endpoint, method, url in dsl_routes:
        response = demo_client.open(url, method=method, headers=HX)
        assert response.status_code == 200, f"{method} {url}"
    assert "Prolonged and repeated absence (DSL)" in text_of(demo_client.get("/admin/absences"))
    demo_client.post("/admin/logout")
    log_in(demo_client, DEPUTY)
    for _endpoint, method, url in dsl_routes:
        response = demo_client.open(url, method=method, headers=HX)
        assert response.status_code == 403, f"{method} {url} let a deputy who is not DSL in"
        said = text_of(response)
        assert "For the designated safeguarding lead" in said
        assert "Aisha Begum, Priya Sharma" in said
    assert "Prolonged and repeated absence (DSL)" not in text_of(demo_client.get("/admin/absences"))


def test_the_childs_key_person_reaches_every_need_to_know_route(demo_app, demo_client, demo_db):
    safeguarding_records_of_child_1(demo_db)
    log_in(demo_client, ("aisha", "aisha's own password"))
    reached = 0
    for endpoint, method, url in admin_requests(demo_app):
        if ROUTE_ROLES[endpoint] == NEED_TO_KNOW:
            response = demo_client.open(url, method=method, headers=HX)
            assert response.status_code in (200, 302, 400, 409), f"{method} {url}"
            reached += 1
    assert reached >= 8


def test_a_manager_logs_in_and_sees_the_dashboard(demo_client, demo_db):
    response = log_in(demo_client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/dashboard")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    page = text_of(demo_client.get("/admin/dashboard"))
    assert "Priya Sharma (manager)" in page and "On site now" in page
    assert (
        demo_db.execute("SELECT count(*) FROM audit_log WHERE action = 'logged_in'").fetchone()[0]
        == 1
    )


def test_a_secure_cookie_when_served_over_https(demo_client):
    response = demo_client.post(
        "/admin/login",
        data={"username": MANAGER[0], "password": MANAGER[1]},
        base_url="https://localhost",
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_password_is_refused_and_audited(demo_client, demo_db):
    response = demo_client.post("/admin/login", data={"username": "priya", "password": "nope"})
    assert response.status_code == 401
    assert "That username or password is not right." in text_of(response)
    assert (
        demo_db.execute("SELECT count(*) FROM audit_log WHERE action = 'login_failed'").fetchone()[
            0
        ]
        == 1
    )


def test_failed_logins_are_limited_per_account_but_not_for_good(demo_client, demo_db):
    for _ in range(5):
        demo_client.post("/admin/login", data={"username": "priya", "password": "wrong"})
    locked = demo_client.post("/admin/login", data={"username": "priya", "password": MANAGER[1]})
    assert locked.status_code == 429 and "Too many wrong passwords" in text_of(locked)
    # Another account is not affected: a kiosk and the office share one IP address.
    assert log_in(demo_client, DEPUTY).status_code == 302
    with clock.freeze(clock.now() + timedelta(minutes=16)):
        assert log_in(demo_client).status_code == 302


def test_a_locked_account_can_be_unlocked(demo_client, demo_db):
    for _ in range(5):
        demo_client.post("/admin/login", data={"username": "priya", "password": "wrong"})
    accounts.unlock(demo_db, "priya", accounts.audit.SYSTEM)
    assert log_in(demo_client).status_code == 302


def test_logout_ends_the_session_at_once(demo_client):
    log_in(demo_client)
    cookie = demo_client.get_cookie("doorbook_admin", path="/admin").value
    demo_client.post("/admin/logout")
    demo_client.set_cookie("doorbook_admin", cookie, path="/admin")  # a copied cookie...
    assert demo_client.get("/admin/dashboard").status_code == 302  # ...is worthless


def test_each_login_gets_a_new_session_id(demo_client):
    log_in(demo_client)
    first = demo_client.get_cookie("doorbook_admin", path="/admin").value
    log_in(demo_client)
    assert demo_client.get_cookie("doorbook_admin", path="/admin").value != first


def test_a_disabled_account_is_logged_out_at_once(demo_client, demo_db):
    log_in(demo_client, DEPUTY)
    assert demo_client.get("/admin/dashboard").status_code == 200
    tom = staff_id(demo_db, "Tom Okafor")
    accounts.set_active(demo_db, tom, False, accounts.audit.SYSTEM)
    assert demo_client.get("/admin/dashboard").status_code == 302


def test_sessions_end_after_30_idle_minutes_and_after_12_hours(demo_client):
    log_in(demo_client)
    start = clock.now()
    with clock.freeze(start + timedelta(minutes=29)):
        assert demo_client.get("/admin/dashboard").status_code == 200
    with clock.freeze(start + timedelta(minutes=29 + 31)):
        assert demo_client.get("/admin/dashboard").status_code == 302
    log_in(demo_client)
    start = clock.now()
    for minutes in range(20, 12 * 60, 20):  # busy all day, never idle
        with clock.freeze(start + timedelta(minutes=minutes)):
            assert demo_client.get("/admin/dashboard").status_code == 200
    with clock.freeze(start + timedelta(hours=12, minutes=1)):
        assert demo_client.get("/admin/dashboard").status_code == 302


def test_session_ids_are_not_stored_in_clear(demo_client, demo_db):
    log_in(demo_client)
    cookie = demo_client.get_cookie("doorbook_admin", path="/admin").value
    assert cookie not in str(list(demo_db["admin_sessions"].rows))


@pytest.mark.parametrize(
    "username, password",
    [("", ""), ("x" * 10_000, "y"), ("pri\x00ya", "x"), ("<script>", "x"), ("priya", "p" * 10_000)],
    ids=["empty", "10k", "null", "script", "long-password"],
)
def test_bad_input_on_the_login_form_is_a_clear_message(demo_client, username, password):
    response = demo_client.post("/admin/login", data={"username": username, "password": password})
    assert response.status_code in (400, 401)
    body = text_of(response)
    assert 'role="alert"' in body and "<script>" not in body


def test_admin_posts_need_the_csrf_token(tmp_path, demo_template):
    import shutil

    from doorbook import create_app

    shutil.copytree(demo_template, tmp_path / "d")
    client = create_app({"DATA_DIR": str(tmp_path / "d"), "TESTING": True}).test_client()
    response = client.post("/admin/login", data={"username": "priya", "password": MANAGER[1]})
    assert response.status_code == 400 and "Nothing was saved" in text_of(response)
