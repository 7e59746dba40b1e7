"""One schema per kind of record, for every door a record comes in by: the panel's forms,
the CSV import and the kiosk's visitor forms all validate with these classes, so a field's
rule lives here once.

They are plain WTForms forms (no CSRF: a CSV row given as a ``MultiDict`` validates like a
posted form). A field's problem is a ``Problem`` (a kind, the value, a limit), not a
sentence: each door says it in its own words and language (the panel in English beside the
field, the importer as ``file:line: column ...``, the kiosk in the visitor's language).

What the rules need from outside is passed in, never read here: ``today`` (in the
setting's zone), the lists a choice must be in (``choices``: room ids in the panel, room
names in a CSV) and, for the consent rule of a booking, the database handle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, time

from sqlite_utils import Database
from wtforms import Field, Form
from wtforms.validators import StopValidation

from doorbook import credentials, text
from doorbook.languages import language_from_code

PHONE = re.compile(r"[0-9+() -]{6,30}")
PHONE_MAX = 30
RELATIONSHIP_MAX = 60
KNOWN_AS_MAX = 60
JOB_TITLE_MAX = 60
ROLE_MAX = 100
COLLECTION_PASSWORD_MIN = 4
COLLECTION_PASSWORD_MAX = 100
# The oldest child a setting records: born on or after 1 January, this many years ago.
OLDEST_CHILD_YEARS = 19
ACCESS_ROLES = ("manager", "deputy", "practitioner")
# A panel login: its username and the least length of its password.
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
ADMIN_PASSWORD_MIN = 10

YES = ("yes", "y", "true", "1", "on")
NO = ("no", "n", "false", "0", "off")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a kind (see ENGLISH), the value as given, a limit."""

    kind: str
    value: str = ""
    limit: int = 0

    def message(self, label: str) -> str:
        """In English, for the panel: ``label`` names the field as the form does."""
        return ENGLISH[self.kind].format(label=label, limit=self.limit, value=self.value)

    def as_text_problem(self, label: str) -> text.TextProblem:
        """A problem of typed text (empty, too long, hidden characters) as ``text`` has it,
        so a door that translates ``text.TextProblem`` says it the same way."""
        return text.TextProblem(self.kind, label, self.limit)

    @property
    def about_text(self) -> bool:
        return self.kind in text.ENGLISH


ENGLISH = {
    **text.ENGLISH,
    "choose": "Please choose {label}.",
    "not_listed": "Please choose {label} from the list.",
    "no_date": "Please enter {label}.",
    "date": "Please enter {label} as a date (YYYY-MM-DD).",
    "past": "That day has passed: please choose today or a later day.",
    "birth": "That date of birth is not plausible for a child here.",
    "time": "Please enter {label} as HH:MM.",
    "phone": "Please enter {label} using digits only.",
    "yes_no": 'Please answer "yes" or "no" for {label}.',
    "password_short": (
        f"The collection password must be at least {COLLECTION_PASSWORD_MIN} characters."
    ),
    "password_long": (
        f"The collection password is too long ({COLLECTION_PASSWORD_MAX} characters at most)."
    ),
    "emergency_order": "Please give {label} as a number from 1 to 9.",
    "emergency_and_pr": (
        "An emergency contact is someone besides those with parental responsibility "
        "(they are rung first anyway)."
    ),
    "emergency_phone": "An emergency contact needs a phone number.",
}


# ---- Rules a door may also need on their own ----


def hh_mm(value: str | None) -> str | None:
    """A time of day typed as HH:MM ("09:30"), or None if it is not one."""
    raw = (value or "").strip()
    if len(raw) != 5:
        return None
    try:
        return time.fromisoformat(raw).strftime("%H:%M")
    except ValueError:
        return None


def iso_date(value: str | None) -> date | None:
    """A date typed as YYYY-MM-DD, or None if it is not one."""
    raw = (value or "").strip()
    if len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def collection_password_problem(password: str) -> Problem | None:
    """The family's collection password: said at the kiosk by a one-off collector, so long
    enough not to be guessed and short enough to say."""
    if len(credentials.normalise_collection_password(password)) < COLLECTION_PASSWORD_MIN:
        return Problem("password_short", limit=COLLECTION_PASSWORD_MIN)
    if len(password) > COLLECTION_PASSWORD_MAX:
        return Problem("password_long", limit=COLLECTION_PASSWORD_MAX)
    return None


def plausible_birth(born: date, today: date) -> bool:
    return date(today.year - OLDEST_CHILD_YEARS, 1, 1) <= born <= today


# ---- Fields ----


def _first(valuelist: list) -> str | None:
    return valuelist[0] if valuelist else None


