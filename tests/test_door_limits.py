"""The limits at the door, as rules over the database: per family as well as per kiosk, one
alert that counts, a device token that lapses when unused, and /healthz that knows when the
database cannot be written."""

from __future__ import annotations

from datetime import timedelta

from doorbook import alerts, audit, clock, collection, kiosks
from doorbook.db import get_db, write
from tests.kiosk_helpers import HX, identify, text_of

SYSTEM = audit.SYSTEM


def test_wrong_family_passwords_shut_that_family_at_every_kiosk(demo_db):
    for n in range(5):
        outcome = collection.collector_at_door(
            demo_db, "Tunde Bakare", f"guess{n}", kiosk="entrance"
        )
    assert outcome.locked
    # At another kiosk, even the right password waits, and nothing is checked or raised.
    elsewhere = collection.collector_at_door(demo_db, "Tunde Bakare", "sunflower", kiosk="back")
    assert elsewhere.locked and not elsewhere.waiting_for_id
    assert [a["kind"] for a in alerts.open_alerts(demo_db)] == [
        "collection_refused",
        "collection_refused",
    ]
    # Other families' collectors at that kiosk are not held up.
    other = collection.collector_at_door(demo_db, "Someone Else", "x", kiosk="back")
    assert not other.locked


def test_the_collector_path_opens_again_after_the_lockout(demo_db):
    for n in range(5):
        collection.collector_at_door(demo_db, "Tunde Bakare", f"guess{n}", kiosk="entrance")
    with clock.freeze(clock.now() + timedelta(seconds=301)):
        outcome = collection.collector_at_door(
            demo_db, "Tunde Bakare", "sunflower", kiosk="entrance"
        )
    assert outcome.waiting_for_id


def test_a_not_permitted_person_trying_again_and_again_is_one_alert_that_counts(demo_db):
    for _ in range(8):
        collection.collector_at_door(demo_db, "Sean Murphy", "anything", kiosk="entrance")
    (alert,) = [a for a in alerts.open_alerts(demo_db) if a["kind"] == "not_permitted_at_door"]
    assert alert["attempts"] == 8


def test_a_lockout_says_how_long_to_wait_in_the_familys_language(demo_client):
    demo_client.post("/language", data={"language": "pl"}, headers=HX)
    for n in range(5):
        answer = identify(demo_client, f"00000{n}")
    assert answer.status_code == 429
    assert "Zbyt wiele prób" in text_of(answer) and "sekund" in text_of(answer)


def test_a_collector_lockout_is_explained_on_the_screen(demo_client):
    for n in range(5):
        answer = demo_client.post(
            "/collecting", data={"name": "Tunde Bakare", "password": f"g{n}"}, headers=HX
        )
    assert answer.status_code == 429
    page = text_of(answer)
    assert "Too many tries" in page and "Please wait 5 minutes, or ask a member of staff" in page


def test_an_enrolled_kiosk_unused_for_90_days_must_be_enrolled_again(demo_app, demo_db):
    enrolment = kiosks.start_enrolment(demo_db, "back door", SYSTEM)
    _name, token = kiosks.complete_enrolment(demo_db, enrolment.code)
    assert kiosks.device_name(demo_db, token) == "back door"
    with clock.freeze(clock.now() + timedelta(days=89)):
        found = kiosks.device(demo_db, token)
        assert kiosks.seen(demo_db, found)  # in use: its 90 days start again
        assert not kiosks.seen(demo_db, kiosks.device(demo_db, token))  # once a day at most
    with clock.freeze(clock.now() + timedelta(days=89 + 89)):
        assert kiosks.device_name(demo_db, token) == "back door"
    with clock.freeze(clock.now() + timedelta(days=89 + 91)):
        assert kiosks.device_name(demo_db, token) is None


def test_a_kiosk_in_use_gets_its_cookie_renewed_once_a_day(demo_app, demo_db):
    enrolment = kiosks.start_enrolment(demo_db, "back door", SYSTEM)
    _name, token = kiosks.complete_enrolment(demo_db, enrolment.code)
    tablet = demo_app.test_client()
    tablet.set_cookie("doorbook_kiosk", token)
    office = {"REMOTE_ADDR": "192.0.2.30"}
    assert "doorbook_kiosk" not in str(tablet.get("/", environ_base=office).headers)
    with clock.freeze(clock.now() + timedelta(days=2)):
        renewed = tablet.get("/", environ_base=office)
    assert renewed.status_code == 200
    cookie = renewed.headers["Set-Cookie"]
    assert cookie.startswith("doorbook_kiosk=") and "Max-Age=7776000" in cookie
    assert "Secure" in cookie


def test_healthz_reports_a_write_that_failed_until_one_succeeds(app, client):
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        db = get_db()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")  # as if the disk were full
        try:
            with write(db):
                for n in range(2000):
                    db.execute(
                        "INSERT INTO settings (key, value) VALUES (?, ?)", [f"k{n}", "x" * 500]
                    )
        except Exception as error:  # noqa: BLE001
            assert "full" in str(error)
        answer = client.get("/healthz")
        assert answer.status_code == 503
        assert "the last write failed" in answer.json["reason"]
        assert "full" in answer.json["reason"]
        db.execute("PRAGMA max_page_count = 1073741823")
        with write(db):
            db.execute("INSERT INTO settings (key, value) VALUES ('setting_name', 'Acorns')")
    assert client.get("/healthz").status_code == 200


def test_the_panel_says_when_nothing_can_be_saved(demo_app, demo_client, monkeypatch):
    from doorbook import health
    from tests.admin_helpers import log_in

    log_in(demo_client)
    assert "cannot save anything" not in text_of(demo_client.get("/admin/dashboard"))
    monkeypatch.setattr(health, "MIN_FREE_BYTES", 1 << 62)  # as if the disk were full
    page = text_of(demo_client.get("/admin/dashboard"))
    assert "Doorbook cannot save anything right now" in page
    assert "the disk holding the database is full" in page and "paper signing-in book" in page
    assert demo_client.get("/healthz").status_code == 503


def test_healthz_says_when_the_database_is_read_only(tmp_path):
    from doorbook import create_app, health
    from doorbook.db import open_db

    app = create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True})
    with app.app_context():
        writable = get_db()
        assert health.write_problem(writable, app.config["DATA_DIR"]) is None
    read_only = open_db(f"file:{tmp_path / 'data' / 'doorbook.db'}?mode=ro")
    problem = health.write_problem(read_only, tmp_path / "data")
    assert problem and "the database cannot be written" in problem and "readonly" in problem
