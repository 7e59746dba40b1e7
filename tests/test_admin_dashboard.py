"""The live dashboard: alerts most serious first, acting on them, supervision, visitors,
one-off collectors, ratios, and the event stream."""

import http.client
import re

import pytest

from doorbook import alerts, clock, collection, supervision, visits
from doorbook.db import write
from tests.admin_helpers import log_in, staff_id
from tests.conftest import DEMO_ZONE
from tests.kiosk_helpers import HX, child_ids, identify, nonce_of, text_of


@pytest.fixture
def manager(demo_client):
    log_in(demo_client)
    return demo_client


def kiosk_staff_in(client, pin):
    page = text_of(identify(client, pin, journey="staff"))
    client.post("/staff/sign-in", data={"nonce": nonce_of(page)}, headers=HX)


def unannounced_visit(db, child="Noah Adeyemi"):
    return visits.sign_in_agency(
        db,
        name="Priya Gill",
        organisation="Lambeth Early Help",
        role="Social worker",
        phone=None,
        child_name=child,
        kiosk="entrance",
    ).visit_id


def test_alerts_are_listed_most_serious_first(manager, demo_db):
    alerts.help_requested(demo_db, kiosk="entrance")
    unannounced_visit(demo_db)
    collection.collector_at_door(demo_db, "Sean Murphy", "x", kiosk="entrance")
    page = text_of(manager.get("/admin/parts/alerts"))
    order = [
        page.index(t)
        for t in (
            "Not-permitted person at the door",
            "Unsupervised agency visit",
            "Help requested at the kiosk",
        )
    ]
    assert order == sorted(order)
    assert "3 open, 3 not yet acknowledged" in page


def test_acknowledging_and_resolving_record_who_when_and_a_note(manager, demo_db):
    alert = alerts.help_requested(demo_db, kiosk="entrance")
    manager.post(f"/admin/alerts/{alert}/acknowledge", headers=HX)
    page = text_of(manager.get("/admin/parts/alerts"))
    assert "Acknowledged by Priya Sharma at" in page
    page = text_of(
        manager.post(
            f"/admin/alerts/{alert}/resolve", data={"note": "Parent needed a pen"}, headers=HX
        )
    )
    assert "No open alerts." in page
    row = demo_db["alerts"].get(alert)
    assert row["resolve_note"] == "Parent needed a pen" and row["resolved_by"] == 1
    actions = [
        r[0]
        for r in demo_db.execute(
            "SELECT action FROM audit_log WHERE subject_kind = 'alert' AND subject_id = ?", [alert]
        )
    ]
    assert actions == ["alert_raised", "alert_acknowledged", "alert_resolved"]


def test_resolving_an_alert_twice_is_a_clear_message(manager, demo_db):
    alert = alerts.help_requested(demo_db, kiosk="entrance")
    manager.post(f"/admin/alerts/{alert}/resolve", headers=HX)
    again = manager.post(f"/admin/alerts/{alert}/resolve", headers=HX)
    assert again.status_code == 409 and "already been resolved" in text_of(again)


@pytest.mark.parametrize(
    "note", ["x" * 10_000, "a\x00b", "a\u202eb"], ids=["10k", "null", "rtl-override"]
)
def test_a_bad_note_is_refused_and_the_alert_stays(manager, demo_db, note):
    alert = alerts.help_requested(demo_db, kiosk="entrance")
    response = manager.post(f"/admin/alerts/{alert}/resolve", data={"note": note}, headers=HX)
    assert response.status_code == 400 and 'role="alert"' in text_of(response)
    assert demo_db["alerts"].get(alert)["resolved_at"] is None


def test_the_supervisor_choice_lists_only_staff_on_site(manager, demo_client, demo_db):
    unannounced_visit(demo_db)
    kiosk_staff_in(demo_client, "731850")  # Aisha Begum
    page = text_of(manager.get("/admin/parts/alerts"))
    options = re.findall(r'<option value="\d+">([^<]+)</option>', page)
    assert options == ["Aisha Begum"]


