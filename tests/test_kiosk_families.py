"""Parents and carers at the kiosk: drop-off, collection (K2), the emergency plan."""

import pytest

from doorbook import alerts, clock, collection, register
from doorbook.identify import Person
from tests.conftest import DEMO_ZONE
from tests.kiosk_helpers import HX, child_ids, identify, nonce_of, text_of


def open_register(db, first_name):
    return list(
        db.query(
            "SELECT a.* FROM attendance a JOIN children c ON c.id = a.child_id "
            "WHERE c.first_name = ? AND a.departed_at IS NULL",
            [first_name],
        )
    )


def drop_off(client, pin, message=""):
    page = text_of(identify(client, pin))
    return client.post(
        "/parent/sign-in",
        data={"nonce": nonce_of(page), "child": child_ids(page), "message": message},
        headers=HX,
    )


def collect(client, pin):
    page = text_of(identify(client, pin))
    form = next(part for part in page.split("<form") if "/parent/sign-out" in part)
    return client.post(
        "/parent/sign-out",
        data={"nonce": nonce_of(form), "child": child_ids(form)},
        headers=HX,
    )


def test_drop_off_records_arrival_who_brought_and_the_message(demo_client, demo_db):
    response = drop_off(demo_client, "482913", "slept badly, Calpol at 7am")
    page = text_of(response)
    assert "Millie Hart signed in at" in page and "Oscar Hart signed in at" in page
    (entry,) = open_register(demo_db, "Amelia")
    assert entry["brought_by_name"] == "Rachel Hart"
    assert entry["message_for_key_person"] == "slept badly, Calpol at 7am"
    assert entry["day"] == clock.today(DEMO_ZONE).isoformat()


def test_after_identification_an_adult_sees_only_their_own_children(demo_client, demo_db):
    page = text_of(identify(demo_client, "482913"))  # Rachel Hart: Amelia (Millie) and Oscar
    assert "Millie Hart" in page and "Oscar Hart" in page
    for child in demo_db["children"].rows:
        if child["last_name"] != "Hart":
            for word in (child["first_name"], child["last_name"], child["known_as"]):
                assert not word or word not in page, f"{word} shown to Rachel Hart"


def test_grandmother_may_collect_both_grandchildren(demo_client, demo_db):
    drop_off(demo_client, "482913")
    page = text_of(collect(demo_client, "690352"))
    assert "Millie Hart signed out at" in page and "Oscar Hart signed out at" in page
    assert not open_register(demo_db, "Amelia") and not open_register(demo_db, "Oscar")
    collected_by = {r["collected_by_name"] for r in demo_db["attendance"].rows}
    assert collected_by == {"Margaret Hart"}


def test_a_parent_who_may_not_collect_is_refused_calmly_and_the_manager_told(demo_client, demo_db):
    drop_off(demo_client, "278503")  # Jess Thompson brings Ava
    page = text_of(collect(demo_client, "731946"))  # Chris Thompson: may not collect
    assert "Please wait — a member of staff is coming to help you." in page
    assert "Ava" not in page and "authorised" not in page  # nothing about child or reason
    assert open_register(demo_db, "Ava"), "Ava must still be signed in"
    (alert,) = alerts.open_alerts(demo_db)
    assert alert["kind"] == "collection_refused"
    assert "Chris Thompson" in alert["message"] and "not authorised to collect" in alert["message"]
    decision = demo_db.execute(
        "SELECT details FROM audit_log WHERE action = 'collection_refused'"
    ).fetchone()[0]
    assert "not authorised to collect" in decision


def test_a_linked_adult_on_the_not_permitted_list_may_not_collect(demo_db):
    from doorbook.db import write

    isla = demo_db.execute("SELECT id FROM children WHERE first_name = 'Isla'").fetchone()[0]
    with write(demo_db):
        sean = (
            demo_db["contacts"].insert({"name": "Sean Murphy", "created_at": clock.stamp()}).last_pk
        )
        demo_db["child_contacts"].insert(
            {
                "child_id": isla,
                "contact_id": sean,
                "relationship": "father",
                "parental_responsibility": 1,
                "may_collect": 1,
                "updated_at": clock.stamp(),
            }
        )
    decision = collection.may_collect(demo_db, isla, sean)
    assert not decision.allowed
    assert "not-permitted" in decision.reason and "Prohibited steps order" in decision.reason


