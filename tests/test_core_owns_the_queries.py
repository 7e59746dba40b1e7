"""The core owns the queries: a view in admin/, kiosk/ or group/ asks a named reader in
doorbook/ and renders. SQL written in a view module fails here, with the line to move."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIEW_PACKAGES = ("admin", "kiosk", "group")

# SQL text, a raw statement, or sqlite-utils' query API used straight on the database.
SQL = re.compile(
    r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b"
    r"|\.(execute|executemany|query|rows_where)\("
    r"|\b(db|get_db\(\)|group_db\(\))\s*\["
)

VIEW_MODULES = sorted(
    path.relative_to(ROOT).as_posix()
    for package in VIEW_PACKAGES
    for path in (ROOT / package).glob("*.py")
)


def sql_lines(module: str) -> list[str]:
    text = (ROOT / module).read_text(encoding="utf-8")
    return [
        f"{module}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), 1)
        if SQL.search(line)
    ]


@pytest.mark.parametrize("module", VIEW_MODULES)
def test_a_view_module_holds_no_sql(module):
    found = sql_lines(module)
    assert not found, "SQL in a view; give it a named reader in doorbook/:\n" + "\n".join(found)


def test_the_check_sees_the_view_modules_and_recognises_sql():
    # The test above would pass on no files or a blind pattern: make sure it can fail.
    assert {
        "admin/children.py",
        "admin/adults.py",
        "admin/reports.py",
        "admin/absences.py",
        "admin/professionals.py",
        "kiosk/views.py",
        "kiosk/visitors.py",
    } <= set(VIEW_MODULES)
    for written in (
        'db.query("SELECT * FROM children WHERE id = ?", [1])',
        'get_db().execute("UPDATE staff SET active = 0")',
        'get_db()["children"].get(1)',
        'db.rows_where("contacts", "name = ?", ["Ann"])',
    ):
        assert SQL.search(written), written
    assert not SQL.search('flash("Select a child, then press Save.")')
