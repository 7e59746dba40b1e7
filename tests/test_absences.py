"""Absences followed up (EYFS 2025, 3.11-3.12), with a frozen clock: who is expected, the
*not arrived* alert (once, even across a restart), absences reported in advance, contact
attempts in the policy's order, the DSL told after a set time, closure days."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from doorbook import (
    absences,
    alerts,
    audit,
    clock,
    demo,
    emergency_contacts,
    exports,
    not_arrived,
    register,
    room_days,
    sessions,
)
from doorbook.identify import Person
from doorbook.scheduler import Scheduler
from doorbook.signals import NullSignals
from tests.conftest import DEMO_ZONE

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 11, 30)
SUNDAY = MONDAY - timedelta(days=1)


def at(day, hour, minute):
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def ids(db, *names):
    found = []
    for name in names:
        row = (
            db.execute(
                "SELECT id FROM children WHERE first_name || ' ' || last_name = ?", [name]
            ).fetchone()
            or db.execute("SELECT id FROM contacts WHERE name = ?", [name]).fetchone()
        )
        found.append(row[0])
    return found


def staff(db, name):
    row = db.execute("SELECT id FROM staff WHERE name = ?", [name]).fetchone()
    return audit.Actor("staff", row[0], name)


@pytest.fixture
def nursery(demo_db):
    """The demo's people with no bookings; Amelia booked Monday mornings since January."""
    demo_db.execute("DELETE FROM absences")
    demo_db.execute("DELETE FROM session_changes")
    demo_db.execute("DELETE FROM booked_sessions")
    demo_db.conn.commit()
    (amelia,) = ids(demo_db, "Amelia Hart")
    sessions.set_pattern(
        demo_db, audit.SYSTEM, amelia, [(0, "morning")], starts_on=date(2026, 1, 5)
    )
    return demo_db


def not_arrived_alerts(db):
    return [a for a in alerts.open_alerts(db) if a["kind"] == "not_arrived"]


def amelia(db):
    return ids(db, "Amelia Hart")[0]


# ---- Who is expected ----


def test_the_pattern_is_parsed_in_the_documented_format():
    assert sessions.parse_pattern("Mon am; wed PM, Friday day") == [
        (0, "morning"),
        (2, "afternoon"),
        (4, "all_day"),
    ]
    assert sessions.format_pattern([(4, "all_day"), (0, "morning")]) == "Mon am; Fri day"
    for bad in ("Mon", "Funday am", "Mon am; Mon pm", "Mon evening"):
        with pytest.raises(sessions.SessionProblem):
            sessions.parse_pattern(bad)


def test_a_monday_morning_child_is_expected_on_mondays_only(nursery):
    assert amelia(nursery) in sessions.expected_on(nursery, MONDAY)
    assert sessions.expected_on(nursery, MONDAY + timedelta(days=1)) == {}
    expected = sessions.expected_on(nursery, MONDAY)[amelia(nursery)]
    assert expected.starts == at(MONDAY, 9, 0) and expected.session_label == "morning"


def test_one_off_changes_add_and_cancel_days(nursery):
    child = amelia(nursery)
    tuesday = MONDAY + timedelta(days=1)
    sessions.add_change(nursery, audit.SYSTEM, child, tuesday, "extra", "afternoon")
    sessions.add_change(nursery, audit.SYSTEM, child, MONDAY, "cancelled")
    assert child not in sessions.expected_on(nursery, MONDAY)
    assert sessions.expected_on(nursery, tuesday)[child].starts == at(tuesday, 13, 0)


def test_term_time_only_children_are_not_expected_in_the_holidays(nursery):
    child = amelia(nursery)
    sessions.set_pattern(
        nursery,
        audit.SYSTEM,
        child,
        [(0, "morning")],
        starts_on=date(2026, 9, 1),
        term_time_only=True,
    )
    sessions.add_term(nursery, audit.SYSTEM, "Autumn", date(2026, 9, 2), date(2026, 12, 18))
    assert child in sessions.expected_on(nursery, MONDAY)
    assert child not in sessions.expected_on(nursery, date(2026, 12, 21))


