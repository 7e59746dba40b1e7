"""One schema per kind of record: the CSV import, the kiosk and the panel refuse the same
things, because they check with the same classes."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from doorbook import clock, importer, people, schemas, settings
from doorbook.audit import SYSTEM
from tests.admin_helpers import log_in
from tests.professionals_helpers import SALT, a_referral_with_consent, organisation_id
from tests.professionals_helpers import manager as priya

TODAY = date(2026, 11, 23)

ODD = {
    "empty": "",
    "too long": "x" * 10_000,
    "zero width only": "\u200b\u200b",
    "rtl override": "Ann \u202eeeL",
    "null byte": "Ann\x00e",
}
HARMLESS = {
    "script": "<script>alert(1)</script>",
    "csv injection": "=cmd|' /C calc'!A0",
    "accents": "Łucja Wiśniewska",
}


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def import_problems(db, name: str, rows: list[dict], today: date | None = None) -> list[str]:
    """The importer's verdict on some rows of one file: its problems (none: it would load)."""
    read, problems = importer.read_csv(name, csv_bytes(rows), importer.FILES[name][0])
    assert not problems, problems
    try:
        importer.check(db, {name: read}, today or clock.today(settings.timezone(db)))
    except importer.ImportProblems as error:
        return error.problems
    return []


def refused_columns(problems: list[str]) -> set[str]:
    """Which columns the importer named ("children.csv:2: first_name: ...")."""
    return {p.split(": ", 1)[1].split(":")[0].split(" ")[0] for p in problems}


@pytest.fixture
def manager(demo_client):
    log_in(demo_client)
    return demo_client


CHILD_ROW = {
    "first_name": "Poppy",
    "last_name": "Stone",
    "date_of_birth": "2023-05-01",
    "room": "Pre-school",
}


# ---- A CSV row and a posted form are the same to a schema ----


def test_a_csv_row_validates_like_a_posted_form():
    row = MultiDict({**CHILD_ROW, "room_id": "Pre-school", "known_as": " Pops "})
    form = schemas.Child(row, today=TODAY, choices={"room_id": {"pre-school": "Pre-school"}})
    assert form.check(), form.messages
    assert form.values["known_as"] == "Pops" and form.room_id.data == "Pre-school"


@pytest.mark.parametrize("value", ODD.values(), ids=ODD.keys())
def test_odd_text_is_refused_with_the_words_of_text_clean(value):
    form = schemas.Adult(MultiDict({"name": value}), today=TODAY)
    assert not form.check()
    problem = form.problems["name"]
    assert problem.message("their full name").startswith("Please")
    assert problem.kind in ("missing", "too_long", "direction", "control")


@pytest.mark.parametrize("value", HARMLESS.values(), ids=HARMLESS.keys())
def test_odd_but_harmless_text_is_kept_as_text(value):
    form = schemas.Adult(MultiDict({"name": value}), today=TODAY)
    assert form.check(), form.messages
    assert form.name.data == value


@pytest.mark.parametrize(
    "typed, ok",
    [("09:30", True), ("23:59", True), ("9:30", False), ("10am", False), ("25:00", False)],
)
def test_a_time_of_day_is_hh_mm_everywhere(typed, ok):
    assert (schemas.hh_mm(typed) is not None) is ok


@pytest.mark.parametrize(
    "phone, ok", [("07700 900101", True), ("+44 (0)20 7946 0000", True), ("call me", False)]
)
def test_a_phone_number_is_digits_everywhere(phone, ok):
    adult = schemas.Adult(MultiDict({"name": "Pat", "phone": phone}), today=TODAY)
    professional = schemas.Professional(MultiDict({"phone": phone}))
    professional.check()
    assert adult.check() is ok
    assert ("phone" not in professional.problems) is ok


