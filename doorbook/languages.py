"""The languages the kiosk speaks, each named in its own language and script."""

from __future__ import annotations

LANGUAGES: dict[str, str] = {
    "en_GB": "English",
    "pl": "Polski",
    "ro": "Română",
    "pt": "Português",
    "es": "Español",
    "ur": "اردو",
    "ar": "العربية",
}
DEFAULT = "en_GB"
# The kiosk keyboard's layout for each language, from simple-keyboard-layouts (copied into
# static/vendor/layouts/ by `make setup`). Romanian has none there: kiosk.js puts ă î â ș ț
# on the English one, where the Romanian standard keyboard has them.
KEYBOARD_LAYOUTS: dict[str, str] = {
    "en_GB": "english",
    "pl": "polish",
    "ro": "english",
    "pt": "brazilian",
    "es": "spanish",
    "ur": "urdu",
    "ar": "arabic",
}
_ALIASES = {"en": "en_GB", "en-gb": "en_GB", "en_gb": "en_GB"}


def language_from_code(code: str) -> str | None:
    """The supported language for a code as a setting writes it ("en", "pl", "ur"), or None."""
    cleaned = code.strip()
    if cleaned in LANGUAGES:
        return cleaned
    return _ALIASES.get(cleaned.casefold()) or (
        cleaned.casefold() if cleaned.casefold() in LANGUAGES else None
    )
