"""Import a setting's people from CSV files (the format of the demo in shared/demo/).

All or nothing: every file is read and checked first, each problem reported as
``file:line: what is wrong``; only when there are none is everything written, in one
transaction. Re-importing the same files updates people rather than duplicating them.
PINs and passwords are stored only as hashes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlite_utils import Database
from werkzeug.datastructures import MultiDict

from doorbook import (
    audit,
    clock,
    credentials,
    emergency_contacts,
    involvements,
    people,
    schemas,
    sessions,
    settings,
    text,
)
from doorbook.db import write
from doorbook.languages import LANGUAGES

MAX_FILE_BYTES = 20 * 1024 * 1024

FILES: dict[str, tuple[list[str], list[str]]] = {
    # file: (required columns, optional columns)
    "staff.csv": (
        ["name", "role"],
        ["room", "kiosk_pin", "admin_username", "admin_password", "safeguarding_lead"],
    ),
    "children.csv": (
        ["first_name", "last_name", "date_of_birth", "room"],
        [
            "known_as",
            "key_person",
            "sen_support",
            "child_protection_plan",
            "collection_password",
            "sessions",
            "sessions_from",
            "sessions_until",
            "term_time_only",
        ],
    ),
    "contacts.csv": (
        ["name", "child", "relationship", "may_collect"],
        ["parental_responsibility", "phone", "kiosk_pin", "language", "emergency_contact"],
    ),
    "not_permitted.csv": (["child", "name", "reason"], ["description"]),
    "expected_visits.csv": (
        ["visitor_name", "child", "time", "role"],
        ["organisation", "supervisor", "purpose", "date", "no_consent_reason"],
    ),
    "one_off_collections.csv": (
        ["child", "collector_name", "arranged_by"],
        ["relationship", "note", "date"],
    ),
}

ACCESS_ROLES = {"manager": "manager", "deputy": "deputy"}
USERNAME_PATTERN = schemas.USERNAME_PATTERN
ADMIN_PASSWORD_MIN = schemas.ADMIN_PASSWORD_MIN
COLLECTION_PASSWORD_MIN = schemas.COLLECTION_PASSWORD_MIN


class ImportProblems(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Row:
    file: str
    line: int
    values: dict[str, str]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Checked:
    """Everything read from the files, checked, ready to write."""

    staff: list[dict] = field(default_factory=list)
    children: list[dict] = field(default_factory=list)
    contacts: dict[str, dict] = field(default_factory=dict)
    links: list[dict] = field(default_factory=list)
    not_permitted: list[dict] = field(default_factory=list)
    expected_visits: list[dict] = field(default_factory=list)
    one_off_collections: list[dict] = field(default_factory=list)


def read_folder(folder: Path) -> dict[str, list[Row]]:
    """Read every known CSV file in ``folder``; raise ImportProblems if any can't be read."""
    problems: list[str] = []
    found: dict[str, list[Row]] = {}
    if not folder.is_dir():
        raise ImportProblems([f"{folder}: no such folder"])
    for name, (required, _optional) in FILES.items():
        path = folder / name
        if not path.exists():
            continue
        rows, file_problems = read_csv(name, path.read_bytes()[: MAX_FILE_BYTES + 1], required)
        problems += file_problems
        found[name] = rows
    if not found and not problems:
        problems.append(f"{folder}: none of {', '.join(FILES)} is there")
    if problems:
        raise ImportProblems(problems)
    return found


def read_csv(name: str, data: bytes, required: list[str]) -> tuple[list[Row], list[str]]:
    if len(data) > MAX_FILE_BYTES:
        return [], [f"{name}: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"]
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], [f'{name}:{line}: not UTF-8 text; save the file as "CSV UTF-8" and try again']
    reader = csv.DictReader(io.StringIO(content, newline=""))
    problems: list[str] = []
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        return [], [f"{name}:1: cannot read the header ({error})"]
    header = [h.strip() for h in header]
    reader.fieldnames = header
    missing = [column for column in required if column not in header]
    if missing:
        return [], [f"{name}:1: missing column(s): {', '.join(missing)}"]
    rows: list[Row] = []
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # DictReader's own line_num is only updated after a good row.
            problems.append(f"{name}:{reader.reader.line_num}: cannot read this line ({error})")
            break
        if not any((v or "").strip() for k, v in record.items() if k is not None):
            continue  # a blank line
        if None in record:
            problems.append(f"{name}:{reader.line_num}: more values than columns")
            continue
        values = {k: (v or "") for k, v in record.items()}
        rows.append(Row(name, reader.line_num, values))
    return rows, problems


