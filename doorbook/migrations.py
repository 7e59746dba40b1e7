"""The schema, as named migrations applied at start (safe to re-run; never DROP TABLE).

Times are UTC text, "YYYY-MM-DD HH:MM:SS.ffffff", which sorts and compares with SQLite's
own datetime() output. Days (``day`` columns) are the setting's local dates, YYYY-MM-DD.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("doorbook")

DEFAULT_ROOMS = [
    # name, EYFS age band used for the staff:child ratio
    ("Babies", "under_2"),
    ("Toddlers", "two"),
    ("Pre-school", "three_plus"),
]


@migrations()
def m001_people(db: Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key", not_null={"value"})
    db["rooms"].create(
        {"id": int, "name": str, "age_band": str, "active": int},
        pk="id",
        not_null={"name", "age_band", "active"},
        defaults={"active": 1},
    )
    db["rooms"].create_index(["name"], unique=True)
    db["rooms"].insert_all(
        [{"name": name, "age_band": band} for name, band in DEFAULT_ROOMS], pk="id"
    )
    db["staff"].create(
        {
            "id": int,
            "name": str,
            "job_title": str,
            "role": str,  # manager | deputy | practitioner: what the panel lets them do
            "room_id": int,
            "admin_username": str,
            "active": int,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "role", "active", "created_at"},
        defaults={"active": 1},
        foreign_keys=[("room_id", "rooms", "id")],
    )
    db["staff"].create_index(["name"], unique=True)
    db.execute(
        "CREATE UNIQUE INDEX idx_staff_admin_username ON staff(admin_username COLLATE NOCASE) "
        "WHERE admin_username IS NOT NULL"
    )
    db["children"].create(
        {
            "id": int,
            "first_name": str,
            "last_name": str,
            "known_as": str,
            "date_of_birth": str,
            "room_id": int,
            "key_person_id": int,
            "sen_support": int,
            "child_protection_plan": int,
            "collection_password_hash": str,
            "started_on": str,
            "left_on": str,
            "created_at": str,
        },
        pk="id",
        not_null={
            "first_name",
            "last_name",
            "date_of_birth",
            "room_id",
            "sen_support",
            "child_protection_plan",
            "created_at",
        },
        defaults={"sen_support": 0, "child_protection_plan": 0},
        foreign_keys=[("room_id", "rooms", "id"), ("key_person_id", "staff", "id")],
    )
    db["children"].create_index(["last_name", "first_name"], unique=True)
    db["contacts"].create(
        {
            "id": int,
            "name": str,
            "phone": str,
            "language": str,
            "photo_file": str,
            "active": int,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "language", "active", "created_at"},
        defaults={"language": "en_GB", "active": 1},
    )
    db["contacts"].create_index(["name"], unique=True)
    db["child_contacts"].create(
        {
            "child_id": int,
            "contact_id": int,
            "relationship": str,
            "parental_responsibility": int,
            "may_collect": int,
            "updated_at": str,
        },
        pk=("child_id", "contact_id"),
        not_null={"relationship", "parental_responsibility", "may_collect", "updated_at"},
        foreign_keys=[("child_id", "children", "id"), ("contact_id", "contacts", "id")],
    )
    db["child_contacts"].create_index(["contact_id"])
    db["not_permitted"].create(
        {
            "id": int,
            "child_id": int,
            "name": str,
            "description": str,
            "reason": str,
            "photo_file": str,
            "created_at": str,
            "removed_at": str,
        },
        pk="id",
        not_null={"child_id", "name", "created_at"},
        foreign_keys=[("child_id", "children", "id")],
    )
    db["not_permitted"].create_index(["child_id"])
    db["one_off_collections"].create(
        {
            "id": int,
            "child_id": int,
            "day": str,
            "collector_name": str,
            "relationship": str,
            "arranged_by": str,
            "note": str,
            "created_at": str,
            "id_checked_at": str,
            "id_checked_by": int,
            "cancelled_at": str,
        },
        pk="id",
        not_null={"child_id", "day", "collector_name", "created_at"},
        foreign_keys=[("child_id", "children", "id"), ("id_checked_by", "staff", "id")],
    )
    db["one_off_collections"].create_index(["day", "child_id"])
    # Kiosk PINs (keyed hash, so they can be looked up and kept unique), QR card tokens
    # (hash of a random token) and admin passwords (scrypt). Exactly one owner per row.
    db["credentials"].create(
        {
            "id": int,
            "kind": str,  # pin | qr_card | password
            "staff_id": int,
            "contact_id": int,
            "lookup": str,
            "secret_hash": str,
            "created_at": str,
            "revoked_at": str,
        },
        pk="id",
        not_null={"kind", "created_at"},
        foreign_keys=[("staff_id", "staff", "id"), ("contact_id", "contacts", "id")],
    )
    db.execute(
        "CREATE UNIQUE INDEX idx_credentials_lookup ON credentials(kind, lookup) "
        "WHERE lookup IS NOT NULL AND revoked_at IS NULL"
    )
    db["credentials"].create_index(["staff_id"])
    db["credentials"].create_index(["contact_id"])
    db.execute(
        "CREATE TRIGGER credentials_one_owner BEFORE INSERT ON credentials "
        "WHEN (NEW.staff_id IS NULL) = (NEW.contact_id IS NULL) "
        "BEGIN SELECT RAISE(ABORT, 'a credential belongs to exactly one person'); END"
    )


@migrations()
def m002_register(db: Database) -> None:
    db["attendance"].create(
        {
            "id": int,
            "child_id": int,
            "day": str,
            "arrived_at": str,
            "brought_by_contact_id": int,
            "brought_by_name": str,
            "departed_at": str,
            "collected_by_contact_id": int,
            "collected_by_name": str,
            "one_off_collection_id": int,
            "message_for_key_person": str,
            "created_at": str,
        },
        pk="id",
        not_null={"child_id", "day", "arrived_at", "created_at"},
        foreign_keys=[
            ("child_id", "children", "id"),
            ("brought_by_contact_id", "contacts", "id"),
            ("collected_by_contact_id", "contacts", "id"),
            ("one_off_collection_id", "one_off_collections", "id"),
        ],
    )
    db["attendance"].create_index(["day", "child_id"])
    # A child is signed in at most once at a time: a double tap cannot make two rows.
    db.execute(
        "CREATE UNIQUE INDEX idx_attendance_one_open ON attendance(child_id) "
        "WHERE departed_at IS NULL"
    )
    db["register_corrections"].create(
        {
            "id": int,
            "attendance_id": int,
            "field": str,
            "old_value": str,
            "new_value": str,
            "reason": str,
            "corrected_by": int,
            "corrected_at": str,
        },
        pk="id",
        not_null={"attendance_id", "field", "reason", "corrected_by", "corrected_at"},
        foreign_keys=[("attendance_id", "attendance", "id"), ("corrected_by", "staff", "id")],
    )
    db["register_corrections"].create_index(["attendance_id"])
    db["staff_attendance"].create(
        {"id": int, "staff_id": int, "day": str, "arrived_at": str, "departed_at": str},
        pk="id",
        not_null={"staff_id", "day", "arrived_at"},
        foreign_keys=[("staff_id", "staff", "id")],
    )
    db["staff_attendance"].create_index(["day"])
    db.execute(
        "CREATE UNIQUE INDEX idx_staff_attendance_one_open ON staff_attendance(staff_id) "
        "WHERE departed_at IS NULL"
    )


@migrations()
def m003_visits(db: Database) -> None:
    db["organisations"].create(
        {
            "id": int,
            "name": str,
            "dbs_assurance_on_file": int,
            "dbs_assurance_until": str,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "dbs_assurance_on_file", "created_at"},
        defaults={"dbs_assurance_on_file": 0},
    )
    db.execute("CREATE UNIQUE INDEX idx_organisations_name ON organisations(name COLLATE NOCASE)")
    db["expected_visits"].create(
        {
            "id": int,
            "day": str,
            "time": str,
            "visitor_name": str,
            "role": str,
            "organisation_id": int,
            "child_id": int,
            "supervisor_id": int,
            "purpose": str,
            "reference_code": str,
            "token_lookup": str,
            "created_at": str,
            "cancelled_at": str,
        },
        pk="id",
        not_null={"day", "visitor_name", "child_id", "reference_code", "created_at"},
        foreign_keys=[
            ("organisation_id", "organisations", "id"),
            ("child_id", "children", "id"),
            ("supervisor_id", "staff", "id"),
        ],
    )
    db["expected_visits"].create_index(["day"])
    db["expected_visits"].create_index(["reference_code"], unique=True)
    db["expected_visits"].create_index(["token_lookup"], unique=True)
    db["visitors"].create(
        {
            "id": int,
            "name": str,
            "organisation_id": int,
            "organisation_name": str,
            "role": str,
            "phone": str,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "created_at"},
        foreign_keys=[("organisation_id", "organisations", "id")],
    )
    db["visits"].create(
        {
            "id": int,
            "visitor_id": int,
            "kind": str,  # agency | other
            "day": str,
            "purpose": str,
            "here_to_see": str,
            "child_id": int,
            "child_name_typed": str,
            "expected_visit_id": int,
            "location": str,
            "id_seen_at": str,
            "id_seen_by": int,
            "dbs_assurance_confirmed_at": str,
            "dbs_assurance_confirmed_by": int,
            "badge_token_lookup": str,
            "signed_in_at": str,
            "signed_out_at": str,
            "signed_out_by": int,
            "kiosk": str,
        },
        pk="id",
        not_null={"visitor_id", "kind", "day", "signed_in_at"},
        foreign_keys=[
            ("visitor_id", "visitors", "id"),
            ("child_id", "children", "id"),
            ("expected_visit_id", "expected_visits", "id"),
            ("id_seen_by", "staff", "id"),
            ("dbs_assurance_confirmed_by", "staff", "id"),
            ("signed_out_by", "staff", "id"),
        ],
    )
    db["visits"].create_index(["day"])
    db["visits"].create_index(["child_id"])
    db["visits"].create_index(["badge_token_lookup"], unique=True)
    db.execute(
        "CREATE UNIQUE INDEX idx_visits_one_per_booking ON visits(expected_visit_id) "
        "WHERE expected_visit_id IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX idx_visits_on_site ON visits(signed_out_at) WHERE signed_out_at IS NULL"
    )
    db["supervision_periods"].create(
        {
            "id": int,
            "visit_id": int,
            "staff_id": int,
            "started_at": str,
            "ended_at": str,
            "ended_because": str,
            "assigned_by": int,
        },
        pk="id",
        not_null={"visit_id", "staff_id", "started_at"},
        foreign_keys=[
            ("visit_id", "visits", "id"),
            ("staff_id", "staff", "id"),
            ("assigned_by", "staff", "id"),
        ],
    )
    db["supervision_periods"].create_index(["visit_id"])
    db.execute(
        "CREATE UNIQUE INDEX idx_supervision_one_open ON supervision_periods(visit_id) "
        "WHERE ended_at IS NULL"
    )


@migrations()
def m004_alerts_audit_kiosks(db: Database) -> None:
    db["alerts"].create(
        {
            "id": int,
            "kind": str,
            "severity": int,  # higher is more serious; the dashboard sorts by it
            "message": str,
            "child_id": int,
            "contact_id": int,
            "staff_id": int,
            "visit_id": int,
            "one_off_collection_id": int,
            "kiosk": str,
            "details": str,
            "dedupe_key": str,
            "raised_at": str,
            "last_chimed_at": str,
            "acknowledged_at": str,
            "acknowledged_by": int,
            "acknowledge_note": str,
            "resolved_at": str,
            "resolved_by": int,
            "resolve_note": str,
        },
        pk="id",
        not_null={"kind", "severity", "message", "raised_at"},
        foreign_keys=[
            ("child_id", "children", "id"),
            ("contact_id", "contacts", "id"),
            ("staff_id", "staff", "id"),
            ("visit_id", "visits", "id"),
            ("one_off_collection_id", "one_off_collections", "id"),
            ("acknowledged_by", "staff", "id"),
            ("resolved_by", "staff", "id"),
        ],
    )
    db.execute("CREATE INDEX idx_alerts_open ON alerts(resolved_at, severity)")
    db.execute(
        "CREATE UNIQUE INDEX idx_alerts_dedupe ON alerts(dedupe_key) WHERE dedupe_key IS NOT NULL"
    )
    db["audit_log"].create(
        {
            "id": int,
            "at": str,
            "actor_kind": str,  # staff | contact | visitor | kiosk | system
            "actor_id": int,
            "actor_name": str,
            "action": str,
            "subject_kind": str,
            "subject_id": int,
            "child_id": int,
            "kiosk": str,
            "details": str,
        },
        pk="id",
        not_null={"at", "actor_kind", "action"},
    )
    db["audit_log"].create_index(["at"])
    db["audit_log"].create_index(["action"])
    db["audit_log"].create_index(["child_id"])
    # Append-only: no edits ever; deletion only by the retention purge, of rows past the
    # configured period (6 years unless the settings say otherwise).
    db.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER audit_log_no_early_delete BEFORE DELETE ON audit_log "
        "WHEN OLD.at >= datetime('now', '-' || COALESCE("
        "(SELECT value FROM settings WHERE key = 'retention_audit_years'), '6') || ' years') "
        "BEGIN SELECT RAISE(ABORT, 'audit entries are kept for the retention period'); END"
    )
    db["pin_failures"].create(
        {"id": int, "kiosk": str, "at": str}, pk="id", not_null={"kiosk", "at"}
    )
    db["pin_failures"].create_index(["kiosk", "at"])
    db["login_failures"].create(
        {"id": int, "username": str, "at": str}, pk="id", not_null={"username", "at"}
    )
    db["login_failures"].create_index(["username", "at"])
    db["admin_sessions"].create(
        {
            "id": str,
            "staff_id": int,
            "created_at": str,
            "last_seen_at": str,
            "ended_at": str,
        },
        pk="id",
        not_null={"staff_id", "created_at", "last_seen_at"},
        foreign_keys=[("staff_id", "staff", "id")],
    )
    db["kiosk_devices"].create(
        {
            "id": int,
            "name": str,
            "token_lookup": str,
            "enrolled_by": int,
            "created_at": str,
            "revoked_at": str,
        },
        pk="id",
        not_null={"name", "token_lookup", "created_at"},
        foreign_keys=[("enrolled_by", "staff", "id")],
    )
    db["kiosk_devices"].create_index(["token_lookup"], unique=True)


@migrations()
def m005_kiosk_enrolment(db: Database) -> None:
    # A kiosk is enrolled with a short-lived one-time code; then it holds a device token.
    db["kiosk_devices"].add_column("enrol_code_lookup", str)
    db["kiosk_devices"].add_column("enrol_expires_at", str)
    db["kiosk_devices"].add_column("enrolled_at", str)


@migrations()
def m006_absences(db: Database) -> None:
    """EYFS 2025 (3.11-3.12): who is expected (booked sessions), absences, their follow-up
    with every contact attempt, emergency contacts and the attendance policy shared."""
    # A child's usual pattern: one row per weekday (0 = Monday) and session.
    db["booked_sessions"].create(
        {
            "id": int,
            "child_id": int,
            "weekday": int,
            "session": str,  # morning | afternoon | all_day
            "starts_on": str,
            "ends_on": str,
            "term_time_only": int,
            "created_at": str,
            "removed_at": str,
        },
        pk="id",
        not_null={"child_id", "weekday", "session", "starts_on", "term_time_only", "created_at"},
        defaults={"term_time_only": 0},
        foreign_keys=[("child_id", "children", "id")],
    )
    db["booked_sessions"].create_index(["child_id"])
    # One-off changes to the pattern: an extra day, or a cancelled one.
    db["session_changes"].create(
        {
            "id": int,
            "child_id": int,
            "day": str,
            "change": str,  # extra | cancelled
            "session": str,
            "note": str,
            "created_at": str,
            "created_by": int,
            "removed_at": str,
        },
        pk="id",
        not_null={"child_id", "day", "change", "created_at"},
        foreign_keys=[("child_id", "children", "id"), ("created_by", "staff", "id")],
    )
    db["session_changes"].create_index(["day"])
    db["closure_days"].create(
        {"id": int, "day": str, "reason": str, "created_at": str, "removed_at": str},
        pk="id",
        not_null={"day", "reason", "created_at"},
    )
    db["closure_days"].create_index(["day"])
    db["terms"].create(
        {"id": int, "name": str, "starts_on": str, "ends_on": str, "created_at": str},
        pk="id",
        not_null={"name", "starts_on", "ends_on", "created_at"},
    )
    db["absences"].create(
        {
            "id": int,
            "child_id": int,
            "day": str,
            "reason": str,  # ill | holiday | appointment | other
            "note": str,
            "reported_via": str,  # kiosk | phone | panel
            "reported_by_name": str,
            "reported_by_contact_id": int,
            "recorded_by_staff_id": int,
            "reported_at": str,
            "cancelled_at": str,
        },
        pk="id",
        not_null={"child_id", "day", "reason", "reported_via", "reported_at"},
        foreign_keys=[
            ("child_id", "children", "id"),
            ("reported_by_contact_id", "contacts", "id"),
            ("recorded_by_staff_id", "staff", "id"),
        ],
    )
    db["absences"].create_index(["day", "child_id"])
    db["follow_ups"].create(
        {
            "id": int,
            "child_id": int,
            "day": str,
            "session_starts_at": str,
            "started_at": str,
            "dsl_told_at": str,
            "ended_at": str,
            "ended_because": str,  # arrived | absence_recorded | closed_by_dsl
            "ended_by": int,
            "end_note": str,
        },
        pk="id",
        not_null={"child_id", "day", "session_starts_at", "started_at"},
        foreign_keys=[("child_id", "children", "id"), ("ended_by", "staff", "id")],
    )
    db["follow_ups"].create_index(["child_id", "day"], unique=True)
    db["contact_attempts"].create(
        {
            "id": int,
            "follow_up_id": int,
            "contact_id": int,
            "contact_name": str,
            "phone": str,
            "made_by": int,
            "made_at": str,
            "outcome": str,
            "note": str,
        },
        pk="id",
        not_null={"follow_up_id", "contact_name", "made_by", "made_at", "outcome"},
        foreign_keys=[
            ("follow_up_id", "follow_ups", "id"),
            ("contact_id", "contacts", "id"),
            ("made_by", "staff", "id"),
        ],
    )
    db["contact_attempts"].create_index(["follow_up_id"])
    # Emergency contacts: people besides those with parental responsibility, rung in order.
    db["child_contacts"].add_column("emergency_order", int)
    db["children"].add_column("no_emergency_contacts_note", str)
    db["children"].add_column("no_emergency_contacts_by", int)
    db["children"].add_column("no_emergency_contacts_at", str)
    db["staff"].add_column("safeguarding_lead", int)
    db["attendance_policies"].create(
        {"id": int, "file_name": str, "sha256": str, "uploaded_by": int, "uploaded_at": str},
        pk="id",
        not_null={"file_name", "sha256", "uploaded_at"},
        foreign_keys=[("uploaded_by", "staff", "id")],
    )
    db["policy_given"].create(
        {
            "id": int,
            "policy_id": int,
            "contact_id": int,
            "given_on": str,
            "how": str,  # kiosk (the parent confirmed reading it) | panel
            "recorded_by": int,
            "recorded_at": str,
        },
        pk="id",
        not_null={"policy_id", "contact_id", "given_on", "how", "recorded_at"},
        foreign_keys=[
            ("policy_id", "attendance_policies", "id"),
            ("contact_id", "contacts", "id"),
            ("recorded_by", "staff", "id"),
        ],
    )
    db["policy_given"].create_index(["policy_id", "contact_id"], unique=True)


@migrations()
def m021_families_voice(db: Database) -> None:
    # Complaints and concerns about quality (the complaints procedure): the 10- and 28-day
    # clocks, investigation, outcome and appeal; kept 3 years after closing, then purged.
    db["complaints"].create(
        {
            "id": int,
            "received_on": str,  # local date
            "complainant_kind": str,  # parent_carer | agency | other
            "complainant_name": str,
            "contact_id": int,
            "child_id": int,
            "channel": str,  # verbal | written | email
            "category": str,  # complaint | concern
            "nature": str,  # one of complaints.NATURES (the Ofsted summary's words)
            "details": str,
            "acknowledgement_due": str,  # local date; written and email complaints only
            "acknowledged_on": str,
            "feedback_due": str,
            "feedback_on": str,
            "investigation": str,
            "action_taken": str,  # for the summary: must name nobody
            "outcome": str,  # upheld | partly_upheld | not_upheld
            "outcome_note": str,
            "appeal": str,
            "appeal_on": str,
            "closed_on": str,
            "recorded_by": int,
            "created_at": str,
        },
        pk="id",
        not_null={
            "received_on",
            "complainant_kind",
            "complainant_name",
            "channel",
            "category",
            "nature",
            "details",
            "feedback_due",
            "created_at",
        },
        foreign_keys=[
            ("contact_id", "contacts", "id"),
            ("child_id", "children", "id"),
            ("recorded_by", "staff", "id"),
        ],
    )
    # Families' views at the door: one short question at a time. Answers carry no person;
    # who was asked is kept apart, only so nobody is asked twice.
    db["questions"].create(
        {
            "id": int,
            "text": str,
            "answers": str,  # JSON list of 2-5 answers
            "translations": str,  # JSON {language: {"text": ..., "answers": [...]}}
            "ends_on": str,
            "created_by": int,
            "created_at": str,
            "closed_at": str,
        },
        pk="id",
        not_null={"text", "answers", "ends_on", "created_at"},
        foreign_keys=[("created_by", "staff", "id")],
    )
    db["question_answers"].create(
        {"id": int, "question_id": int, "answer_index": int},
        pk="id",
        not_null={"question_id", "answer_index"},
        foreign_keys=[("question_id", "questions", "id")],
    )
    db["question_answers"].create_index(["question_id"])
    db["questions_asked"].create(
        {"question_id": int, "contact_id": int},
        pk=("question_id", "contact_id"),
        foreign_keys=[("question_id", "questions", "id"), ("contact_id", "contacts", "id")],
    )
    # Contact details confirmed once a term by the adult themselves.
    db["contacts"].add_column("phone_confirmed_on", str)
    db["contacts"].add_column("details_update_requested_on", str)


@migrations()
def m012_wrong_tries_limited_and_counted(db: Database) -> None:
    # Wrong "collecting for a family" tries are limited like PINs: per kiosk and per family.
    db["collector_failures"].create(
        {"id": int, "kiosk": str, "child_id": int, "at": str}, pk="id", not_null={"kiosk", "at"}
    )
    db["collector_failures"].create_index(["kiosk", "at"])
    db["collector_failures"].create_index(["child_id", "at"])
    # Repeated refusals add to one open alert, which counts them, instead of one alert each.
    db["alerts"].add_column("repeat_key", str)
    db["alerts"].add_column("attempts", int)
    db["alerts"].add_column("last_attempt_at", str)
    db.execute("CREATE INDEX idx_alerts_repeat ON alerts(repeat_key) WHERE repeat_key IS NOT NULL")
    # An enrolled kiosk's token stops working by itself after a long time unused.
    db["kiosk_devices"].add_column("last_seen_at", str)


@migrations()
def m020_working_with_professionals(db: Database) -> None:
    # An agency's involvement with a child: why, and the parents' consent (or the DSL's
    # reason it was not sought). Its stages follow; each stage leaves a "parents informed" task.
    db["involvements"].create(
        {
            "id": int,
            "child_id": int,
            "organisation_id": int,
            "agency": str,
            "professionals": str,
            "purpose": str,
            "consent": str,  # given | not_sought
            "consent_given_by": str,
            "consent_given_on": str,
            "consent_how": str,  # written | verbal | in person
            "not_sought_reason": str,
            "not_sought_by": int,
            "opened_at": str,
            "opened_by": int,
            "closed_at": str,
        },
        pk="id",
        not_null={"child_id", "agency", "purpose", "consent", "opened_at", "opened_by"},
        foreign_keys=[
            ("child_id", "children", "id"),
            ("organisation_id", "organisations", "id"),
            ("not_sought_by", "staff", "id"),
            ("opened_by", "staff", "id"),
        ],
    )
    db["involvements"].create_index(["child_id"])
    db["involvement_stages"].create(
        {
            "id": int,
            "child_id": int,
            "involvement_id": int,
            "kind": str,  # referral | visit | report | review | closed
            "happened_at": str,
            "summary": str,
            "visit_id": int,
            "from_agency": str,  # a report: the agency's information, shared only with its consent
            "recorded_by": int,
            "recorded_at": str,
        },
        pk="id",
        not_null={"child_id", "kind", "happened_at", "summary", "recorded_at"},
        foreign_keys=[
            ("child_id", "children", "id"),
            ("involvement_id", "involvements", "id"),
            ("visit_id", "visits", "id"),
            ("recorded_by", "staff", "id"),
        ],
    )
    db["involvement_stages"].create_index(["child_id"])
    db["involvement_stages"].create_index(["involvement_id"])
    db.execute(
        "CREATE UNIQUE INDEX idx_stages_one_per_visit ON involvement_stages(visit_id) "
        "WHERE visit_id IS NOT NULL"
    )
    db["parents_informed"].create(
        {
            "id": int,
            "stage_id": int,
            "told_at": str,
            "told_who": str,
            "told_how": str,
            "told_by": int,
            "not_told_reason": str,  # the DSL's reason not to tell them
            "recorded_by": int,
            "recorded_at": str,
        },
        pk="id",
        not_null={"stage_id", "recorded_by", "recorded_at"},
        foreign_keys=[
            ("stage_id", "involvement_stages", "id"),
            ("told_by", "staff", "id"),
            ("recorded_by", "staff", "id"),
        ],
    )
    db["parents_informed"].create_index(["stage_id"], unique=True)
    db["agency_share_consents"].create(
        {
            "id": int,
            "stage_id": int,
            "shared_with": str,
            "given_by": str,
            "given_on": str,
            "recorded_by": int,
            "recorded_at": str,
        },
        pk="id",
        not_null={"stage_id", "shared_with", "given_by", "given_on", "recorded_by", "recorded_at"},
        foreign_keys=[("stage_id", "involvement_stages", "id"), ("recorded_by", "staff", "id")],
    )
    db["concerns"].create(
        {
            "id": int,
            "child_id": int,
            "seen_or_heard": str,
            "happened_at": str,
            "location": str,
            "words_used": str,
            "action_taken": str,
            "corrects_id": int,
            "written_by": int,
            "written_at": str,
        },
        pk="id",
        not_null={"child_id", "seen_or_heard", "happened_at", "action_taken", "written_by"},
        foreign_keys=[
            ("child_id", "children", "id"),
            ("corrects_id", "concerns", "id"),
            ("written_by", "staff", "id"),
        ],
    )
    db["concerns"].create_index(["child_id"])
    db["concern_signatures"].create(
        {
            "id": int,
            "concern_id": int,
            "signed_as": str,  # author | countersignature
            "staff_id": int,
            "staff_name": str,
            "signed_at": str,
            "content_hash": str,  # SHA-256 of what was signed: a later change shows
        },
        pk="id",
        not_null={"concern_id", "signed_as", "staff_id", "staff_name", "signed_at", "content_hash"},
        foreign_keys=[("concern_id", "concerns", "id"), ("staff_id", "staff", "id")],
    )
    db["concern_signatures"].create_index(["concern_id", "signed_as"], unique=True)
    # Signed records are never edited, only added to; a correction is a new, linked concern.
    # Removal only by the retention purge, and never while the child has a protection plan.
    for table, child in (
        ("concerns", "OLD.child_id"),
        ("concern_signatures", "(SELECT child_id FROM concerns WHERE id = OLD.concern_id)"),
    ):
        db.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'a signed concern is never edited: add a correction'); END"
        )
        db.execute(  # names from code
            f"CREATE TRIGGER {table}_kept_for_child_protection BEFORE DELETE ON {table} "  # noqa: S608
            f"WHEN (SELECT child_protection_plan FROM children WHERE id = {child}) = 1 "
            "BEGIN SELECT RAISE(ABORT, 'kept while the child has a child protection plan'); END"
        )
    # Plain ALTER TABLE: a foreign key through sqlite-utils would rebuild these big tables.
    for table in ("expected_visits", "visits"):
        db.execute(
            f"ALTER TABLE {table} ADD COLUMN involvement_id INTEGER REFERENCES involvements(id)"
        )
    db.execute("ALTER TABLE expected_visits ADD COLUMN no_consent_reason TEXT")


@migrations()
def m019_absence_lookups(db: Database) -> None:
    # The day's follow-ups (the dashboard, the register) and the open ones (the scheduler's
    # check every 20 s) without reading years of them.
    db["follow_ups"].create_index(["day"])
    db.execute("CREATE INDEX idx_follow_ups_open ON follow_ups(ended_at) WHERE ended_at IS NULL")
    db["absences"].create_index(["child_id", "day"])


@migrations()
def m030_replica_heartbeat(db: Database) -> None:
    # One row the server touches each minute while replication is on, so that a reader of
    # the off-site copy (the group's office) can tell an idle site from a stale copy.
    db["replica_heartbeat"].create({"id": int, "at": str}, pk="id", not_null={"at"})


def apply(db: Database) -> None:
    """Apply the migrations this database lacks (safe to re-run). In the server the caller
    holds the write lock (``db.init_app``): migrations know nothing of connections."""
    migrations.apply(db)


def schema_version(db: Database) -> int:
    """How many of Doorbook's migrations this database has (what /healthz reports)."""
    return len(migrations.applied(db))


def latest_version() -> int:
    return len(migrations._migrations)
