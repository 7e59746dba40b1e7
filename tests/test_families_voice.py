"""Families' voice: complaints answered in time and kept 3 years, views sought at the door
(anonymous, asked once), contact details confirmed once a term."""

from datetime import UTC, date, datetime

import pytest

from doorbook import alerts, audit, clock, complaints, details_check, exports, questions, retention
from tests.admin_helpers import log_in
from tests.conftest import DEMO_ZONE
from tests.kiosk_helpers import HX, child_ids, identify, nonce_of, text_of

MANAGER_ACTOR = audit.Actor("staff", 1, "Priya Shah")
MONDAY = date(2026, 11, 2)


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def a_complaint(db, actor=MANAGER_ACTOR, **overrides) -> int:
    values = {
        "received_on": MONDAY,
        "complainant_kind": "parent_carer",
        "complainant_name": "Rachel Hart",
        "contact_id": None,
        "child_id": None,
        "channel": "written",
        "category": "complaint",
        "nature": "collection",
        "details": "The gate was left open at collection.",
        **overrides,
    }
    return complaints.record(db, actor, values)


def open_alerts(db, kind):
    return list(db.query("SELECT * FROM alerts WHERE kind = ? AND resolved_at IS NULL", [kind]))


# ---- Complaints ----


def test_a_written_complaint_on_a_monday_is_due_for_acknowledgement_ten_days_later(demo_db):
    with clock.freeze(noon(MONDAY)):
        complaint_id = a_complaint(demo_db)
    row = complaints.get(demo_db, complaint_id)
    assert row["acknowledgement_due"] == "2026-11-12"
    assert row["feedback_due"] == "2026-11-30"


def test_a_verbal_complaint_has_no_acknowledgement_clock_but_feedback_in_28_days(demo_db):
    with clock.freeze(noon(MONDAY)):
        complaint_id = a_complaint(demo_db, channel="verbal")
    row = complaints.get(demo_db, complaint_id)
    assert row["acknowledgement_due"] is None
    assert [d.what for d in complaints.deadlines(row)] == ["feedback"]


def test_a_missed_acknowledgement_raises_one_alert_and_acknowledging_resolves_it(demo_db):
    with clock.freeze(noon(MONDAY)):
        complaint_id = a_complaint(demo_db)
    with clock.freeze(noon(date(2026, 11, 10))):  # two days before: a reminder
        assert complaints.check_deadlines(demo_db) == 1
    [soon] = open_alerts(demo_db, "complaint_due")
    assert "acknowledgement is due by 2026-11-12" in soon["message"]
    assert "Rachel" not in soon["message"]
    with clock.freeze(noon(date(2026, 11, 13))):  # the day after: missed
        assert complaints.check_deadlines(demo_db) == 1
        assert complaints.check_deadlines(demo_db) == 0  # once, not at every check
    [missed] = open_alerts(demo_db, "complaint_overdue")
    assert "was due on 2026-11-12" in missed["message"]
    with clock.freeze(noon(date(2026, 11, 13))):
        complaints.acknowledge(demo_db, MANAGER_ACTOR, complaint_id, date(2026, 11, 13))
    assert open_alerts(demo_db, "complaint_overdue") == []
    assert open_alerts(demo_db, "complaint_due") == []
    row = complaints.get(demo_db, complaint_id)
    assert complaints.deadlines(row)[0].state(date(2026, 11, 13)) == "done late"


def test_feedback_closes_the_complaint_and_an_appeal_reopens_it(demo_db):
    with clock.freeze(noon(MONDAY)):
        complaint_id = a_complaint(demo_db)
    with clock.freeze(noon(date(2026, 11, 20))):
        complaints.give_feedback(
            demo_db,
            MANAGER_ACTOR,
            complaint_id,
            on=date(2026, 11, 20),
            outcome="upheld",
            outcome_note="We apologised.",
            action_taken="A second latch was fitted to the gate.",
        )
        assert complaints.get(demo_db, complaint_id)["closed_on"] == "2026-11-20"
        complaints.record_appeal(
            demo_db, MANAGER_ACTOR, complaint_id, on=date(2026, 11, 20), appeal="Not enough."
        )
    assert complaints.get(demo_db, complaint_id)["closed_on"] is None
    actions = [
        r[0]
        for r in demo_db.execute(
            "SELECT action FROM audit_log WHERE subject_kind = 'complaints' ORDER BY id"
        )
    ]
    assert actions == ["complaint_recorded", "complaint_feedback_given", "complaint_appeal"]