# How each file's columns are named in the schemas (the panel's field names).
COLUMNS = {
    "staff.csv": {"role": "job_title", "room": "room_id"},
    "children.csv": {"room": "room_id", "key_person": "key_person_id"},
    "contacts.csv": {"child": "child_id"},
    "not_permitted.csv": {"child": "child_id"},
    "expected_visits.csv": {
        "date": "day",
        "organisation": "organisation_id",
        "child": "child_id",
        "supervisor": "supervisor_id",
    },
    "one_off_collections.csv": {"date": "day", "child": "child_id"},
}


def csv_problem(column: str, problem: schemas.Problem, known: str = "") -> str:
    """A schema's problem with one cell, in the importer's words: ``column ...``."""
    label = column.replace("_", " ")
    kind, value = problem.kind, problem.value
    if problem.about_text or kind == "choose":
        kind = "missing" if kind == "choose" else kind
        return f"{column}: {text.TextProblem(kind, label, problem.limit).message}"
    if kind == "not_listed":
        if column == "room":
            return f'room "{value}" is not one of this setting\'s rooms ({known})'
        if column == "child":
            return f'child "{value}" is not in children.csv or already on record'
        if column == "language":
            return f'language "{value}" is not supported (use one of {known})'
        return f'{label} "{value}" is not a member of staff'
    return {
        "no_date": f"{column} is missing (YYYY-MM-DD)",
        "date": f'{column} "{value}" is not a date in the form YYYY-MM-DD',
        "past": f"{column} {value} has passed: only today or a later day can be imported",
        "birth": f"{column} {value} is not a plausible date of birth",
        "time": f'{column} "{value}" is not a time in the form HH:MM',
        "phone": f'{column} "{value}" is not a phone number',
        "yes_no": f'{column} must be "yes" or "no", not "{value.casefold()}"',
        "password_short": f"{column} must be at least {problem.limit} characters",
        "password_long": f"{column} is too long ({problem.limit} characters at most)",
        "emergency_order": f'{column} must be a number from 1 to 9, not "{value}"',
        "emergency_and_pr": (
            f"{column} is for people besides those with parental responsibility "
            "(they are rung first anyway)"
        ),
        "emergency_phone": "an emergency contact needs a phone number",
    }[kind]


