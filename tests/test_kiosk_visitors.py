"""Visiting professionals and other visitors: invitations, unannounced visits, badges,
signing out, and supervision (K3)."""

import re

import pytest

from doorbook import alerts, clock, credentials, supervision, visits
from doorbook.audit import SYSTEM
from doorbook.db import write
from tests.kiosk_helpers import HX, demo_child_words, identify, nonce_of, text_of


def booking(db, visitor):
    return next(db.query("SELECT * FROM expected_visits WHERE visitor_name = ?", [visitor]))


def start(client, url):
    return text_of(client.get(url, headers=HX))


def invited_sign_in(client, code):
    page = text_of(client.post("/professional/invitation", data={"code": code}, headers=HX))
    return page, client.post(
        "/professional/invitation/confirm", data={"nonce": nonce_of(page)}, headers=HX
    )


def unannounced(client, **fields):
    page = start(client, "/professional/details")
    data = {
        "nonce": nonce_of(page),
        "name": "Priya Gill",
        "organisation": "Lambeth Early Help",
        "role": "Social worker",
        "phone": "020 7946 0001",
        "child": "Noah Adeyemi",
        **fields,
    }
    return client.post("/professional/details", data=data, headers=HX)


def staff_in(client, pin):
    page = text_of(identify(client, pin, journey="staff"))
    client.post("/staff/sign-in", data={"nonce": nonce_of(page)}, headers=HX)


@pytest.fixture
def issued(monkeypatch):
    """The badge tokens the kiosk issues (on screen they exist only inside the QR code)."""
    tokens = []
    real = credentials.new_token

    def recording(*args):
        tokens.append(visits.BADGE_PREFIX + real(*args))
        return tokens[-1][len(visits.BADGE_PREFIX) :]

    monkeypatch.setattr(visits.credentials, "new_token", recording)
    return tokens


# ---- Invited professionals ----


def test_an_invited_professional_confirms_their_own_details_and_gets_a_badge(demo_client, demo_db):
    code = booking(demo_db, "Grace Mensah")["reference_code"]
    page, response = invited_sign_in(demo_client, code.lower().replace("-", " "))
    for shown in ("Grace Mensah", "Speech and Language Therapist", "11:00", "Amelia"):
        assert shown in page
    assert "Hart" not in page, "only the child's first name"
    badge = text_of(response)
    assert "Grace Mensah" in badge and "Escorted at all times" in badge and "<svg" in badge
    visit = next(demo_db["visits"].rows)
    assert visit["child_id"] == booking(demo_db, "Grace Mensah")["child_id"]
    assert visit["kind"] == "agency"


def test_the_invitation_qr_token_works_like_the_code(demo_client, demo_db):
    code = booking(demo_db, "Mark Ellis")["reference_code"]
    token = credentials.invitation_token(demo_db, code)
    page = text_of(
        demo_client.post("/professional/invitation", data={"credential": token}, headers=HX)
    )
    assert "Mark Ellis" in page and "Isla" in page


def test_an_invited_visit_without_a_supervisor_on_site_starts_unsupervised(demo_client, demo_db):
    invited_sign_in(demo_client, booking(demo_db, "Dr Helen Brooks")["reference_code"])
    visit = next(demo_db["visits"].rows)
    assert supervision.supervisor_of(demo_db, visit["id"]) is None
    (alert,) = alerts.open_alerts(demo_db)
    assert alert["kind"] == "unsupervised_visit" and "Maya Patel" in alert["message"]
    assert "booked supervisor is not signed in" in alert["message"]


def test_an_invited_visit_is_supervised_when_the_booked_supervisor_is_on_site(demo_client, demo_db):
    staff_in(demo_client, "731850")  # Aisha Begum, booked to supervise Dr Brooks
    invited_sign_in(demo_client, booking(demo_db, "Dr Helen Brooks")["reference_code"])
    visit = next(demo_db["visits"].rows)
    assert supervision.supervisor_of(demo_db, visit["id"])["name"] == "Aisha Begum"
    assert alerts.open_alerts(demo_db) == []