def test_the_ofsted_summary_names_nobody(demo_db):
    amelia = demo_db.execute("SELECT id FROM children WHERE first_name = 'Amelia'").fetchone()[0]
    with clock.freeze(noon(MONDAY)):
        complaint_id = a_complaint(demo_db, child_id=amelia)
    with clock.freeze(noon(date(2026, 11, 20))):
        with pytest.raises(complaints.ComplaintProblem, match="Amelia"):
            complaints.give_feedback(
                demo_db,
                MANAGER_ACTOR,
                complaint_id,
                on=date(2026, 11, 20),
                outcome="upheld",
                outcome_note="",
                action_taken="Spoke to Amelia's key person.",
            )
        complaints.give_feedback(
            demo_db,
            MANAGER_ACTOR,
            complaint_id,
            on=date(2026, 11, 20),
            outcome="partly_upheld",
            outcome_note="Told Rachel Hart in person.",
            action_taken="Gate procedure retrained with all staff.",
        )
    summary = complaints.ofsted_summary(demo_db, date(2026, 1, 1), date(2026, 12, 31))
    csv_text = exports.to_csv(complaints.SUMMARY_HEADER, complaints.summary_rows(summary))
    text = csv_text.decode("utf-8-sig")
    assert "Drop-off and collection" in text and "Partly upheld" in text
    for name in ("Rachel", "Hart", "Amelia"):
        assert name not in text


def test_a_complaint_closed_more_than_three_years_ago_is_purged_and_a_younger_one_kept(demo_db):
    for day in (date(2022, 10, 1), date(2023, 12, 1)):
        with clock.freeze(noon(day)):
            complaint_id = a_complaint(demo_db, received_on=day)
            complaints.give_feedback(
                demo_db,
                MANAGER_ACTOR,
                complaint_id,
                on=day,
                outcome="not_upheld",
                outcome_note="",
                action_taken="None needed.",
            )
    # A setting that asks for less still keeps complaints for the procedure's 3 years.
    demo_db.execute("INSERT INTO settings (key, value) VALUES ('retention_complaint_years', '1')")
    from doorbook import settings

    settings._cache.clear()
    with clock.freeze(noon(date(2026, 11, 23))):
        plan = retention.purge(demo_db, audit.SYSTEM)
    assert len(plan.complaints) == 1
    kept = [r[0] for r in demo_db.execute("SELECT received_on FROM complaints")]
    assert kept == ["2023-12-01"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("complainant_name", "", "Please enter the complainant"),
        ("complainant_name", "x" * 101, "under 100 characters"),
        ("details", "", "Please enter the details"),
        ("details", "x" * 2001, "under 2000 characters"),
        ("complainant_name", "Eve\u202eevil", "hidden text-direction characters"),
        ("channel", "<script>alert(1)</script>", "Please choose how it came from the list"),
        ("received_on", "2026-13-45", "as a date"),
    ],
)
def test_bad_input_on_the_complaint_form_is_a_clear_message(
    demo_client, demo_db, field, value, message
):
    log_in(demo_client)
    form = {
        "received_on": "2026-11-02",
        "complainant_kind": "parent_carer",
        "complainant_name": "Rachel Hart",
        "channel": "written",
        "category": "complaint",
        "nature": "collection",
        "details": "The gate was open.",
        field: value,
    }
    response = demo_client.post("/admin/complaints", data=form)
    assert response.status_code == 400
    assert message in text_of(response)
    assert "<script>alert(1)</script>" not in text_of(response)
    assert demo_db.execute("SELECT count(*) FROM complaints").fetchone()[0] == 0


def test_a_practitioner_cannot_see_complaints(demo_client, demo_db):
    from tests.admin_helpers import PRACTITIONER, give_login

    give_login(demo_db, "Sam Kowalski", *PRACTITIONER)
    log_in(demo_client, PRACTITIONER)
    assert demo_client.get("/admin/complaints").status_code == 403
    assert demo_client.get("/admin/complaints/summary").status_code == 403


