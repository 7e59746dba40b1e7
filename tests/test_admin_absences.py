"""Absences in the panel: who is expected, phoned-in absences, the follow-up with its calls,
the DSL's closing note, sessions and emergency contacts, the attendance policy. Every form
answers bad input with a message in the page and changes nothing."""

import html
from datetime import timedelta

import pytest

from doorbook import clock, exports, not_arrived, retention, sessions
from doorbook.db import write
from tests.admin_helpers import DEPUTY, MANAGER, PRACTITIONER, give_login, log_in
from tests.conftest import DEMO_ZONE
from tests.kiosk_helpers import HX, text_of

HOSTILE = [
    ("", "Please enter"),
    ("x" * 10_000, "under"),
    ("Rachel\u202eHart", "direction"),
    ("nul\x00byte", "control character"),
]


def child_id(db, first):
    return db.execute("SELECT id FROM children WHERE first_name = ?", [first]).fetchone()[0]


@pytest.fixture
def manager(demo_client):
    log_in(demo_client, MANAGER)
    return demo_client


def freddie_not_arrived(db):
    """The demo's story: Freddie is expected this morning; the check runs after his start."""
    expected = sessions.expected_on(db, clock.today(DEMO_ZONE))[child_id(db, "Freddie")]
    not_arrived.check(db, expected.starts + timedelta(minutes=31))
    return next(f for f in not_arrived.open_follow_ups(db) if f["child"] == "Freddie Clarke")


def test_the_dashboard_shows_who_is_expected_and_who_has_not_arrived(manager, demo_db):
    follow_up = freddie_not_arrived(demo_db)
    page = text_of(manager.get("/admin/parts/expected", headers=HX))
    assert "Expected today" in page and "Staff needed, from the bookings" in page
    assert "Freddie Clarke" in page and "NOT ARRIVED" in page
    assert f"/admin/absences/follow-up/{follow_up['id']}" in page
    assert "Leo Fernandes" in page and "absent: ill" in page and "at the kiosk" in page


def test_a_phoned_in_absence_is_recorded_and_shown_on_the_register(manager, demo_db):
    today = clock.today(DEMO_ZONE).isoformat()
    response = manager.post(
        "/admin/absences",
        data={
            "child_id": child_id(demo_db, "Freddie"),
            "first": today,
            "reason": "appointment",
            "reported_by": "Laura Clarke (mother), by phone",
            "note": "Hospital check-up",
        },
        follow_redirects=True,
    )
    assert "Recorded: Freddie Clarke absent (appointment)" in text_of(response)
    register = text_of(manager.get(f"/admin/records/register?date={today}"))
    assert "absent: appointment" in register and "Hospital check-up" in register
    csv = manager.get(f"/admin/records/register?date={today}&format=csv").get_data(as_text=True)
    assert "Freddie Clarke" in csv and "absent: appointment (Hospital check-up)" in csv
    assert not_arrived.check(demo_db) == 0 or "Freddie" not in str(
        not_arrived.open_follow_ups(demo_db)
    )


