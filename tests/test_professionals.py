"""Working with other professionals, as the setting's procedure words it: concerns recorded in
writing, signed and dated by the member of staff and the manager; the professional contacted
with the parents' permission; the parents informed at every stage; need to know."""

import csv
import html
import io
import sqlite3
from datetime import timedelta

import pytest

from doorbook import alerts, audit, clock, concerns, involvements, retention, settings
from doorbook.safeguarding import chronology as safeguarding_chronology
from tests.admin_helpers import MANAGER, PRACTITIONER, give_login, log_in
from tests.conftest import DEMO_ZONE
from tests.kiosk_helpers import HX, identify
from tests.kiosk_helpers import text_of as raw_text
from tests.professionals_helpers import (
    AISHA,
    SALT,
    a_concern,
    a_referral_with_consent,
    child_id,
    key_person_login,
    manager,
    organisation_id,
)
from tests.test_kiosk_visitors import booking, invited_sign_in, unannounced


def text_of(response) -> str:
    """The page's words, as a reader sees them (apostrophes unescaped)."""
    return html.unescape(raw_text(response))


@pytest.fixture
def aisha(demo_db):
    return key_person_login(demo_db)


def concern_form(child: int, password: str = AISHA[1], **changes) -> dict:
    return {
        "child_id": str(child),
        "seen_or_heard": "Amelia flinched and cried when Daddy's name came up at story time.",
        "happened_at": f"{clock.local(clock.now(), DEMO_ZONE):%Y-%m-%dT%H:%M}",
        "location": "Book corner",
        "words_used": "I don't want to go home",
        "action_taken": "Reassured her; told Priya at 11:05.",
        "password": password,
        **changes,
    }


# ---- Concerns, signed and dated ----


def test_a_concern_has_two_signatures_and_dates_the_key_persons_and_the_managers(
    demo_client, demo_db, aisha
):
    amelia = child_id(demo_db, "Amelia")
    log_in(demo_client, AISHA)
    response = demo_client.post("/admin/concerns/new", data=concern_form(amelia))
    assert response.status_code == 302
    page = text_of(demo_client.get(response.headers["Location"]))
    assert "Signed by <strong>Aisha Begum</strong> on" in page
    assert "Waiting for the manager's countersignature" in page
    (concern,) = concerns.for_child(demo_db, amelia)

    log_in(demo_client, MANAGER)
    # The manager's own password, typed again: a session alone does not sign.
    wrong = demo_client.post(
        f"/admin/concerns/{concern.id}/countersign", data={"password": AISHA[1]}
    )
    assert wrong.status_code == 400 and "That is not your password" in text_of(wrong)
    assert not concerns.get(demo_db, concern.id).countersigned
    signed = demo_client.post(
        f"/admin/concerns/{concern.id}/countersign", data={"password": MANAGER[1]}
    )
    assert signed.status_code == 302
    page = text_of(demo_client.get(f"/admin/children/{amelia}/chronology"))
    assert "Signed by <strong>Aisha Begum</strong> on" in page
    assert "Countersigned by <strong>Priya Sharma</strong> on" in page
    assert "Unchanged since it was signed." in page
    concern = concerns.get(demo_db, concern.id)
    author, counter = concern.signature("author"), concern.signature("countersignature")
    assert author.staff_name == "Aisha Begum" and counter.staff_name == "Priya Sharma"
    assert author.signed_at <= counter.signed_at  # both dated, in UTC
    assert len(author.content_hash) == 64 and author.content_hash != counter.content_hash


