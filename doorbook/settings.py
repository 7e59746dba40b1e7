"""The setting's own settings: each one declared once, here, with its default, its label,
its help and its check. The panel's Settings page and `doorbook settings` are built from
these declarations, so a setting declared here can be changed in both, validated the same
way and audited old -> new, with no other code. The database holds only what was changed.

To add a setting, add a ``Setting(...)`` to ``SETTINGS`` (pick the ``kind`` that fits; for a
rule no kind covers, give ``check``, a function that returns the value to store or raises
``SettingProblem`` with a message for the manager)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time as clock_time
from functools import cache
from pathlib import Path

from sqlite_utils import Database

from doorbook import audit, text
from doorbook.db import database_file, write
from doorbook.languages import LANGUAGES
from doorbook.replica_address import ReplicationProblem, parse_destination


class SettingProblem(ValueError):
    """A value a setting cannot take; the message says what to do, for the manager."""


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    label: str
    help: str = ""
    # text | time (HH:MM) | whole (a whole number from minimum to maximum) | yes_no |
    # choice (one of choices) | timezone | folder (empty, or an existing writable folder)
    kind: str = "text"
    section: str = "Other"
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, what the manager reads)
    unit: str = ""
    max_length: int = 100
    required: bool = True
    check: Callable[[str], str] | None = field(default=None, compare=False)

    def clean(self, raw: object) -> str:
        """The value to store for what was typed, or SettingProblem."""
        label = self.label[:1].lower() + self.label[1:]
        value, problem = text.clean(
            None if raw is None else str(raw),
            label,
            max_length=self.max_length,
            required=self.required and self.kind not in ("folder",),
        )
        if problem:
            raise SettingProblem(problem.message)
        cleaner = _KINDS.get(self.kind)
        if cleaner is None:
            raise SettingProblem(f"{self.key}: unknown kind {self.kind!r}")
        value = cleaner(self, value)
        return self.check(value) if self.check else value


def _text(_setting: Setting, value: str) -> str:
    return value


def _time(setting: Setting, value: str) -> str:
    try:
        if len(value) not in (4, 5):
            raise ValueError
        parsed = clock_time.fromisoformat(value.zfill(5))
    except ValueError:
        raise SettingProblem(
            f"Please give the {setting.label.lower()} as a 24-hour time, HH:MM (e.g. 17:30)."
        ) from None
    return parsed.strftime("%H:%M")


def _whole(setting: Setting, value: str) -> str:
    low, high = setting.minimum, setting.maximum
    unit = f" {setting.unit}" if setting.unit else ""
    wanted = f"{setting.label}: please give a whole number from {low} to {high}{unit}"
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise SettingProblem(wanted + ".")
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        why = (
            f" ({setting.help[:1].lower()}{setting.help[1:]})"
            if setting.help and low is not None and number < low
            else ""
        )
        raise SettingProblem(wanted + why + ".")
    return str(number)


def _yes_no(setting: Setting, value: str) -> str:
    value = value.lower()
    if value not in ("yes", "no"):
        raise SettingProblem(f"Please answer yes or no for {setting.label.lower()}.")
    return value


def _choice(setting: Setting, value: str) -> str:
    allowed = [choice for choice, _ in setting.choices]
    if value not in allowed:
        raise SettingProblem(
            f"Please choose the {setting.label.lower()} from: {', '.join(allowed)}."
        )
    return value


@cache
def time_zones() -> tuple[str, ...]:
    from zoneinfo import available_timezones

    return tuple(sorted(available_timezones()))


def _timezone(_setting: Setting, value: str) -> str:
    if value not in time_zones():
        raise SettingProblem(
            f"{value[:60]!r} is not a time zone Doorbook knows. Please use a name such as "
            "Europe/London (the IANA time zone database)."
        )
    return value


def _folder(_setting: Setting, value: str) -> str:
    if not value:
        return ""
    path = Path(value)
    if not path.is_absolute():
        raise SettingProblem(
            "Please give the folder's full path, starting with / (e.g. /media/usb/doorbook)."
        )
    if not path.is_dir():
        raise SettingProblem(f"There is no folder {value}. Please create it first.")
    try:  # writing is the only sure test (permissions, read-only mounts, a full stick)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError:
        raise SettingProblem(
            f"Doorbook cannot write in {value}. Please let the doorbook user write there."
        ) from None
    return str(path)


_KINDS: dict[str, Callable[[Setting, str], str]] = {
    "text": _text,
    "time": _time,
    "whole": _whole,
    "yes_no": _yes_no,
    "choice": _choice,
    "timezone": _timezone,
    "folder": _folder,
}

# Retention floors: the shortest periods the records may be kept. Visitors' books and the
# audit trail: 6 years (the Limitation Act 1980's 6 years for claims; the IRMS toolkit for
# schools keeps visitors' books for the current year + 6). The register: 3 years after the
# child leaves (EYFS 3.88 asks for records to be kept for a reasonable period).
RETENTION_HELP = "The law and guidance ask for at least {floor} years"


def _retention(key: str, default: str, label: str, floor: int) -> Setting:
    return Setting(
        key,
        default,
        label,
        help=RETENTION_HELP.format(floor=floor),
        kind="whole",
        section="Keeping records",
        minimum=floor,
        maximum=75,
        unit="years",
    )


def _replica_url(value: str) -> str:
    try:
        parse_destination(value)
    except ReplicationProblem as problem:
        raise SettingProblem(str(problem)) from None
    return value


def _session_times(value: str) -> str:
    start, _, end = value.partition("-")
    try:
        if (
            len(start) != 5
            or len(end) != 5
            or clock_time.fromisoformat(end) <= clock_time.fromisoformat(start)
        ):
            raise ValueError
    except ValueError:
        raise SettingProblem(
            f"{value[:20]!r}: please give the session as start-end on the 24-hour clock, "
            "e.g. 09:00-12:00, ending after it starts."
        ) from None
    return value


SETTINGS: list[Setting] = [
    Setting(
        "setting_name",
        "Doorbook",
        "Setting name",
        help="Shown on the kiosk, badges and reports.",
        section="The setting",
    ),
    Setting(
        "timezone",
        "Europe/London",
        "Time zone",
        help="Days, reports and every time on screen follow it (IANA name).",
        kind="timezone",
        section="The setting",
        max_length=60,
    ),
    Setting(
        "opening_time",
        "07:30",
        "Opening time",
        help="When the setting opens (24-hour clock).",
        kind="time",
        section="The setting",
    ),
    Setting(
        "closing_time",
        "18:00",
        "Closing time",
        help="A child still signed in at this time starts the uncollected-child procedure "
        "(alerts at closing, +15 and +30 minutes); the day's files are written then.",
        kind="time",
        section="The setting",
    ),
    Setting(
        "idle_timeout_seconds",
        "60",
        "Kiosk idle timeout",
        help="After this long untouched the kiosk goes back to its home screen.",
        kind="whole",
        section="The kiosk",
        minimum=20,
        maximum=600,
        unit="seconds",
    ),
    Setting(
        "pin_attempts_per_minute",
        "5",
        "Wrong PINs allowed per minute",
        help="More wrong PINs or cards than this in a minute lock the kiosk out.",
        kind="whole",
        section="The kiosk",
        minimum=3,
        maximum=20,
    ),
    Setting(
        "pin_lockout_seconds",
        "60",
        "PIN lock-out",
        help="How long a locked-out kiosk refuses PINs (QR cards still work).",
        kind="whole",
        section="The kiosk",
        minimum=30,
        maximum=3600,
        unit="seconds",
    ),
    Setting(
        "collector_attempts",
        "5",
        "Wrong collector tries allowed",
        help="More wrong names or family passwords than this (at one kiosk, or for one "
        "family) shut the ‘I’m collecting for a family’ path for a while.",
        kind="whole",
        section="The kiosk",
        minimum=3,
        maximum=20,
    ),
    Setting(
        "collector_lockout_seconds",
        "300",
        "Collector lock-out",
        help="How long that path stays shut; the wrong tries are counted over this time.",
        kind="whole",
        section="The kiosk",
        minimum=60,
        maximum=3600,
        unit="seconds",
    ),
    Setting(
        "badge_paper",
        "62mm",
        "Badge paper",
        help="What the kiosk's printer has loaded.",
        kind="choice",
        section="The kiosk",
        choices=(("62mm", "62 × 100 mm label"), ("a6", "A6 sheet")),
    ),
    Setting(
        "badge_auto_print",
        "no",
        "Print badges without a tap",
        help="yes: each visitor badge prints as soon as it is shown.",
        kind="yes_no",
        section="The kiosk",
    ),
    Setting(
        "kiosk_language",
        "en_GB",
        "Kiosk language",
        help="The kiosk's language between people; a parent's own language, or one chosen "
        "on the kiosk, lasts until they are done.",
        kind="choice",
        section="The kiosk",
        choices=tuple(LANGUAGES.items()),
    ),
    Setting(
        "please_wait_seconds",
        "20",
        "Please-wait screen",
        help="The kiosk's 'please wait, a member of staff is coming' goes back to the home "
        "screen after this long (the manager's alert stays open).",
        kind="whole",
        section="The kiosk",
        minimum=5,
        maximum=300,
        unit="seconds",
    ),
    Setting(
        "alert_repeat_seconds",
        "60",
        "Alert repeat",
        help="An alert nobody has acknowledged chimes (and buzzes) again this often.",
        kind="whole",
        section="Alerts",
        minimum=15,
        maximum=3600,
        unit="seconds",
    ),
    Setting(
        "end_of_day_folder",
        "",
        "End-of-day folder",
        help="Empty: off. A folder (e.g. a USB stick) where the day's visitor log and register "
        "are written at closing time. It must exist and Doorbook must be able to write there.",
        kind="folder",
        section="Keeping records",
        max_length=300,
        required=False,
    ),
    _retention("retention_visitor_years", "6", "Visitor records kept for", 6),
    _retention("retention_register_years_after_leaving", "3", "Register kept after leaving", 3),
    _retention("retention_audit_years", "6", "Audit log kept for", 6),
    _retention("retention_alert_years", "6", "Alerts kept for", 6),
    # Never lose a day (doorbook/replication.py): Litestream's destination and the alert.
    Setting(
        "replica_url",
        "",
        "Off-site copy destination",
        help="Empty: no off-site copy. A folder (a USB stick or the office NAS share), "
        "sftp://user@host/path or s3://bucket/path: Litestream copies every change there "
        "within seconds. DOORBOOK_REPLICA_URL in /etc/doorbook/doorbook.env wins over this.",
        kind="text",
        section="Off-site copy",
        max_length=500,
        required=False,
        check=_replica_url,
    ),
    Setting(
        "replica_max_lag_minutes",
        "10",
        "Alert when the copy is behind by",
        help="Changes made here that have not reached the off-site copy for this long raise "
        "the off-site-copy-is-behind alert.",
        kind="whole",
        section="Off-site copy",
        minimum=1,
        maximum=1440,
        unit="minutes",
    ),
    # Absences (EYFS 2025, 3.11-3.12): who is expected, and how an absence is followed up.
    *(
        Setting(
            key,
            default,
            label,
            help="The setting's session times, start-end, 24-hour clock (e.g. 09:00-12:00). "
            "Booked sessions use them.",
            kind="text",
            section="Absences",
            max_length=11,
            check=_session_times,
        )
        for key, default, label in (
            ("session_morning", "09:00-12:00", "Morning session"),
            ("session_afternoon", "13:00-16:00", "Afternoon session"),
            ("session_all_day", "08:00-18:00", "All-day session"),
        )
    ),
    Setting(
        "absence_follow_up_minutes",
        "30",
        "Not arrived after",
        help="A child expected and not arrived this long after their session starts, with no "
        "absence reported, raises a not-arrived alert and starts the follow-up.",
        kind="whole",
        section="Absences",
        minimum=5,
        maximum=240,
        unit="minutes",
    ),
    Setting(
        "absence_dsl_after_minutes",
        "60",
        "Tell the DSL after",
        help="After the not-arrived alert, if nobody has given a reason, the designated "
        "safeguarding lead is told.",
        kind="whole",
        section="Absences",
        minimum=5,
        maximum=480,
        unit="minutes",
    ),
    Setting(
        "prolonged_absence_sessions",
        "3",
        "Prolonged absence",
        help="The DSL's report lists children absent for this many consecutive expected sessions.",
        kind="whole",
        section="Absences",
        minimum=2,
        maximum=60,
        unit="sessions",
    ),
    Setting(
        "repeated_absence_percent",
        "20",
        "Repeated absence",
        help="The DSL's report lists children absent for more than this share of their "
        "expected sessions in the last 4 weeks.",
        kind="whole",
        section="Absences",
        minimum=1,
        maximum=99,
        unit="%",
    ),
    Setting(
        "ask_parents_to_confirm_policy",
        "no",
        "Ask parents to confirm the attendance policy",
        help="yes: at the kiosk, each parent is asked once to confirm they have read the "
        "attendance policy (once one is uploaded).",
        kind="yes_no",
        section="Absences",
    ),
    _retention("retention_complaint_years", "3", "Complaints kept after closing", 3),
    # Working with other professionals: the parents are informed at every stage (a visit, a
    # report, a review); concerns and involvements are kept long after the child leaves, and
    # never purged while the child has a child protection plan.
    Setting(
        "parents_informed_within_hours",
        "24",
        "Tell the parents about each stage within",
        help="After a visit, a report or a review, the task to tell the parents shows as "
        "overdue after this long.",
        kind="whole",
        section="Working with other professionals",
        minimum=1,
        maximum=24 * 14,
        unit="hours",
    ),
    Setting(
        "retention_safeguarding_years_after_leaving",
        "25",
        "Concerns and involvements kept after leaving",
        help="Safeguarding records are kept long after the child leaves (commonly until they "
        "are 25); never purged while the child has a child protection plan. At least 6 years",
        kind="whole",
        section="Keeping records",
        minimum=6,
        maximum=75,
        unit="years",
    ),
    Setting(
        "complaint_acknowledge_days",
        "10",
        "Acknowledge a written complaint within",
        help="The complaints procedure: 10 days.",
        kind="whole",
        section="Families",
        minimum=1,
        maximum=10,
        unit="days",
    ),
    Setting(
        "complaint_feedback_days",
        "28",
        "Give feedback on a complaint within",
        help="The complaints procedure: 28 days.",
        kind="whole",
        section="Families",
        minimum=1,
        maximum=28,
        unit="days",
    ),
    Setting(
        "complaint_reminder_days",
        "2",
        "Remind the manager before each complaint deadline",
        help="An alert this many days before each deadline (and another if it is missed).",
        kind="whole",
        section="Families",
        minimum=0,
        maximum=14,
        unit="days",
    ),
    Setting(
        "contact_confirm_days",
        "120",
        "Ask adults to confirm their phone number every",
        help="About a term. Asked at the kiosk after they sign their children in or out.",
        kind="whole",
        section="Families",
        minimum=30,
        maximum=365,
        unit="days",
    ),
]


DECLARED: dict[str, Setting] = {setting.key: setting for setting in SETTINGS}
DEFAULTS: dict[str, str] = {setting.key: setting.default for setting in SETTINGS}


def declared(key: str) -> Setting:
    try:
        return DECLARED[key]
    except KeyError:
        raise SettingProblem(
            f"There is no setting {key[:60]!r}. The settings are: {', '.join(DECLARED)}."
        ) from None


def sections() -> dict[str, list[Setting]]:
    grouped: dict[str, list[Setting]] = {}
    for setting in SETTINGS:
        grouped.setdefault(setting.section, []).append(setting)
    return grouped


# Read on nearly every request; kept for a few seconds (and dropped when this process
# changes them), so a change made by another process is seen within CACHE_SECONDS.
CACHE_SECONDS = 5.0
_cache: dict[str, tuple[float, dict[str, str]]] = {}


def all_settings(db: Database) -> dict[str, str]:
    key = database_file(db)
    cached = _cache.get(key)
    now = time.monotonic()
    if cached and cached[0] > now:
        return cached[1]
    values = _read(db)
    _cache[key] = (now + CACHE_SECONDS, values)
    return values


def _read(db: Database) -> dict[str, str]:
    stored = {row[0]: row[1] for row in db.execute("SELECT key, value FROM settings")}
    return {name: stored.get(name, default) for name, default in DEFAULTS.items()}


def get(db: Database, key: str) -> str:
    return all_settings(db)[key]


def get_int(db: Database, key: str) -> int:
    return int(get(db, key))


def timezone(db: Database) -> str:
    return get(db, "timezone")


def set_many(db: Database, values: dict[str, str]) -> None:
    """Store values as given (the demo, tests). People's changes go through ``change``."""
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise KeyError(f"unknown settings: {', '.join(sorted(unknown))}")
    with write(db):
        db["settings"].upsert_all(
            [{"key": k, "value": str(v)} for k, v in values.items()], pk="key"
        )
    _cache.pop(database_file(db), None)


