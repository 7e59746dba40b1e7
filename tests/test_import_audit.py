"""An import changes records as the panel does: through the same core functions, each
created or changed record audited old -> new with "import of FILE" as the reason, and names
matched as the panel matches them."""

import html
import io
import json
import shutil

import pytest

from doorbook import audit, importer, people
from tests.admin_helpers import log_in
from tests.conftest import DEMO_FILES
from tests.kiosk_helpers import text_of

BECAUSE = "import of contacts.csv"


def contact_id(db, name):
    return db.execute("SELECT id FROM contacts WHERE name = ?", [name]).fetchone()[0]


def child_id(db, first):
    return db.execute("SELECT id FROM children WHERE first_name = ?", [first]).fetchone()[0]


def may_collect(db, contact, child):
    return db.execute(
        "SELECT may_collect FROM child_contacts WHERE contact_id = ? AND child_id = ?",
        [contact_id(db, contact), child_id(db, child)],
    ).fetchone()[0]


def entries_since(db, last_id):
    return list(db.query("SELECT * FROM audit_log WHERE id > ? ORDER BY id", [last_id]))


def last_entry(db):
    return db.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]


def changed_contacts_csv() -> bytes:
    """The demo's contacts.csv, re-exported after two changes: Daniel Hart may no longer
    collect Amelia, and Rachel Hart's name was typed in lower case."""
    text = (DEMO_FILES / "contacts.csv").read_text(encoding="utf-8")
    withdrawn = "Daniel Hart,Amelia Hart,father,yes,yes,"
    assert text.count(withdrawn) == 1 and text.count("Rachel Hart,") == 2
    text = text.replace(withdrawn, "Daniel Hart,Amelia Hart,father,yes,no,")
    return text.replace("Rachel Hart,", "rachel hart,").encode("utf-8")


def upload(client, name, data):
    return client.post(
        "/admin/import",
        data={"files": [(io.BytesIO(data), name)]},
        content_type="multipart/form-data",
    )


@pytest.fixture
def manager(demo_client):
    log_in(demo_client)
    return demo_client


def test_a_reimport_records_each_changed_record_old_and_new_and_nothing_else(manager, demo_db):
    rachel = contact_id(demo_db, "Rachel Hart")
    contacts_before = demo_db["contacts"].count
    since = last_entry(demo_db)

    response = upload(manager, "contacts.csv", changed_contacts_csv())

    assert response.status_code == 200 and "30 contacts" in text_of(response)
    # The same person, renamed as the file writes her: no second Rachel.
    assert demo_db["contacts"].count == contacts_before
    assert contact_id(demo_db, "rachel hart") == rachel
    assert may_collect(demo_db, "Daniel Hart", "Amelia") == 0
    assert may_collect(demo_db, "Daniel Hart", "Oscar") == 1

    new = entries_since(demo_db, since)
    per_record = [e for e in new if e["action"] != "import"]
    assert [(e["action"], e["actor_name"]) for e in per_record] == [
        ("contact_changed", "Priya Sharma"),
        ("authorisation_changed", "Priya Sharma"),
    ]
    renamed, withdrawn = (json.loads(e["details"]) for e in per_record)
    assert renamed == {"name": "Rachel Hart -> rachel hart", "because": BECAUSE}
    assert withdrawn == {"may_collect": "1 -> 0", "because": BECAUSE}
    assert withdrawn.keys() == {"may_collect", "because"}
    assert per_record[1]["subject_id"] == contact_id(demo_db, "Daniel Hart")
    assert per_record[1]["child_id"] == child_id(demo_db, "Amelia")
    # ... and the import's own summary, as before.
    assert [e["action"] for e in new].count("import") == 1


def history_of(manager, contact):
    page = html.unescape(text_of(manager.get(f"/admin/contacts/{contact}")))
    return page[page.index('id="history-title"') :]


def test_the_panel_history_shows_who_imported_what_changed_and_why(manager, demo_db):
    margaret = contact_id(demo_db, "Margaret Hart")
    margaret_before = history_of(manager, margaret)
    upload(manager, "contacts.csv", changed_contacts_csv())
    history = history_of(manager, contact_id(demo_db, "Daniel Hart"))
    assert "authorisation changed" in history
    assert '"may_collect": "1 -> 0"' in history and BECAUSE in history
    assert "Priya Sharma" in history
    history = history_of(manager, contact_id(demo_db, "rachel hart"))
    assert '"name": "Rachel Hart -> rachel hart"' in history
    # An adult whose rows did not change has nothing new in their history.
    assert history_of(manager, margaret) == margaret_before
    assert "Priya Sharma" not in margaret_before