def test_a_wrong_password_signs_nothing_and_is_audited(demo_client, demo_db, aisha):
    log_in(demo_client, AISHA)
    response = demo_client.post(
        "/admin/concerns/new", data=concern_form(child_id(demo_db, "Amelia"), "not mine")
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "That is not your password, so nothing was signed" in page
    assert "Amelia flinched" in page, "what was typed is kept"
    assert demo_db["concerns"].count == 0
    actions = [r[0] for r in demo_db.execute("SELECT action FROM audit_log")]
    assert "signature_refused" in actions


def test_a_signed_concern_can_never_be_edited(demo_client, demo_db, aisha):
    amelia = child_id(demo_db, "Amelia")
    concern_id = a_concern(demo_db, aisha, AISHA[1], amelia)
    with pytest.raises(sqlite3.IntegrityError, match="never edited"):
        demo_db.execute("UPDATE concerns SET seen_or_heard = 'nothing' WHERE id = ?", [concern_id])
    with pytest.raises(sqlite3.IntegrityError, match="never edited"):
        demo_db.execute("UPDATE concern_signatures SET staff_name = 'someone else'")
    log_in(demo_client, MANAGER)
    for method in ("POST", "PUT", "PATCH"):  # there is no edit, by any door
        assert demo_client.open(f"/admin/concerns/{concern_id}", method=method).status_code in (
            404,
            405,
        )


def test_a_change_behind_the_signatures_shows_and_cannot_be_countersigned(
    demo_client, demo_db, aisha
):
    amelia = child_id(demo_db, "Amelia")
    concern_id = a_concern(demo_db, aisha, AISHA[1], amelia)
    # Someone with the database file itself drops the guard and rewrites the words.
    demo_db.execute("DROP TRIGGER concerns_no_update")
    demo_db.execute("UPDATE concerns SET words_used = 'I fell over' WHERE id = ?", [concern_id])
    demo_db.conn.commit()
    log_in(demo_client, MANAGER)
    page = text_of(demo_client.get(f"/admin/children/{amelia}/chronology"))
    assert "CHANGED SINCE IT WAS SIGNED" in page
    refused = demo_client.post(
        f"/admin/concerns/{concern_id}/countersign", data={"password": MANAGER[1]}
    )
    assert refused.status_code == 400 and "changed since it was signed" in text_of(refused)


def test_a_correction_is_a_new_signed_entry_shown_as_a_correction(demo_client, demo_db, aisha):
    amelia = child_id(demo_db, "Amelia")
    original = a_concern(demo_db, aisha, AISHA[1], amelia, location="Garden")
    before = concerns.get(demo_db, original)
    log_in(demo_client, AISHA)
    response = demo_client.post(
        f"/admin/concerns/{original}/correction",
        data=concern_form(amelia, location="Pre-school room, not the garden"),
    )
    assert response.status_code == 302
    after = concerns.get(demo_db, original)
    assert after == before, "the original is untouched"
    (correction,) = [c for c in concerns.for_child(demo_db, amelia) if c.corrects_id]
    assert correction.corrects_id == original and correction.signature("author")
    page = text_of(demo_client.get(f"/admin/children/{amelia}/chronology"))
    assert f'Correction to <a href="#concern-{original}">concern {original}</a>' in page
    assert "Pre-school room, not the garden" in page and "Garden" in page


def test_the_author_never_countersigns_their_own_concern_nor_does_a_practitioner(
    demo_client, demo_db, aisha
):
    boss = manager(demo_db)
    concern_id = a_concern(demo_db, boss, MANAGER[1], child_id(demo_db, "Amelia"))
    with pytest.raises(concerns.ConcernProblem, match="You wrote this concern"):
        concerns.countersign(demo_db, boss, MANAGER[1], concern_id)
    with pytest.raises(concerns.ConcernProblem, match="Only the manager or deputy"):
        concerns.countersign(demo_db, aisha, AISHA[1], concern_id)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("seen_or_heard", "", "Please enter what you saw or heard."),
        ("seen_or_heard", "x" * 10_000, "under 2000 characters"),
        ("action_taken", "Told \u202eRachel", "hidden text-direction characters"),
        ("location", "Room\x00 2", "control character"),
        ("happened_at", "yesterday", "as a date and time"),
        ("happened_at", "2999-01-01T10:00", "not in the future"),
        ("child_id", "99999", "from the list"),
        ("password", "", "type your own password"),
        ("password", "p" * 10_000, "That is not your password"),
    ],
)
def test_bad_input_on_the_concern_form_is_named_in_the_page(
    demo_client, demo_db, aisha, field, value, message
):
    log_in(demo_client, AISHA)
    data = concern_form(child_id(demo_db, "Amelia"), **{field: value})
    response = demo_client.post("/admin/concerns/new", data=data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert demo_db["concerns"].count == 0


def test_odd_unicode_and_html_in_a_concern_are_kept_and_shown_as_text(demo_client, demo_db, aisha):
    amelia = child_id(demo_db, "Amelia")
    log_in(demo_client, AISHA)
    words = "Zażółć 😢 <script>alert(1)</script> \u0645\u0631\u062d\u0628\u0627"
    demo_client.post("/admin/concerns/new", data=concern_form(amelia, words_used=words))
    raw = raw_text(demo_client.get(f"/admin/children/{amelia}/chronology"))
    assert "Zażółć 😢 &lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<script>alert(1)" not in raw


# ---- Need to know ----


def test_a_practitioner_who_is_not_the_key_person_gets_403_on_the_childs_concerns(
    demo_client, demo_db, aisha
):
    give_login(demo_db, "Sam Kowalski", *PRACTITIONER)
    amelia, noah = child_id(demo_db, "Amelia"), child_id(demo_db, "Noah")
    concern_id = a_concern(demo_db, aisha, AISHA[1], amelia)
    log_in(demo_client, PRACTITIONER)
    for url in (
        f"/admin/children/{amelia}/chronology",
        f"/admin/children/{amelia}/chronology/print",
    ):
        response = demo_client.get(url)
        assert response.status_code == 403, url
        assert "Need to know" in text_of(response) and "flinched" not in text_of(response)
    assert demo_client.post(f"/admin/concerns/{concern_id}/correction").status_code == 403
    overview = text_of(demo_client.get("/admin/professionals"))
    assert "Amelia Hart" not in overview and "Noah Adeyemi" in overview
    assert demo_client.get(f"/admin/children/{noah}/chronology").status_code == 200
    # Anyone with a login may still raise a concern about any child.
    response = demo_client.post("/admin/concerns/new", data=concern_form(amelia, PRACTITIONER[1]))
    assert response.status_code == 302 and response.headers["Location"] == "/admin/professionals"
    assert "recorded, signed by you and dated" in text_of(demo_client.get("/admin/professionals"))


def test_every_view_print_and_export_is_audited(demo_client, demo_db, aisha):
    amelia = child_id(demo_db, "Amelia")
    log_in(demo_client, AISHA)
    demo_client.get(f"/admin/children/{amelia}/chronology")
    demo_client.get(f"/admin/children/{amelia}/chronology/print")
    demo_client.post(f"/admin/children/{amelia}/chronology/export", data={"export_for": "own_file"})
    rows = list(
        demo_db.query(
            "SELECT action, actor_name, child_id FROM audit_log WHERE action LIKE 'safeguarding_%'"
        )
    )
    assert [r["action"] for r in rows] == [
        "safeguarding_viewed",
        "safeguarding_printed",
        "safeguarding_exported",
    ]
    assert all(r["actor_name"] == "Aisha Begum" and r["child_id"] == amelia for r in rows)


def test_nothing_of_a_concern_reaches_the_kiosk_or_the_dashboard(demo_client, demo_db, aisha):
    a_concern(demo_db, aisha, AISHA[1], child_id(demo_db, "Amelia"))
    a_referral_with_consent(demo_db, aisha, child_id(demo_db, "Amelia"), None)
    kiosk = text_of(identify(demo_client, "482913"))  # Rachel Hart, Amelia's mother
    log_in(demo_client, MANAGER)
    dashboard = text_of(demo_client.get("/admin/dashboard"))
    for page in (kiosk, dashboard):
        assert "bruise" not in page and "speech and language assessment" not in page


# ---- Consent before the visit ----


def test_a_booking_for_a_child_without_consent_needs_a_reason(demo_client, demo_db, aisha):
    amelia = child_id(demo_db, "Amelia")
    salt = organisation_id(demo_db, SALT)
    log_in(demo_client)
    data = {
        "visitor_name": "Grace Mensah",
        "role": "Speech and Language Therapist",
        "organisation_id": salt,
        "child_id": amelia,
        "day": clock.today(DEMO_ZONE).isoformat(),
        "time": "15:00",
    }
    warned = demo_client.post("/admin/bookings", data=data)
    assert warned.status_code == 400
    assert "No consent recorded." in text_of(warned)
    assert "Please enter the reason to go ahead without recorded consent." in text_of(warned)
    reason = "Mother agreed by phone; the letter follows"
    booked = demo_client.post("/admin/bookings", data={**data, "no_consent_reason": reason})
    assert booked.status_code == 302
    row = next(demo_db.query("SELECT * FROM expected_visits ORDER BY id DESC LIMIT 1"))
    assert row["no_consent_reason"] == reason and row["involvement_id"] is None
    # With the referral and the parents' consent recorded, no reason is asked.
    involvement = a_referral_with_consent(demo_db, aisha, amelia, salt)
    assert demo_client.post("/admin/bookings", data={**data, "time": "16:00"}).status_code == 302
    row = next(demo_db.query("SELECT * FROM expected_visits ORDER BY id DESC LIMIT 1"))
    assert row["involvement_id"] == involvement and row["no_consent_reason"] is None


def test_an_unannounced_professional_linked_to_a_child_without_consent_is_on_the_alert(
    demo_client, demo_db
):
    unannounced(demo_client)
    visit = next(demo_db["visits"].rows)
    log_in(demo_client)
    demo_client.post(
        f"/admin/visits/{visit['id']}/child",
        data={"child": child_id(demo_db, "Noah")},
        headers=HX,
    )
    kinds = {a["kind"]: a for a in alerts.open_alerts(demo_db)}
    alert = kinds["visit_without_consent"]
    assert alert["visit_id"] == visit["id"]
    assert "NO CONSENT RECORDED: Priya Gill" in alert["message"]
    dashboard = text_of(demo_client.get("/admin/dashboard"))
    assert "Agency visit without the parents" in dashboard
    assert "No consent recorded for this agency" in dashboard


def test_an_unannounced_visit_linked_to_a_child_with_consent_joins_the_involvement(
    demo_client, demo_db, aisha
):
    noah = child_id(demo_db, "Noah")
    unannounced(demo_client, organisation=SALT)
    involvement = a_referral_with_consent(
        demo_db, manager(demo_db), noah, organisation_id(demo_db, SALT)
    )
    visit = next(demo_db["visits"].rows)
    log_in(demo_client)
    demo_client.post(f"/admin/visits/{visit['id']}/child", data={"child": noah}, headers=HX)
    assert "visit_without_consent" not in {a["kind"] for a in alerts.open_alerts(demo_db)}
    assert demo_db["visits"].get(visit["id"])["involvement_id"] == involvement
    assert "No consent recorded" not in text_of(demo_client.get("/admin/dashboard"))


# ---- Parents informed at every stage ----


def test_each_visit_leaves_a_parents_informed_task_overdue_after_the_settings_time(
    demo_client, demo_db, aisha
):
    amelia = child_id(demo_db, "Amelia")
    a_referral_with_consent(demo_db, aisha, amelia, organisation_id(demo_db, SALT))
    referral_task = involvements.tasks(demo_db, [amelia])[0]
    involvements.record_parents_informed(
        demo_db,
        aisha,
        referral_task.stage_id,
        told_at=clock.stamp(),
        told_who="Rachel Hart",
        told_how="in person",
        told_by=aisha.id,
    )
    invited_sign_in(demo_client, booking(demo_db, "Grace Mensah")["reference_code"])
    (task,) = involvements.tasks(demo_db, [amelia])
    assert task.task == (
        "Tell Daniel Hart or Rachel Hart about today's speech and language assessment visit"
    )
    assert not task.overdue
    with clock.freeze(clock.now() + timedelta(hours=25)):
        assert involvements.tasks(demo_db, [amelia])[0].overdue
        log_in(demo_client, AISHA)
        page = text_of(demo_client.get("/admin/professionals"))
        assert "1 overdue" in page and "OVERDUE" in page
        settings.set_many(demo_db, {"parents_informed_within_hours": "48"})
        assert not involvements.tasks(demo_db, [amelia])[0].overdue

    response = demo_client.post(
        f"/admin/stages/{task.stage_id}/parents-informed",
        data={
            "told_who": "Rachel Hart",
            "told_at": f"{clock.local(clock.now(), DEMO_ZONE):%Y-%m-%dT%H:%M}",
            "told_how": "in person",
            "told_by": str(aisha.id),
        },
    )
    assert response.status_code == 302
    assert involvements.tasks(demo_db, [amelia]) == []
    page = text_of(demo_client.get(f"/admin/children/{amelia}/chronology"))
    assert "Parents informed: Rachel Hart told in person by Aisha Begum" in page
    assert "Visit from Grace Mensah, Speech and Language Therapist" in page


def test_only_the_dsl_decides_the_parents_are_not_told(demo_client, demo_db, aisha):
    amelia = child_id(demo_db, "Amelia")
    a_referral_with_consent(demo_db, aisha, amelia, None)
    (task,) = involvements.tasks(demo_db, [amelia])
    with pytest.raises(involvements.InvolvementProblem, match="Only the DSL"):
        involvements.record_not_told(demo_db, aisha, task.stage_id, reason="risk")
    log_in(demo_client)
    empty = demo_client.post(
        f"/admin/stages/{task.stage_id}/parents-informed", data={"not_told": "yes"}
    )
    assert empty.status_code == 400 and "Please enter the DSL" in text_of(empty)
    demo_client.post(
        f"/admin/stages/{task.stage_id}/parents-informed",
        data={"not_told": "yes", "not_told_reason": "Strategy meeting advised not yet"},
    )
    page = text_of(demo_client.get(f"/admin/children/{amelia}/chronology"))
    assert "Parents not told: Strategy meeting advised not yet (DSL: Priya Sharma)" in page


def test_a_referral_needs_consent_or_the_dsls_reason(demo_client, demo_db, aisha):
    amelia = child_id(demo_db, "Amelia")
    log_in(demo_client, AISHA)
    data = {
        "agency": "Portage service",
        "purpose": "home learning support",
        "referral_at": f"{clock.local(clock.now(), DEMO_ZONE):%Y-%m-%dT%H:%M}",
    }
    missing = demo_client.post(f"/admin/children/{amelia}/involvements", data=data)
    assert missing.status_code == 400 and "Please enter who gave consent" in text_of(missing)
    not_mine = demo_client.post(
        f"/admin/children/{amelia}/involvements",
        data={**data, "consent_not_sought": "yes", "not_sought_reason": "x"},
    )
    assert not_mine.status_code == 400 and "Only the DSL" in text_of(not_mine)
    ok = demo_client.post(
        f"/admin/children/{amelia}/involvements",
        data={
            **data,
            "consent_given_by": "Rachel Hart",
            "consent_given_on": clock.today(DEMO_ZONE).isoformat(),
            "consent_how": "verbal",
        },
    )
    assert ok.status_code == 302
    page = text_of(demo_client.get(f"/admin/children/{amelia}/chronology"))
    assert "Consent given by Rachel Hart on" in page and "(verbal)" in page


# ---- Other agencies' information ----


def test_an_agencys_report_goes_to_someone_else_only_with_that_agencys_consent(
    demo_client, demo_db, aisha
):
    amelia = child_id(demo_db, "Amelia")
    involvement = a_referral_with_consent(demo_db, aisha, amelia, None)
    report = involvements.add_stage(
        demo_db,
        aisha,
        involvement,
        kind="report",
        happened_at=clock.stamp(),
        summary="Assessment: expressive language delay; 6 weekly sessions advised.",
        from_agency=True,
    )
    log_in(demo_client, MANAGER)
    school = "Brixton Primary reception class"
    asked = demo_client.post(
        f"/admin/children/{amelia}/chronology/export",
        data={"export_for": "someone_else", "shared_with": school},
    )
    assert asked.status_code == 409
    assert f"Record that agency's consent to share it with {school} first" in text_of(asked)
    without = demo_client.post(
        f"/admin/children/{amelia}/chronology/export",
        data={"export_for": "someone_else", "shared_with": school, "without_reports": "yes"},
    )
    assert "expressive language delay" not in text_of(without)
    assert f"Report from {SALT}: not shared without that agency's consent." in text_of(without)
    demo_client.post(
        f"/admin/stages/{report}/agency-consent",
        data={"shared_with": school, "given_by": "Grace Mensah", "given_on": "2026-01-05"},
    )
    shared = demo_client.post(
        f"/admin/children/{amelia}/chronology/export",
        data={"export_for": "someone_else", "shared_with": school},
    )
    assert shared.status_code == 200 and shared.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text_of(shared))))
    assert rows[0] == ["when", "what", "entry", "details", "by"]
    assert any("expressive language delay" in row[3] for row in rows)


