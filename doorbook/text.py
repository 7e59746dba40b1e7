"""One check for every piece of text a person types or imports: the kiosk's forms, the
panel's forms and CSV import all call ``clean``, so they refuse the same things with the
same words."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

NAME_MAX = 100
SHORT_MAX = 200
NOTE_MAX = 500

# Invisible characters that carry nothing: a byte-order mark, zero-width spaces. Dropped.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u2060"))
# Invisible characters that reorder text (the "RTL override" trick) or hide it.
_DIRECTION_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


@dataclass(frozen=True)
class TextProblem:
    message: str


def clean(
    value: str | None,
    label: str,
    *,
    max_length: int = SHORT_MAX,
    required: bool = True,
    multiline: bool = False,
) -> tuple[str, TextProblem | None]:
    """Trim and normalise ``value``; return it with a problem a person can act on, if any."""
    text = unicodedata.normalize("NFC", value or "").translate(_INVISIBLE).strip()
    if not text:
        if required:
            return "", TextProblem(f"Please enter {label}.")
        return "", None
    if len(text) > max_length:
        return text[:max_length], TextProblem(
            f"{label[0].upper()}{label[1:]} is too long: please keep it under "
            f"{max_length} characters."
        )
    for ch in text:
        if ch in _DIRECTION_CONTROLS:
            return "", TextProblem(
                f"{label[0].upper()}{label[1:]} contains hidden text-direction characters; "
                "please type it again."
            )
        category = unicodedata.category(ch)
        if category == "Cc" and not (multiline and ch in "\n\t"):
            return "", TextProblem(
                f"{label[0].upper()}{label[1:]} contains a control character; please type it again."
            )
        if category in ("Cs", "Co", "Cn"):
            return "", TextProblem(
                f"{label[0].upper()}{label[1:]} contains characters that cannot be stored; "
                "please type it again."
            )
    if not multiline:
        text = " ".join(text.split())
    return text, None