class Text(Field):
    """Typed text through ``text.clean``: trimmed, and refused when empty (if required),
    too long or carrying hidden characters."""

    def __init__(
        self,
        label: str,
        *,
        required: bool = True,
        max_length: int = text.SHORT_MAX,
        multiline: bool = False,
        **kwargs,
    ):
        super().__init__(label, **kwargs)
        self.required = required
        self.max_length = max_length
        self.multiline = multiline
        self.problem: Problem | None = None
        self.data = ""

    def process_formdata(self, valuelist):
        value, problem = text.clean(
            _first(valuelist),
            self.label.text,
            max_length=self.max_length,
            required=False,
            multiline=self.multiline,
        )
        self.data = value
        self.problem = Problem(problem.kind, value, problem.limit) if problem else None

    def pre_validate(self, form):
        if self.problem:
            raise StopValidation(self.problem)
        if self.required and not self.data:
            raise StopValidation(Problem("missing"))

    @property
    def shown(self) -> str:
        return self.data


class Phone(Text):
    """A phone number: digits, spaces, +, ( and )."""

    def __init__(self, label: str, *, required: bool = False, **kwargs):
        super().__init__(label, required=required, max_length=PHONE_MAX, **kwargs)

    def pre_validate(self, form):
        super().pre_validate(form)
        if self.data and not PHONE.fullmatch(self.data):
            raise StopValidation(Problem("phone", self.data))


class Typed(Field):
    """A value typed as one line of text: kept as typed (``raw``, shown back to the person)
    and read into ``data`` by the field's own ``pre_validate``."""

    empty: object = None  # ``data`` before anything is read

    def __init__(self, label: str, **kwargs):
        super().__init__(label, **kwargs)
        self.raw = ""
        self.data = self.empty

    def process_formdata(self, valuelist):
        self.raw = (_first(valuelist) or "").strip()

    @property
    def shown(self) -> str:
        return self.raw


class Pick(Typed):
    """One of a list the door passes in (``choices[name]``: room ids in the panel, room
    names in a CSV), matched whatever its case. A field named in ``open_choices`` also
    takes a name that is not on the list yet (a CSV may name a new organisation)."""

    def __init__(self, label: str, *, required: bool = True, max_length=text.SHORT_MAX, **kw):
        super().__init__(label, **kw)
        self.required = required
        self.max_length = max_length

    def pre_validate(self, form):
        value, problem = text.clean(self.raw, self.label.text, max_length=self.max_length)
        if problem and problem.kind != "missing":
            raise StopValidation(Problem(problem.kind, value, problem.limit))
        if not value:
            if self.required:
                raise StopValidation(Problem("choose"))
            return
        options = form.choice_list(self.name)
        found = options.get(value, options.get(value.casefold()))
        if found is None:
            if self.name in form.open_choices:
                self.data = value
                return
            raise StopValidation(Problem("not_listed", value))
        self.data = found


class Flag(Field):
    """Yes or no. An unticked box (or a column left out of a CSV) is "no"; a yes/no
    column that is there but empty is "no" too, unless the schema says the answer is
    needed (``required``): then it is a question not answered."""

    def __init__(self, label: str, *, required: bool = False, **kwargs):
        super().__init__(label, **kwargs)
        self.required = required
        self.raw: str | None = None
        self.data = False

    def process_formdata(self, valuelist):
        self.raw = _first(valuelist)
        self.data = (self.raw or "").strip().casefold() in YES

    def pre_validate(self, form):
        if self.raw is None:
            return
        answer = self.raw.strip().casefold()
        if answer in YES or answer in NO or (answer == "" and not self.required):
            return
        raise StopValidation(Problem("yes_no", self.raw.strip()[:40]))

    @property
    def shown(self) -> bool:
        return self.data


class Day(Typed):
    """A date as YYYY-MM-DD. With ``default_today``, an empty one is today."""

    def __init__(
        self,
        label: str,
        *,
        required: bool = True,
        default_today: bool = False,
        not_past: bool = False,
        birth: bool = False,
        **kwargs,
    ):
        super().__init__(label, **kwargs)
        self.required = required
        self.default_today = default_today
        self.not_past = not_past
        self.birth = birth

    def pre_validate(self, form):
        if not self.raw:
            if self.default_today:
                self.data = form.today
            elif self.required:
                raise StopValidation(Problem("no_date"))
            return
        self.data = iso_date(self.raw)
        if self.data is None:
            raise StopValidation(Problem("date", self.raw[:40]))
        if self.not_past and self.data < form.today:
            raise StopValidation(Problem("past", self.raw))
        if self.birth and not plausible_birth(self.data, form.today):
            raise StopValidation(Problem("birth", self.raw))


