"""Children still here after closing: alerts at closing, +15 and +30 minutes, once each."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from doorbook import alerts, clock, register, uncollected
from doorbook.identify import Person
from doorbook.scheduler import Scheduler
from doorbook.signals import NullSignals

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 11, 23)


def at(hour, minute):
    return datetime.combine(DAY, time(hour, minute), tzinfo=LONDON)


def amelia_signed_in(db):
    rachel = db.execute("SELECT id FROM contacts WHERE name = 'Rachel Hart'").fetchone()[0]
    amelia = db.execute("SELECT id FROM children WHERE first_name = 'Amelia'").fetchone()[0]
    person = Person("contact", rachel, "Rachel Hart")
    with clock.freeze(at(8, 0)):
        register.sign_in(db, person, [amelia], kiosk="entrance")
    return person, amelia


def messages(db):
    return [a["message"] for a in alerts.open_alerts(db) if a["kind"] == "not_collected"]


def test_nothing_before_closing_time(demo_db):
    amelia_signed_in(demo_db)
    assert uncollected.check(demo_db, at(17, 59)) == 0


def test_the_procedure_escalates_at_closing_15_and_30_minutes(demo_db):
    amelia_signed_in(demo_db)
    assert uncollected.check(demo_db, at(18, 0)) == 1
    assert "Call the parents or carers." in messages(demo_db)[0]
    assert uncollected.check(demo_db, at(18, 10)) == 0  # nothing repeated
    assert uncollected.check(demo_db, at(18, 15)) == 1
    assert uncollected.check(demo_db, at(18, 31)) == 1
    texts = " ".join(messages(demo_db))
    assert "emergency contacts" in texts and "children's social care" in texts


def test_a_restart_late_raises_every_due_step_once(demo_db):
    amelia_signed_in(demo_db)
    assert uncollected.check(demo_db, at(18, 40)) == 3  # the server was off since 17:50
    assert uncollected.check(demo_db, at(18, 41)) == 0


def test_collecting_the_child_resolves_the_alerts(demo_db):
    person, amelia = amelia_signed_in(demo_db)
    uncollected.check(demo_db, at(18, 20))
    with clock.freeze(at(18, 22)):
        register.sign_out(demo_db, person, [amelia], kiosk="entrance")
    assert messages(demo_db) == []
    assert uncollected.check(demo_db, at(18, 45)) == 0


def test_the_scheduler_runs_the_check(demo_app, demo_db):
    from doorbook.db import db_path

    amelia_signed_in(demo_db)
    with clock.freeze(at(18, 16)):
        Scheduler(db_path(demo_app), NullSignals()).tick()
    assert len(messages(demo_db)) == 2


def test_closing_time_follows_the_clocks_going_back(demo_db):
    october = datetime(2026, 10, 25, 18, 0, tzinfo=LONDON)  # GMT again that morning
    assert uncollected.closing_today(demo_db, october) == october
    assert october.utcoffset() == timedelta(0)