# ---- Views at the door ----


def ask_a_question(db, **translations):
    return questions.ask(
        db,
        MANAGER_ACTOR,
        "How was drop-off today?",
        ["Good", "OK", "Too slow"],
        date(2099, 1, 1),
        translations,
    )


def drop_off(client, pin: str) -> str:
    page = text_of(identify(client, pin))
    response = client.post(
        "/parent/sign-in",
        data={"nonce": nonce_of(page), "child": child_ids(page)},
        headers=HX,
    )
    return text_of(response)


@pytest.mark.parametrize(
    ("question", "answers", "message"),
    [
        ("", ["Yes", "No"], "Please enter the question"),
        ("Open at 7:15?", ["Yes"], "between 2 and 5 answers"),
        ("Open at 7:15?", ["A", "B", "C", "D", "E", "F"], "between 2 and 5 answers"),
        ("Open at 7:15?", ["Yes", "yes"], "each answer once"),
        ("x" * 121, ["Yes", "No"], "under 120 characters"),
        ("Open at 7:15?", ["Yes", "N\u202eo"], "hidden text-direction characters"),
    ],
)
def test_a_question_needs_clear_wording(demo_db, question, answers, message):
    with pytest.raises(questions.QuestionProblem, match=message):
        questions.ask(demo_db, MANAGER_ACTOR, question, answers, date(2099, 1, 1))
    assert demo_db.execute("SELECT count(*) FROM questions").fetchone()[0] == 0


def test_a_parent_is_asked_once_and_the_answer_is_anonymous(demo_client, demo_db):
    question_id = ask_a_question(demo_db)
    done = drop_off(demo_client, "318274")  # Funmi Adeyemi
    assert "How was drop-off today?" in done and "Signed in" in done
    response = demo_client.post("/parent/question", data={"answer": "2"}, headers=HX)
    assert "Thank you" in text_of(response)
    # A double tap counts once.
    demo_client.post("/parent/question", data={"answer": "2"}, headers=HX)
    [result] = questions.results(demo_db)
    assert result.counts == [("Good", 0), ("OK", 0), ("Too slow", 1)]
    columns = {r[1] for r in demo_db.execute("PRAGMA table_info(question_answers)")}
    assert columns == {"id", "question_id", "answer_index"}
    demo_client.get("/", headers=HX)
    again = drop_off(demo_client, "318274")
    assert "already signed in" in again
    assert "How was drop-off today?" not in again
    assert question_id == result.id


def test_a_question_shows_in_the_parents_language_when_the_manager_gave_one(demo_client, demo_db):
    ask_a_question(
        demo_db, pl=("Jak minęło dzisiejsze przyprowadzenie?", ["Dobrze", "OK", "Za wolno"])
    )
    done = drop_off(demo_client, "245781")  # Katarzyna Nowak, Polish
    assert "Jak minęło dzisiejsze przyprowadzenie?" in done
    assert "Dobrze" in done


def test_translations_must_have_as_many_answers(demo_db):
    with pytest.raises(questions.QuestionProblem, match="same number of answers in Polski"):
        ask_a_question(demo_db, pl=("Jak?", ["Dobrze", "Źle"]))


def test_skipping_counts_as_asked_and_counts_no_answer(demo_client, demo_db):
    ask_a_question(demo_db)
    drop_off(demo_client, "318274")
    demo_client.post("/parent/question", data={"answer": "skip"}, headers=HX)
    [result] = questions.results(demo_db)
    assert result.asked == 1 and result.answered == 0


def test_an_answer_without_a_question_asked_is_not_counted(demo_client, demo_db):
    ask_a_question(demo_db)
    identify(demo_client, "318274")
    demo_client.post("/parent/question", data={"answer": "0"}, headers=HX)
    assert questions.results(demo_db)[0].answered == 0


# ---- Contact details confirmed once a term ----


def test_the_number_is_masked_but_for_its_last_digits():
    assert details_check.masked("07700 900101") == "07••• •••101"
    assert details_check.masked("+44 7700 900101") == "+44 •••• •••101"


