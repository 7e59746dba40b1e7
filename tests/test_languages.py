"""The kiosk in every family's language: complete catalogues, nothing left in English."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from doorbook.languages import LANGUAGES
from tests.conftest import DEMO_ZONE, PROJECT
from tests.kiosk_helpers import HX, identify, text_of

TRANSLATED = [code for code in LANGUAGES if code != "en_GB"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The kiosk's strings as they are in the code now."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=PROJECT,
        check=True,
    )
    with open(pot, "rb") as f:
        return {m.id for m in read_po(f) if m.id}


@pytest.mark.served
@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_has_every_string_translated_and_none_stale(code, extracted):
    with open(PROJECT / "translations" / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = read_po(f, locale=code)
    ids = {m.id for m in catalogue if m.id}
    assert not extracted - ids, f"{code} misses {sorted(map(str, extracted - ids))[:5]}"
    assert not ids - extracted, f"{code} has stale strings {sorted(map(str, ids - extracted))[:5]}"
    for message in catalogue:
        if not message.id:
            continue
        assert not message.fuzzy, f"{code}: fuzzy {message.id!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        for string in strings:
            assert string, f"{code}: no translation for {message.id!r}"
            assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(source)), (
                f"{code}: placeholders differ in {message.id!r}"
            )


KIOSK_TEMPLATES = [
    *sorted((PROJECT / "templates" / "kiosk").glob("*.html")),
    PROJECT / "templates" / "_roll_call_body.html",
    PROJECT / "templates" / "error.html",
]
ALLOWED = {"ABCD-2345"}  # an example of a code, the same in every language


def visible_untranslated(source: str) -> list[str]:
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    found = []
    for attribute in re.findall(r'(?:aria-label|placeholder|title|alt)="([^"]*)"', text):
        if re.search(r"[^\W\d_]", attribute) and attribute.strip() not in ALLOWED:
            found.append(attribute)
    for chunk in re.findall(r">([^<>]+)<", text):
        if re.search(r"[^\W\d_]", chunk) and chunk.strip() not in ALLOWED:
            found.append(chunk.strip())
    return found


@pytest.mark.parametrize("template", KIOSK_TEMPLATES, ids=lambda p: p.name)
def test_no_kiosk_template_has_a_visible_string_left_untranslated(template):
    assert visible_untranslated(template.read_text(encoding="utf-8")) == []


def test_the_checker_would_notice_an_untranslated_string():
    assert visible_untranslated("<p>{{ _('Fine') }}</p><button>Sign in</button>") == ["Sign in"]
    assert visible_untranslated('<input aria-label="Your name">') == ["Your name"]


def test_after_identifying_the_kiosk_speaks_the_parents_language(demo_client):
    page = text_of(identify(demo_client, "427159"))  # Imran Khan prefers Urdu
    assert 'lang="ur" dir="rtl"' in page and "السلام علیکم، Imran" in page
    demo_client.post("/reset")  # idle: back to the setting's language
    assert '<html lang="en" dir="ltr">' in text_of(demo_client.get("/"))


def test_a_chosen_language_translates_messages_from_the_server(demo_client):
    demo_client.post("/language", data={"language": "pl"})
    page = text_of(demo_client.post("/collecting", data={"name": "", "password": "x"}, headers=HX))
    assert "Proszę wpisać: imię i nazwisko." in page


def test_the_picker_names_each_language_in_its_own_script(demo_client):
    page = text_of(demo_client.get("/language"))
    for name in ("Polski", "Română", "Português", "Español", "اردو", "العربية"):
        assert name in page


def test_times_are_shown_in_each_languages_format(demo_client):
    from doorbook import clock

    with clock.freeze(
        clock.at_local(clock.today(DEMO_ZONE), __import__("datetime").time(8, 2), DEMO_ZONE)
    ):
        page = text_of(identify(demo_client, "245781"))  # Katarzyna Nowak: Polish
        from tests.kiosk_helpers import child_ids, nonce_of

        done = text_of(
            demo_client.post(
                "/parent/sign-in",
                data={"nonce": nonce_of(page), "child": child_ids(page)},
                headers=HX,
            )
        )
    assert "Zosia Nowak – wejście o 08:02" in done
