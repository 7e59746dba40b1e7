"""The manager's records: forms that validate, changes that are audited without secrets,
and the kiosk obeying them at once."""

import gc
import io
import warnings

import pytest
from PIL import Image

from doorbook import clock
from tests.admin_helpers import log_in, staff_id
from tests.conftest import DEMO_FILES, DEMO_ZONE
from tests.kiosk_helpers import identify, text_of

HOSTILE = {
    "empty": "",
    "10k": "x" * 10_000,
    "null": "Ann\x00e",
    "rtl-override": "Ann \u202eLee",
    "html": "<script>alert(1)</script>",
}


@pytest.fixture
def manager(demo_client):
    log_in(demo_client)
    return demo_client


def child_id(db, first):
    return db.execute("SELECT id FROM children WHERE first_name = ?", [first]).fetchone()[0]


def contact_id(db, name):
    return db.execute("SELECT id FROM contacts WHERE name = ?", [name]).fetchone()[0]


def png_bytes(size=(40, 40), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


CHILD = {"first_name": "Poppy", "last_name": "Stone", "date_of_birth": "2023-05-01", "room_id": "2"}


def test_a_manager_adds_a_child_who_then_appears_to_linked_parents(manager, demo_db):
    response = manager.post("/admin/children/new", data=CHILD)
    assert response.status_code == 302
    poppy = child_id(demo_db, "Poppy")
    manager.post(
        f"/admin/children/{poppy}/links",
        data={
            "contact_id": contact_id(demo_db, "Laura Clarke"),
            "relationship": "mother",
            "may_collect": "yes",
        },
    )
    assert "Poppy Stone" in text_of(identify(manager, "846201"))  # Laura Clarke


@pytest.mark.parametrize("field", ["first_name", "last_name", "date_of_birth", "room_id"])
@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_bad_input_on_the_child_form_is_named_and_nothing_saved_is_lost(
    manager, demo_db, field, value
):
    amelia = child_id(demo_db, "Amelia")
    before = demo_db["children"].get(amelia)
    data = {**CHILD, "first_name": "Amelia", "last_name": "Hart", field: value}
    response = manager.post(f"/admin/children/{amelia}", data=data)
    body = text_of(response)
    assert "<script>alert(1)" not in body
    if field in ("first_name", "last_name") and value.startswith("<script>"):
        assert response.status_code == 302  # an odd name, but text: stored and escaped
        return
    assert response.status_code == 400, body[:500]
    assert 'aria-invalid="true"' in body and 'class="error"' in body
    assert demo_db["children"].get(amelia) == before


def test_a_second_child_with_the_same_name_is_refused(manager, demo_db):
    response = manager.post(
        "/admin/children/new", data={**CHILD, "first_name": "Amelia", "last_name": "Hart"}
    )
    assert response.status_code == 409
    assert "already a child called Amelia Hart" in text_of(response)


def test_a_child_who_has_left_is_not_offered_at_the_kiosk(manager, demo_db):
    oscar = child_id(demo_db, "Oscar")
    manager.post(
        f"/admin/children/{oscar}/leave", data={"left_on": clock.today(DEMO_ZONE).isoformat()}
    )
    page = text_of(identify(manager, "482913"))
    assert "Oscar" not in page and "Millie Hart" in page


def test_the_collection_password_is_shown_once_stored_hashed_and_audited(manager, demo_db):
    noah = child_id(demo_db, "Noah")
    page = text_of(
        manager.post(f"/admin/children/{noah}/password", data={"password": "Blue Whale"})
    )
    assert "Blue Whale" in page and "will not be shown again" in page
    assert "Blue Whale" not in text_of(manager.get(f"/admin/children/{noah}"))
    stored = str(next(demo_db.query("SELECT * FROM children WHERE id = ?", [noah])))
    assert "Blue Whale" not in stored and "blue whale" not in stored
    audit = str(list(demo_db.query("SELECT * FROM audit_log")))
    assert "collection_password_set" in audit and "Whale" not in audit
    short = manager.post(f"/admin/children/{noah}/password", data={"password": "ab"})
    assert short.status_code == 400 and "at least 4 characters" in text_of(short)


def test_changing_an_authorisation_is_audited_old_and_new(manager, demo_db):
    ava = child_id(demo_db, "Ava")
    chris = contact_id(demo_db, "Chris Thompson")
    manager.post(
        f"/admin/children/{ava}/links",
        data={
            "contact_id": chris,
            "relationship": "father",
            "parental_responsibility": "yes",
            "may_collect": "yes",
        },
    )
    row = next(demo_db.query("SELECT * FROM audit_log WHERE action = 'authorisation_changed'"))
    assert row["actor_name"] == "Priya Sharma" and row["child_id"] == ava
    assert '"may_collect": "0 -> 1"' in row["details"]


def test_a_new_pin_works_at_once_and_the_old_one_stops(manager, demo_db):
    rachel = contact_id(demo_db, "Rachel Hart")
    page = text_of(manager.post(f"/admin/contacts/{rachel}/pin"))
    import re

    new = re.search(r'class="secret">(\d{6})<', page).group(1)
    assert "Hello, Rachel" in text_of(identify(manager, new))
    assert "not recognised" in text_of(identify(manager, "482913"))
    audit = str(list(demo_db.query("SELECT * FROM audit_log WHERE action = 'kiosk_pin_reset'")))
    assert new not in audit


def test_new_pins_are_never_duplicates(demo_db):
    from doorbook import people
    from doorbook.audit import SYSTEM

    rachel = contact_id(demo_db, "Rachel Hart")
    pins = {people.new_pin(demo_db, SYSTEM, contact_id=rachel) for _ in range(30)}
    assert len(pins) == 30
    lookups = [
        r[0]
        for r in demo_db.execute(
            "SELECT lookup FROM credentials WHERE kind = 'pin' AND revoked_at IS NULL"
        )
    ]
    assert len(lookups) == len(set(lookups))


def test_a_collectors_photo_is_re_encoded_and_shown_only_to_staff(manager, demo_app, demo_db):
    margaret = contact_id(demo_db, "Margaret Hart")
    response = manager.post(
        f"/admin/contacts/{margaret}",
        data={
            "name": "Margaret Hart",
            "language": "en_GB",
            "photo": (io.BytesIO(png_bytes()), "margaret.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    name = demo_db["contacts"].get(margaret)["photo_file"]
    served = manager.get(f"/admin/photos/{name}")
    assert served.status_code == 200 and served.data[:2] == b"\xff\xd8"  # a JPEG now
    served.close()
    anonymous = demo_app.test_client().get(f"/admin/photos/{name}")
    assert anonymous.status_code == 302
    from doorbook import alerts

    alerts.raise_alert(
        demo_db, "collection_refused", "Margaret Hart was refused.", contact_id=margaret
    )
    panel = text_of(manager.get("/admin/parts/alerts"))
    assert f'src="/admin/photos/{name}"' in panel and "Photo on file of Margaret Hart" in panel


@pytest.mark.parametrize(
    "upload, message, status",
    [
        (b"\x89PNG" + b"0" * (20 * 1024 * 1024), "too much", 413),
        (b"MZ\x90\x00 not a picture at all", "not a photo Doorbook can read", 400),
        (png_bytes(fmt="GIF"), "Please upload a JPEG, PNG or WebP photo.", 400),
    ],
    ids=["20MB", "not-an-image", "gif"],
)
def test_a_bad_photo_is_a_clear_message_and_nothing_is_lost(
    manager, demo_db, upload, message, status
):
    margaret = contact_id(demo_db, "Margaret Hart")
    before = demo_db["contacts"].get(margaret)
    response = manager.post(
        f"/admin/contacts/{margaret}",
        data={
            "name": "Margaret Hart",
            "language": "en_GB",
            "photo": (io.BytesIO(upload), "photo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == status
    assert message in text_of(response)
    assert demo_db["contacts"].get(margaret) == before
    # The test client spools a large body to a temporary file; when the request is refused
    # as too large, that file is only closed by the garbage collector: collect it here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def test_a_not_permitted_person_added_here_is_stopped_at_the_kiosk(manager, demo_db):
    from tests.test_kiosk_families import at_door

    yusuf = child_id(demo_db, "Yusuf")
    manager.post(
        f"/admin/children/{yusuf}/not-permitted",
        data={"name": "Gary Oldman", "reason": "Non-molestation order"},
    )
    page = at_door(manager, "Gary Oldman", "anything")
    assert "Please wait" in page
    alert = next(demo_db.query("SELECT * FROM alerts"))
    assert alert["kind"] == "not_permitted_at_door" and "Non-molestation order" in alert["message"]


def test_a_one_off_collection_arranged_here_works_at_the_kiosk_today(manager, demo_db):
    from tests.test_kiosk_families import at_door

    maya = child_id(demo_db, "Maya")
    manager.post(
        f"/admin/children/{maya}/one-off",
        data={
            "collector_name": "Anil Patel",
            "relationship": "uncle",
            "arranged_by": "Sunita Patel",
        },
    )
    assert "please show photo ID" in at_door(manager, "Anil Patel", "peacock")


def test_staff_are_added_given_a_login_and_disabled(manager, demo_db):
    response = manager.post(
        "/admin/staff/new",
        data={
            "name": "Lily Chen",
            "job_title": "Apprentice",
            "role": "practitioner",
            "room_id": "1",
        },
    )
    assert response.status_code == 302
    lily = staff_id(demo_db, "Lily Chen")
    manager.post(
        f"/admin/staff/{lily}/login", data={"username": "lily", "password": "long enough password"}
    )
    assert demo_db["staff"].get(lily)["admin_username"] == "lily"
    manager.post(f"/admin/staff/{lily}/active", data={"active": "no"})
    assert demo_db["staff"].get(lily)["active"] == 0
    refused = manager.post(
        f"/admin/staff/{staff_id(demo_db, 'Priya Sharma')}/active", data={"active": "no"}
    )
    assert refused.status_code == 400 and "cannot disable your own account" in text_of(refused)


def test_organisations_keep_their_dbs_assurance(manager, demo_db):
    manager.post(
        "/admin/organisations",
        data={
            "name": "Sure Start Lambeth",
            "dbs_assurance_on_file": "yes",
            "dbs_assurance_until": "2027-08-31",
        },
    )
    row = next(demo_db.query("SELECT * FROM organisations WHERE name = 'Sure Start Lambeth'"))
    assert row["dbs_assurance_on_file"] == 1 and row["dbs_assurance_until"] == "2027-08-31"
    again = manager.post("/admin/organisations", data={"name": "sure start lambeth"})
    assert again.status_code == 409


def test_a_booking_gets_a_printable_invitation_and_a_png(manager, demo_db):
    response = manager.post(
        "/admin/bookings",
        data={
            "visitor_name": "Jo Whitfield",
            "role": "Health visitor",
            "child_id": child_id(demo_db, "Leo"),
            "day": clock.today(DEMO_ZONE).isoformat(),
            "time": "15:30",
            "no_consent_reason": "Routine two-year check: the health visitor's own service",
        },
    )
    assert response.status_code == 302
    page = text_of(manager.get(response.headers["Location"]))
    booking = next(
        demo_db.query("SELECT * FROM expected_visits WHERE visitor_name = 'Jo Whitfield'")
    )
    assert booking["reference_code"] in page and "<svg" in page
    png = manager.get(f"/admin/bookings/{booking['id']}/invitation.png")
    assert png.mimetype == "image/png" and png.data[:4] == b"\x89PNG"
    manager.post(f"/admin/bookings/{booking['id']}/cancel")
    kiosk = text_of(
        manager.post("/professional/invitation", data={"code": booking["reference_code"]})
    )
    assert "could not find that invitation" in kiosk


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("time", "3pm", "HH:MM"),
        ("day", "2020-01-01", "That day has passed"),
        ("visitor_name", "", "Please enter the visitor"),
        ("child_id", "999", "from the list"),
    ],
)
def test_a_bad_booking_is_named_beside_the_field(manager, demo_db, field, value, message):
    data = {
        "visitor_name": "Jo",
        "role": "HV",
        "child_id": child_id(demo_db, "Leo"),
        "day": clock.today(DEMO_ZONE).isoformat(),
        "time": "15:30",
        field: value,
    }
    response = manager.post("/admin/bookings", data=data)
    assert response.status_code == 400 and message in text_of(response)


def test_importing_through_the_panel_has_the_same_checks(manager, demo_db):
    bad = (DEMO_FILES / "contacts.csv").read_bytes().replace(b"482913,en", b"48291,en")
    response = manager.post(
        "/admin/import",
        data={"files": [(io.BytesIO(bad), "contacts.csv")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "contacts.csv:2: kiosk_pin must be exactly 6 digits" in text_of(response)
    good = (DEMO_FILES / "staff.csv").read_bytes() + b"Lily Chen,practitioner,Babies,,,\n"
    response = manager.post(
        "/admin/import",
        data={"files": [(io.BytesIO(good), "staff.csv")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "7 staff" in text_of(response)
    assert demo_db["staff"].count == 7


def test_the_manager_marks_the_designated_safeguarding_lead_on_the_staff_page(manager, demo_db):
    aisha, tom = staff_id(demo_db, "Aisha Begum"), staff_id(demo_db, "Tom Okafor")
    page = text_of(manager.get(f"/admin/staff/{tom}"))
    assert 'name="safeguarding_lead" value="yes" checked' in page  # from the demo's import
    for who, ticked in ((aisha, True), (tom, False)):
        member = demo_db["staff"].get(who)
        data = {"name": member["name"], "job_title": member["job_title"] or "Staff"}
        data |= {"role": member["role"], "room_id": str(member["room_id"] or "")}
        if ticked:
            data["safeguarding_lead"] = "yes"
        assert manager.post(f"/admin/staff/{who}", data=data).status_code == 302
    assert demo_db["staff"].get(aisha)["safeguarding_lead"] == 1
    assert demo_db["staff"].get(tom)["safeguarding_lead"] == 0
    listed = text_of(manager.get("/admin/staff"))
    assert "manager, DSL" in listed and "practitioner, DSL" in listed
    assert "deputy, DSL" not in listed
    changes = demo_db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'staff_changed' AND details LIKE "
        "'%safeguarding_lead%'"
    ).fetchone()[0]
    assert changes == 2