# ---- Retention ----


def test_safeguarding_records_go_after_the_setting_but_never_with_a_protection_plan(demo_db, aisha):
    amelia, isla = child_id(demo_db, "Amelia"), child_id(demo_db, "Isla")  # Isla: CP plan
    for child in (amelia, isla):
        a_concern(demo_db, aisha, AISHA[1], child)
        a_referral_with_consent(demo_db, aisha, child, None)
        demo_db.execute("UPDATE children SET left_on = '2015-01-01' WHERE id = ?", [child])
    demo_db.conn.commit()
    settings.set_many(demo_db, {"retention_safeguarding_years_after_leaving": "25"})
    assert retention.plan_purge(demo_db).safeguarding.children == []
    settings.set_many(demo_db, {"retention_safeguarding_years_after_leaving": "6"})
    plan = retention.plan_purge(demo_db)
    assert plan.safeguarding.children == [amelia]
    assert plan.safeguarding.kept_for_child_protection == 1
    retention.purge(demo_db, audit.SYSTEM)
    assert (
        concerns.for_child(demo_db, amelia) == [] and involvements.for_child(demo_db, amelia) == []
    )
    assert len(concerns.for_child(demo_db, isla)) == 1
    with pytest.raises(sqlite3.IntegrityError, match="child protection plan"):
        demo_db.execute("DELETE FROM concerns WHERE child_id = ?", [isla])