def test_assigning_on_site_staff_makes_the_visit_supervised(manager, demo_client, demo_db):
    visit = unannounced_visit(demo_db)
    kiosk_staff_in(demo_client, "731850")
    aisha = staff_id(demo_db, "Aisha Begum")
    page = text_of(
        manager.post(f"/admin/visits/{visit}/supervisor", data={"staff": aisha}, headers=HX)
    )
    assert "SUPERVISED by Aisha Begum" in page
    assert alerts.open_alerts(demo_db) == []
    period = next(demo_db["supervision_periods"].rows)
    assert period["assigned_by"] == staff_id(demo_db, "Priya Sharma")


def test_staff_who_are_not_on_site_cannot_be_assigned(manager, demo_db):
    visit = unannounced_visit(demo_db)
    megan = staff_id(demo_db, "Megan Price")
    response = manager.post(f"/admin/visits/{visit}/supervisor", data={"staff": megan}, headers=HX)
    assert response.status_code == 409
    assert "Megan Price is not signed in, so cannot supervise" in text_of(response)
    assert supervision.supervisor_of(demo_db, visit) is None


def test_the_manager_links_the_typed_child_and_records_the_checks(manager, demo_db):
    visit = unannounced_visit(demo_db)
    noah = demo_db.execute("SELECT id FROM children WHERE first_name = 'Noah'").fetchone()[0]
    page = text_of(manager.post(f"/admin/visits/{visit}/child", data={"child": noah}, headers=HX))
    assert "Seeing <strong>Noah Adeyemi</strong>" in page
    manager.post(
        f"/admin/visits/{visit}/checks",
        data={"location": "Quiet room", "id_seen": "yes", "dbs_assurance": "yes"},
        headers=HX,
    )
    row = demo_db["visits"].get(visit)
    assert row["child_id"] == noah and row["location"] == "Quiet room"
    assert row["id_seen_by"] == 1 and row["dbs_assurance_confirmed_at"]


def test_the_manager_signs_out_a_visitor_who_forgot(manager, demo_db):
    visit = unannounced_visit(demo_db)
    page = text_of(manager.post(f"/admin/visits/{visit}/sign-out", headers=HX))
    assert "No visitors on site." in page
    row = demo_db["visits"].get(visit)
    assert row["signed_out_by"] == staff_id(demo_db, "Priya Sharma")
    assert (
        demo_db.execute(
            "SELECT actor_name FROM audit_log WHERE action = 'visitor_signed_out'"
        ).fetchone()[0]
        == "Priya Sharma"
    )


def test_confirming_a_one_off_collectors_photo_id_signs_the_child_out(
    manager, demo_client, demo_db
):
    page = text_of(identify(demo_client, "318274"))  # Funmi brings Noah
    demo_client.post(
        "/parent/sign-in", data={"nonce": nonce_of(page), "child": child_ids(page)}, headers=HX
    )
    collection.collector_at_door(demo_db, "Tunde Bakare", "sunflower", kiosk="entrance")
    panel = text_of(manager.get("/admin/parts/alerts"))
    assert "Photo ID seen: sign the child out" in panel
    one_off = next(demo_db["one_off_collections"].rows)["id"]
    page = text_of(manager.post(f"/admin/one-off/{one_off}/confirm", headers=HX))
    assert "Noah Adeyemi signed out to Tunde Bakare (one-off collection) at" in page
    entry = next(demo_db["attendance"].rows)
    assert entry["departed_at"] and entry["collected_by_name"] == "Tunde Bakare"


def test_refusing_a_one_off_collector_needs_a_reason(manager, demo_db):
    collection.collector_at_door(demo_db, "Tunde Bakare", "sunflower", kiosk="entrance")
    one_off = next(demo_db["one_off_collections"].rows)["id"]
    response = manager.post(f"/admin/one-off/{one_off}/refuse", headers=HX)
    assert response.status_code == 400 and "Please say why" in text_of(response)
    manager.post(f"/admin/one-off/{one_off}/refuse", data={"note": "ID name differs"}, headers=HX)
    assert alerts.open_alerts(demo_db) == []


