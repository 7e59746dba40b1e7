"""The end-of-day records: visitor log, register and corrections, roll call, audit search,
retention, CSV that Excel opens safely, and local days across the clock changes."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from doorbook import (
    audit,
    clock,
    corrections,
    dashboard,
    exports,
    people,
    register,
    retention,
    supervision,
    visits,
)
from doorbook.audit import SYSTEM, Actor
from doorbook.db import write
from doorbook.identify import Person
from tests.admin_helpers import log_in, staff_id
from tests.conftest import DEMO_ZONE, PROJECT
from tests.kiosk_helpers import HX, identify, nonce_of, text_of

LONDON = ZoneInfo("Europe/London")


def london(*args):
    return datetime(*args, tzinfo=LONDON)


def other_visit(db, name, at):
    with clock.freeze(at):
        return visits.sign_in_other(
            db,
            name=name,
            organisation="Sparks",
            purpose="Boiler",
            here_to_see="Tom",
            kiosk="entrance",
        )


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "UTF-8 with a BOM, for Excel"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text)))


def staff_on_site(db, name, at):
    with write(db), clock.freeze(at):
        db["staff_attendance"].insert(
            {
                "staff_id": staff_id(db, name),
                "day": clock.today(DEMO_ZONE).isoformat(),
                "arrived_at": clock.stamp(),
            }
        )


# ---- The visitor log ----


def test_the_visitor_log_shows_supervision_periods_and_unsupervised_minutes(demo_db):
    day = date(2026, 11, 23)
    staff_on_site(demo_db, "Aisha Begum", london(2026, 11, 23, 8, 0))
    with clock.freeze(london(2026, 11, 23, 10, 0)):
        visit = visits.sign_in_agency(
            demo_db,
            name="Priya Gill",
            organisation="Early Help",
            role="Social worker",
            phone=None,
            child_name="Noah Adeyemi",
            kiosk="entrance",
        ).visit_id
    with clock.freeze(london(2026, 11, 23, 10, 5)):
        supervision.assign(demo_db, visit, staff_id(demo_db, "Aisha Begum"), SYSTEM)
    with clock.freeze(london(2026, 11, 23, 10, 50)):
        visits.sign_out(demo_db, visit, SYSTEM)
    (row,) = exports.visitor_log_rows(demo_db, exports.visitor_log(demo_db, day))
    header = exports.VISITOR_LOG_HEADER
    entry = dict(zip(header, row, strict=True))
    assert entry["Time in"] == "10:00" and entry["Time out"] == "10:50"
    assert entry["Minutes"] == 50
    assert entry["Supervised by"] == "Aisha Begum 10:05–10:50"
    assert entry["Minutes unsupervised"] == 5
    assert entry["Child seen"] == "Noah Adeyemi"


def test_a_visitor_who_types_a_formula_makes_an_inert_cell():
    data = exports.to_csv(
        ["Visitor"],
        [['=HYPERLINK("http://x","click")'], ["＝1+1"], ["@SUM(A1)"], ["-2+3"], ["\tx"], ["Plain"]],
    )
    cells = [row[0] for row in read_csv(data)[1:]]
    assert cells[0].startswith("'=HYPERLINK")
    assert cells[1] == "'＝1+1" and cells[2] == "'@SUM(A1)" and cells[3] == "'-2+3"
    assert cells[4] == "'\tx" and cells[5] == "Plain"


@pytest.mark.parametrize(
    "day, hours",
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)],
    ids=["clocks-forward", "clocks-back"],
)
def test_a_days_export_is_the_local_day_when_the_clocks_change(demo_db, day, hours):
    start = datetime.combine(day, datetime.min.time(), tzinfo=LONDON)
    just_after_midnight = start + timedelta(minutes=30)
    late_evening = start.replace(hour=23, minute=30)
    previous_evening = start - timedelta(minutes=15)
    next_morning = start + timedelta(days=1, minutes=10)
    for name, at in [
        ("Before", previous_evening),
        ("Early", just_after_midnight),
        ("Late", late_evening),
        ("After", next_morning),
    ]:
        other_visit(demo_db, f"{name} Visitor", at)
    names = [v.row["visitor"] for v in exports.visitor_log(demo_db, day)]
    assert names == ["Early Visitor", "Late Visitor"]
    assert [v.row["visitor"] for v in exports.visitor_log(demo_db, day - timedelta(days=1))] == [
        "Before Visitor"
    ]
    assert [v.row["visitor"] for v in exports.visitor_log(demo_db, day + timedelta(days=1))] == [
        "After Visitor"
    ]
    first, last = clock.day_bounds(day, DEMO_ZONE)
    assert (clock.parse(last) - clock.parse(first)) == timedelta(hours=hours)
    (early,) = [
        r
        for r in exports.visitor_log_rows(demo_db, exports.visitor_log(demo_db, day))
        if r[4] == "Early Visitor"
    ]
    assert early[1] == "00:30"  # local time, whatever the offset that night


# ---- The register and corrections ----


def rachel_drops_off(db, at):
    rachel = db.execute("SELECT id FROM contacts WHERE name = 'Rachel Hart'").fetchone()[0]
    amelia = db.execute("SELECT id FROM children WHERE first_name = 'Amelia'").fetchone()[0]
    with clock.freeze(at):
        register.sign_in(
            db,
            Person("contact", rachel, "Rachel Hart"),
            [amelia],
            kiosk="entrance",
            message="Calpol at 7am",
        )
    return amelia


def test_the_register_shows_who_brought_and_collected_with_totals(demo_db):
    amelia = rachel_drops_off(demo_db, london(2026, 11, 23, 8, 2))
    daniel = demo_db.execute("SELECT id FROM contacts WHERE name = 'Daniel Hart'").fetchone()[0]
    with clock.freeze(london(2026, 11, 23, 17, 30)):
        register.sign_out(
            demo_db, Person("contact", daniel, "Daniel Hart"), [amelia], kiosk="entrance"
        )
    entries = exports.register(demo_db, date(2026, 11, 23))
    row = dict(
        zip(exports.REGISTER_HEADER, exports.register_rows(demo_db, entries)[0], strict=True)
    )
    assert row["Arrived"] == "08:02" and row["Brought by"] == "Rachel Hart"
    assert row["Left"] == "17:30" and row["Collected by"] == "Daniel Hart"
    assert row["Key person"] == "Aisha Begum" and row["Message for key person"] == "Calpol at 7am"
    assert exports.totals_by_room(entries) == {"Pre-school": 1}


def test_a_correction_is_shown_as_one_and_the_original_is_kept(demo_db):
    rachel_drops_off(demo_db, london(2026, 11, 23, 8, 2))
    entry = next(demo_db["attendance"].rows)["id"]
    priya = Actor("staff", staff_id(demo_db, "Priya Sharma"), "Priya Sharma")
    corrections.correct_time(
        demo_db, entry, "arrived_at", "07:55", "Signed in late at the door", priya
    )
    (corrected,) = exports.register(demo_db, date(2026, 11, 23))
    assert clock.local(corrected["arrived_at"], DEMO_ZONE).strftime("%H:%M") == "07:55"
    (correction,) = corrected["corrections"]
    assert correction["old_value"] == "08:02" and correction["new_value"] == "07:55"
    assert correction["corrected_by_name"] == "Priya Sharma"
    text = exports.register_rows(demo_db, [corrected])[0][
        exports.REGISTER_HEADER.index("Corrections")
    ]
    assert "arrived_at 08:02 -> 07:55 by Priya Sharma" in text
    assert "Signed in late at the door" in text


def test_corrections_need_a_reason_and_a_sensible_time(demo_db):
    rachel_drops_off(demo_db, london(2026, 11, 23, 8, 2))
    entry = next(demo_db["attendance"].rows)["id"]
    with pytest.raises(corrections.CorrectionProblem, match="reason"):
        corrections.correct_time(demo_db, entry, "arrived_at", "07:55", "", SYSTEM)
    with pytest.raises(corrections.CorrectionProblem, match="HH:MM"):
        corrections.correct_time(demo_db, entry, "arrived_at", "7am", "late", SYSTEM)
    with pytest.raises(corrections.CorrectionProblem, match="leave before they arrive"):
        corrections.correct_time(demo_db, entry, "departed_at", "07:00", "oops", SYSTEM)


def test_a_forgotten_sign_in_is_added_as_a_correction(demo_client, demo_db):
    log_in(demo_client)
    noah = demo_db.execute("SELECT id FROM children WHERE first_name = 'Noah'").fetchone()[0]
    day = clock.today(DEMO_ZONE).isoformat()
    response = demo_client.post(
        "/admin/records/register/add",
        data={
            "day": day,
            "child_id": noah,
            "arrived": "08:15",
            "departed": "12:00",
            "reason": "Mum forgot to sign in",
        },
    )
    assert response.status_code == 302
    page = text_of(demo_client.get(f"/admin/records/register?date={day}"))
    assert "Noah Adeyemi" in page and "Correction" in page and "Mum forgot to sign in" in page
    bad = demo_client.post(
        "/admin/records/register/add",
        data={"day": day, "child_id": noah, "arrived": "08:15", "reason": ""},
    )
    assert bad.status_code == 400 and "Please enter the reason" in text_of(bad)


def test_viewing_and_exporting_the_register_is_audited(demo_client, demo_db):
    log_in(demo_client)
    demo_client.get("/admin/records/register")
    csv_response = demo_client.get("/admin/records/register?format=csv")
    assert csv_response.mimetype == "text/csv"
    actions = [
        r[0]
        for r in demo_db.execute("SELECT action FROM audit_log WHERE details LIKE '%register%'")
    ]
    assert actions == ["viewed", "exported"]


# ---- Roll call and audit ----


def test_the_fire_roll_call_lists_everyone_on_site(demo_client, demo_db):
    rachel_drops_off(demo_db, clock.now())
    staff_on_site(demo_db, "Hannah Lewis", clock.now())
    other_visit(demo_db, "Dave Price", clock.now())
    roll = dashboard.roll_call(demo_db)
    assert roll.total == 3
    log_in(demo_client)
    page = text_of(demo_client.get("/admin/roll-call"))
    for who in ("Amelia Hart", "Hannah Lewis", "Dave Price", "Fire roll call: 3 on site"):
        assert who in page
    assert 'href="/admin/roll-call"' in text_of(demo_client.get("/admin/dashboard"))


def test_staff_reach_the_roll_call_at_the_kiosk_with_their_pin(demo_client, demo_db):
    rachel_drops_off(demo_db, clock.now())
    page = text_of(identify(demo_client, "475103", journey="staff"))  # Hannah Lewis
    assert "Fire roll call" in page
    roll = text_of(demo_client.post("/staff/roll-call", data={"nonce": nonce_of(page)}, headers=HX))
    assert "Amelia Hart" in roll and "1 on site" in roll
    demo_client.get("/")  # a parent, without a staff PIN, cannot reach it
    assert "Amelia" not in text_of(demo_client.post("/staff/roll-call", headers=HX))


def test_the_audit_log_is_searchable_by_date_person_and_kind(demo_client, demo_db):
    rachel_drops_off(demo_db, london(2026, 11, 23, 8, 2))
    found = audit.search_audit(
        demo_db,
        tz=DEMO_ZONE,
        first=date(2026, 11, 23),
        last=date(2026, 11, 23),
        person="Rachel",
        action="signed_in",
    )
    assert len(found) == 1 and found[0]["actor_name"] == "Rachel Hart"
    assert (
        audit.search_audit(
            demo_db, tz=DEMO_ZONE, first=date(2026, 11, 24), last=None, person="Rachel", action=""
        )
        == []
    )
    assert (
        audit.search_audit(demo_db, tz=DEMO_ZONE, first=None, last=None, person="50%_", action="")
        == []
    )
    log_in(demo_client)
    page = text_of(demo_client.get("/admin/audit?person=Rachel&action=signed_in"))
    assert "Rachel Hart" in page and "signed in" in page


# ---- Retention ----


def test_retention_dry_run_then_purge_keeps_child_protection_visits(demo_db):
    today = clock.today(DEMO_ZONE)
    long_ago = london(today.year - 7, 3, 2, 10, 0)
    other_visit(demo_db, "Old Visitor", long_ago)
    with clock.freeze(long_ago):
        isla_visit = visits.sign_in_agency(
            demo_db,
            name="Old Social Worker",
            organisation="CSC",
            role="SW",
            phone=None,
            child_name="Isla",
            kiosk="entrance",
        ).visit_id
    isla = demo_db.execute("SELECT id FROM children WHERE first_name = 'Isla'").fetchone()[0]
    visits.link_child(demo_db, isla_visit, isla, SYSTEM)  # Isla has a child protection plan
    amelia = rachel_drops_off(demo_db, long_ago)
    people.child_leaves(demo_db, amelia, date(today.year - 4, 7, 20), SYSTEM)
    with write(demo_db):
        demo_db["audit_log"].insert(
            {
                "at": f"{today.year - 7}-01-01 09:00:00.000000",
                "actor_kind": "system",
                "action": "ancient",
            }
        )
    before = {t: demo_db[t].count for t in ("visits", "attendance", "audit_log")}

    plan = retention.plan_purge(demo_db)
    assert len(plan.visits) == 1 and plan.kept_for_child_protection == 1
    assert plan.children_anonymised == [amelia] and len(plan.register_entries) == 1
    # The "ancient" entry, and those written when the old visits happened seven years ago.
    assert plan.audit_entries == 5
    assert {t: demo_db[t].count for t in before} == before  # a dry run changes nothing

    retention.purge(demo_db, SYSTEM)
    remaining = [r["visitor_id"] for r in demo_db["visits"].rows]
    assert len(remaining) == 1 and demo_db["visits"].get(isla_visit)
    assert demo_db["attendance"].count == 0
    child = demo_db["children"].get(amelia)
    assert child["first_name"] == "Removed" and child["collection_password_hash"] is None
    actions = [r[0] for r in demo_db.execute("SELECT action FROM audit_log ORDER BY id")]
    assert "ancient" not in actions and actions[-1] == "retention_purge"


# ---- The CLI ----


@pytest.fixture
def demo_folder(run_cli, tmp_path):
    folder = tmp_path / "demo"
    assert run_cli("demo", data=folder).exit_code == 0
    return folder


def test_cli_exports_the_visitor_log_and_register(run_cli, demo_folder, tmp_path):
    today = clock.today(DEMO_ZONE).isoformat()
    out = tmp_path / "log.csv"
    result = run_cli("export", "visitors", "--date", today, "-o", str(out), data=demo_folder)
    assert result.exit_code == 0, result.output
    assert read_csv(out.read_bytes())[0][:3] == ["Date", "Time in", "Time out"]
    html = run_cli("export", "register", "--date", today, "--format", "html", data=demo_folder)
    assert html.exit_code == 0 and "<table>" in html.output and "Attendance register" in html.output
    bad = run_cli("export", "visitors", "--date", "23/11/2026", data=demo_folder)
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_an_exported_html_report_stands_alone_with_the_one_report_stylesheet(
    run_cli, demo_folder, tmp_path
):
    out = tmp_path / "register.html"
    today = clock.today(DEMO_ZONE).isoformat()
    result = run_cli(
        "export", "register", "--date", today, "--format", "html", "-o", str(out), data=demo_folder
    )
    assert result.exit_code == 0, result.output
    saved = out.read_text(encoding="utf-8")
    stylesheet = (PROJECT / "static" / "report.css").read_text(encoding="utf-8")
    assert f"<style>\n{stylesheet}\n</style>" in saved  # the same rules, not a second copy
    assert "/static/" not in saved and "<link" not in saved and "<script" not in saved


def test_cli_writes_the_end_of_day_files_to_a_folder(run_cli, demo_folder, tmp_path):
    usb = tmp_path / "usb"
    result = run_cli("export", "end-of-day", "--to", str(usb), data=demo_folder)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in usb.iterdir())
    today = clock.today(DEMO_ZONE).isoformat()
    assert names == [f"register-{today}.csv", f"visitor-log-{today}.csv"]


def test_cli_purge_dry_run_says_what_would_go(run_cli, demo_folder):
    result = run_cli("purge", "--dry-run", data=demo_folder)
    assert result.exit_code == 0 and result.output.startswith("Would remove: 0 visits")
    assert run_cli("purge", data=demo_folder).output.startswith("Removed:")
