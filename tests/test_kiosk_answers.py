"""What the kiosk's server answers, as the person at the screen would read it: lock-outs with
the time left, a card that still works, staff lifting a lock-out, a supervisor warned, the
public list of visitors, names matched as people write them, a card scanned at home."""

from datetime import timedelta

from doorbook import alerts, cards, clock, identify, settings, visits
from doorbook.audit import SYSTEM
from doorbook.text import name_key, same_name
from tests.admin_helpers import log_in, staff_id
from tests.kiosk_helpers import HX, aisha_supervises_two_visitors, text_of
from tests.kiosk_helpers import identify as identify_at_kiosk


def lock_the_kiosk(client):
    for _ in range(5):
        identify_at_kiosk(client, "000001")


def funmi_card(db) -> str:
    funmi = db.execute("SELECT id FROM contacts WHERE name = 'Funmi Adeyemi'").fetchone()[0]
    return cards.issue(db, contact_id=funmi, actor=SYSTEM)


def test_a_lock_out_says_how_long_and_to_ask_staff(demo_client, demo_db):
    locked_at = clock.now()
    with clock.freeze(locked_at):  # however long the tries take on a busy machine
        lock_the_kiosk(demo_client)
    with clock.freeze(locked_at + timedelta(seconds=20)):
        answer = identify_at_kiosk(demo_client, "482913")
    assert answer.status_code == 429
    page = text_of(answer)
    assert "Too many tries. Please wait 40 seconds, or ask a member of staff." in page
    assert 'data-countdown="40"' in page


def test_a_qr_card_still_works_during_a_pin_lock_out(demo_client, demo_db):
    token = funmi_card(demo_db)
    lock_the_kiosk(demo_client)
    assert "Too many tries" in text_of(identify_at_kiosk(demo_client, "482913"))
    assert "Hello, Funmi" in text_of(identify_at_kiosk(demo_client, token))
    # A made-up card is refused without a look, like a PIN.
    assert "Too many tries" in text_of(identify_at_kiosk(demo_client, token[:-2] + "xx"))


def test_staff_lift_a_lock_out_from_its_alert(demo_client, demo_db):
    lock_the_kiosk(demo_client)
    (alert,) = alerts.open_alerts(demo_db)
    log_in(demo_client)
    answer = demo_client.post(f"/admin/alerts/{alert['id']}/lift-lockout", headers=HX)
    assert "Lock-out lifted: the entrance kiosk takes PINs again." in text_of(answer)
    assert alerts.open_alerts(demo_db) == []
    assert "Hello, Rachel" in text_of(identify_at_kiosk(demo_client, "482913"))
    again = demo_client.post(f"/admin/alerts/{alert['id']}/lift-lockout", headers=HX)
    assert again.status_code == 409 and "already been lifted" in text_of(again)
    audit = [row["action"] for row in demo_db["audit_log"].rows]
    assert "pin_lockout_lifted" in audit and audit.count("pin_wrong") == 5


def test_the_lock_out_lifts_by_itself_when_its_time_is_up(demo_db):
    for _ in range(5):
        identify.identify(demo_db, "000001", kiosk="entrance", kind="contact")
    assert identify.lockout_seconds(demo_db, "entrance") == 60
    with clock.freeze(clock.now() + timedelta(seconds=61)):
        assert identify.lockout_seconds(demo_db, "entrance") == 0


def test_the_public_list_names_no_organisation(demo_client, demo_db):
    visits.sign_in_agency(
        demo_db,
        name="Grace Mensah",
        organisation="NHS Children's Speech and Language Therapy",
        role="Speech and language therapist",
        phone=None,
        child_name="Millie Hart",
        kiosk="entrance",
    )
    page = text_of(demo_client.get("/signing-out", headers=HX))
    assert "Grace M." in page
    assert "NHS" not in page and "Speech" not in page and "Mensah" not in page


def test_a_supervisor_is_told_before_signing_out_and_can_still_sign_out(demo_client, demo_db):

    aisha_supervises_two_visitors(demo_db, "Lambeth Early Help", "Social worker")
    page = text_of(identify_at_kiosk(demo_client, "731850", journey="staff"))
    shown = page.replace("\u2068", "").replace("\u2069", "")  # names kept apart for RTL
    assert "You are supervising Grace M. and Sarah O. — please hand over first." in shown
    nonce = page.split('name="nonce" value="')[1].split('"')[0]
    done = demo_client.post("/staff/sign-out", data={"nonce": nonce}, headers=HX)
    assert "Signed out" in text_of(done)
    kinds = [a["kind"] for a in alerts.open_alerts(demo_db)]
    assert kinds.count("unsupervised_visit") == 2


