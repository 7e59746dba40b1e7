"""Importing a setting's CSV files: exactly the people in them, all or nothing."""

import csv
import re
import shutil
from pathlib import Path

import pytest

from doorbook import importer
from tests.conftest import DEMO_FILES, DEMO_ZONE

SHARED_DEMO = Path(__file__).resolve().parents[2] / "shared" / "demo"


def rows(name):
    with open(DEMO_FILES / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def counts(db):
    return {
        t: db[t].count
        for t in (
            "staff",
            "children",
            "contacts",
            "child_contacts",
            "not_permitted",
            "expected_visits",
            "one_off_collections",
            "credentials",
            "organisations",
        )
    }


def test_the_demo_loads_with_exactly_its_people(demo_db):
    assert demo_db["children"].count == len(rows("children.csv")) == 10
    assert demo_db["child_contacts"].count == len(rows("contacts.csv")) == 34
    assert demo_db["contacts"].count == len({r["name"] for r in rows("contacts.csv")}) == 30
    assert demo_db["staff"].count == len(rows("staff.csv")) == 6
    assert demo_db["not_permitted"].count == 1
    assert demo_db["expected_visits"].count == 3
    assert demo_db["one_off_collections"].count == 1
    names = {f"{c['first_name']} {c['last_name']}" for c in demo_db["children"].rows}
    assert names == {f"{r['first_name']} {r['last_name']}" for r in rows("children.csv")}


def test_demo_links_keep_who_may_collect(demo_db):
    chris = demo_db.execute(
        "SELECT cc.may_collect, cc.parental_responsibility FROM child_contacts cc "
        "JOIN contacts c ON c.id = cc.contact_id WHERE c.name = 'Chris Thompson'"
    ).fetchone()
    assert chris == (0, 1)  # parental responsibility, but may not collect
    margaret = demo_db.execute(
        "SELECT count(*) FROM child_contacts cc JOIN contacts c ON c.id = cc.contact_id "
        "WHERE c.name = 'Margaret Hart' AND cc.may_collect = 1"
    ).fetchone()[0]
    assert margaret == 2


def test_staff_get_panel_roles_from_their_job_titles(demo_db):
    roles = {r["name"]: r["role"] for r in demo_db["staff"].rows}
    assert roles["Priya Sharma"] == "manager"
    assert roles["Tom Okafor"] == "deputy"
    assert roles["Aisha Begum"] == "practitioner"  # a SENCO
    titles = {r["name"]: r["job_title"] for r in demo_db["staff"].rows}
    assert titles["Hannah Lewis"] == "room leader"


def test_todays_expected_visits_and_one_off_collection_are_dated_today(demo_db):
    from doorbook import clock

    today = clock.today(DEMO_ZONE).isoformat()
    assert {r["day"] for r in demo_db["expected_visits"].rows} == {today}
    assert {r["day"] for r in demo_db["one_off_collections"].rows} == {today}
    codes = [r["reference_code"] for r in demo_db["expected_visits"].rows]
    assert len(set(codes)) == 3 and all(len(c) == 9 and c[4] == "-" for c in codes)


def test_reimporting_the_same_files_duplicates_no_one(demo_db):
    before = counts(demo_db)
    importer.import_folder(demo_db, DEMO_FILES)
    assert counts(demo_db) == before


def test_no_pin_or_password_is_stored_in_clear(demo_app, demo_db):
    secrets = {r["kiosk_pin"] for r in rows("contacts.csv") + rows("staff.csv") if r["kiosk_pin"]}
    secrets |= {r["admin_password"] for r in rows("staff.csv") if r["admin_password"]}
    secrets |= {r["collection_password"] for r in rows("children.csv")}
    demo_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = Path(demo_app.config["DATA_DIR"])
    stored = b"".join(p.read_bytes() for p in data.glob("doorbook.db*"))
    assert len(secrets) > 30
    for secret in secrets:
        # A PIN in clear would stand alone; six digits inside a hex digest or a timestamp's
        # microseconds are chance, not a leak (one in ~16 million per position).
        alone = rb"(?<![0-9a-fA-F.])" + re.escape(secret.encode()) + rb"(?![0-9a-fA-F])"
        assert not re.search(alone, stored), f"{secret!r} is in the database in clear"


# The bundled demo is shared/demo plus what the absences need: booked sessions, emergency
# contacts (new rows in contacts.csv) and the safeguarding leads; and the bookings' reasons
# to go ahead without recorded consent.
ADDED_COLUMNS = {
    "sessions",
    "term_time_only",
    "emergency_contact",
    "safeguarding_lead",
    "no_consent_reason",  # a booking with no recorded consent needs one, as in the panel
}


def test_bundled_demo_is_the_shared_demo():
    if not SHARED_DEMO.is_dir():
        pytest.skip("shared/demo is not beside this checkout")
    for path in SHARED_DEMO.glob("*.csv"):
        with open(path, encoding="utf-8") as f:
            shared = list(csv.DictReader(f))
        bundled = rows(path.name)
        assert set(bundled[0]) - set(shared[0]) <= ADDED_COLUMNS, path.name
        trimmed = [{k: v for k, v in row.items() if k in shared[0]} for row in bundled]
        assert trimmed[: len(shared)] == shared, path.name


# ---- Bad input: each case changes nothing and names the line ----


def bad_copy(tmp_path, name, change):
    folder = tmp_path / "bad"
    shutil.copytree(DEMO_FILES, folder)
    path = folder / name
    change(path)
    return folder


def replace_text(old, new):
    def change(path):
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def append_line(line):
    def change(path):
        with open(path, "a", encoding="utf-8", newline="") as f:
            f.write(line + "\n")

    return change


BAD_CASES = {
    "unknown child in contacts": (
        "contacts.csv",
        append_line("Pat Nobody,Nobody Child,aunt,no,yes,07700 900999,111222,en"),
        'contacts.csv:36: child "Nobody Child" is not in children.csv',
    ),
    "duplicate PIN": (
        "contacts.csv",
        append_line("Pat Nobody,Amelia Hart,aunt,no,yes,07700 900999,482913,en"),
        "contacts.csv:36: kiosk_pin is the same as the PIN at contacts.csv:2",
    ),
    "PIN shared by staff and a parent": (
        "staff.csv",
        replace_text(
            "Megan Price,practitioner,Pre-school,869427",
            "Megan Price,practitioner,Pre-school,482913",
        ),
        "contacts.csv:2: kiosk_pin is the same as the PIN at staff.csv:7",
    ),
    "malformed date": (
        "children.csv",
        replace_text("2022-03-14", "14/03/2022"),
        'children.csv:2: date_of_birth "14/03/2022" is not a date in the form YYYY-MM-DD',
    ),
    "missing column": (
        "children.csv",
        replace_text("first_name,last_name", "first,last_name"),
        "children.csv:1: missing column(s): first_name",
    ),
    "PIN not six digits": (
        "contacts.csv",
        replace_text("482913,en", "48291,en"),
        "contacts.csv:2: kiosk_pin must be exactly 6 digits",
    ),
    "unknown room": (
        "children.csv",
        replace_text(
            "Amelia,Hart,Millie,2022-03-14,Pre-school", "Amelia,Hart,Millie,2022-03-14,Rainbows"
        ),
        'children.csv:2: room "Rainbows" is not one of this setting\'s rooms',
    ),
    "unknown key person": (
        "children.csv",
        replace_text("Aisha Begum,yes,no,bluebell", "Mary Poppins,yes,no,bluebell"),
        'children.csv:2: key person "Mary Poppins" is not a member of staff',
    ),
    "ten megabyte cell": (
        "contacts.csv",
        append_line("Pat " + "x" * (10 * 1024 * 1024) + ",Amelia Hart,aunt,no,yes,,,en"),
        "contacts.csv:36: cannot read this line",
    ),
    "not UTF-8": (
        "children.csv",
        lambda path: path.write_bytes(
            path.read_bytes().replace(b"Zofia", b"Zofia" + "ł".encode("cp1250"))
        ),
        "children.csv:5: not UTF-8 text",
    ),
    "a yes/no that is neither": (
        "contacts.csv",
        replace_text("mother,yes,yes,07700 900101", "mother,yes,maybe,07700 900101"),
        'contacts.csv:2: may_collect must be "yes" or "no", not "maybe"',
    ),
    "hostile text in a name": (
        "children.csv",
        replace_text("Amelia,Hart", "Ame\u202elia,Hart"),
        "children.csv:2: first_name: Please type first name again: it contains hidden",
    ),
    "null byte": (
        "staff.csv",
        replace_text("Priya Sharma", "Priya\x00Sharma"),
        "staff.csv:2: name: Please type name again: it contains a control character",
    ),
    "unknown supervisor": (
        "expected_visits.csv",
        replace_text("10:00,Aisha Begum", "10:00,Nobody Here"),
        'expected_visits.csv:2: supervisor "Nobody Here" is not a member of staff',
    ),
    "bad visit time": (
        "expected_visits.csv",
        replace_text(",10:00,", ",10am,"),
        'expected_visits.csv:2: time "10am" is not a time in the form HH:MM',
    ),
}


@pytest.mark.parametrize("case", BAD_CASES, ids=list(BAD_CASES))
def test_a_bad_file_changes_nothing_and_names_the_line(case, demo_db, tmp_path):
    name, change, expected = BAD_CASES[case]
    folder = bad_copy(tmp_path, name, change)
    before = counts(demo_db)
    audit_before = demo_db["audit_log"].count
    with pytest.raises(importer.ImportProblems) as raised:
        importer.import_folder(demo_db, folder)
    assert any(p.startswith(expected) for p in raised.value.problems), raised.value.problems
    assert counts(demo_db) == before
    assert demo_db["audit_log"].count == audit_before


def test_a_bad_file_into_an_empty_database_imports_nobody(db, tmp_path):
    folder = bad_copy(tmp_path, "contacts.csv", replace_text("482913,en", "48291,en"))
    with pytest.raises(importer.ImportProblems):
        importer.import_folder(db, folder)
    assert db["children"].count == 0 and db["staff"].count == 0


def test_every_problem_is_reported_not_just_the_first(db, tmp_path):
    def two_problems(path):
        replace_text("482913,en", "48291,en")(path)
        replace_text("571046,en", "5710,en")(path)

    folder = bad_copy(tmp_path, "contacts.csv", two_problems)
    with pytest.raises(importer.ImportProblems) as raised:
        importer.import_folder(db, folder)
    lines = {p.split(":")[1] for p in raised.value.problems if p.startswith("contacts.csv")}
    assert {"2", "4"} <= lines


def test_a_folder_without_any_setting_files_says_so(db, tmp_path):
    with pytest.raises(importer.ImportProblems, match="none of staff.csv"):
        importer.import_folder(db, tmp_path)