def test_an_invitation_works_once_and_only_on_its_day(demo_client, demo_db):
    code = booking(demo_db, "Grace Mensah")["reference_code"]
    invited_sign_in(demo_client, code)
    again = text_of(demo_client.post("/professional/invitation", data={"code": code}, headers=HX))
    assert "could not find that invitation" in again
    other = booking(demo_db, "Mark Ellis")
    with write(demo_db):
        demo_db.execute("UPDATE expected_visits SET day = '2020-01-01' WHERE id = ?", [other["id"]])
    old = text_of(
        demo_client.post(
            "/professional/invitation", data={"code": other["reference_code"]}, headers=HX
        )
    )
    assert "could not find that invitation" in old


def test_a_cancelled_invitation_does_not_work(demo_client, demo_db):
    other = booking(demo_db, "Mark Ellis")
    with write(demo_db):
        demo_db.execute(
            "UPDATE expected_visits SET cancelled_at = ? WHERE id = ?", [clock.stamp(), other["id"]]
        )
    page = text_of(
        demo_client.post(
            "/professional/invitation", data={"code": other["reference_code"]}, headers=HX
        )
    )
    assert "could not find that invitation" in page


def test_a_double_tap_on_confirm_signs_in_once(demo_client, demo_db):
    code = booking(demo_db, "Grace Mensah")["reference_code"]
    page = text_of(demo_client.post("/professional/invitation", data={"code": code}, headers=HX))
    first = demo_client.post(
        "/professional/invitation/confirm", data={"nonce": nonce_of(page)}, headers=HX
    )
    second = demo_client.post(
        "/professional/invitation/confirm", data={"nonce": nonce_of(page)}, headers=HX
    )
    assert text_of(first) == text_of(second)
    assert demo_db["visits"].count == 1


# ---- Unannounced professionals and other visitors ----


def test_an_unannounced_professional_is_unsupervised_and_the_typed_child_kept(demo_client, demo_db):
    badge = text_of(unannounced(demo_client))
    assert "Priya Gill" in badge and "Escorted at all times" in badge
    visit = next(demo_db["visits"].rows)
    assert visit["child_id"] is None and visit["child_name_typed"] == "Noah Adeyemi"
    (alert,) = alerts.open_alerts(demo_db)
    assert alert["kind"] == "unsupervised_visit"
    assert "'Noah Adeyemi'" in alert["message"] and "Priya Gill" in alert["message"]


def test_the_kiosk_never_confirms_a_typed_child(demo_client):
    real = text_of(unannounced(demo_client, name="A One", child="Amelia Hart"))
    made_up = text_of(unannounced(demo_client, name="B Two", child="Nobody Real"))
    assert "Amelia" not in real and "Hart" not in real

    def without_the_visitor(page):  # their own name, time and badge differ; nothing else may
        return re.sub(r"<svg.*?</svg>|[AB] (One|Two)|\d\d:\d\d", "", page, flags=re.S)

    assert without_the_visitor(real) == without_the_visitor(made_up)


def test_another_visitor_signs_in_with_no_child(demo_client, demo_db):
    page = start(demo_client, "/visitor")
    response = demo_client.post(
        "/visitor",
        data={
            "nonce": nonce_of(page),
            "name": "Dave Price",
            "organisation": "Sparks Electrical",
            "purpose": "Fire alarm service",
            "here_to_see": "Priya Sharma",
        },
        headers=HX,
    )
    badge = text_of(response)
    assert "Dave Price" in badge and "Escorted at all times" not in badge
    visit = next(demo_db["visits"].rows)
    assert visit["kind"] == "other" and visit["child_id"] is None
    assert alerts.open_alerts(demo_db) == []
    # The public list names the visitor, never their organisation.
    assert [v.shown_as for v in visits.public_visitor_list(demo_db)] == ["Dave P."]


def test_a_visitor_already_on_site_who_signs_in_again_is_told(demo_client, demo_db):
    unannounced(demo_client)
    again = text_of(unannounced(demo_client))
    assert "already signed in today" in again
    assert demo_db["visits"].count == 1


@pytest.mark.parametrize("field", ["name", "organisation", "role", "phone", "child"])
@pytest.mark.parametrize(
    "value",
    ["", "x" * 10_000, "Grace\x00Mensah", "Grace \u202eMensah", "<script>alert(1)</script>"],
    ids=["empty", "10k", "null", "rtl-override", "script"],
)
def test_bad_input_on_the_professional_form_gets_a_clear_message(
    demo_client, demo_db, field, value
):
    response = unannounced(demo_client, **{field: value})
    body = text_of(response)
    assert response.status_code == 200
    assert "<script>alert(1)" not in body
    if field == "phone" and value == "":
        assert demo_db["visits"].count == 1  # the phone number is optional
        return
    if field in ("name", "organisation", "role", "child") and value.startswith("<script>"):
        assert demo_db["visits"].count == 1  # stored as text, shown escaped
        assert "&lt;script&gt;" in body or field in ("child", "role")
        return
    assert demo_db["visits"].count == 0
    assert 'class="error"' in body


