"""A parent reports an absence at the kiosk: only their own children (K1), booked days only,
two taps for the day offered first, once per screen (K7), hostile input refused calmly."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from doorbook import absences, attendance_policies, audit, clock, not_arrived, sessions, settings
from tests.conftest import DEMO_ZONE
from tests.kiosk_helpers import HX, identify, nonce_of, text_of

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 11, 30)
EVENING_BEFORE = datetime.combine(MONDAY - timedelta(days=1), time(19, 0), tzinfo=LONDON)


@pytest.fixture
def booked(demo_db):
    """Zofia (Katarzyna Nowak, PIN 245781) booked Monday and Tuesday mornings."""
    demo_db.execute("DELETE FROM absences")
    demo_db.execute("DELETE FROM session_changes")
    demo_db.execute("DELETE FROM booked_sessions")
    demo_db.conn.commit()
    zofia = demo_db.execute("SELECT id FROM children WHERE first_name = 'Zofia'").fetchone()[0]
    sessions.set_pattern(
        demo_db, audit.SYSTEM, zofia, [(0, "morning"), (1, "morning")], starts_on=date(2026, 9, 1)
    )
    with clock.freeze(EVENING_BEFORE):
        yield zofia


def open_absence(client, pin="245781"):
    identify(client, pin)
    return text_of(client.get("/parent/absence", headers=HX))


def days_offered(page):
    return re.findall(r'name="day" value="([\d-]+)"', page)


def test_the_parent_sees_their_children_and_booked_days_with_the_first_ticked(demo_client, booked):
    page = open_absence(demo_client)
    assert "Zosia Nowak" in page and "Amelia" not in page and "Millie" not in page
    assert days_offered(page)[:2] == ["2026-11-30", "2026-12-01"]
    assert 'value="2026-11-30" checked' in page  # tomorrow, ticked: one tap on a reason sends it
    assert "Jutro" in page  # "Tomorrow", in Katarzyna's Polish


def test_two_taps_report_tomorrows_illness_and_prevent_the_follow_up(demo_client, demo_db, booked):
    page = open_absence(demo_client)
    response = demo_client.post(
        "/parent/absence",
        data={"nonce": nonce_of(page), "child": str(booked), "day": "2026-11-30", "reason": "ill"},
        headers=HX,
    )
    assert "Nieobecność zapisana" in text_of(response)
    assert "Zosia Nowak: Jutro (Choroba)" in text_of(response)
    (absence,) = absences.absences_between(demo_db, MONDAY, MONDAY)
    assert (absence["reason"], absence["reported_via"], absence["reported_by_name"]) == (
        "ill",
        "kiosk",
        "Katarzyna Nowak",
    )
    # A double tap: the same confirmation, nothing twice.
    again = demo_client.post(
        "/parent/absence",
        data={"nonce": nonce_of(page), "child": str(booked), "day": "2026-11-30", "reason": "ill"},
        headers=HX,
    )
    assert "Nieobecność zapisana" in text_of(again)
    assert demo_db["absences"].count == 1
    at_0930 = datetime.combine(MONDAY, time(9, 30), tzinfo=LONDON)
    assert not_arrived.check(demo_db, at_0930) == 0


def test_the_screen_is_in_the_parents_language(demo_client, booked):
    page = open_absence(demo_client)
    assert "Zgłoś nieobecność" in page and "Jutro" in page and "Choroba" in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"child": []}, "Najpierw wybierz dziecko."),
        ({"day": []}, "Wybierz dzień."),
        ({"reason": "<script>"}, "Wybierz powód."),
        ({"day": ["2026-12-25"]}, "Wybierz dzień."),  # not a booked day offered
        ({"child": ["1"]}, "Najpierw wybierz dziecko."),  # Amelia: not her child (K1)
        ({"child": ["9" * 40]}, "Najpierw wybierz dziecko."),
        ({"day": ["x" * 10000]}, "Wybierz dzień."),
        ({"reason": "ill\u202e"}, "Wybierz powód."),
    ],
)
def test_bad_input_is_refused_calmly_and_nothing_is_recorded(
    demo_client, demo_db, booked, change, message
):
    page = open_absence(demo_client)
    data = {"nonce": nonce_of(page), "child": [str(booked)], "day": ["2026-11-30"]}
    data["reason"] = "ill"
    data.update(change)
    response = demo_client.post("/parent/absence", data=data, headers=HX)
    assert response.status_code == 200
    assert message in text_of(response)
    assert demo_db["absences"].count == 0


def test_no_absence_screen_before_identification(demo_client):
    page = text_of(demo_client.get("/parent/absence", headers=HX))
    assert "Zofia" not in page and "Zosia" not in page and 'name="day"' not in page
    response = demo_client.post(
        "/parent/absence", data={"child": "4", "day": "2026-11-30", "reason": "ill"}, headers=HX
    )
    assert "Zosia" not in text_of(response)


def test_a_parent_is_asked_once_to_confirm_the_attendance_policy(demo_client, demo_db, tmp_path):
    priya = demo_db.execute("SELECT id FROM staff WHERE name = 'Priya Sharma'").fetchone()[0]
    attendance_policies.save_policy(
        demo_db, audit.Actor("staff", priya, "Priya Sharma"), b"%PDF-1.4 policy", tmp_path
    )
    question = "polityk"  # "polityką obecności", in Katarzyna's Polish
    assert question not in text_of(identify(demo_client, "245781")).lower()  # not asked: off
    settings.set_many(demo_db, {"ask_parents_to_confirm_policy": "yes"})
    assert question in text_of(identify(demo_client, "245781")).lower()
    assert "Dziękujemy" in text_of(demo_client.post("/parent/policy", headers=HX))
    given = {f["name"]: f["given_on"] for f in attendance_policies.families(demo_db)}
    assert given["Katarzyna Nowak"] == clock.today(DEMO_ZONE).isoformat()
    assert given["Piotr Nowak"] is None
    assert question not in text_of(identify(demo_client, "245781")).lower()  # asked once
    assert question in text_of(identify(demo_client, "836410")).lower()  # Piotr: not yet


def test_the_policy_is_not_asked_before_identification(demo_client, demo_db):
    settings.set_many(demo_db, {"ask_parents_to_confirm_policy": "yes"})
    response = demo_client.post("/parent/policy", headers=HX)
    assert demo_db["policy_given"].count == 0 and "polityk" not in text_of(response).lower()
