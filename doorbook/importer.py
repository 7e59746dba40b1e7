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
    codes,
    credentials,
    involvements,
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
        counts = _load(db, checked)
        audit.record(db, actor, "import", source=source, **counts)
    return counts


def _set_pin(db: Database, owner_column: str, owner_id: int, pin: str, now: str) -> None:
    lookup = credentials.pin_lookup(db, pin)
    current = db.execute(
        f"SELECT id, lookup FROM credentials WHERE kind = 'pin' AND {owner_column} = ? "  # noqa: S608
        "AND revoked_at IS NULL",
        [owner_id],
    ).fetchall()
    if any(row[1] == lookup for row in current):
        return
    for row in current:
        db["credentials"].update(row[0], {"revoked_at": now})
    db["credentials"].insert(
        {"kind": "pin", owner_column: owner_id, "lookup": lookup, "created_at": now}
    )


def _set_password(db: Database, staff_id: int, password: str, now: str) -> None:
    current = db.execute(
        "SELECT id, secret_hash FROM credentials WHERE kind = 'password' AND staff_id = ? "
        "AND revoked_at IS NULL",
        [staff_id],
    ).fetchall()
    if any(credentials.check_password(row[1], password) for row in current):
        return
    for row in current:
        db["credentials"].update(row[0], {"revoked_at": now})
    db["credentials"].insert(
        {
            "kind": "password",
            "staff_id": staff_id,
            "secret_hash": credentials.hash_password(password),
            "created_at": now,
        }
    )