def test_importing_the_same_files_again_records_only_the_import_itself(db):
    importer.import_folder(db, DEMO_FILES)
    first = entries_since(db, 0)
    assert {"staff_added", "child_added", "contact_added", "authorisation_added"} <= {
        e["action"] for e in first
    }
    assert all(
        json.loads(e["details"] or "{}").get("because", "").startswith("import of ")
        for e in first
        if e["action"] != "import"
    )
    since = last_entry(db)
    importer.import_folder(db, DEMO_FILES)
    assert [e["action"] for e in entries_since(db, since)] == ["import"]


def test_the_cli_import_is_recorded_as_the_system(db):
    importer.import_folder(db, DEMO_FILES)
    actors = {(e["actor_kind"], e["actor_name"]) for e in entries_since(db, 0)}
    assert actors == {(audit.SYSTEM.kind, audit.SYSTEM.name)}


def test_a_failing_row_loads_nothing_and_records_nothing(manager, demo_db):
    since = last_entry(demo_db)
    bad = changed_contacts_csv() + b"Pat Nobody,Amelia Hart,aunt,no,maybe,,,en,\n"
    response = upload(manager, "contacts.csv", bad)
    assert response.status_code == 400
    page = html.unescape(text_of(response))
    assert "contacts.csv:36" in page and "may_collect" in page
    assert may_collect(demo_db, "Daniel Hart", "Amelia") == 1
    assert demo_db.execute("SELECT 1 FROM contacts WHERE name = 'rachel hart'").fetchone() is None
    assert entries_since(demo_db, since) == []


def test_a_failure_while_writing_rolls_back_every_record_and_entry(demo_db, tmp_path, monkeypatch):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "contacts.csv").write_bytes(changed_contacts_csv())
    since = last_entry(demo_db)

    def broken_link(*args, **kwargs):
        raise people.RecordProblem("the disk went away")

    monkeypatch.setattr(people, "link", broken_link)
    with pytest.raises(people.RecordProblem):
        importer.import_folder(demo_db, folder)
    assert contact_id(demo_db, "Rachel Hart")  # the rename before the failure is undone
    assert entries_since(demo_db, since) == []


def copy_of_demo(tmp_path, name, old, new):
    folder = tmp_path / "files"
    folder.mkdir(exist_ok=True)
    shutil.copy(DEMO_FILES / name, folder / name)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "old", "new", "table", "stored"),
    [
        ("children.csv", "Amelia,Hart,", "AMELIA,hart,", "children", "first_name"),
        ("staff.csv", "Priya Sharma,", "priya  sharma,", "staff", "name"),
        ("contacts.csv", "Anna Wiśniewska,", "ANNA WISNIEWSKA,", "contacts", "name"),
        ("not_permitted.csv", ",Sean Murphy,", ",SEAN MURPHY,", "not_permitted", "name"),
        (
            "expected_visits.csv",
            "Lambeth Educational Psychology Service",
            "lambeth educational psychology service",
            "organisations",
            "name",
        ),
    ],
    ids=["child", "staff", "adult", "not permitted", "organisation"],
)
def test_a_name_written_differently_is_the_same_record(
    demo_db, tmp_path, name, old, new, table, stored
):
    before = demo_db[table].count
    importer.import_folder(demo_db, copy_of_demo(tmp_path, name, old, new))
    assert demo_db[table].count == before
    if table != "organisations":  # a booking names its organisation; it does not rename it
        values = {r[stored] for r in demo_db[table].rows}
        assert " ".join(new.strip(",").split(",")[0].split()) in values


def test_the_panel_refuses_a_second_adult_with_the_same_name_as_the_import_matches_it(
    manager, demo_db
):
    count = demo_db["contacts"].count
    for typed in ("anna wisniewska", "ANNA  WIŚNIEWSKA"):
        response = manager.post(
            "/admin/contacts/new", data={"name": typed, "phone": "", "language": "en_GB"}
        )
        assert response.status_code == 409, typed
        assert "There is already a contact called" in text_of(response)
    assert demo_db["contacts"].count == count
    assert people.find_named(demo_db, "contacts", "anna wiśniewska") == contact_id(
        demo_db, "Anna Wiśniewska"
    )


def test_an_import_tells_open_panels_once(db):
    from doorbook import events

    with events.Subscription() as panel:
        importer.import_folder(db, DEMO_FILES)
        topics = []
        while (topic := panel.next(timeout=0.2)) is not None:
            topics.append(topic)
    assert topics.count("on-site") == 1