def test_a_room_short_of_staff_is_flagged_against_the_eyfs_ratio(manager, demo_client, demo_db):
    with write(demo_db):
        babies = demo_db.execute("SELECT id FROM rooms WHERE name = 'Babies'").fetchone()[0]
        for n in range(4):  # four babies: 1:3 needs two staff
            child = (
                demo_db["children"]
                .insert(
                    {
                        "first_name": f"Baby{n}",
                        "last_name": "Test",
                        "date_of_birth": "2025-06-01",
                        "room_id": babies,
                        "created_at": clock.stamp(),
                    }
                )
                .last_pk
            )
            demo_db["attendance"].insert(
                {
                    "child_id": child,
                    "day": clock.today(DEMO_ZONE).isoformat(),
                    "arrived_at": clock.stamp(),
                    "created_at": clock.stamp(),
                }
            )
    kiosk_staff_in(demo_client, "475103")  # Hannah Lewis, Babies room leader
    page = text_of(manager.get("/admin/parts/on-site"))
    babies_card = page[page.index("Babies") : page.index("Toddlers")]
    assert "4</strong> children" in babies_card and "1</strong> staff" in babies_card
    assert "SHORT: 2 staff needed" in babies_card


def test_the_event_stream_tells_an_open_panel_within_a_second(live_demo):
    from tests.admin_helpers import MANAGER

    port = int(live_demo.url.rsplit(":", 1)[1])
    client = live_demo.app.test_client()
    login = client.post("/admin/login", data={"username": MANAGER[0], "password": MANAGER[1]})
    cookie = login.headers["Set-Cookie"].split(";", 1)[0]
    stream = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    stream.request("GET", "/admin/events", headers={"Cookie": cookie})
    response = stream.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")
    assert response.readline() == b": connected\n"
    response.readline()
    kiosk = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    page = live_demo.app.test_client().get("/")  # a CSRF token for the kiosk's POST
    token = re.search(r'"X-CSRFToken": &#34;([^&]+)&#34;', text_of(page)).group(1)
    kiosk_cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    kiosk.request(
        "POST",
        "/help",
        headers={"X-CSRFToken": token, "Cookie": kiosk_cookie, "HX-Request": "true"},
    )
    assert kiosk.getresponse().status == 200
    assert response.readline() == b"event: alerts\n"  # the 5 s socket timeout bounds this
    stream.close()


def test_an_anonymous_event_stream_is_refused(live_demo):
    port = int(live_demo.url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/admin/events")
    assert conn.getresponse().status == 302


def test_the_chime_is_a_real_sound(manager):
    response = manager.get("/admin/chime.wav")
    assert response.mimetype == "audio/wav"
    assert response.data[:4] == b"RIFF" and len(response.data) > 10_000


def test_supervision_from_the_alert_itself(manager, demo_client, demo_db):
    visit = unannounced_visit(demo_db)
    kiosk_staff_in(demo_client, "731850")
    page = text_of(
        manager.post(
            f"/admin/visits/{visit}/supervisor",
            data={"staff": staff_id(demo_db, "Aisha Begum"), "from": "alerts"},
            headers=HX,
        )
    )
    assert "No open alerts." in page
    assert supervision.supervisor_of(demo_db, visit)["name"] == "Aisha Begum"


def test_the_header_refreshed_on_the_dashboard_keeps_to_the_count(manager, demo_db):
    alerts.help_requested(demo_db, kiosk="entrance")
    elsewhere = text_of(manager.get("/admin/parts/alert-summary", headers=HX))
    assert "1 open alert" in elsewhere and "alert-top" in elsewhere
    # On the dashboard the alert is listed below: the header does not say it twice.
    on_dashboard = text_of(manager.get("/admin/parts/alert-summary?on=dashboard", headers=HX))
    assert "1 open alert" in on_dashboard and "alert-top" not in on_dashboard
