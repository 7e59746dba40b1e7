"""The kiosk's rules: K1 nothing before identity, K4 nothing lingers, K5 credentials guarded,
staff and supervision, help, and bad input on every form."""

import re
from datetime import timedelta

import pytest

from doorbook import alerts, cards, clock, supervision
from doorbook.audit import SYSTEM
from doorbook.db import write
from doorbook.identify import Person
from tests.conftest import DEMO_ZONE
from tests.kiosk_helpers import HX, child_ids, demo_child_words, identify, nonce_of, text_of


def kiosk_get_routes(app):
    """Every GET address of the kiosk, with each allowed value of its (enumerated) parts."""
    from flask import url_for

    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("kiosk.") or "GET" not in rule.methods:
                continue
            (name, converter), *_ = list(rule._converters.items()) or [(None, None)]
            for value in sorted(converter.items) if converter else [None]:
                urls.append(url_for(rule.endpoint, **({name: value} if name else {})))
    return urls


# ---- K1 ----


def test_crawl_no_kiosk_page_reachable_without_a_credential_shows_a_child(demo_app, demo_client):
    words = demo_child_words(with_rooms=True)
    pages = []
    for url in kiosk_get_routes(demo_app):
        for headers in ({}, HX):
            pages.append((url, text_of(demo_client.get(url, headers=headers))))
    for url, data in [
        ("/parent/identify", {"credential": "000000"}),
        ("/staff/identify", {"credential": "not-a-card"}),
        ("/parent/sign-in", {"nonce": "x", "child": ["1", "2"]}),
        ("/parent/sign-out", {"nonce": "x", "child": ["1"]}),
        ("/collecting", {"name": "Amelia Hart", "password": "bluebell"}),
        ("/collecting", {"name": "Someone", "password": ""}),
        ("/help", {}),
        ("/professional/invitation", {"code": "ABCD-2345"}),
        ("/professional/invitation", {"credential": "inv_not-a-real-token"}),
        ("/professional/details", {"nonce": "x", "name": "A", "child": "Isla Murphy"}),
        ("/visitor", {"nonce": "x", "name": "A", "here_to_see": "Noah"}),
        ("/signing-out/badge", {"credential": "bdg_nothing"}),
        ("/signing-out/choose", {"visit": "1"}),
        ("/language", {"language": "pl"}),
    ]:
        pages.append((url, text_of(demo_client.post(url, data=data, headers=HX))))
    assert len(pages) > 20
    for url, page in pages:
        found = sorted(w for w in words if re.search(rf"\b{re.escape(w)}\b", page))
        assert not found, f"{url} shows {found} before identification"


def test_kiosk_urls_carry_no_personal_data(demo_app):
    for rule in demo_app.url_map.iter_rules():
        if rule.endpoint.startswith("kiosk."):
            for argument in rule.arguments:
                converter = type(rule._converters[argument]).__name__
                assert converter == "AnyConverter", f"{rule.rule} takes free-form {argument}"


# ---- K4 ----


def test_every_kiosk_response_is_no_store(demo_client):
    responses = [
        demo_client.get("/"),
        identify(demo_client, "482913"),
        demo_client.post("/collecting", data={"name": "x", "password": "y"}, headers=HX),
    ]
    for response in responses:
        assert response.headers["Cache-Control"] == "no-store"


def test_going_home_or_idle_reset_forgets_the_person_on_the_server(demo_app, demo_client):
    page = text_of(identify(demo_client, "482913"))
    interactions = demo_app.extensions["kiosk_interactions"]
    assert len(interactions) == 1
    demo_client.post("/reset")
    assert len(interactions) == 0
    after = demo_client.post(
        "/parent/sign-in", data={"nonce": nonce_of(page), "child": child_ids(page)}, headers=HX
    )
    assert "Please start again." in text_of(after)
    page = text_of(identify(demo_client, "482913"))
    demo_client.get("/")  # the home screen also forgets
    assert len(interactions) == 0


