"""The setting's settings: declared once, changed on the Settings page or with
`doorbook settings`, validated the same way, and audited old -> new."""

import json

import pytest

from doorbook import settings
from tests.admin_helpers import DEPUTY, PRACTITIONER, give_login, log_in


def audited_changes(db):
    return [
        json.loads(row[0])
        for row in db.execute(
            "SELECT details FROM audit_log WHERE action = 'setting_changed' ORDER BY id"
        )
    ]


def test_every_setting_is_declared_with_a_label_help_and_a_valid_default():
    assert {s.key: s.default for s in settings.SETTINGS} == settings.DEFAULTS
    for setting in settings.SETTINGS:
        assert setting.label and setting.help, setting.key
        assert setting.clean(setting.default) == setting.default, setting.key


def test_the_settings_page_shows_every_declared_setting(demo_client):
    log_in(demo_client)
    page = demo_client.get("/admin/settings").get_data(as_text=True)
    for setting in settings.SETTINGS:
        assert f'name="{setting.key}"' in page
        assert setting.label in page


def test_a_setting_declared_later_is_on_the_page_and_the_command_line(
    demo_client, monkeypatch, run_cli
):
    extra = settings.Setting(
        "tea_time", "15:00", "Tea time", help="When tea is.", kind="time", section="Food"
    )
    monkeypatch.setattr(settings, "SETTINGS", [*settings.SETTINGS, extra])
    monkeypatch.setitem(settings.DECLARED, "tea_time", extra)
    monkeypatch.setitem(settings.DEFAULTS, "tea_time", "15:00")
    settings._cache.clear()
    log_in(demo_client)
    assert "Tea time" in demo_client.get("/admin/settings").get_data(as_text=True)
    response = demo_client.post("/admin/settings", data={"tea_time": "25:00"})
    assert response.status_code == 400
    assert "Tea time" in response.get_data(as_text=True)
    assert run_cli("settings", "set", "tea_time", "15:30").exit_code == 0
    assert run_cli("settings", "get", "tea_time").output.strip() == "15:30"


def test_the_manager_changes_the_closing_time_and_it_is_audited(demo_client, demo_db):
    log_in(demo_client)
    response = demo_client.post(
        "/admin/settings", data={"closing_time": "17:30", "setting_name": "Acorns"}
    )
    assert response.status_code == 302
    page = demo_client.get("/admin/settings").get_data(as_text=True)
    assert (
        "Saved: Setting name Acorns Day Nursery (demo) → Acorns; Closing time 18:00 → 17:30."
        in (page)
    )
    assert settings.get(demo_db, "closing_time") == "17:30"
    changes = audited_changes(demo_db)
    assert {"setting": "closing_time", "old": "18:00", "new": "17:30"} in changes
    who = demo_db.execute(
        "SELECT actor_name FROM audit_log WHERE action = 'setting_changed'"
    ).fetchone()[0]
    assert who == "Priya Sharma"