def _load(db: Database, checked: Checked) -> dict[str, int]:
    now = clock.stamp()
    rooms = {r["name"]: r["id"] for r in db["rooms"].rows}
    for entry in checked.staff:
        existing = db.execute("SELECT id FROM staff WHERE name = ?", [entry["name"]]).fetchone()
        values = {
            "name": entry["name"],
            "job_title": entry["job_title"],
            "role": entry["role"],
            "room_id": rooms.get(entry["room"]),
            "admin_username": entry["admin_username"],
        }
        if existing:
            staff_id = existing[0]
            db["staff"].update(staff_id, values)
        else:
            staff_id = db["staff"].insert({**values, "created_at": now}).last_pk
        if entry["pin"]:
            _set_pin(db, "staff_id", staff_id, entry["pin"], now)
        if entry["admin_password"]:
            _set_password(db, staff_id, entry["admin_password"], now)
        if entry["safeguarding_lead"]:
            db["staff"].update(staff_id, {"safeguarding_lead": 1})
    staff_ids = {r["name"]: r["id"] for r in db["staff"].rows}

    for entry in checked.children:
        values = {
            "first_name": entry["first_name"],
            "last_name": entry["last_name"],
            "known_as": entry["known_as"],
            "date_of_birth": entry["date_of_birth"],
            "room_id": rooms[entry["room"]],
            "key_person_id": staff_ids.get(entry["key_person"]),
            "sen_support": int(entry["sen_support"]),
            "child_protection_plan": int(entry["child_protection_plan"]),
        }
        existing = db.execute(
            "SELECT id, collection_password_hash FROM children "
            "WHERE first_name = ? AND last_name = ?",
            [entry["first_name"], entry["last_name"]],
        ).fetchone()
        password = entry["collection_password"]
        if password and not (
            existing and credentials.check_collection_password(existing[1], password)
        ):
            values["collection_password_hash"] = credentials.hash_collection_password(password)
        if existing:
            child_id = existing[0]
            db["children"].update(child_id, values)
        else:
            child_id = db["children"].insert({**values, "created_at": now}).last_pk
        if entry["sessions"] is not None:
            sessions.set_pattern(
                db,
                audit.SYSTEM,
                child_id,
                entry["sessions"],
                starts_on=date.fromisoformat(entry["sessions_from"]),
                ends_on=date.fromisoformat(entry["sessions_until"])
                if entry["sessions_until"]
                else None,
                term_time_only=entry["term_time_only"],
            )
    child_ids = {(r["first_name"], r["last_name"]): r["id"] for r in db["children"].rows}

    for contact in checked.contacts.values():
        values = {
            "name": contact["name"],
            "phone": contact["phone"],
            "language": contact["language"],
        }
        existing = db.execute(
            "SELECT id FROM contacts WHERE name = ?", [contact["name"]]
        ).fetchone()
        if existing:
            contact["id"] = existing[0]
            db["contacts"].update(existing[0], values)
        else:
            contact["id"] = db["contacts"].insert({**values, "created_at": now}).last_pk
        if contact["pin"]:
            _set_pin(db, "contact_id", contact["id"], contact["pin"], now)
    for link in checked.links:
        db["child_contacts"].upsert(
            {
                "child_id": child_ids[link["child"]],
                "contact_id": checked.contacts[link["contact"]]["id"],
                "relationship": link["relationship"],
                "parental_responsibility": int(link["parental_responsibility"]),
                "may_collect": int(link["may_collect"]),
                "emergency_order": link["emergency_order"],
                "updated_at": now,
            },
            pk=("child_id", "contact_id"),
        )

    for entry in checked.not_permitted:
        child_id = child_ids[entry["child"]]
        existing = db.execute(
            "SELECT id FROM not_permitted WHERE child_id = ? AND name = ? AND removed_at IS NULL",
            [child_id, entry["name"]],
        ).fetchone()
        values = {"description": entry["description"], "reason": entry["reason"]}
        if existing:
            db["not_permitted"].update(existing[0], values)
        else:
            db["not_permitted"].insert(
                {"child_id": child_id, "name": entry["name"], "created_at": now, **values}
            )

    for entry in checked.expected_visits:
        child_id = child_ids[entry["child"]]
        organisation_id = None
        if entry["organisation"]:
            found = db.execute(
                "SELECT id FROM organisations WHERE name = ? COLLATE NOCASE",
                [entry["organisation"]],
            ).fetchone()
            organisation_id = (
                found[0]
                if found
                else db["organisations"]
                .insert({"name": entry["organisation"], "created_at": now})
                .last_pk
            )
        values = {
            "role": entry["role"],
            "organisation_id": organisation_id,
            "supervisor_id": staff_ids.get(entry["supervisor"]),
            "purpose": entry["purpose"],
            "involvement_id": entry["involvement_id"],
            "no_consent_reason": entry["no_consent_reason"],
        }
        existing = db.execute(
            "SELECT id FROM expected_visits WHERE day = ? AND time = ? AND visitor_name = ? "
            "AND child_id = ? AND cancelled_at IS NULL",
            [entry["day"], entry["time"], entry["visitor_name"], child_id],
        ).fetchone()
        if existing:
            db["expected_visits"].update(existing[0], values)
        else:
            code = codes.new_reference_code(db)
            db["expected_visits"].insert(
                {
                    "day": entry["day"],
                    "time": entry["time"],
                    "visitor_name": entry["visitor_name"],
                    "child_id": child_id,
                    "reference_code": code,
                    "token_lookup": credentials.token_lookup(
                        credentials.invitation_token(db, code)
                    ),
                    "created_at": now,
                    **values,
                }
            )

    for entry in checked.one_off_collections:
        child_id = child_ids[entry["child"]]
        values = {
            "relationship": entry["relationship"],
            "arranged_by": entry["arranged_by"],
            "note": entry["note"],
        }
        existing = db.execute(
            "SELECT id FROM one_off_collections WHERE day = ? AND child_id = ? "
            "AND collector_name = ? AND cancelled_at IS NULL",
            [entry["day"], child_id, entry["collector_name"]],
        ).fetchone()
        if existing:
            db["one_off_collections"].update(existing[0], values)
        else:
            db["one_off_collections"].insert(
                {
                    "day": entry["day"],
                    "child_id": child_id,
                    "collector_name": entry["collector_name"],
                    "created_at": now,
                    **values,
                }
            )

    return {
        "staff": len(checked.staff),
        "children": len(checked.children),
        "contacts": len(checked.contacts),
        "links": len(checked.links),
        "not_permitted": len(checked.not_permitted),
        "expected_visits": len(checked.expected_visits),
        "one_off_collections": len(checked.one_off_collections),
    }