class _Checker:
    def __init__(self, db: Database, files: dict[str, list[Row]], today: date):
        self.db = db
        self.files = files
        self.today = today
        self.problems: list[str] = []
        self.rooms = {r["name"].casefold(): r["name"] for r in db["rooms"].rows_where("active = 1")}
        self.staff_names = {r["name"].casefold(): r["name"] for r in db["staff"].rows}
        self.child_names = {
            f"{r['first_name']} {r['last_name']}".casefold(): (r["first_name"], r["last_name"])
            for r in db["children"].rows
        }
        self.pins: dict[str, tuple[str, str]] = {}  # pin -> (owner key, where first seen)

    def problem(self, row: Row, message: str) -> None:
        self.problems.append(f"{row.where}: {message}")

    def schema(self, row: Row, schema: type[schemas.Schema], **given) -> schemas.Schema:
        """Check a row with its record's schema (the panel's, the kiosk's); report each
        field's problem against its column."""
        renames = COLUMNS.get(row.file, {})
        data = MultiDict({renames.get(k, k): v for k, v in row.values.items() if k})
        for name, value in given.pop("values", {}).items():
            data[name] = value
        form = schema(
            data,
            today=self.today,
            choices={
                "room_id": self.rooms,
                "key_person_id": self.staff_names,
                "supervisor_id": self.staff_names,
                "child_id": self.child_names,
                "role": {role: role for role in schemas.ACCESS_ROLES},
            },
            open_choices={"organisation_id"},
            **given,
        )
        form.validate()
        columns = {v: k for k, v in renames.items()}
        known = {
            "room_id": ", ".join(self.rooms.values()),
            "language": ", ".join(sorted(LANGUAGES)),
        }
        for name, problem in form.problems.items():
            self.problem(row, csv_problem(columns.get(name, name), problem, known.get(name, "")))
        return form

    def yes_no(self, row: Row, column: str, default: bool | None = None) -> bool:
        value = (row.values.get(column) or "").strip().casefold()
        if value in schemas.YES:
            return True
        if value in schemas.NO:
            return False
        if value == "" and default is not None:
            return default
        self.problem(row, f'{column} must be "yes" or "no", not "{value[:40]}"')
        return False

    def a_date(self, row: Row, column: str, *, required=True) -> str | None:
        value = (row.values.get(column) or "").strip()
        if not value:
            if required:
                self.problem(row, f"{column} is missing (YYYY-MM-DD)")
            return None
        found = schemas.iso_date(value)
        if found is None:
            self.problem(row, f'{column} "{value[:40]}" is not a date in the form YYYY-MM-DD')
            return None
        return found.isoformat()

    def pin(self, row: Row, column: str, owner_kind: str, owner_name: str) -> str | None:
        value = (row.values.get(column) or "").strip()
        if not value:
            return None
        if not credentials.is_valid_pin(value):
            self.problem(row, f"{column} must be exactly 6 digits")
            return None
        owner = f"{owner_kind}:{owner_name.casefold()}"
        seen = self.pins.get(value)
        if seen and seen[0] != owner:
            self.problem(row, f"{column} is the same as the PIN at {seen[1]}; PINs must differ")
            return None
        self.pins.setdefault(value, (owner, row.where))
        existing = self.db.execute(
            "SELECT c.staff_id, c.contact_id, s.name, k.name FROM credentials c "
            "LEFT JOIN staff s ON s.id = c.staff_id LEFT JOIN contacts k ON k.id = c.contact_id "
            "WHERE c.kind = 'pin' AND c.lookup = ? AND c.revoked_at IS NULL",
            [credentials.pin_lookup(self.db, value)],
        ).fetchone()
        if existing:
            existing_owner = (
                f"staff:{existing[2].casefold()}"
                if existing[0]
                else f"contact:{existing[3].casefold()}"
            )
            if existing_owner != owner:
                self.problem(row, f"{column} is already someone else's PIN; choose another")
                return None
        return value

    # Each file, in the order in which they refer to one another.

    def check_staff(self, checked: Checked) -> None:
        usernames: dict[str, str] = {}
        for row in self.files.get("staff.csv", []):
            job_title = text.clean(row.values.get("role"), "role", max_length=60)[0]
            # The job title says what the panel lets them do: a manager, a deputy; else none.
            role = ACCESS_ROLES.get(job_title.casefold(), "practitioner")
            form = self.schema(row, schemas.Staff, values={"role": role})
            name = form.name.data
            username = (row.values.get("admin_username") or "").strip().casefold()
            password = row.values.get("admin_password") or ""
            if username:
                if not USERNAME_PATTERN.fullmatch(username):
                    self.problem(
                        row, "admin_username must be 2-40 letters, digits, dots, dashes or _"
                    )
                elif username in usernames:
                    self.problem(row, f"admin_username is also used at {usernames[username]}")
                usernames.setdefault(username, row.where)
                if len(password) < ADMIN_PASSWORD_MIN:
                    self.problem(
                        row, f"admin_password must be at least {ADMIN_PASSWORD_MIN} characters"
                    )
                elif len(password) > 200:
                    self.problem(row, "admin_password is too long (200 characters at most)")
            elif password:
                self.problem(row, "admin_password is given without an admin_username")
            entry = {
                "name": name,
                "job_title": form.job_title.data,
                "role": role,
                "room": form.room_id.data,
                "pin": self.pin(row, "kiosk_pin", "staff", name),
                "admin_username": username or None,
                "admin_password": password or None,
                "safeguarding_lead": form.safeguarding_lead.data,
            }
            if name:
                self.staff_names[name.casefold()] = name
            checked.staff.append(entry)

    def check_children(self, checked: Checked) -> None:
        seen: dict[str, str] = {}
        for row in self.files.get("children.csv", []):
            form = self.schema(row, schemas.Child)
            first, last = form.first_name.data, form.last_name.data
            key = f"{first} {last}".casefold()
            if first and last:
                if key in seen:
                    self.problem(row, f"{first} {last} is also at {seen[key]}")
                seen[key] = row.where
                self.child_names[key] = (first, last)
            born = form.date_of_birth.data
            checked.children.append(
                {
                    "first_name": first,
                    "last_name": last,
                    "known_as": form.known_as.data or None,
                    "date_of_birth": born.isoformat() if born else None,
                    "room": form.room_id.data,
                    "key_person": form.key_person_id.data,
                    "sen_support": form.sen_support.data,
                    "child_protection_plan": form.child_protection_plan.data,
                    "collection_password": form.collection_password.data or None,
                    **self.booked_sessions(row),
                }
            )

    def booked_sessions(self, row: Row) -> dict:
        """The sessions column: the child's usual pattern ("Mon am; Wed am; Fri day"),
        from sessions_from (default: today) until sessions_until (default: no end)."""
        raw = (row.values.get("sessions") or "").strip()
        if "sessions" not in row.values:
            return {"sessions": None}
        try:
            pattern = sessions.parse_pattern(raw[:300])
        except sessions.SessionProblem as problem:
            self.problem(row, f"sessions: {problem}")
            return {"sessions": None}
        starts = self.a_date(row, "sessions_from", required=False) or self.today.isoformat()
        ends = self.a_date(row, "sessions_until", required=False)
        if ends and ends < starts:
            self.problem(row, "sessions_until is before sessions_from")
        return {
            "sessions": pattern,
            "sessions_from": starts,
            "sessions_until": ends,
            "term_time_only": self.yes_no(row, "term_time_only", default=False),
        }

    def check_contacts(self, checked: Checked) -> None:
        for row in self.files.get("contacts.csv", []):
            form = self.schema(row, schemas.AdultAndLink)
            name, child, phone = form.name.data, form.child_id.data, form.phone.data
            pin = self.pin(row, "kiosk_pin", "contact", name)
            if not name:
                continue
            contact = checked.contacts.setdefault(
                name.casefold(),
                {
                    "name": name,
                    "phone": phone or None,
                    "language": form.language.data,
                    "pin": pin,
                    "where": row.where,
                },
            )
            if pin and contact["pin"] and pin != contact["pin"]:
                self.problem(row, f"{name} has a different kiosk_pin at {contact['where']}")
            contact["pin"] = contact["pin"] or pin
            if child:
                checked.links.append(
                    {
                        "contact": name.casefold(),
                        "child": child,
                        "relationship": form.relationship.data,
                        "parental_responsibility": form.parental_responsibility.data,
                        "may_collect": form.may_collect.data,
                        "emergency_order": form.emergency_contact.data,
                    }
                )

    def check_not_permitted(self, checked: Checked) -> None:
        for row in self.files.get("not_permitted.csv", []):
            form = self.schema(row, schemas.NotPermitted)
            checked.not_permitted.append(
                {
                    "child": form.child_id.data,
                    "name": form.name.data,
                    "description": form.description.data or None,
                    "reason": form.reason.data or None,
                }
            )

    def check_expected_visits(self, checked: Checked) -> None:
        for row in self.files.get("expected_visits.csv", []):
            form = self.schema(
                row,
                schemas.Booking,
                needs_reason=lambda child, agency: self.consented(child, agency) is None,
            )
            involvement = self.consented(form.child_id.data, form.organisation_id.data)
            checked.expected_visits.append(
                {
                    "day": form.day.data.isoformat() if form.day.data else None,
                    "time": form.time.data,
                    "visitor_name": form.visitor_name.data,
                    "role": form.role.data or None,
                    "organisation": form.organisation_id.data,
                    "child": form.child_id.data,
                    "supervisor": form.supervisor_id.data,
                    "purpose": form.purpose.data or None,
                    "involvement_id": involvement["id"] if involvement else None,
                    "no_consent_reason": None if involvement else form.no_consent_reason.data,
                }
            )

    def consented(self, child: tuple[str, str] | None, organisation: str | None) -> dict | None:
        """The child's involvement with this agency that has the parents' consent, as the
        panel asks before booking: a child or an agency new in this import has none yet."""
        if child is None:
            return None
        found = self.db.execute(
            "SELECT id FROM children WHERE first_name = ? AND last_name = ?", list(child)
        ).fetchone()
        agency = None
        if organisation:
            agency = self.db.execute(
                "SELECT id FROM organisations WHERE name = ? COLLATE NOCASE", [organisation]
            ).fetchone()
            if agency is None:
                return None
        if found is None:
            return None
        return involvements.consented_involvement(self.db, found[0], agency[0] if agency else None)

    def check_one_off_collections(self, checked: Checked) -> None:
        for row in self.files.get("one_off_collections.csv", []):
            form = self.schema(row, schemas.OneOff)
            checked.one_off_collections.append(
                {
                    "day": form.day.data.isoformat() if form.day.data else None,
                    "child": form.child_id.data,
                    "collector_name": form.collector_name.data,
                    "relationship": form.relationship.data or None,
                    "arranged_by": form.arranged_by.data or None,
                    "note": form.note.data or None,
                }
            )