def test_an_idle_interaction_expires_on_the_server(demo_app, demo_client, monkeypatch):
    import kiosk.state

    page = text_of(identify(demo_client, "482913"))
    later = kiosk.state.time.monotonic() + 60 + kiosk.state.GRACE_SECONDS + 1
    monkeypatch.setattr(kiosk.state.time, "monotonic", lambda: later)
    response = demo_client.post(
        "/parent/sign-in", data={"nonce": nonce_of(page), "child": child_ids(page)}, headers=HX
    )
    assert "Please start again." in text_of(response)
    assert len(demo_app.extensions["kiosk_interactions"]) == 0


# ---- K5 ----


def test_five_wrong_pins_lock_the_kiosk_for_a_minute_and_alert(demo_client, demo_db):
    for _ in range(4):
        assert "not recognised" in text_of(identify(demo_client, "000001"))
    fifth = identify(demo_client, "000002")
    assert fifth.status_code == 429 and "Too many tries" in text_of(fifth)
    locked = identify(demo_client, "482913")  # even the right PIN, during the lock-out
    assert locked.status_code == 429 and "Too many tries" in text_of(locked)
    assert [a["kind"] for a in alerts.open_alerts(demo_db)] == ["pin_lockout"]
    with clock.freeze(clock.now() + timedelta(seconds=61)):
        assert "Hello, Rachel" in text_of(identify(demo_client, "482913"))
    assert demo_db["alerts"].count == 1


def test_a_revoked_qr_card_fails_at_the_kiosk_at_once(demo_client, demo_db):
    funmi = demo_db.execute("SELECT id FROM contacts WHERE name = 'Funmi Adeyemi'").fetchone()[0]
    token = cards.issue(demo_db, contact_id=funmi, actor=SYSTEM)
    assert "Hello, Funmi" in text_of(identify(demo_client, token))
    card = demo_db.execute(
        "SELECT id FROM credentials WHERE kind = 'qr_card' AND revoked_at IS NULL"
    ).fetchone()[0]
    cards.revoke(demo_db, card, actor=SYSTEM)
    assert "not recognised" in text_of(identify(demo_client, token))
    assert token not in str(list(demo_db["credentials"].rows))


def test_a_new_card_replaces_the_old_one(demo_client, demo_db):
    funmi = demo_db.execute("SELECT id FROM contacts WHERE name = 'Funmi Adeyemi'").fetchone()[0]
    old = cards.issue(demo_db, contact_id=funmi, actor=SYSTEM)
    new = cards.issue(demo_db, contact_id=funmi, actor=SYSTEM)
    assert old != new and len(new) >= 26
    assert "not recognised" in text_of(identify(demo_client, old))
    assert "Hello, Funmi" in text_of(identify(demo_client, new))


def test_a_parent_pin_does_not_open_the_staff_screen(demo_client):
    assert "not recognised" in text_of(identify(demo_client, "482913", journey="staff"))
    assert "not recognised" in text_of(identify(demo_client, "204817", journey="parent"))


# ---- Staff and supervision ----


def staff_action(client, pin, action):
    page = text_of(identify(client, pin, journey="staff"))
    return text_of(client.post(f"/staff/{action}", data={"nonce": nonce_of(page)}, headers=HX))


def make_agency_visit(db, child_first_name="Maya"):
    with write(db):
        now = clock.stamp()
        visitor = db["visitors"].insert({"name": "Dr Helen Brooks", "created_at": now}).last_pk
        child = db.execute(
            "SELECT id FROM children WHERE first_name = ?", [child_first_name]
        ).fetchone()[0]
        return (
            db["visits"]
            .insert(
                {
                    "visitor_id": visitor,
                    "kind": "agency",
                    "day": clock.today(DEMO_ZONE).isoformat(),
                    "child_id": child,
                    "signed_in_at": now,
                }
            )
            .last_pk
        )


def test_staff_sign_in_and_out_with_the_time(demo_client, demo_db):
    assert "Aisha Begum signed in at" in staff_action(demo_client, "731850", "sign-in")
    aisha = demo_db.execute("SELECT id FROM staff WHERE name = 'Aisha Begum'").fetchone()[0]
    assert supervision.is_on_site(demo_db, aisha)
    assert "Aisha Begum signed out at" in staff_action(demo_client, "731850", "sign-out")
    assert not supervision.is_on_site(demo_db, aisha)