def test_a_deputy_may_change_settings_and_a_practitioner_may_not(demo_client, demo_db):
    give_login(demo_db, "Sam Kowalski", *PRACTITIONER)
    log_in(demo_client, PRACTITIONER)
    assert demo_client.get("/admin/settings").status_code == 403
    assert demo_client.post("/admin/settings", data={"closing_time": "17:00"}).status_code == 403
    assert settings.get(demo_db, "closing_time") == "18:00"
    demo_client.post("/admin/logout")
    log_in(demo_client, DEPUTY)
    assert demo_client.post("/admin/settings", data={"closing_time": "17:00"}).status_code == 302


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("closing_time", "", "Please enter closing time."),
        ("closing_time", "25:00", "Please give the closing time as a 24-hour time, HH:MM"),
        ("closing_time", "06:00", "The closing time (06:00) must be after the opening time"),
        ("closing_time", "17:00; DROP TABLE settings", "Please give the closing time as"),
        ("timezone", "Mars/Olympus", "is not a time zone Doorbook knows"),
        ("timezone", "Europe/London\u202e", "hidden text-direction characters"),
        ("setting_name", "", "Please enter setting name."),
        ("setting_name", "A" * 5000, "Please keep setting name under 100 characters."),
        ("setting_name", "Acorns\x00", "contains a control character"),
        ("idle_timeout_seconds", "5", "from 20 to 600 seconds"),
        ("idle_timeout_seconds", "٣٠", "please give a whole number"),
        ("idle_timeout_seconds", "-60", "please give a whole number"),
        ("retention_register_years_after_leaving", "1", "at least 3 years"),
        ("retention_visitor_years", "99999999999", "please give a whole number"),
        ("badge_paper", "a4", "Please choose the badge paper from: 62mm, a6."),
        ("badge_auto_print", "maybe", "Please answer yes or no"),
        ("end_of_day_folder", "relative/folder", "starting with /"),
        ("end_of_day_folder", "/no/such/folder/here", "There is no folder /no/such/folder/here"),
        ("end_of_day_folder", "/proc", "Doorbook cannot write in /proc"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message_and_nothing_changes(
    demo_client, demo_db, key, value, message
):
    log_in(demo_client)
    before = dict(settings.all_settings(demo_db))
    response = demo_client.post(
        "/admin/settings", data={key: value, "opening_time": before["opening_time"]}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was saved." in page
    assert message in page
    assert settings._read(demo_db) == before
    assert audited_changes(demo_db) == []


def test_a_writable_folder_is_accepted(demo_client, demo_db, tmp_path):
    log_in(demo_client)
    folder = tmp_path / "usb"
    folder.mkdir()
    response = demo_client.post("/admin/settings", data={"end_of_day_folder": str(folder)})
    assert response.status_code == 302
    assert settings.get(demo_db, "end_of_day_folder") == str(folder)
    assert demo_client.post("/admin/settings", data={"end_of_day_folder": ""}).status_code == 302
    assert settings.get(demo_db, "end_of_day_folder") == ""


def test_an_earlier_closing_time_starts_the_uncollected_child_procedure_at_once(
    demo_client, demo_db
):
    from datetime import UTC, datetime

    from doorbook import clock

    demo_db.execute("DELETE FROM attendance")
    with clock.freeze(datetime(2026, 11, 23, 16, 40, tzinfo=UTC)):  # 16:40 in London
        log_in(demo_client)
        demo_db.execute(
            "INSERT INTO attendance (child_id, day, arrived_at, created_at) "
            "SELECT id, '2026-11-23', '2026-11-23 08:00:00.000000', "
            "'2026-11-23 08:00:00.000000' FROM children WHERE first_name = 'Amelia'"
        )
        demo_db.conn.commit()
        demo_client.post("/admin/settings", data={"closing_time": "16:20"})
        alerts = [
            row[0]
            for row in demo_db.execute(
                "SELECT message FROM alerts WHERE kind = 'not_collected' ORDER BY id"
            )
        ]
    assert len(alerts) == 2  # at closing, and +15 minutes
    assert "Amelia Hart" in alerts[0] and "Call the parents" in alerts[0]
    assert "Call the emergency contacts" in alerts[1]


# ---- doorbook settings ----


def test_settings_list_get_and_set_on_the_command_line(run_cli, tmp_path):
    data = tmp_path / "cli-data"
    listed = run_cli("settings", "list", data=data)
    assert listed.exit_code == 0, listed.output
    for key in settings.DEFAULTS:
        assert f"{key} = " in listed.output
    assert "closing_time = 18:00  (default)" in listed.output
    changed = run_cli("settings", "set", "closing_time", "17:45", data=data)
    assert changed.exit_code == 0, changed.output
    assert "closing_time: 18:00 -> 17:45" in changed.output
    assert run_cli("settings", "get", "closing_time", data=data).output == "17:45\n"
    again = run_cli("settings", "set", "closing_time", "17:45", data=data)
    assert "nothing changed" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set", "closing_time", "half past five"), "as a 24-hour time, HH:MM"),
        (("set", "retention_audit_years", "2"), "at least 6 years"),
        (("set", "no_such_setting", "1"), "There is no setting 'no_such_setting'"),
        (("get", "no_such_setting"), "There is no setting 'no_such_setting'"),
        (("set", "timezone", "Europe/Atlantis"), "is not a time zone Doorbook knows"),
    ],
)
def test_an_invalid_setting_on_the_command_line_exits_1_with_a_message(run_cli, args, message):
    result = run_cli("settings", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_change_on_the_command_line_is_audited(run_cli, tmp_path):
    from doorbook.db import open_db

    data = tmp_path / "cli-data"
    assert run_cli("settings", "set", "badge_paper", "a6", data=data).exit_code == 0
    db = open_db(data / "doorbook.db")
    assert audited_changes(db) == [{"setting": "badge_paper", "old": "62mm", "new": "a6"}]
    assert db.execute(
        "SELECT actor_name FROM audit_log WHERE action = 'setting_changed'"
    ).fetchone() == ("doorbook settings",)