@pytest.mark.parametrize("value, message", HOSTILE, ids=["empty", "long", "rtl", "nul"])
def test_bad_input_on_the_absence_form_is_a_message_and_changes_nothing(
    manager, demo_db, value, message
):
    before = demo_db["absences"].count
    response = manager.post(
        "/admin/absences",
        data={
            "child_id": child_id(demo_db, "Freddie"),
            "first": clock.today(DEMO_ZONE).isoformat(),
            "reason": "ill",
            "reported_by": value,
        },
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert demo_db["absences"].count == before


@pytest.mark.parametrize(
    "change, message",
    [
        ({"child_id": "999999"}, "Please choose the child from the list."),
        ({"reason": "<script>alert(1)</script>"}, "Please choose a reason from the list."),
        ({"first": "31/12/2026"}, "as a date (YYYY-MM-DD)"),
        ({"first": "1999-01-01"}, "too long ago"),
    ],
)
def test_odd_choices_on_the_absence_form_are_refused(manager, demo_db, change, message):
    data = {
        "child_id": child_id(demo_db, "Freddie"),
        "first": clock.today(DEMO_ZONE).isoformat(),
        "reason": "ill",
        "reported_by": "Laura Clarke",
        **change,
    }
    response = manager.post("/admin/absences", data=data)
    assert response.status_code == 400 and message in text_of(response)


def test_the_follow_up_walks_through_the_calls_and_only_a_dsl_closes_it(demo_client, demo_db):
    follow_up = freddie_not_arrived(demo_db)
    give_login(demo_db, "Sam Kowalski", *PRACTITIONER)
    log_in(demo_client, PRACTITIONER)
    url = f"/admin/absences/follow-up/{follow_up['id']}"
    page = text_of(demo_client.get(url))
    assert "Next: Ring Laura Clarke" in page and "07700 900115" in page
    assert page.index("Laura Clarke") < page.index("Ben Carter") < page.index("Gary Clarke")
    laura = demo_db.execute("SELECT id FROM contacts WHERE name = 'Laura Clarke'").fetchone()[0]
    response = demo_client.post(
        f"{url}/attempt",
        data={"contact_id": laura, "outcome": "voicemail", "note": "Asked her to ring back"},
        follow_redirects=True,
    )
    page = text_of(response)
    assert "Call logged." in page and "Sam Kowalski rang 07700 900115" in page
    assert "Next: Ring Ben Carter" in page
    # Hostile input: a stranger's id, an unknown outcome, a note too long.
    for data, message in (
        ({"contact_id": "1", "outcome": "no_answer"}, "not one of this child"),
        ({"contact_id": laura, "outcome": "shrug"}, "Please choose what happened"),
        ({"contact_id": laura, "outcome": "no_answer", "note": "x" * 600}, "under"),
        ({"contact_id": "x", "outcome": "no_answer"}, "Please choose whom you rang"),
    ):
        response = demo_client.post(f"{url}/attempt", data=data)
        assert response.status_code == 400 and message in text_of(response)
    response = demo_client.post(f"{url}/close", data={"note": "Spoke to mum"})
    assert response.status_code == 403
    assert "Only a designated safeguarding lead" in text_of(response)
    assert demo_db.execute("SELECT count(*) FROM contact_attempts").fetchone()[0] == 1


def test_a_dsl_closes_the_follow_up_with_a_note(manager, demo_db):
    follow_up = freddie_not_arrived(demo_db)
    url = f"/admin/absences/follow-up/{follow_up['id']}"
    assert manager.post(f"{url}/close", data={"note": ""}).status_code == 400
    response = manager.post(
        f"{url}/close", data={"note": "Mum rang: Freddie is at nan's today."}, follow_redirects=True
    )
    assert "The follow-up is closed." in text_of(response)
    assert "closed by the DSL" in text_of(response)
    assert not_arrived.open_follow_ups(demo_db) == [] or all(
        f["child"] != "Freddie Clarke" for f in not_arrived.open_follow_ups(demo_db)
    )


def test_a_reason_given_on_the_phone_ends_the_follow_up(manager, demo_db):
    follow_up = freddie_not_arrived(demo_db)
    url = f"/admin/absences/follow-up/{follow_up['id']}"
    response = manager.post(
        f"{url}/reason",
        data={"reason": "ill", "reported_by": "Laura Clarke"},
        follow_redirects=True,
    )
    assert "an absence reason was recorded" in text_of(response)
    rows = exports.absence_rows(demo_db, clock.today(DEMO_ZONE))
    assert any("absent: ill" in r[-1] and r[1] == "Freddie Clarke" for r in rows)


def test_sessions_are_edited_in_the_panel_with_clear_messages(manager, demo_db):
    ava = child_id(demo_db, "Ava")
    url = f"/admin/children/{ava}/sessions"
    today = clock.today(DEMO_ZONE).isoformat()
    for pattern, message in (
        ("Mon evening", "is not a day and session"),
        ("Mon am; Mon pm", "Mon is given twice"),
        ("<b>Mon</b> am", "is not a day and session"),
        ("x" * 500, "under"),
    ):
        response = manager.post(url, data={"pattern": pattern, "starts_on": today})
        assert response.status_code == 400 and message in text_of(response), pattern
    response = manager.post(
        url, data={"pattern": "Tue pm; Thu day", "starts_on": today}, follow_redirects=True
    )
    assert "Booked sessions saved." in text_of(response)
    assert (
        sessions.format_pattern(
            [(r["weekday"], r["session"]) for r in sessions.current_pattern(demo_db, ava)]
        )
        == "Tue pm; Thu day"
    )


def test_emergency_contacts_are_kept_in_order_and_none_available_is_recorded(manager, demo_db):
    ava = child_id(demo_db, "Ava")
    jess = demo_db.execute("SELECT id FROM contacts WHERE name = 'Jess Thompson'").fetchone()[0]
    response = manager.post(
        f"/admin/children/{ava}/emergency", data={"contact_id": jess, "order": "1"}
    )
    assert response.status_code == 400 and "parental responsibility" in text_of(response)
    response = manager.post(
        f"/admin/children/{ava}/emergency/none",
        data={"none_note": "New to the area; asked again in January"},
        follow_redirects=True,
    )
    assert "no emergency contacts available" in text_of(response)
    short = text_of(manager.get("/admin/absences"))
    assert "Yusuf Khan" in short and "Ava Thompson</a>" not in short


def test_the_attendance_policy_is_uploaded_as_a_pdf_and_given_to_families(manager, demo_db):
    from io import BytesIO

    refused = manager.post(
        "/admin/absences/policy",
        data={"policy": (BytesIO(b"<html>not a pdf</html>"), "policy.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "not a PDF" in text_of(refused)
    empty = manager.post("/admin/absences/policy", data={}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "Please choose" in text_of(empty)
    pdf = b"%PDF-1.4\n% Acorns attendance policy\n"
    response = manager.post(
        "/admin/absences/policy",
        data={"policy": (BytesIO(pdf), "policy.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Attendance policy uploaded." in text_of(response)
    download = manager.get("/admin/absences/policy.pdf")
    assert download.data == pdf and download.mimetype == "application/pdf"
    download.close()
    rachel = demo_db.execute("SELECT id FROM contacts WHERE name = 'Rachel Hart'").fetchone()[0]
    today = clock.today(DEMO_ZONE).isoformat()
    response = manager.post(
        "/admin/absences/policy/given",
        data={"contact_id": rachel, "given_on": today},
        follow_redirects=True,
    )
    assert f"Rachel Hart was given the policy on {today}" in text_of(response)
    future = (clock.today(DEMO_ZONE) + timedelta(days=3)).isoformat()
    response = manager.post(
        "/admin/absences/policy/given", data={"contact_id": rachel, "given_on": future}
    )
    assert response.status_code == 400 and "cannot be in the future" in text_of(response)


def test_closure_days_are_entered_and_then_nobody_is_expected(manager, demo_db):
    today = clock.today(DEMO_ZONE).isoformat()
    response = manager.post(
        "/admin/absences/closures",
        data={"closure_day": today, "closure_reason": "INSET day"},
        follow_redirects=True,
    )
    assert "nobody is expected" in text_of(response)
    assert sessions.expected_on(demo_db, clock.today(DEMO_ZONE)) == {}
    again = manager.post(
        "/admin/absences/closures", data={"closure_day": today, "closure_reason": "again"}
    )
    assert again.status_code == 409 and "already a closure day" in text_of(again)
    bad = manager.post("/admin/absences/closures", data={"closure_day": "", "closure_reason": ""})
    assert bad.status_code == 400 and "Please enter the closure day" in text_of(bad)


def test_the_register_shows_the_follow_up_and_its_calls(manager, demo_db):
    follow_up = freddie_not_arrived(demo_db)
    laura = demo_db.execute("SELECT id FROM contacts WHERE name = 'Laura Clarke'").fetchone()[0]
    manager.post(
        f"/admin/absences/follow-up/{follow_up['id']}/attempt",
        data={"contact_id": laura, "outcome": "spoke", "note": "On their way"},
    )
    page = text_of(
        manager.get(f"/admin/records/register?date={clock.today(DEMO_ZONE).isoformat()}")
    )
    assert "Follow-ups of children not arrived" in page
    assert "Priya Sharma rang Laura Clarke on 07700 900115: spoke to them" in page
    assert "On their way" in page and "still open" in page


def test_the_retention_purge_removes_absences_with_the_register(demo_db):
    from datetime import date

    from doorbook import audit

    follow_up = freddie_not_arrived(demo_db)
    freddie = child_id(demo_db, "Freddie")
    laura = demo_db.execute("SELECT id FROM contacts WHERE name = 'Laura Clarke'").fetchone()[0]
    priya = demo_db.execute("SELECT id FROM staff WHERE name = 'Priya Sharma'").fetchone()[0]
    not_arrived.log_attempt(
        demo_db, audit.Actor("staff", priya, "Priya Sharma"), follow_up["id"], laura, "no_answer"
    )
    demo_db.execute("UPDATE children SET left_on = '2020-01-01' WHERE id = ?", [freddie])
    demo_db.conn.commit()
    retention.purge(demo_db, audit.SYSTEM, date(2026, 11, 23) + timedelta(days=1))
    for table in ("follow_ups", "booked_sessions", "session_changes", "absences"):
        assert demo_db[table].count_where("child_id = ?", [freddie]) == 0, table
    assert demo_db["contact_attempts"].count == 0


def test_the_not_arrived_alert_leads_to_its_follow_up(manager, demo_db):
    follow_up = freddie_not_arrived(demo_db)
    alerts_part = text_of(manager.get("/admin/parts/alerts", headers=HX))
    assert "Follow up: who to ring" in alerts_part
    alert = demo_db.execute("SELECT id FROM alerts WHERE kind = 'not_arrived'").fetchone()[0]
    response = manager.get(f"/admin/absences/alert/{alert}")
    assert response.headers["Location"].endswith(f"/admin/absences/follow-up/{follow_up['id']}")
    assert manager.get("/admin/absences/alert/999999").status_code == 404


def not_arrived_alerts(db) -> list[dict]:
    return list(db.query("SELECT * FROM alerts WHERE kind = 'not_arrived' ORDER BY id"))


def test_resolving_the_not_arrived_alert_closes_its_follow_up_with_the_note(manager, demo_db):
    follow_up = freddie_not_arrived(demo_db)
    # The DSL step is due too: two alerts, one follow-up.
    starts = clock.parse(follow_up["session_starts_at"])
    not_arrived.check(demo_db, starts + timedelta(hours=4))
    first, dsl = not_arrived_alerts(demo_db)
    resolve = f"/admin/alerts/{first['id']}/resolve"
    # No note: refused on the dashboard, and the alert and the follow-up both stay open.
    response = manager.post(resolve, data={"note": "  "}, headers=HX)
    assert response.status_code == 409
    assert "Please write a note: what was found out or decided." in text_of(response)
    assert "closes Freddie Clarke's follow-up" in html.unescape(text_of(response))
    assert all(a["resolved_at"] is None for a in not_arrived_alerts(demo_db))
    assert any(f["id"] == follow_up["id"] for f in not_arrived.open_follow_ups(demo_db))

    note = "Dad rang back: Freddie is at his nan's today."
    response = manager.post(resolve, data={"note": note}, headers=HX)
    assert response.status_code == 200 and "Freddie Clarke" not in text_of(response)
    assert all(a["resolved_at"] and a["resolve_note"] == note for a in not_arrived_alerts(demo_db))
    ended = demo_db["follow_ups"].get(follow_up["id"])
    assert ended["ended_because"] == "closed_by_dsl" and ended["end_note"] == note
    page = html.unescape(text_of(manager.get(f"/admin/absences/follow-up/{follow_up['id']}")))
    assert "closed by the DSL" in page and note in page
    assert all(f["id"] != follow_up["id"] for f in not_arrived.open_follow_ups(demo_db))


def test_only_a_dsl_resolves_a_not_arrived_alert_and_the_follow_up_stays_with_it(
    demo_client, demo_db
):
    follow_up = freddie_not_arrived(demo_db)
    give_login(demo_db, "Sam Kowalski", *PRACTITIONER)
    log_in(demo_client, PRACTITIONER)
    (alert,) = not_arrived_alerts(demo_db)
    response = demo_client.post(
        f"/admin/alerts/{alert['id']}/resolve", data={"note": "Spoke to mum"}, headers=HX
    )
    assert response.status_code == 409
    said = text_of(response)
    assert "Only a designated safeguarding lead can close a follow-up." in said
    assert "Priya Sharma, Tom Okafor" in said and "Follow up: who to ring" in said
    assert not_arrived_alerts(demo_db)[0]["resolved_at"] is None
    assert demo_db["follow_ups"].get(follow_up["id"])["ended_at"] is None


def test_the_escalation_names_the_dsls_the_setting_marks_whatever_their_role(demo_client, demo_db):
    with write(demo_db):
        demo_db.execute("UPDATE staff SET safeguarding_lead = 0 WHERE name = 'Tom Okafor'")
        demo_db.execute("UPDATE staff SET safeguarding_lead = 1 WHERE name = 'Aisha Begum'")
    follow_up = freddie_not_arrived(demo_db)
    not_arrived.check(demo_db, clock.parse(follow_up["session_starts_at"]) + timedelta(hours=4))
    dsl_alert = not_arrived_alerts(demo_db)[-1]
    assert (
        "Tell the designated safeguarding lead (Aisha Begum, Priya Sharma) now"
        in (dsl_alert["message"])
    )
    url = f"/admin/absences/follow-up/{follow_up['id']}"
    log_in(demo_client, DEPUTY)  # the deputy, no longer a DSL, may not close it
    refused = demo_client.post(f"{url}/close", data={"note": "Spoke to mum"})
    assert refused.status_code == 403 and "Only a designated safeguarding lead" in text_of(refused)
    demo_client.post("/admin/logout")
    give_login(demo_db, "Aisha Begum", "aisha", "aisha's own password")
    log_in(demo_client, ("aisha", "aisha's own password"))  # the SENCo, marked DSL, may
    closed = demo_client.post(f"{url}/close", data={"note": "Spoke to mum"}, follow_redirects=True)
    assert "The follow-up is closed." in text_of(closed)


def test_with_no_dsl_marked_the_escalation_says_so(demo_db):
    with write(demo_db):
        demo_db.execute("UPDATE staff SET safeguarding_lead = 0")
    follow_up = freddie_not_arrived(demo_db)
    not_arrived.check(demo_db, clock.parse(follow_up["session_starts_at"]) + timedelta(hours=4))
    assert "Nobody is marked as one" in not_arrived_alerts(demo_db)[-1]["message"]