def test_emoji_and_odd_unicode_in_names_are_kept(demo_client, demo_db):
    page = start(demo_client, "/visitor")
    demo_client.post(
        "/visitor",
        data={
            "nonce": nonce_of(page),
            "name": "Zoë Ångström 🙂",
            "organisation": "",
            "purpose": "Tour",
            "here_to_see": "Priya",
        },
        headers=HX,
    )
    assert next(demo_db["visitors"].rows)["name"] == "Zoë Ångström 🙂"


# ---- Signing out ----


def test_a_visitor_signs_out_with_their_badge_and_it_stops_working(demo_client, demo_db, issued):
    unannounced(demo_client)
    (token,) = issued
    done = text_of(demo_client.post("/signing-out/badge", data={"credential": token}, headers=HX))
    assert "Priya G. signed out at" in done
    again = text_of(demo_client.post("/signing-out/badge", data={"credential": token}, headers=HX))
    assert "That badge was not recognised" in again
    assert next(demo_db["visits"].rows)["signed_out_at"]


def test_a_visitor_picks_their_name_and_confirms(demo_client, demo_db):
    unannounced(demo_client)
    page = start(demo_client, "/signing-out")
    assert "Priya G." in page
    for word in demo_child_words():
        assert word not in page
    visit = next(demo_db["visits"].rows)["id"]
    confirm = text_of(
        demo_client.post("/signing-out/choose", data={"visit": str(visit)}, headers=HX)
    )
    assert "Sign out Priya G.?" in confirm
    done = demo_client.post("/signing-out/confirm", data={"nonce": nonce_of(confirm)}, headers=HX)
    assert "signed out at" in text_of(done)
    assert visits.public_visitor_list(demo_db) == []


def test_a_forged_visit_number_cannot_sign_anyone_out(demo_client, demo_db):
    unannounced(demo_client)
    start(demo_client, "/signing-out")
    page = text_of(demo_client.post("/signing-out/choose", data={"visit": "999"}, headers=HX))
    assert "Scan the QR code on your badge" in page
    assert (
        demo_db.execute("SELECT count(*) FROM visits WHERE signed_out_at IS NULL").fetchone()[0]
        == 1
    )


def test_signing_out_ends_supervision_and_resolves_the_alert(demo_client, demo_db, issued):
    staff_in(demo_client, "731850")
    unannounced(demo_client)
    (token,) = issued
    visit = next(demo_db["visits"].rows)["id"]
    aisha = demo_db.execute("SELECT id FROM staff WHERE name = 'Aisha Begum'").fetchone()[0]
    supervision.assign(demo_db, visit, aisha, SYSTEM)
    demo_client.post("/signing-out/badge", data={"credential": token}, headers=HX)
    assert supervision.supervisor_of(demo_db, visit) is None
    assert alerts.open_alerts(demo_db) == []
    period = next(demo_db["supervision_periods"].rows)
    assert period["ended_because"] == "visitor signed out"


def test_badge_tokens_are_random_and_carry_no_personal_data(demo_client, demo_db, issued):
    first_page = text_of(unannounced(demo_client, name="Ann Lee"))
    unannounced(demo_client, name="Bo Lee")
    first, second = issued
    assert first != second and len(first) > 30
    assert first not in first_page, "the token is only in the QR code"
    for token in (first, second):
        assert "Lee" not in token and "Lambeth" not in token
    stored = str(list(demo_db["visits"].rows))
    assert first not in stored and second not in stored


def test_every_visitor_sign_in_and_out_is_audited(demo_client, demo_db, issued):
    unannounced(demo_client)
    (token,) = issued
    demo_client.post("/signing-out/badge", data={"credential": token}, headers=HX)
    actions = [r["action"] for r in demo_db.query("SELECT action FROM audit_log ORDER BY id")]
    assert "visitor_signed_in" in actions and "visitor_signed_out" in actions
    assert "alert_raised" in actions