def test_a_linked_adult_on_the_not_permitted_list_at_sign_out_is_the_most_serious_alert(demo_db):
    """The same refusal, the same severity, whether the adult identified with a PIN (a
    linked contact) or gave their name as a collector."""
    from doorbook.db import write

    isla = demo_db.execute("SELECT id FROM children WHERE first_name = 'Isla'").fetchone()[0]
    with write(demo_db):
        sean = (
            demo_db["contacts"].insert({"name": "Sean Murphy", "created_at": clock.stamp()}).last_pk
        )
        demo_db["child_contacts"].insert(
            {
                "child_id": isla,
                "contact_id": sean,
                "relationship": "father",
                "parental_responsibility": 1,
                "may_collect": 1,
                "updated_at": clock.stamp(),
            }
        )
    person = Person("contact", sean, "Sean Murphy")
    register.sign_in(demo_db, person, [isla], kiosk="entrance")
    (result,) = register.sign_out(demo_db, person, [isla], kiosk="entrance")
    assert result.outcome == "refused"  # the kiosk's neutral "please wait"
    assert open_register(demo_db, "Isla"), "Isla must still be signed in"
    (alert,) = alerts.open_alerts(demo_db)
    assert alert["kind"] == "not_permitted_at_door"
    assert alert["severity"] == max(kind.severity for kind in alerts.KINDS.values())
    assert "Sean Murphy" in alert["message"] and "Prohibited steps order" in alert["message"]
    (reason,) = demo_db.execute(
        "SELECT details FROM audit_log WHERE action = 'collection_refused'"
    ).fetchone()
    assert "not-permitted" in reason


def test_every_collection_decision_is_audited_with_its_reason(demo_client, demo_db):
    drop_off(demo_client, "482913")
    collect(demo_client, "571046")  # Daniel Hart, father
    rows = list(demo_db.query("SELECT * FROM audit_log WHERE action = 'signed_out'"))
    assert len(rows) == 2
    assert all(r["kiosk"] == "entrance" and r["actor_name"] == "Daniel Hart" for r in rows)
    assert all("authorised to collect" in r["details"] for r in rows)


# ---- The emergency plan ----


def at_door(client, name, password):
    return text_of(
        client.post("/collecting", data={"name": name, "password": password}, headers=HX)
    )


def test_the_one_off_collector_with_the_family_password_is_asked_for_photo_id(demo_client, demo_db):
    page = at_door(demo_client, "tunde bakare", "Sunflower")  # case does not matter
    assert "please show photo ID to a member of staff" in page
    (alert,) = alerts.open_alerts(demo_db)
    assert alert["kind"] == "one_off_waiting" and "Tunde Bakare" in alert["message"]
    assert "Noah Adeyemi" in alert["message"]


@pytest.mark.parametrize(
    "name, password",
    [("Tunde Bakare", "bluebell"), ("Somebody Else", "sunflower"), ("Tunde Bakare", "")],
    ids=["wrong password", "unknown name", "no password"],
)
def test_a_wrong_name_or_password_gets_the_same_neutral_answer(
    demo_client, demo_db, name, password
):
    page = at_door(demo_client, name, password)
    if not password:
        assert "Please enter the family&#39;s collection password." in page
        assert demo_db["alerts"].count == 0
        return
    neutral = at_door(demo_client, "Nobody At All", "whatever")
    assert page == neutral, "the kiosk must not reveal which part was wrong"
    assert "Please wait — a member of staff is coming to help you." in page
    assert {a["kind"] for a in alerts.open_alerts(demo_db)} == {"collection_refused"}


def test_a_not_permitted_person_at_the_door_raises_the_most_serious_alert(demo_client, demo_db):
    page = at_door(demo_client, "Sean Murphy", "anything")
    assert "Please wait — a member of staff is coming to help you." in page
    alert = alerts.open_alerts(demo_db)[0]
    assert alert["kind"] == "not_permitted_at_door"
    assert alert["severity"] == max(kind.severity for kind in alerts.KINDS.values())
    assert "Isla Murphy" in alert["message"]