def test_a_plausible_date_of_birth_is_judged_on_the_settings_today():
    # Born "today" in the setting's zone: plausible there, whatever the server's clock says.
    def verdict(born, today):
        form = schemas.Child(
            MultiDict({**CHILD_ROW, "room_id": "1", "date_of_birth": born.isoformat()}),
            today=today,
            choices={"room_id": {"1": 1}},
        )
        return form.check()

    assert verdict(TODAY, TODAY)
    assert not verdict(TODAY + timedelta(days=1), TODAY)
    assert verdict(date(TODAY.year - 19, 1, 1), TODAY)
    assert not verdict(date(TODAY.year - 19, 1, 1) - timedelta(days=1), TODAY)


# ---- The importer checks each row with the schemas ----


@pytest.mark.parametrize("column", ["first_name", "last_name", "known_as", "room"])
@pytest.mark.parametrize("value", ODD.values(), ids=ODD.keys())
def test_the_importer_refuses_odd_text_in_the_column_it_is_in(demo_db, column, value):
    problems = import_problems(
        demo_db, "children.csv", [{**CHILD_ROW, "known_as": "", column: value}]
    )
    if column == "known_as" and value in ("", "\u200b\u200b"):
        assert problems == []  # optional
        return
    assert refused_columns(problems) == {column}, problems


def test_a_not_permitted_entry_needs_its_reason_in_a_csv_too(demo_db):
    row = {"child": "Amelia Hart", "name": "Pat Nobody", "description": "", "reason": ""}
    problems = import_problems(demo_db, "not_permitted.csv", [row])
    assert problems == ["not_permitted.csv:2: reason: Please enter reason."]
    assert import_problems(demo_db, "not_permitted.csv", [{**row, "reason": "Court order"}]) == []


def test_a_one_off_collection_in_a_csv_says_who_arranged_it_and_is_not_in_the_past(demo_db):
    today = clock.today(settings.timezone(demo_db))
    row = {
        "child": "Noah Adeyemi",
        "collector_name": "Pat Nobody",
        "relationship": "",
        "arranged_by": "Funmi Adeyemi",
        "note": "",
        "date": "",
    }
    assert import_problems(demo_db, "one_off_collections.csv", [row]) == []
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert import_problems(demo_db, "one_off_collections.csv", [{**row, "date": tomorrow}]) == []
    yesterday = (today - timedelta(days=1)).isoformat()
    assert import_problems(demo_db, "one_off_collections.csv", [{**row, "date": yesterday}]) == [
        f"one_off_collections.csv:2: date {yesterday} has passed: only today or a later day "
        "can be imported"
    ]
    assert import_problems(demo_db, "one_off_collections.csv", [{**row, "arranged_by": ""}]) == [
        "one_off_collections.csv:2: arranged_by: Please enter arranged by."
    ]


def test_a_booking_in_a_csv_needs_the_visitors_role_and_a_day_not_past(demo_db):
    row = {
        "visitor_name": "Jo Whitfield",
        "role": "Health visitor",
        "organisation": "A New Health Team",  # created on import
        "child": "Leo Fernandes",
        "time": "14:30",
        "supervisor": "",
        "purpose": "",
        "date": "",
        "no_consent_reason": "Parents asked for the visit at the door",
    }
    assert import_problems(demo_db, "expected_visits.csv", [row]) == []
    assert refused_columns(
        import_problems(demo_db, "expected_visits.csv", [{**row, "role": ""}])
    ) == {"role"}
    assert refused_columns(
        import_problems(demo_db, "expected_visits.csv", [{**row, "date": "2020-01-01"}])
    ) == {"date"}


def test_the_collection_password_has_the_same_limits_in_a_csv_and_the_panel(demo_db):
    amelia = demo_db.execute("SELECT id FROM children WHERE first_name = 'Amelia'").fetchone()[0]
    for password, ok in [("abc", False), ("a b c d", True), ("x" * 100, True), ("x" * 101, False)]:
        in_csv = import_problems(
            demo_db, "children.csv", [{**CHILD_ROW, "collection_password": password}]
        )
        try:
            people.set_collection_password(demo_db, amelia, password, SYSTEM)
            in_panel = True
        except people.RecordProblem:
            in_panel = False
        assert (in_csv == []) is ok is in_panel, (password, in_csv)