def test_a_new_pattern_keeps_what_was_booked_before_it(nursery):
    child = amelia(nursery)
    sessions.set_pattern(nursery, audit.SYSTEM, child, [(1, "all_day")], starts_on=MONDAY)
    assert child in sessions.expected_on(nursery, MONDAY - timedelta(days=7))  # old pattern
    assert child not in sessions.expected_on(nursery, MONDAY)
    assert child in sessions.expected_on(nursery, MONDAY + timedelta(days=1))
    # Importing the same pattern again changes nothing.
    assert not sessions.set_pattern(
        nursery, audit.SYSTEM, child, [(1, "all_day")], starts_on=MONDAY + timedelta(days=3)
    )


# ---- The not-arrived alert ----


def test_not_arrived_at_0930_raises_one_alert_not_twice_across_a_restart(nursery, demo_app):
    from doorbook.db import db_path

    assert not_arrived.check(nursery, at(MONDAY, 9, 29)) == 0
    assert not_arrived.check(nursery, at(MONDAY, 9, 30)) == 1
    (alert,) = not_arrived_alerts(nursery)
    assert (
        "Amelia Hart (Pre-school) was expected at 09:00 and has not arrived" in (alert["message"])
    )
    assert not_arrived.check(nursery, at(MONDAY, 9, 31)) == 0
    # The server restarts: a new scheduler's first check raises nothing again.
    with clock.freeze(at(MONDAY, 9, 40)):
        Scheduler(db_path(demo_app), NullSignals()).tick()
    assert len(not_arrived_alerts(nursery)) == 1


def test_a_kiosk_report_of_illness_the_evening_before_prevents_it(nursery):
    (rachel,) = ids(nursery, "Rachel Hart")
    with clock.freeze(at(SUNDAY, 19, 10)):
        absences.report(
            nursery,
            audit.Actor("contact", rachel, "Rachel Hart", "entrance"),
            amelia(nursery),
            [MONDAY],
            "ill",
            via="kiosk",
        )
    assert not_arrived.check(nursery, at(MONDAY, 9, 30)) == 0
    assert not_arrived.check(nursery, at(MONDAY, 12, 0)) == 0
    (room,) = [r for r in room_days.day_by_room(nursery, MONDAY, at(MONDAY, 9, 30)) if r.children]
    assert (room.expected, room.absent, room.not_arrived) == (1, 1, 0)
    assert room.children[0].reason == "ill"


def test_arriving_late_ends_the_follow_up(nursery):
    not_arrived.check(nursery, at(MONDAY, 9, 30))
    (rachel,) = ids(nursery, "Rachel Hart")
    with clock.freeze(at(MONDAY, 9, 50)):
        register.sign_in(
            nursery, Person("contact", rachel, "Rachel Hart"), [amelia(nursery)], kiosk="entrance"
        )
    assert not_arrived_alerts(nursery) == []
    assert not_arrived.open_follow_ups(nursery) == []
    assert not_arrived.check(nursery, at(MONDAY, 11, 0)) == 0  # and the DSL is not told