def test_the_child_leaves_only_when_staff_confirm_the_photo_id(demo_client, demo_db):
    drop_off(demo_client, "318274")  # Funmi brings Noah
    at_door(demo_client, "Tunde Bakare", "sunflower")
    assert open_register(demo_db, "Noah"), "not signed out before the ID check"
    one_off = demo_db["one_off_collections"].rows.__next__()["id"]
    priya = demo_db.execute("SELECT id FROM staff WHERE name = 'Priya Sharma'").fetchone()[0]
    staff = Person("staff", priya, "Priya Sharma").actor("office")
    register.confirm_one_off_id(demo_db, one_off, staff)
    assert not open_register(demo_db, "Noah")
    entry = next(demo_db.query("SELECT * FROM attendance"))
    assert entry["collected_by_name"] == "Tunde Bakare"
    assert entry["one_off_collection_id"] == one_off
    assert alerts.open_alerts(demo_db) == []
    with pytest.raises(collection.CollectionProblem, match="already been checked"):
        register.confirm_one_off_id(demo_db, one_off, staff)


def test_confirming_a_collector_for_a_child_who_is_not_here_is_refused(demo_db):
    one_off = next(demo_db["one_off_collections"].rows)["id"]
    actor = Person("staff", 1, "Priya Sharma").actor("office")
    with pytest.raises(collection.CollectionProblem, match="not signed in"):
        register.confirm_one_off_id(demo_db, one_off, actor)


def test_staff_can_refuse_a_one_off_collector(demo_client, demo_db):
    at_door(demo_client, "Tunde Bakare", "sunflower")
    one_off = next(demo_db["one_off_collections"].rows)["id"]
    collection.refuse_one_off(
        demo_db, one_off, Person("staff", 1, "Priya Sharma").actor("office"), "ID did not match"
    )
    assert alerts.open_alerts(demo_db) == []
    assert (
        demo_db.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'collection_refused' "
            "AND details LIKE '%ID did not match%'"
        ).fetchone()[0]
        == 1
    )


# ---- K7: nothing twice ----


def test_a_double_tap_signs_in_once_and_shows_the_same_confirmation(demo_client, demo_db):
    page = text_of(identify(demo_client, "482913"))
    form = {"nonce": nonce_of(page), "child": child_ids(page)}
    first = demo_client.post("/parent/sign-in", data=form, headers=HX)
    second = demo_client.post("/parent/sign-in", data=form, headers=HX)
    assert text_of(first) == text_of(second)
    assert demo_db["attendance"].count == 2  # Amelia and Oscar, once each


def test_signing_in_a_child_already_in_says_so(demo_client, demo_db):
    drop_off(demo_client, "482913")
    rachel = demo_db.execute("SELECT id FROM contacts WHERE name = 'Daniel Hart'").fetchone()[0]
    amelia = demo_db.execute("SELECT id FROM children WHERE first_name = 'Amelia'").fetchone()[0]
    results = register.sign_in(
        demo_db, Person("contact", rachel, "Daniel Hart"), [amelia], kiosk="entrance"
    )
    assert results[0].outcome == "already_in"
    assert demo_db["attendance"].count == 2


def test_signing_out_a_child_who_is_out_says_so(demo_db):
    rachel = demo_db.execute("SELECT id FROM contacts WHERE name = 'Rachel Hart'").fetchone()[0]
    amelia = demo_db.execute("SELECT id FROM children WHERE first_name = 'Amelia'").fetchone()[0]
    results = register.sign_out(
        demo_db, Person("contact", rachel, "Rachel Hart"), [amelia], kiosk="entrance"
    )
    assert results[0].outcome == "not_here"
    assert demo_db["attendance"].count == 0


def test_a_forged_child_id_is_refused_and_audited(demo_client, demo_db):
    isla = demo_db.execute("SELECT id FROM children WHERE first_name = 'Isla'").fetchone()[0]
    page = text_of(identify(demo_client, "482913"))
    response = demo_client.post(
        "/parent/sign-in", data={"nonce": nonce_of(page), "child": [str(isla)]}, headers=HX
    )
    assert "Please wait" in text_of(response) and "Isla" not in text_of(response)
    assert demo_db["attendance"].count == 0
    assert (
        demo_db.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'sign_in_refused'"
        ).fetchone()[0]
        == 1
    )


def test_a_child_who_has_left_cannot_be_signed_in(demo_client, demo_db):
    from doorbook.db import write

    with write(demo_db):
        demo_db.execute("UPDATE children SET left_on = '2020-01-01' WHERE first_name = 'Oscar'")
    page = text_of(identify(demo_client, "482913"))
    assert "Oscar" not in page and "Millie Hart" in page