# ---- The agreement: the same rows through the panel and through the importer ----

CASES = {
    "good": None,  # the row as it is
    "empty": "",
    "too long": "x" * 600,
    "zero width only": "\u200b",
    "rtl override": "Jo \u202eWhit",
    "null byte": "Jo\x00Whit",
    "script": "<script>alert(1)</script>",
    "csv injection": "=cmd|' /C calc'!A0",
    "bad date": "2023-02-30",
    "past day": "2020-01-01",
    "bad time": "25:61",
    "bad phone": "call me",
    "unknown language": "xx",
}


def ids(db, sql: str, *params) -> int:
    return db.execute(sql, params).fetchone()[0]


def child(db, first: str) -> int:
    return ids(db, "SELECT id FROM children WHERE first_name = ?", first)


def staff(db, name: str) -> int:
    return ids(db, "SELECT id FROM staff WHERE name = ?", name)


def contact(db, name: str) -> int:
    return ids(db, "SELECT id FROM contacts WHERE name = ?", name)


# kind: (CSV file, a good CSV row, the panel's address, a good panel form, {panel field: column})
KINDS = {
    "child": (
        "children.csv",
        {**CHILD_ROW, "known_as": "Pops"},
        lambda db: f"/admin/children/{child(db, 'Amelia')}",
        lambda db: {**CHILD_ROW, "known_as": "Pops", "room_id": "3"},
        {f: f for f in ("first_name", "last_name", "known_as", "date_of_birth")},
    ),
    "adult": (
        "contacts.csv",
        {
            "name": "Jo Whitfield",
            "child": "Amelia Hart",
            "relationship": "aunt",
            "may_collect": "yes",
            "phone": "07700 900555",
            "language": "pl",
        },
        lambda db: f"/admin/contacts/{contact(db, 'Rachel Hart')}",
        lambda db: {"name": "Jo Whitfield", "phone": "07700 900555", "language": "pl"},
        {f: f for f in ("name", "phone", "language")},
    ),
    "link": (
        "contacts.csv",
        {
            "name": "Rachel Hart",
            "child": "Leo Fernandes",
            "relationship": "aunt",
            "may_collect": "yes",
        },
        lambda db: f"/admin/contacts/{contact(db, 'Rachel Hart')}/links",
        lambda db: {
            "child_id": child(db, "Leo"),
            "relationship": "aunt",
            "may_collect": "yes",
        },
        {"relationship": "relationship"},
    ),
    "not permitted": (
        "not_permitted.csv",
        {
            "child": "Amelia Hart",
            "name": "Pat Nobody",
            "description": "Tall",
            "reason": "Court order",
        },
        lambda db: f"/admin/children/{child(db, 'Amelia')}/not-permitted",
        lambda db: {"name": "Pat Nobody", "description": "Tall", "reason": "Court order"},
        {f: f for f in ("name", "description", "reason")},
    ),
    "one-off": (
        "one_off_collections.csv",
        {
            "child": "Amelia Hart",
            "collector_name": "Pat Nobody",
            "relationship": "uncle",
            "arranged_by": "Rachel Hart",
            "note": "Will show ID",
        },
        lambda db: f"/admin/children/{child(db, 'Amelia')}/one-off",
        lambda db: {
            "collector_name": "Pat Nobody",
            "relationship": "uncle",
            "arranged_by": "Rachel Hart",
            "note": "Will show ID",
        },
        {f: f for f in ("collector_name", "relationship", "arranged_by", "note")},
    ),
    "booking": (
        "expected_visits.csv",
        {
            "visitor_name": "Jo Whitfield",
            "role": "Health visitor",
            "child": "Leo Fernandes",
            "time": "15:30",
            "purpose": "Two-year check",
            "date": "",
            "no_consent_reason": "Parents agreed at the door",
        },
        lambda db: "/admin/bookings",
        lambda db: {
            "visitor_name": "Jo Whitfield",
            "role": "Health visitor",
            "child_id": child(db, "Leo"),
            "time": "15:30",
            "purpose": "Two-year check",
            "day": "",
            "no_consent_reason": "Parents agreed at the door",
        },
        {f: f for f in ("visitor_name", "role", "purpose", "time", "no_consent_reason")}
        | {"day": "date"},
    ),
    "staff": (
        "staff.csv",
        {"name": "Megan Price", "role": "practitioner", "room": "Pre-school"},
        lambda db: f"/admin/staff/{staff(db, 'Megan Price')}",
        lambda db: {
            "name": "Megan Price",
            "job_title": "practitioner",
            "role": "practitioner",
            "room_id": "3",
        },
        {"name": "name", "job_title": "role"},
    ),
}

