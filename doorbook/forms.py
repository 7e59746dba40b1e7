"""Reading a submitted form: each field checked with a message a person can act on, kept
beside the field; the values typed are kept, so nothing has to be typed twice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from doorbook import text


class Form:
    def __init__(self, data: Mapping[str, str]):
        self.data = data
        self.values: dict[str, object] = {}
        self.errors: dict[str, str] = {}

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(
        self,
        name: str,
        label: str,
        *,
        required: bool = True,
        max_length: int = text.SHORT_MAX,
        multiline: bool = False,
    ) -> str:
        value, problem = text.clean(
            self.data.get(name),
            label,
            max_length=max_length,
            required=required,
            multiline=multiline,
        )
        self.values[name] = value
        if problem:
            self.errors[name] = problem.message
        return value

    def flag(self, name: str) -> bool:
        value = self.data.get(name) in ("yes", "on", "1", "true")
        self.values[name] = value
        return value

    def choice(self, name: str, label: str, options: Mapping[str, object], *, required=True):
        raw = (self.data.get(name) or "").strip()
        self.values[name] = raw
        if not raw:
            if required:
                self.errors[name] = f"Please choose {label}."
            return None
        if raw not in options:
            self.errors[name] = f"Please choose {label} from the list."
            return None
        return options[raw]

    def date(self, name: str, label: str, *, required: bool = True) -> date | None:
        raw = (self.data.get(name) or "").strip()
        self.values[name] = raw
        if not raw:
            if required:
                self.errors[name] = f"Please enter {label}."
            return None
        try:
            if len(raw) != 10:
                raise ValueError
            return date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = f"Please enter {label} as a date (YYYY-MM-DD)."
            return None

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)