# ---- Every form: empty, too long, odd and hostile input answer in the page, never a 500 ----

HOSTILE = {
    "empty": "",
    "10k": "x" * 10_000,
    "null": "Ann\x00e",
    "rtl-override": "Ann \u202eLee",
}


def forms(db, aisha):
    """Each of the panel's forms here, with good values and the text fields people type."""
    amelia = child_id(db, "Amelia")
    involvement = a_referral_with_consent(db, aisha, amelia, None)
    (task,) = involvements.tasks(db, [amelia])
    report = involvements.add_stage(
        db,
        aisha,
        involvement,
        kind="report",
        happened_at=clock.stamp(),
        summary="R",
        from_agency=True,
    )
    now = f"{clock.local(clock.now(), DEMO_ZONE):%Y-%m-%dT%H:%M}"
    today = clock.today(DEMO_ZONE).isoformat()
    return [
        (
            f"/admin/children/{amelia}/involvements",
            {
                "agency": "Portage",
                "purpose": "home learning",
                "referral_at": now,
                "consent_given_by": "Rachel Hart",
                "consent_given_on": today,
                "consent_how": "written",
            },
            ["purpose", "consent_given_by", "referral_at", "consent_given_on"],
        ),
        (
            f"/admin/involvements/{involvement}/stages",
            {"kind": "review", "happened_at": now, "summary": "Review meeting"},
            ["summary", "happened_at", "kind"],
        ),
        (
            f"/admin/stages/{task.stage_id}/parents-informed",
            {
                "told_who": "Rachel Hart",
                "told_at": now,
                "told_how": "by phone",
                "told_by": str(aisha.id),
            },
            ["told_who", "told_at", "told_how", "told_by"],
        ),
        (
            f"/admin/stages/{report}/agency-consent",
            {"shared_with": "Brixton Primary", "given_by": "Grace Mensah", "given_on": today},
            ["shared_with", "given_by", "given_on"],
        ),
        (
            f"/admin/children/{amelia}/chronology/export",
            {
                "export_for": "someone_else",
                "shared_with": "Brixton Primary",
                "without_reports": "yes",
            },
            ["shared_with"],
        ),
    ]


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_every_form_answers_bad_input_in_the_page(demo_client, demo_db, aisha, kind):
    log_in(demo_client, AISHA)
    for url, good, fields in forms(demo_db, aisha):
        for name in fields:
            response = demo_client.post(url, data={**good, name: HOSTILE[kind]})
            assert response.status_code == 400, f"{url} {name}={kind}"
            body = raw_text(response)
            assert 'class="error' in body and "Traceback" not in body, f"{url} {name}"