def check(db: Database, files: dict[str, list[Row]], today: date) -> Checked:
    checker = _Checker(db, files, today)
    checked = Checked()
    checker.check_staff(checked)
    checker.check_children(checked)
    checker.check_contacts(checked)
    checker.check_not_permitted(checked)
    checker.check_expected_visits(checked)
    checker.check_one_off_collections(checked)
    if checker.problems:
        raise ImportProblems(checker.problems)
    return checked


def import_folder(db: Database, folder: Path, actor: audit.Actor = audit.SYSTEM) -> dict[str, int]:
    """Check and import a folder of CSV files; return how many of each were read."""
    files = read_folder(folder)
    return import_files(db, files, actor, source=str(folder))


def import_files(
    db: Database, files: dict[str, list[Row]], actor: audit.Actor, source: str
) -> dict[str, int]:
    today = clock.today(settings.timezone(db))
    checked = check(db, files, today)
    with write(db):
        counts = _load(db, checked, actor)
        audit.record(db, actor, "import", source=source, **counts)
    return counts


# Writing: through the same core functions as the panel, so every record the import creates
# or changes has its own audit entry (old -> new, "import of FILE" as the reason) and an
# unchanged record has none. Records are found by name as the panel finds them
# (people.find_named). All inside the import's one transaction: a failure loads nothing.