def test_contact_attempts_are_recorded_in_order_and_the_dsl_is_told_after_its_time(nursery):
    not_arrived.check(nursery, at(MONDAY, 9, 30))
    (follow_up,) = not_arrived.open_follow_ups(nursery)
    steps = not_arrived.follow_up(nursery, follow_up["id"]).steps
    assert [(s.kind, s.name) for s in steps] == [
        ("parent", "Daniel Hart"),
        ("parent", "Rachel Hart"),
        ("emergency", "Margaret Hart"),
        ("emergency", "Sophie Lane"),
    ]
    hannah = staff(nursery, "Hannah Lewis")
    for minute, step in zip((32, 35, 41), steps, strict=False):
        with clock.freeze(at(MONDAY, 9, minute)):
            not_arrived.log_attempt(nursery, hannah, follow_up["id"], step.contact_id, "no_answer")
    current = not_arrived.follow_up(nursery, follow_up["id"])
    assert current.next_step.name == "Sophie Lane"
    logged = [
        (a["contact_name"], a["phone"], a["made_by_name"])
        for s in current.steps
        for a in s.attempts
    ]
    assert logged == [
        ("Daniel Hart", "07700 900102", "Hannah Lewis"),
        ("Rachel Hart", "07700 900101", "Hannah Lewis"),
        ("Margaret Hart", "07700 900103", "Hannah Lewis"),
    ]
    # The DSL is told 60 minutes after the not-arrived alert (09:00 + 30 + 60), once.
    assert not_arrived.check(nursery, at(MONDAY, 10, 29)) == 0
    assert not_arrived.check(nursery, at(MONDAY, 10, 30)) == 1
    assert not_arrived.check(nursery, at(MONDAY, 10, 45)) == 0
    assert any("designated safeguarding lead" in a["message"] for a in not_arrived_alerts(nursery))
    # Only a DSL closes it, with a note.
    with pytest.raises(absences.AbsenceProblem):
        not_arrived.close(nursery, hannah, follow_up["id"], "Spoke to dad")
    priya = staff(nursery, "Priya Sharma")
    with pytest.raises(absences.AbsenceProblem):
        not_arrived.close(nursery, priya, follow_up["id"], "")
    with clock.freeze(at(MONDAY, 11, 0)):
        not_arrived.close(nursery, priya, follow_up["id"], "Dad rang back: Amelia is with him.")
    assert not_arrived_alerts(nursery) == []
    with pytest.raises(absences.AbsenceProblem):
        not_arrived.log_attempt(nursery, hannah, follow_up["id"], steps[3].contact_id, "spoke")
    actions = [r[0] for r in nursery.execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions.count("contact_attempt") == 3 and "follow_up_ended" in actions


def test_a_late_restart_raises_every_due_step_once(nursery):
    assert not_arrived.check(nursery, at(MONDAY, 11, 0)) == 2  # the server was off all morning
    assert not_arrived.check(nursery, at(MONDAY, 11, 1)) == 0


def test_a_phoned_in_absence_ends_the_follow_up(nursery):
    not_arrived.check(nursery, at(MONDAY, 9, 30))
    with clock.freeze(at(MONDAY, 9, 40)):
        absences.report(
            nursery,
            staff(nursery, "Tom Okafor"),
            amelia(nursery),
            [MONDAY],
            "appointment",
            via="phone",
            reported_by="Rachel Hart",
            note="Dentist",
        )
    assert not_arrived_alerts(nursery) == [] and not_arrived.open_follow_ups(nursery) == []
    rows = exports.absence_rows(nursery, MONDAY)
    assert rows[0][1] == "Amelia Hart" and "appointment (Dentist)" in rows[0][-1]
    assert "Rachel Hart (phone)" in rows[0][-1]
    assert "not arrived: follow-up from 09:30" in rows[1][-1]


def test_a_closure_day_raises_nothing(nursery):
    sessions.add_closure(nursery, staff(nursery, "Priya Sharma"), MONDAY, "INSET day")
    assert sessions.expected_on(nursery, MONDAY) == {}
    assert not_arrived.check(nursery, at(MONDAY, 12, 0)) == 0
    assert not_arrived_alerts(nursery) == []


def test_the_delay_is_a_setting(nursery):
    from doorbook import settings

    settings.set_many(nursery, {"absence_follow_up_minutes": "10"})
    assert not_arrived.check(nursery, at(MONDAY, 9, 10)) == 1


# ---- Reports, contacts, forecast ----


def test_prolonged_and_repeated_absence_report(nursery):
    child = amelia(nursery)
    # Booked every Monday since January; came on the first Mondays of November only.
    (rachel,) = ids(nursery, "Rachel Hart")
    person = Person("contact", rachel, "Rachel Hart")
    for day in (date(2026, 11, 2), date(2026, 11, 9)):
        with clock.freeze(at(day, 8, 5)):
            register.sign_in(nursery, person, [child], kiosk="entrance")
        with clock.freeze(at(day, 12, 0)):
            register.sign_out(nursery, person, [child], kiosk="entrance")
    with clock.freeze(at(date(2026, 11, 22), 18, 0)):
        absences.report(nursery, person.actor("entrance"), child, [MONDAY], "ill", via="kiosk")
    # The 4 weeks to Monday 30 November hold four booked Mondays: 9 (came), 16 and 23
    # (nobody said why), 30 (ill, reported).
    (record,) = absences.prolonged_and_repeated(nursery, at(MONDAY, 13, 0))
    assert (record.expected, record.absent, record.consecutive, record.unexplained) == (
        4,
        3,
        3,
        2,
    )
    assert record.percent == 75 and record.last_seen == "2026-11-09"
    from doorbook import settings

    settings.set_many(nursery, {"repeated_absence_percent": "80"})
    assert absences.prolonged_and_repeated(nursery, at(date(2026, 11, 10), 13, 0)) == []


def test_children_short_of_emergency_contacts_are_listed(demo_db):
    short = {
        r["name"]: r["emergency_contacts"]
        for r in emergency_contacts.short_of_emergency_contacts(demo_db)
    }
    assert short == {"Ava Thompson": 0, "Yusuf Khan": 1}
    ava, chris, jess = ids(demo_db, "Ava Thompson", "Chris Thompson", "Jess Thompson")
    manager = staff(demo_db, "Priya Sharma")
    with pytest.raises(absences.AbsenceProblem, match="parental responsibility"):
        emergency_contacts.set_emergency_order(demo_db, manager, ava, jess, 1)
    emergency_contacts.record_none_available(
        demo_db, manager, ava, "Family new to the area; asked again in January"
    )
    assert [r["name"] for r in emergency_contacts.short_of_emergency_contacts(demo_db)] == [
        "Yusuf Khan"
    ]


def test_staff_needed_is_forecast_from_the_bookings(nursery):
    (oscar,) = ids(nursery, "Oscar Hart")
    sessions.set_pattern(
        nursery, audit.SYSTEM, oscar, [(0, "all_day"), (1, "morning")], starts_on=MONDAY
    )
    forecast = {f.room: f.periods for f in room_days.forecast(nursery, at(MONDAY, 7, 0))}
    assert forecast["Babies"] == [
        ("today morning", 1, 1),
        ("today afternoon", 1, 1),
        ("tomorrow morning", 1, 1),
        ("tomorrow afternoon", 0, 0),
    ]
    assert forecast["Pre-school"][0] == ("today morning", 1, 1)
    later = {f.room: f.periods for f in room_days.forecast(nursery, at(MONDAY, 14, 0))}
    assert [p[0] for p in later["Babies"]][0] == "today afternoon"


# ---- The demo ----


def test_the_demo_books_every_child_and_today_one_is_expected_but_not_arrived(demo_db):
    booked = {r[0] for r in demo_db.execute("SELECT child_id FROM booked_sessions")}
    assert booked == {r[0] for r in demo_db.execute("SELECT id FROM children")}
    today = clock.today(DEMO_ZONE)
    freddie, leo = ids(demo_db, "Freddie Clarke", "Leo Fernandes")
    expected = sessions.expected_on(demo_db, today)
    assert freddie in expected and leo in expected
    assert set(expected) == {freddie, leo}  # everyone else's bookings start tomorrow
    tomorrow = sessions.expected_on(demo_db, today + timedelta(days=1))
    assert tomorrow or today.weekday() >= 4  # a weekday tomorrow has children booked
    assert not_arrived.check(demo_db, expected[freddie].starts + timedelta(minutes=31)) == 1
    assert "Freddie Clarke" in not_arrived_alerts(demo_db)[0]["message"]
    (leo_absence,) = absences.absences_between(demo_db, today, today)
    assert leo_absence["reason"] == "ill" and leo_absence["reported_via"] == "kiosk"
    assert demo.NOT_ARRIVED == ("Freddie", "Clarke")
