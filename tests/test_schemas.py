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