def _load(db: Database, checked: Checked, actor: audit.Actor) -> dict[str, int]:
    _load_staff(db, actor, checked.staff)
    _load_children(db, actor, checked.children)
    _load_contacts(db, actor, checked.contacts, checked.links)
    _load_not_permitted(db, actor, checked.not_permitted)
    _load_expected_visits(db, actor, checked.expected_visits)
    _load_one_off_collections(db, actor, checked.one_off_collections)
    return {
        "staff": len(checked.staff),
        "children": len(checked.children),
        "contacts": len(checked.contacts),
        "links": len(checked.links),
        "not_permitted": len(checked.not_permitted),
        "expected_visits": len(checked.expected_visits),
        "one_off_collections": len(checked.one_off_collections),
    }


def _because(file: str) -> str:
    return f"import of {file}"


def _room_id(db: Database, room: str | None) -> int | None:
    found = db.execute("SELECT id FROM rooms WHERE name = ?", [room]).fetchone() if room else None
    return found[0] if found else None


def _staff_id(db: Database, name: str | None) -> int | None:
    return people.find_named(db, "staff", name) if name else None


def _child_id(db: Database, child: tuple[str, str]) -> int:
    found = people.find_child(db, " ".join(child))
    if found is None:  # the checks found it in the files or on record
        raise LookupError(f"child {' '.join(child)} is not on record")
    return found


def _load_staff(db: Database, actor: audit.Actor, entries: list[dict]) -> None:
    because = _because("staff.csv")
    for entry in entries:
        values = {
            "name": entry["name"],
            "job_title": entry["job_title"],
            "role": entry["role"],
            "room_id": _room_id(db, entry["room"]),
            "admin_username": entry["admin_username"],
        }
        if entry["safeguarding_lead"]:  # "no" leaves a lead named in the panel as they are
            values["safeguarding_lead"] = 1
        staff_id = people.save_staff(
            db, actor, values, _staff_id(db, entry["name"]), because=because
        )
        if entry["pin"]:
            people.set_pin(db, actor, entry["pin"], staff_id=staff_id, because=because)
        if entry["admin_password"]:
            people.set_admin_password(db, actor, staff_id, entry["admin_password"], because=because)


def _load_children(db: Database, actor: audit.Actor, entries: list[dict]) -> None:
    because = _because("children.csv")
    for entry in entries:
        values = {
            "first_name": entry["first_name"],
            "last_name": entry["last_name"],
            "known_as": entry["known_as"],
            "date_of_birth": entry["date_of_birth"],
            "room_id": _room_id(db, entry["room"]),
            "key_person_id": _staff_id(db, entry["key_person"]),
            "sen_support": int(entry["sen_support"]),
            "child_protection_plan": int(entry["child_protection_plan"]),
        }
        found = people.find_child(db, f"{entry['first_name']} {entry['last_name']}")
        child_id = people.save_child(db, actor, values, found, because=because)
        password = entry["collection_password"]
        if password and not people.is_collection_password(db, child_id, password):
            people.set_collection_password(db, child_id, password, actor, because=because)
        if entry["sessions"] is not None:
            sessions.set_pattern(
                db,
                actor,
                child_id,
                entry["sessions"],
                starts_on=date.fromisoformat(entry["sessions_from"]),
                ends_on=date.fromisoformat(entry["sessions_until"])
                if entry["sessions_until"]
                else None,
                term_time_only=entry["term_time_only"],
                because=because,
            )