def check(values: Mapping[str, object], current: Mapping[str, str]) -> tuple[dict, dict]:
    """Check what a person asked for. Returns (the values to store, problems by key)."""
    cleaned: dict[str, str] = {}
    problems: dict[str, str] = {}
    for key, raw in values.items():
        try:
            cleaned[key] = declared(key).clean(raw)
        except SettingProblem as problem:
            problems[key] = str(problem)
    after = {**current, **cleaned}
    if (
        "opening_time" not in problems
        and "closing_time" not in problems
        and after["opening_time"] >= after["closing_time"]
    ):
        problems["closing_time" if "closing_time" in values else "opening_time"] = (
            f"The closing time ({after['closing_time']}) must be after the opening time "
            f"({after['opening_time']})."
        )
    return cleaned, problems


def change(
    db: Database, actor: audit.Actor, values: Mapping[str, object]
) -> list[tuple[str, str, str]]:
    """Validate and store a person's changes, each audited old -> new, in one transaction.

    Raises SettingProblems (every problem, by key) and changes nothing if any is wrong.
    Returns what changed: (key, old, new)."""
    with write(db):
        current = _read(db)
        cleaned, problems = check(values, current)
        if problems:
            raise SettingProblems(problems)
        changed = [(k, current[k], v) for k, v in cleaned.items() if current[k] != v]
        if changed:
            db["settings"].upsert_all(
                [{"key": k, "value": new} for k, _old, new in changed], pk="key"
            )
            for key, old, new in changed:
                audit.record(db, actor, "setting_changed", setting=key, old=old, new=new)
    _cache.pop(database_file(db), None)
    return changed


class SettingProblems(SettingProblem):
    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__(" ".join(problems.values()))