def test_please_wait_goes_home_after_the_settings_time(demo_client, demo_db):
    settings.set_many(demo_db, {"please_wait_seconds": "12"})
    demo_client.get("/collecting", headers=HX)
    page = text_of(
        demo_client.post(
            "/collecting", data={"name": "Nobody Known", "password": "guess"}, headers=HX
        )
    )
    assert "Please wait" in page and 'data-auto-home="12"' in page


def test_names_match_as_people_write_them():
    assert same_name("Łucja Wiśniewska", "lucja wisniewska")
    assert (
        same_name("ZOË", "Zoe") and same_name("Ștefan", "Stefan") and same_name("Ştefan", "ștefan")
    )
    assert same_name("José", "Jose\u0301") and same_name("  Imran   Khan ", "imran khan")
    assert not same_name("Anna", "Anne")
    assert name_key("Straße") == "strasse"


def test_a_one_off_collector_typing_without_accents_is_still_recognised(demo_client, demo_db):
    from doorbook import people

    noah = demo_db.execute("SELECT id FROM children WHERE first_name = 'Noah'").fetchone()[0]
    people.add_one_off(
        demo_db,
        SYSTEM,
        child_id=noah,
        collector_name="Łucja Wiśniewska",
        relationship="Aunt",
        arranged_by="Funmi Adeyemi",
        note=None,
    )
    page = text_of(
        demo_client.post(
            "/collecting", data={"name": "LUCJA wisniewska", "password": "sunflower"}, headers=HX
        )
    )
    assert "please show photo ID" in page


def test_a_card_scanned_on_the_home_screen_starts_the_parents_journey(demo_client, demo_db):
    token = funmi_card(demo_db)
    assert "Hello, Funmi" in text_of(
        demo_client.post("/scan", data={"credential": token}, headers=HX)
    )
    assert "not recognised" in text_of(
        demo_client.post("/scan", data={"credential": "nonsense"}, headers=HX)
    )


def test_a_staff_card_scanned_on_the_home_screen_starts_the_staff_journey(demo_client, demo_db):
    token = cards.issue(demo_db, staff_id=staff_id(demo_db, "Aisha Begum"), actor=SYSTEM)
    for _scan in range(6):  # more than the wrong tries a minute allows: none of them is wrong
        page = text_of(demo_client.post("/scan", data={"credential": token}, headers=HX))
        assert "Hello, Aisha" in page and "You are not signed in." in page
        assert "not recognised" not in page and "Too many tries" not in page
    assert demo_db.execute("SELECT count(*) FROM pin_failures").fetchone()[0] == 0
    nonce = page.split('name="nonce" value="')[1].split('"')[0]
    done = text_of(demo_client.post("/staff/sign-in", data={"nonce": nonce}, headers=HX))
    assert "Aisha Begum signed in at" in done
    # The same card is still not a parent's on the parent's pad, nor a parent's card a staff one.
    parent_pad = identify_at_kiosk(demo_client, token)
    assert "not recognised" in text_of(parent_pad)
    funmi = funmi_card(demo_db)
    assert "not recognised" in text_of(identify_at_kiosk(demo_client, funmi, journey="staff"))
    assert demo_db.execute("SELECT count(*) FROM pin_failures").fetchone()[0] == 2


def test_the_unannounced_professionals_form_comes_in_two_steps(demo_client):
    first = text_of(demo_client.get("/professional/details", headers=HX))
    assert "Step 1 of 2" in first and 'name="child"' not in first
    nonce = first.split('name="nonce" value="')[1].split('"')[0]
    empty = text_of(demo_client.post("/professional/details/next", data={}, headers=HX))
    assert "Please enter your full name." in empty and "Step 1 of 2" in empty
    about = {"name": "Priya Gill", "organisation": "Lambeth Early Help", "role": "Social worker"}
    second = text_of(demo_client.post("/professional/details/next", data=about, headers=HX))
    assert "Step 2 of 2" in second and 'name="child"' in second
    assert 'type="hidden" name="organisation" value="Lambeth Early Help"' in second
    back = text_of(demo_client.post("/professional/details/back", data=about, headers=HX))
    assert "Step 1 of 2" in back and 'value="Priya Gill"' in back
    no_child = text_of(
        demo_client.post(
            "/professional/details", data={**about, "nonce": nonce, "step": "2"}, headers=HX
        )
    )
    assert "Step 2 of 2" in no_child and "Please enter the name of the child" in no_child
    badge = text_of(
        demo_client.post(
            "/professional/details",
            data={**about, "nonce": nonce, "step": "2", "child": "Noah Adeyemi"},
            headers=HX,
        )
    )
    assert "Escorted at all times" in badge