def test_the_chronology_lists_concerns_involvements_visits_and_stages_in_order(
    demo_client, demo_db, aisha
):
    amelia = child_id(demo_db, "Amelia")
    start = clock.now()
    invited_sign_in(demo_client, booking(demo_db, "Grace Mensah")["reference_code"])
    demo_db.execute("DELETE FROM involvement_stages")  # as a visit from before stages
    demo_db.conn.commit()
    with clock.freeze(start + timedelta(minutes=1)):
        a_concern(demo_db, aisha, AISHA[1], amelia, happened_at=clock.stamp())
    with clock.freeze(start + timedelta(minutes=2)):
        a_referral_with_consent(demo_db, aisha, amelia, None)
    kinds = [entry.kind for entry in safeguarding_chronology(demo_db, amelia)]
    assert kinds == ["visit", "concern", "involvement", "referral"]


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_correction_with_bad_input_signs_nothing_and_says_why(demo_client, demo_db, aisha, kind):
    amelia = child_id(demo_db, "Amelia")
    original = a_concern(demo_db, aisha, AISHA[1], amelia)
    log_in(demo_client, AISHA)
    response = demo_client.post(
        f"/admin/concerns/{original}/correction",
        data=concern_form(amelia, seen_or_heard=HOSTILE[kind]),
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was signed:" in page and "what you saw or heard" in page
    assert len(concerns.for_child(demo_db, amelia)) == 1


def test_a_child_keeps_their_name_while_their_concerns_are_kept(demo_db, aisha):
    amelia = child_id(demo_db, "Amelia")
    a_concern(demo_db, aisha, AISHA[1], amelia)
    demo_db.execute("UPDATE children SET left_on = '2020-01-01' WHERE id = ?", [amelia])
    demo_db.conn.commit()
    plan = retention.purge(demo_db, audit.SYSTEM)  # the register's 3 years have passed
    assert amelia not in plan.children_anonymised
    assert demo_db["children"].get(amelia)["first_name"] == "Amelia"
    assert len(concerns.for_child(demo_db, amelia)) == 1
