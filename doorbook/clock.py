"""Time: stored in UTC, shown and grouped into days in the setting's time zone.

Every function that turns a stored time into a local one, or a local day into stored times,
is told the zone (``settings.timezone(db)``): there is no default to hide a missed one.

Tests freeze the clock with ``clock.freeze(datetime)``; nothing else reads the system time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

STORED_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextmanager
def freeze(at: datetime) -> Iterator[None]:
    global _frozen
    previous, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def stamp(at: datetime | None = None) -> str:
    """A UTC time as stored in the database."""
    return (at or now()).astimezone(UTC).strftime(STORED_FORMAT)


def parse(stored: str) -> datetime:
    # The stored form is ISO 8601 with a space: fromisoformat reads it in C, far faster
    # than strptime (it matters for a year's export).
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def local(stored_or_dt: str | datetime, tz: str) -> datetime:
    at = parse(stored_or_dt) if isinstance(stored_or_dt, str) else stored_or_dt
    return at.astimezone(ZoneInfo(tz))


def hh_mm(stored: str | None, tz: str) -> str:
    """A stored time as the setting's wall clock shows it (HH:MM), or "" when there is none."""
    return local(stored, tz).strftime("%H:%M") if stored else ""


def today(tz: str) -> date:
    """The setting's local date now."""
    return now().astimezone(ZoneInfo(tz)).date()


def day_bounds(day: date, tz: str) -> tuple[str, str]:
    """The stored UTC times at which a local day starts and the next one starts.

    A local day is 23 or 25 hours long on the days the clocks change.
    """
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return stamp(start), stamp(end)


def at_local(day: date, clock_time: time, tz: str) -> datetime:
    """A local wall-clock time on a local day, as an aware datetime."""
    return datetime.combine(day, clock_time, tzinfo=ZoneInfo(tz))