class Clock(Typed):
    """A time of day as HH:MM (stored as text "09:30")."""

    def pre_validate(self, form):
        self.data = hh_mm(self.raw)
        if self.data is None:
            raise StopValidation(Problem("time", self.raw[:40]))


class Password(Field):
    """The family's collection password, as typed (it is hashed, never shown again)."""

    def __init__(self, label: str, *, required: bool = False, **kwargs):
        super().__init__(label, **kwargs)
        self.required = required
        self.data = ""

    def process_formdata(self, valuelist):
        self.data = _first(valuelist) or ""

    def pre_validate(self, form):
        if not self.data:
            if self.required:
                raise StopValidation(Problem("missing"))
            return
        problem = collection_password_problem(self.data)
        if problem:
            raise StopValidation(problem)

    @property
    def shown(self) -> str:
        return ""  # never sent back


class Language(Typed):
    """The language the kiosk speaks to an adult: a code as a setting writes it ("en",
    "pl", "ur_PK"); left empty, English."""

    empty = "en_GB"

    def pre_validate(self, form):
        if not self.raw:
            self.data = "en_GB"
            return
        self.data = language_from_code(self.raw[:40])
        if self.data is None:
            raise StopValidation(Problem("not_listed", self.raw[:20]))


class Order(Typed):
    """An emergency contact's place in the list of people rung (1-9); empty or "no": none."""

    def pre_validate(self, form):
        self.data = None
        if not self.raw or self.raw.casefold() in ("no", "n"):
            return
        if not (self.raw.isdigit() and 1 <= int(self.raw) <= 9):
            raise StopValidation(Problem("emergency_order", self.raw[:20]))
        self.data = int(self.raw)


# ---- The schemas ----


class Schema(Form):
    """A record's fields. ``today`` is the setting's today; ``choices`` the lists a
    ``Pick`` must be in, by field name; ``db`` for rules that read records."""

    def __init__(
        self,
        formdata=None,
        *,
        today: date | None = None,
        choices: Mapping[str, Mapping[str, object] | Callable[[], Mapping]] | None = None,
        open_choices: Collection[str] = (),
        db: Database | None = None,
        **kwargs,
    ):
        self.today = today
        self.choices = choices or {}
        self.open_choices = set(open_choices)
        self.db = db
        self.extra_problems: dict[str, Problem | str] = {}
        super().__init__(formdata, **kwargs)

    def choice_list(self, name: str) -> Mapping[str, object]:
        """The list field ``name`` must be in; a door may pass a function that reads it."""
        found = self.choices.get(name) or {}
        return found() if callable(found) else found

    def check(self, names: Collection[str] | None = None) -> bool:
        """Validate; True when every field (or every one of ``names``) is right."""
        self.validate()
        return not self.problems_in(names)

    @property
    def problems(self) -> dict[str, Problem | str]:
        """Each field's first problem (a message a door added is a plain string)."""
        found = {name: errors[0] for name, errors in self.errors.items() if errors}
        return {**found, **{k: v for k, v in self.extra_problems.items() if k not in found}}

    def problems_in(self, names: Collection[str] | None) -> dict[str, Problem | str]:
        return {k: v for k, v in self.problems.items() if names is None or k in names}

    def error(self, name: str, problem: Problem | str) -> None:
        """A problem found outside the schema (a duplicate name when saving, a photo that
        cannot be read): shown beside its field like the others."""
        self.extra_problems.setdefault(name, problem)

    @property
    def messages(self) -> dict[str, str]:
        """The problems in English, by field, for the panel."""
        return {
            name: problem
            if isinstance(problem, str)
            else problem.message(self[name].label.text if name in self else name)
            for name, problem in self.problems.items()
        }

    @property
    def values(self) -> dict[str, object]:
        """What to show back in the form: what was typed (cleaned), so nothing is typed twice."""
        return {field.name: field.shown for field in self}

    def cleaned(self, *names: str) -> dict[str, object]:
        """The checked values of ``names`` (all fields if none), empty text as None."""
        wanted = names or [field.name for field in self]
        return {name: self[name].data if self[name].data != "" else None for name in wanted}


class Child(Schema):
    first_name = Text("a first name", max_length=text.NAME_MAX)
    last_name = Text("a last name", max_length=text.NAME_MAX)
    known_as = Text("a known-as name", required=False, max_length=KNOWN_AS_MAX)
    date_of_birth = Day("the date of birth", birth=True)
    room_id = Pick("a room")
    key_person_id = Pick("a key person", required=False, max_length=text.NAME_MAX)
    sen_support = Flag("SEN support")
    child_protection_plan = Flag("a child protection plan")
    collection_password = Password("the collection password")