def make_due(db, name: str) -> int:
    contact_id = db.execute("SELECT id FROM contacts WHERE name = ?", [name]).fetchone()[0]
    db.execute("UPDATE contacts SET phone_confirmed_on = '2025-01-01' WHERE id = ?", [contact_id])
    db.conn.commit()
    return contact_id


def test_a_parent_confirms_their_number_in_one_tap(demo_client, demo_db):
    ask_a_question(demo_db)
    contact_id = make_due(demo_db, "Funmi Adeyemi")
    done = drop_off(demo_client, "318274")
    assert "07••• •••104" in done
    assert "07700 900104" not in done
    assert "How was drop-off today?" not in done  # one thing at a time
    response = demo_client.post("/parent/details", data={"still_right": "yes"}, headers=HX)
    assert "Thank you" in text_of(response)
    confirmed = demo_db.execute(
        "SELECT phone_confirmed_on FROM contacts WHERE id = ?", [contact_id]
    ).fetchone()[0]
    assert confirmed == clock.today(DEMO_ZONE).isoformat()
    assert details_check.is_due(demo_db, contact_id) is None


def test_a_parent_who_says_the_number_is_wrong_is_on_the_office_list(demo_client, demo_db):
    contact_id = make_due(demo_db, "Funmi Adeyemi")
    drop_off(demo_client, "318274")
    response = demo_client.post("/parent/details", data={"still_right": "no"}, headers=HX)
    assert "tell a member of staff" in text_of(response)
    listed = details_check.out_of_date(demo_db)
    assert listed[0].contact_id == contact_id and listed[0].said_wrong_on
    log_in(demo_client)
    page = text_of(demo_client.get("/admin/contact-details"))
    assert "Funmi Adeyemi" in page and "details are wrong" in page
    demo_client.post(f"/admin/contact-details/{contact_id}")
    assert contact_id not in [o.contact_id for o in details_check.out_of_date(demo_db)]


def test_nobody_is_asked_about_details_they_just_gave(demo_db):
    assert all(
        details_check.is_due(demo_db, r[0]) is None
        for r in demo_db.execute("SELECT id FROM contacts")
    )


def test_alerts_for_complaints_are_kinds_the_panel_knows():
    assert {"complaint_due", "complaint_overdue"} <= set(alerts.KINDS)


def test_an_adults_history_shows_their_own_entries_not_a_complaint_with_their_number(
    demo_client, demo_db
):
    contact_id = make_due(demo_db, "Funmi Adeyemi")
    with clock.freeze(noon(MONDAY)):
        complaint_id = a_complaint(demo_db)
        while complaint_id < contact_id:  # a complaint with the adult's own number
            complaint_id = a_complaint(demo_db)
    drop_off(demo_client, "318274")
    demo_client.post("/parent/details", data={"still_right": "yes"}, headers=HX)
    log_in(demo_client)
    page = text_of(demo_client.get(f"/admin/contacts/{contact_id}"))
    assert "contact details confirmed" in page
    assert "complaint recorded" not in page


def test_doorbook_purge_removes_a_complaint_closed_over_three_years_ago(run_cli, tmp_path):
    from doorbook import create_app
    from doorbook.db import get_db

    data = tmp_path / "setting"
    app = create_app({"DATA_DIR": str(data)})
    with app.app_context():
        db = get_db()
        for day in (date(2023, 11, 1), date(2023, 11, 30)):
            with clock.freeze(noon(day)):
                complaint_id = a_complaint(db, audit.SYSTEM, received_on=day)
                complaints.give_feedback(
                    db,
                    audit.SYSTEM,
                    complaint_id,
                    on=day,
                    outcome="not_upheld",
                    outcome_note="",
                    action_taken="None needed.",
                )
    with clock.freeze(noon(date(2026, 11, 23))):  # 3 years after the first, not the second
        dry = run_cli("purge", "--dry-run", data=data)
        assert "1 complaints closed long ago" in dry.output
        result = run_cli("purge", data=data)
    assert result.exit_code == 0, result.output
    assert "Removed:" in result.output and "1 complaints closed long ago" in result.output
    with app.app_context():
        kept = [r[0] for r in get_db().execute("SELECT received_on FROM complaints")]
    assert kept == ["2023-11-30"]