def test_only_staff_on_site_may_supervise(demo_db):
    visit = make_agency_visit(demo_db)
    megan = demo_db.execute("SELECT id FROM staff WHERE name = 'Megan Price'").fetchone()[0]
    with pytest.raises(supervision.SupervisionProblem, match="not signed in"):
        supervision.assign(demo_db, visit, megan, SYSTEM)
    assert supervision.supervisor_of(demo_db, visit) is None


def test_a_supervisor_signing_out_makes_the_visit_unsupervised_again(demo_client, demo_db):
    staff_action(demo_client, "731850", "sign-in")  # Aisha Begum
    aisha = demo_db.execute("SELECT id FROM staff WHERE name = 'Aisha Begum'").fetchone()[0]
    visit = make_agency_visit(demo_db)
    supervision.alert_unsupervised(demo_db, visit, "Just signed in.")
    supervision.assign(demo_db, visit, aisha, SYSTEM)
    assert supervision.supervisor_of(demo_db, visit)["name"] == "Aisha Begum"
    assert alerts.open_alerts(demo_db) == []  # supervised: the alert is resolved

    staff_action(demo_client, "731850", "sign-out")
    assert supervision.supervisor_of(demo_db, visit) is None
    (alert,) = alerts.open_alerts(demo_db)
    assert alert["kind"] == "unsupervised_visit" and alert["visit_id"] == visit
    assert "Aisha Begum has signed out" in alert["message"]
    period = next(demo_db["supervision_periods"].rows)
    assert period["ended_because"] == "supervisor signed out"


def test_unsupervised_minutes_count_the_gaps(demo_db):
    start = clock.now()
    with clock.freeze(start):
        visit = make_agency_visit(demo_db)
        with write(demo_db):
            demo_db["staff_attendance"].insert(
                {
                    "staff_id": 1,
                    "day": clock.today(DEMO_ZONE).isoformat(),
                    "arrived_at": clock.stamp(),
                }
            )
    with clock.freeze(start + timedelta(minutes=10)):
        supervision.assign(demo_db, visit, 1, SYSTEM)
    with clock.freeze(start + timedelta(minutes=40)):
        supervision.unassign(demo_db, visit, SYSTEM)
    with clock.freeze(start + timedelta(minutes=45)):
        assert supervision.unsupervised_minutes(demo_db, visit) == pytest.approx(15)


# ---- Help ----


def test_call_a_member_of_staff_raises_one_alert_however_often_it_is_pressed(demo_client, demo_db):
    for _ in range(3):
        page = text_of(demo_client.post("/help", headers=HX))
        assert "A member of staff is on their way." in page
    assert [a["kind"] for a in alerts.open_alerts(demo_db)] == ["help_requested"]


# ---- Audit ----


def test_every_kiosk_write_is_audited_with_who_what_when_and_where(demo_client, demo_db):
    page = text_of(identify(demo_client, "482913"))
    demo_client.post(
        "/parent/sign-in", data={"nonce": nonce_of(page), "child": child_ids(page)}, headers=HX
    )
    staff_action(demo_client, "731850", "sign-in")
    actions = {
        (r["action"], r["actor_name"], r["kiosk"])
        for r in demo_db.query("SELECT * FROM audit_log WHERE action LIKE '%signed_in'")
    }
    assert actions == {
        ("signed_in", "Rachel Hart", "entrance"),
        ("staff_signed_in", "Aisha Begum", "entrance"),
    }
    assert all(r["at"] for r in demo_db["audit_log"].rows)


# ---- Bad input on every kiosk form ----

HOSTILE = {
    "ten thousand characters": "x" * 10_000,
    "null byte": "Rachel\x00Hart",
    "right-to-left override": "Rachel \u202eHart",
    "html and script": "<script>alert(1)</script><b>hi</b>",
    "emoji": "🙂🚸👶🏽",
    "odd unicode": "Z\u0301o\u0308fia \ufeff",
    "empty": "",
}


EXPECTED_STORED = {HOSTILE["odd unicode"]: "Źöfia"}  # composed, the invisible BOM dropped


