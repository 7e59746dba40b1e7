"""One function signs a child out, whoever does it (the kiosk, staff confirming a one-off
collector, a manager correcting the register), with all its consequences: the register,
the audit log, the child's alerts, visits to the child, and every open panel."""

import json
from datetime import datetime, time

import pytest

from doorbook import alerts, clock, collection, corrections, events, exports, register, uncollected
from doorbook import visits as visits_core
from doorbook.identify import Person
from tests.admin_helpers import log_in, staff_id

LONDON = "Europe/London"


def at(hour, minute):
    from zoneinfo import ZoneInfo

    return datetime.combine(clock.today(LONDON), time(hour, minute), tzinfo=ZoneInfo(LONDON))


def child_id(db, first_name):
    return db.execute("SELECT id FROM children WHERE first_name = ?", [first_name]).fetchone()[0]


def contact(db, name):
    return Person(
        "contact", db.execute("SELECT id FROM contacts WHERE name = ?", [name]).fetchone()[0], name
    )


def priya(db):
    return Person("staff", staff_id(db, "Priya Sharma"), "Priya Sharma").actor("admin panel")


def amelia_here(db, when=(8, 0)):
    with clock.freeze(at(*when)):
        register.sign_in(db, contact(db, "Rachel Hart"), [child_id(db, "Amelia")], kiosk="entrance")
    return register.child_open_entry(db, child_id(db, "Amelia"))


def open_kinds(db):
    return sorted(a["kind"] for a in alerts.open_alerts(db))


def test_a_corrected_departure_signs_the_child_out_with_every_consequence(demo_db):
    entry = amelia_here(demo_db)
    with clock.freeze(at(18, 40)):
        uncollected.check(demo_db)
        assert open_kinds(demo_db) == ["not_collected"] * 3
        with events.Subscription() as panel:
            said = corrections.correct_time(
                demo_db,
                entry["id"],
                "departed_at",
                "17:55",
                "Dad forgot to sign out",
                priya(demo_db),
            )
            topics = {panel.next(timeout=1), panel.next(timeout=1)}
    assert said == "Amelia Hart is signed out at 17:55 (a correction). They are no longer on site."
    assert open_kinds(demo_db) == []  # the not-collected alerts are resolved
    assert register.child_open_entry(demo_db, child_id(demo_db, "Amelia")) is None
    assert topics == {"on-site", "alerts"}
    actions = [
        row[0]
        for row in demo_db.execute(
            "SELECT action FROM audit_log WHERE child_id = ? ORDER BY id", [entry["child_id"]]
        )
    ]
    assert {"register_corrected", "signed_out"} <= set(actions)
    resolved = demo_db.execute(
        "SELECT resolve_note, resolved_by FROM alerts WHERE kind = 'not_collected'"
    ).fetchall()
    assert all(note == "The child has been collected." for note, _by in resolved)


def test_correcting_a_departure_already_made_changes_only_the_time(demo_db):
    entry = amelia_here(demo_db)
    with clock.freeze(at(17, 0)):
        register.sign_out(
            demo_db, contact(demo_db, "Rachel Hart"), [entry["child_id"]], kiosk="entrance"
        )
    with clock.freeze(at(18, 0)):
        said = corrections.correct_time(
            demo_db, entry["id"], "departed_at", "16:50", "clock slow", priya(demo_db)
        )
    assert said == "Amelia Hart's departure is corrected to 16:50."
    signed_out = demo_db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'signed_out' AND child_id = ?",
        [entry["child_id"]],
    ).fetchone()[0]
    assert signed_out == 1


def test_a_register_time_in_the_future_is_refused(demo_db):
    entry = amelia_here(demo_db)
    with (
        clock.freeze(at(12, 0)),
        pytest.raises(corrections.CorrectionProblem, match="not happened yet"),
    ):
        corrections.correct_time(
            demo_db, entry["id"], "departed_at", "15:00", "early", priya(demo_db)
        )


def test_a_visit_whose_child_has_gone_home_is_flagged_until_the_visitor_leaves(demo_db):
    amelia = amelia_here(demo_db)["child_id"]
    with clock.freeze(at(9, 0)):
        visit = visits_core.sign_in_agency(
            demo_db,
            name="Priya Gill",
            organisation="Lambeth Early Help",
            role="Social worker",
            phone=None,
            child_name="Amelia",
            kiosk="entrance",
        ).visit_id
        visits_core.link_child(demo_db, visit, amelia, priya(demo_db))
    with clock.freeze(at(15, 30)):
        register.sign_out(demo_db, contact(demo_db, "Rachel Hart"), [amelia], kiosk="entrance")
    flag = next(a for a in alerts.open_alerts(demo_db) if a["kind"] == "visit_child_gone_home")
    assert flag["message"].startswith(
        "Amelia Hart went home at 15:30, but Priya Gill (Lambeth Early Help), here to see "
        "Amelia Hart, is still signed in."
    )
    unsupervised = next(a for a in alerts.open_alerts(demo_db) if a["kind"] == "unsupervised_visit")
    assert "visiting Amelia Hart. Amelia Hart went home at 15:30." in unsupervised["message"]
    with clock.freeze(at(15, 35)):
        visits_core.sign_out(demo_db, visit, priya(demo_db))
    assert not {"unsupervised_visit", "visit_child_gone_home"} & set(open_kinds(demo_db))


