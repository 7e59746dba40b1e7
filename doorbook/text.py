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
    """What is wrong with a piece of text: a kind, so each screen can say it in the
    reader's language, and the same in English (``message``) for the panel and the CLI."""

    kind: str  # missing | too_long | direction | control | unstorable
    label: str  # what the text is, as the form names it: "your full name"
    limit: int = 0

    @property
    def message(self) -> str:
        return ENGLISH[self.kind].format(label=self.label, limit=self.limit)


ENGLISH = {
    "missing": "Please enter {label}.",
    "too_long": "Please keep {label} under {limit} characters.",
    "direction": "Please type {label} again: it contains hidden text-direction characters.",
    "control": "Please type {label} again: it contains a control character.",
    "unstorable": "Please type {label} again: it contains characters that cannot be stored.",
}


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
        return "", TextProblem("missing", label) if required else None
    if len(text) > max_length:
        return text[:max_length], TextProblem("too_long", label, max_length)
    for ch in text:
        if ch in _DIRECTION_CONTROLS:
            return "", TextProblem("direction", label)
        category = unicodedata.category(ch)
        if category == "Cc" and not (multiline and ch in "\n\t"):
            return "", TextProblem("control", label)
        if category in ("Cs", "Co", "Cn"):
            return "", TextProblem("unstorable", label)
    if not multiline:
        text = " ".join(text.split())
    return text, None


# Letters that carry their accent inside them (no Unicode decomposition): written plainly.
_PLAIN_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)


def name_key(name: str) -> str:
    """A name as the kiosk compares it: Unicode-normalised, case-insensitive and
    accent-insensitive, with spaces collapsed. "ŁUCJA  Wisniewska" and "Łucja Wiśniewska"
    have the same key; so do "Zoe" and "Zoë", "Stefan" and "Ștefan"."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(plain.translate(_PLAIN_LETTERS).split())


def same_name(a: str, b: str) -> bool:
    """Two names are the same person's name as people write them (see ``name_key``)."""
    return name_key(a) == name_key(b)