class Adult(Schema):
    """A parent, carer or other adult linked to children (a contact)."""

    name = Text("their full name", max_length=text.NAME_MAX)
    phone = Phone("a phone number")
    language = Language("a language")


class Link(Schema):
    """What an adult is to a child, and what they may do."""

    child_id = Pick("a child", max_length=text.NAME_MAX * 2 + 1)
    relationship = Text("the relationship", max_length=RELATIONSHIP_MAX)
    parental_responsibility = Flag("parental responsibility")
    may_collect = Flag("may collect", required=True)
    emergency_contact = Order("the emergency contact's order")

    def validate_emergency_contact(self, field):
        if field.data is None:
            return
        if self.parental_responsibility.data:
            raise StopValidation(Problem("emergency_and_pr", field.raw))
        phone = getattr(self, "phone", None)
        if phone is not None and not phone.data:
            raise StopValidation(Problem("emergency_phone", field.raw))


class AdultAndLink(Adult, Link):
    """One line of contacts.csv: an adult and their link to one child."""


class Staff(Schema):
    name = Text("their full name", max_length=text.NAME_MAX)
    job_title = Text("their job title", max_length=JOB_TITLE_MAX)
    role = Pick("what the panel lets them do")
    room_id = Pick("a room", required=False)
    safeguarding_lead = Flag("safeguarding lead")


class NotPermitted(Schema):
    """Someone who must not collect a child: the kiosk stops them. The reason is kept with
    the entry, so whoever meets them at the door knows why (a court order, a parent's
    instruction)."""

    child_id = Pick("a child", max_length=text.NAME_MAX * 2 + 1)
    name = Text("the person's name", max_length=text.NAME_MAX)
    description = Text("a description", required=False, max_length=text.NOTE_MAX)
    reason = Text("the reason", max_length=text.NOTE_MAX)


class OneOff(Schema):
    """A parent's arrangement for someone else to collect on one day: who arranged it is
    always recorded; the day may be today or later, never past."""

    child_id = Pick("a child", max_length=text.NAME_MAX * 2 + 1)
    day = Day("the day", default_today=True, not_past=True)
    collector_name = Text("the collector's full name", max_length=text.NAME_MAX)
    relationship = Text("the relationship", required=False, max_length=RELATIONSHIP_MAX)
    arranged_by = Text("who arranged it", max_length=text.NAME_MAX)
    note = Text("a note", required=False, max_length=text.NOTE_MAX)


class Booking(Schema):
    """An expected agency visit. A visit to a child with no involvement that has the
    parents' consent goes ahead only with a reason (``needs_reason`` says which)."""

    day = Day("the day of the visit", default_today=True, not_past=True)
    time = Clock("the time")
    visitor_name = Text("the visitor's full name", max_length=text.NAME_MAX)
    role = Text("their role", max_length=ROLE_MAX)
    organisation_id = Pick("an organisation", required=False)
    child_id = Pick("the child", max_length=text.NAME_MAX * 2 + 1)
    supervisor_id = Pick("a supervisor", required=False, max_length=text.NAME_MAX)
    purpose = Text("the purpose", required=False, max_length=text.NOTE_MAX)
    no_consent_reason = Text(
        "the reason to go ahead without recorded consent",
        required=False,
        max_length=text.NOTE_MAX,
        multiline=True,
    )

    def __init__(self, formdata=None, *, needs_reason: Callable[[object, object], bool], **kw):
        self.needs_reason = needs_reason
        super().__init__(formdata, **kw)

    def validate_no_consent_reason(self, field):
        if self.child_id.data is None or self.child_id.errors or self.organisation_id.errors:
            return
        if not field.data and self.needs_reason(self.child_id.data, self.organisation_id.data):
            raise StopValidation(Problem("missing"))


class Visitor(Schema):
    """Someone signing in at the kiosk without a booking. The labels are the kiosk's
    (it says them in the visitor's language)."""

    name = Text("your full name", max_length=text.NAME_MAX)
    organisation = Text("your organisation", required=False)


class OtherVisitor(Visitor):
    purpose = Text("the reason for your visit")
    here_to_see = Text("who you are here to see", max_length=text.NAME_MAX)


class Professional(Visitor):
    """A visiting professional without an invitation: who they are, then who they see."""

    organisation = Text("your organisation")
    role = Text("your role", max_length=ROLE_MAX)
    phone = Phone("your phone number")
    child = Text("the name of the child you are visiting", max_length=text.NAME_MAX)

    ABOUT = ("name", "organisation", "role")