def _load_contacts(
    db: Database, actor: audit.Actor, contacts: dict[str, dict], links: list[dict]
) -> None:
    because = _because("contacts.csv")
    contact_ids: dict[str, int] = {}
    for key, contact in contacts.items():
        values = {
            "name": contact["name"],
            "phone": contact["phone"],
            "language": contact["language"],
        }
        contact_ids[key] = people.save_contact(
            db,
            actor,
            values,
            people.find_named(db, "contacts", contact["name"]),
            because=because,
            from_the_adult=False,
        )
        if contact["pin"]:
            people.set_pin(db, actor, contact["pin"], contact_id=contact_ids[key], because=because)
    for entry in links:
        child_id = _child_id(db, entry["child"])
        contact_id = contact_ids[entry["contact"]]
        people.link(
            db,
            actor,
            contact_id=contact_id,
            child_id=child_id,
            relationship=entry["relationship"],
            parental_responsibility=entry["parental_responsibility"],
            may_collect=entry["may_collect"],
            because=because,
        )
        emergency_contacts.set_emergency_order(
            db, actor, child_id, contact_id, entry["emergency_order"], because=because
        )


def _load_not_permitted(db: Database, actor: audit.Actor, entries: list[dict]) -> None:
    because = _because("not_permitted.csv")
    for entry in entries:
        child_id = _child_id(db, entry["child"])
        found = people.find_named(
            db,
            "not_permitted",
            entry["name"],
            where="child_id = ? AND removed_at IS NULL",
            params=[child_id],
        )
        if found is None:
            people.add_not_permitted(
                db,
                actor,
                child_id=child_id,
                name=entry["name"],
                description=entry["description"],
                reason=entry["reason"],
                because=because,
            )
        else:
            people.change_not_permitted(
                db,
                actor,
                found,
                {
                    "name": entry["name"],
                    "description": entry["description"],
                    "reason": entry["reason"],
                },
                because=because,
            )


def _organisation_id(
    db: Database, actor: audit.Actor, name: str | None, because: str
) -> int | None:
    """The organisation a booking names; a new one is added (to be given its DBS assurance)."""
    if not name:
        return None
    found = people.find_named(db, "organisations", name)
    if found is not None:
        return found
    return people.save_organisation(db, actor, {"name": name}, because=because)


def _load_expected_visits(db: Database, actor: audit.Actor, entries: list[dict]) -> None:
    because = _because("expected_visits.csv")
    for entry in entries:
        child_id = _child_id(db, entry["child"])
        values = {
            "visitor_name": entry["visitor_name"],
            "role": entry["role"],
            "organisation_id": _organisation_id(db, actor, entry["organisation"], because),
            "supervisor_id": _staff_id(db, entry["supervisor"]),
            "purpose": entry["purpose"],
            "involvement_id": entry["involvement_id"],
            "no_consent_reason": entry["no_consent_reason"],
        }
        found = people.find_named(
            db,
            "expected_visits",
            entry["visitor_name"],
            column="visitor_name",
            where="day = ? AND time = ? AND child_id = ? AND cancelled_at IS NULL",
            params=[entry["day"], entry["time"], child_id],
        )
        if found is None:
            people.book_visit(
                db,
                actor,
                {"day": entry["day"], "time": entry["time"], "child_id": child_id, **values},
                because=because,
            )
        else:
            people.change_booking(db, actor, found, values, because=because)


def _load_one_off_collections(db: Database, actor: audit.Actor, entries: list[dict]) -> None:
    because = _because("one_off_collections.csv")
    for entry in entries:
        child_id = _child_id(db, entry["child"])
        values = {
            "collector_name": entry["collector_name"],
            "relationship": entry["relationship"],
            "arranged_by": entry["arranged_by"],
            "note": entry["note"],
        }
        found = people.find_named(
            db,
            "one_off_collections",
            entry["collector_name"],
            column="collector_name",
            where="day = ? AND child_id = ? AND cancelled_at IS NULL",
            params=[entry["day"], child_id],
        )
        if found is None:
            people.add_one_off(
                db,
                actor,
                child_id=child_id,
                day=date.fromisoformat(entry["day"]),
                because=because,
                **values,
            )
        else:
            people.change_one_off(db, actor, found, values, because=because)