# What each hostile value must meet: refused with a message beside the field, or taken.
REFUSED_IN_A_MESSAGE = {"ten thousand characters", "null byte", "right-to-left override"}
# At the emergency-plan form: refused in the form, or (taken as typed) a calm "please wait".
REFUSED_AT_COLLECTING = {
    "name": {"ten thousand characters", "null byte", "right-to-left override", "empty"},
    "password": {"ten thousand characters", "null byte", "empty"},
}


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_credential_field_never_fails(demo_client, demo_db, value):
    response = identify(demo_client, value)
    assert response.status_code == 200
    assert "That PIN or card was not recognised." in text_of(response)
    assert "<script>alert(1)" not in text_of(response)


@pytest.mark.parametrize(("kind", "value"), HOSTILE.items(), ids=HOSTILE.keys())
def test_the_message_for_the_key_person_is_checked_and_kept_safe(demo_client, demo_db, kind, value):
    page = text_of(identify(demo_client, "482913"))
    response = demo_client.post(
        "/parent/sign-in",
        data={"nonce": nonce_of(page), "child": child_ids(page), "message": value},
        headers=HX,
    )
    assert response.status_code == 200
    body = text_of(response)
    assert "<script>alert(1)" not in body
    rows = list(demo_db["attendance"].rows)
    if kind in REFUSED_IN_A_MESSAGE:
        assert rows == [], "nothing is signed in when the message is refused"
        assert "signed in at" not in body
        assert "message" in body and 'role="alert"' in body
    else:
        assert "signed in at" in body
        assert len(rows) == 2
        stored = rows[0]["message_for_key_person"]
        if value:
            assert stored and "\x00" not in stored and "\ufeff" not in stored
            assert stored == EXPECTED_STORED.get(value, value)
        else:
            assert stored is None


@pytest.mark.parametrize("field", ["name", "password"])
@pytest.mark.parametrize(("kind", "value"), HOSTILE.items(), ids=HOSTILE.keys())
def test_the_collecting_form_never_fails(demo_client, demo_db, field, kind, value):
    data = {"name": "Tunde Bakare", "password": "sunflower", field: value}
    response = demo_client.post("/collecting", data=data, headers=HX)
    assert response.status_code == 200
    body = text_of(response)
    assert "<script>alert(1)" not in body
    if kind in REFUSED_AT_COLLECTING[field]:
        assert 'class="error"' in body
        assert demo_db["alerts"].count == 0
    else:
        # Not the family's arrangement as typed: refused calmly, the manager told.
        assert "Please wait" in body and 'class="error"' not in body
        assert demo_db["alerts"].count == 1


def test_a_forged_oversized_form_is_a_clear_message(demo_client, demo_db):
    big = demo_client.post(
        "/collecting", data={"name": "x" * (2 * 1024 * 1024), "password": "y"}, headers=HX
    )
    assert big.status_code == 200 and "Please keep your full name under 100 characters" in text_of(
        big
    )
    huge = demo_client.post(
        "/collecting", data={"name": "x" * (9 * 1024 * 1024), "password": "y"}, headers=HX
    )
    assert huge.status_code == 413 and "too much" in text_of(huge)
    assert demo_db["alerts"].count == 0


def test_typing_a_childs_name_at_the_door_confirms_nothing(demo_client):
    as_child = text_of(
        demo_client.post("/collecting", data={"name": "Amelia Hart", "password": "x"}, headers=HX)
    )
    as_nobody = text_of(
        demo_client.post("/collecting", data={"name": "Nobody Atall", "password": "x"}, headers=HX)
    )
    assert as_child == as_nobody


def test_a_chosen_child_that_is_not_a_number_is_ignored(demo_client, demo_db):
    page = text_of(identify(demo_client, "482913"))
    response = demo_client.post(
        "/parent/sign-in",
        data={"nonce": nonce_of(page), "child": ["1; DROP TABLE children", "-1", "9" * 40]},
        headers=HX,
    )
    assert "Please choose a child first." in text_of(response)
    assert demo_db["children"].count == 10


def test_staff_screen_without_identification_starts_again(demo_client):
    response = demo_client.post("/staff/sign-in", data={"nonce": "anything"}, headers=HX)
    assert "Please start again." in text_of(response)


def test_identified_person_is_a_person():
    assert Person("contact", 1, "A").actor("entrance").kiosk == "entrance"