def test_an_unsupervised_alert_follows_the_visit_when_its_child_is_matched(demo_db):
    with clock.freeze(at(9, 0)):
        visit = visits_core.sign_in_agency(
            demo_db,
            name="Priya Gill",
            organisation="Lambeth Early Help",
            role="Social worker",
            phone=None,
            child_name="Noah A",
            kiosk="entrance",
        ).visit_id
    (before,) = alerts.open_alerts(demo_db)
    assert "match the child they named" in before["message"]
    visits_core.link_child(demo_db, visit, child_id(demo_db, "Noah"), priya(demo_db))
    (after,) = [a for a in alerts.open_alerts(demo_db) if a["kind"] == "unsupervised_visit"]
    assert after["id"] == before["id"]
    assert "match the child they named" not in after["message"]
    assert after["message"] == (
        "UNSUPERVISED: Priya Gill (Lambeth Early Help), visiting Noah Adeyemi. The child they "
        "named is matched (by Priya Sharma). Assign a member of staff on site."
    )


# ---- One-off collections in the register, its CSV and the child's history ----


@pytest.fixture
def noah_collected_by_tunde(demo_db):
    funmi = contact(demo_db, "Funmi Adeyemi")
    noah = child_id(demo_db, "Noah")
    register.sign_in(demo_db, funmi, [noah], kiosk="entrance")
    outcome = collection.collector_at_door(demo_db, "Tunde Bakare", "sunflower", kiosk="entrance")
    done = register.confirm_one_off_id(demo_db, outcome.one_off_collection_id, priya(demo_db))
    return done


def test_a_one_off_collection_and_who_saw_the_photo_id_are_in_the_register_and_csv(
    demo_db, noah_collected_by_tunde
):
    today = clock.today(LONDON)
    entries = exports.register(demo_db, today)
    row = dict(
        zip(exports.REGISTER_HEADER, exports.register_rows(demo_db, entries)[0], strict=True)
    )
    assert row["Collected by"] == "Tunde Bakare"
    assert row["One-off collection"].startswith(
        "yes, arranged by Funmi Adeyemi; family password given; photo ID seen by Priya Sharma at "
    )
    csv_text = exports.to_csv(
        exports.REGISTER_HEADER, exports.register_rows(demo_db, entries)
    ).decode()
    assert "One-off collection" in csv_text and "photo ID seen by Priya Sharma" in csv_text
    assert noah_collected_by_tunde.child == "Noah Adeyemi"
    assert noah_collected_by_tunde.collector == "Tunde Bakare"


def test_the_register_page_and_the_childs_history_show_the_one_off_collection(
    demo_client, demo_db, noah_collected_by_tunde
):
    log_in(demo_client)
    register_page = demo_client.get("/admin/records/register").get_data(as_text=True)
    assert (
        "One-off collection, arranged by Funmi Adeyemi; photo ID seen by Priya Sharma at"
        in register_page
    )
    noah = child_id(demo_db, "Noah")
    history = demo_client.get(f"/admin/children/{noah}").get_data(as_text=True)
    assert "one off collection confirmed" in history
    details = json.loads(
        demo_db.execute(
            "SELECT details FROM audit_log WHERE action = 'one_off_collection_confirmed'"
        ).fetchone()[0]
    )
    assert details == {"collector": "Tunde Bakare", "photo_id_seen_by": "Priya Sharma"}


def test_the_header_summary_counts_open_alerts_and_names_the_most_serious(demo_client, demo_db):
    from doorbook import dashboard

    log_in(demo_client)
    assert "No open alerts" in demo_client.get("/admin/records/register").get_data(as_text=True)
    alerts.help_requested(demo_db, kiosk="entrance")
    collection.collector_at_door(demo_db, "Sean Murphy", "x", kiosk="entrance")
    summary = dashboard.alert_summary(demo_db)
    assert (summary.count, summary.unacknowledged) == (2, 2)
    assert summary.top_title == "Not-permitted person at the door"
    for page in (
        "/admin/records/register",
        "/admin/settings",
        "/admin/children",
        "/admin/roll-call",
    ):
        html = demo_client.get(page).get_data(as_text=True)
        assert (
            "2 open alerts" in html and "Not-permitted person at the door: Sean Murphy" in html
        ), page


def test_an_arrived_booking_shows_arrived_and_cannot_be_cancelled(demo_client, demo_db):
    from doorbook import people

    log_in(demo_client)
    booking = next(demo_db["expected_visits"].rows)
    visits_core.sign_in_invited(demo_db, booking["id"], kiosk="entrance")
    page = demo_client.get("/admin/bookings").get_data(as_text=True)
    assert "arrived" in page and f'href="/admin/bookings/{booking["id"]}/invitation"' in page
    assert f"/admin/bookings/{booking['id']}/cancel" not in page
    with pytest.raises(people.RecordProblem, match="already arrived"):
        people.cancel_booking(demo_db, priya(demo_db), booking["id"])
    response = demo_client.post(f"/admin/bookings/{booking['id']}/cancel", follow_redirects=True)
    assert "The visitor has already arrived: this booking is kept." in response.get_data(
        as_text=True
    )