FIELDS = [(kind, field) for kind, spec in KINDS.items() for field in spec[4]]


@pytest.mark.parametrize("kind, field", FIELDS, ids=[f"{k}: {f}" for k, f in FIELDS])
def test_the_panel_and_the_importer_give_the_same_verdict_on_the_same_row(
    manager, demo_db, kind, field
):
    file, row, address, form, columns = KINDS[kind]
    column, address, form = columns[field], address(demo_db), form(demo_db)
    verdicts = {}
    for case, value in CASES.items():
        in_csv = dict(row) if value is None else {**row, column: value}
        in_panel = dict(form) if value is None else {**form, field: value}
        refused_in_csv = column in refused_columns(import_problems(demo_db, file, [in_csv]))
        response = manager.post(address, data=in_panel)
        refused_in_panel = f'id="f-{field}-error"' in response.text
        assert response.status_code == (400 if refused_in_panel else 302), (case, response.text)
        assert refused_in_panel == refused_in_csv, (case, refused_in_panel, refused_in_csv)
        verdicts[case] = refused_in_csv
    # Neither door lets everything through, or nothing.
    assert not verdicts["good"] and verdicts["rtl override"] and verdicts["too long"]


def test_a_booking_without_recorded_consent_needs_a_reason_in_a_csv_as_in_the_panel(
    manager, demo_db
):
    leo = child(demo_db, "Leo")
    row = {
        "visitor_name": "Grace Mensah",
        "role": "Speech and Language Therapist",
        "organisation": SALT,
        "child": "Leo Fernandes",
        "time": "15:30",
        "no_consent_reason": "",
    }
    posted = {
        "visitor_name": "Grace Mensah",
        "role": "Speech and Language Therapist",
        "organisation_id": organisation_id(demo_db, SALT),
        "child_id": leo,
        "day": "",
        "time": "15:30",
    }
    assert import_problems(demo_db, "expected_visits.csv", [row]) == [
        "expected_visits.csv:2: no_consent_reason: Please enter no consent reason."
    ]
    refused = manager.post("/admin/bookings", data=posted)
    assert refused.status_code == 400
    assert "Please enter the reason to go ahead without recorded consent." in refused.text

    # With the parents' consent recorded for this agency, neither door asks for a reason.
    a_referral_with_consent(demo_db, priya(demo_db), leo, organisation_id(demo_db, SALT))
    assert import_problems(demo_db, "expected_visits.csv", [row]) == []
    assert manager.post("/admin/bookings", data=posted).status_code == 302


def test_a_reason_given_in_a_csv_is_kept_with_the_booking(demo_db):
    row = {
        "visitor_name": "Jo Whitfield",
        "role": "Health visitor",
        "organisation": "A New Health Team",
        "child": "Leo Fernandes",
        "time": "15:30",
        "no_consent_reason": "Two-year check the parents asked for",
    }
    read, _ = importer.read_csv("expected_visits.csv", csv_bytes([row]), ["visitor_name"])
    importer.import_files(demo_db, {"expected_visits.csv": read}, SYSTEM, source="test")
    booked = demo_db.execute(
        "SELECT no_consent_reason, involvement_id FROM expected_visits "
        "WHERE visitor_name = 'Jo Whitfield'"
    ).fetchone()
    assert booked == ("Two-year check the parents asked for", None)
