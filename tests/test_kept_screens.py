"""Screens the kiosk renders once and serves as kept (doorbook.speed): the home page, the PIN
pad and every screen's language words. Whatever is kept, a person sees what they saw before:
a language or a setting changed shows at once, each browser gets its own CSRF token, and no
screen shows anything of the person who was there before."""

import re
import shutil

import pytest

from doorbook import create_app, settings
from doorbook.db import get_db
from tests.conftest import TEST_CONFIG
from tests.kiosk_helpers import HX, demo_child_words, identify, text_of

TOKEN = re.compile(r'"X-CSRFToken": &#34;([^&]+)&#34;')
SAME_FOR_EVERYONE = [("/", {}), ("/", HX), ("/parent", {}), ("/parent", HX), ("/staff", HX)]


def change_settings(app, values: dict[str, str]) -> None:
    # Outside any request: requests then run in their own app context, as under a server.
    with app.app_context():
        settings.set_many(get_db(), values)


def token_of(page: str) -> str:
    return TOKEN.search(page).group(1)


@pytest.fixture
def strict_app(tmp_path, demo_template):
    """The demo setting with CSRF checked, as in production."""
    data = tmp_path / "demo"
    shutil.copytree(demo_template, data)
    return create_app({**TEST_CONFIG, "DATA_DIR": str(data), "WTF_CSRF_ENABLED": True})


def test_a_kept_screen_is_the_screen_rendered_afresh(demo_app, monkeypatch):
    from kiosk import views

    def screens(client):
        # The token is signed with the time, so it differs from second to second.
        return [
            TOKEN.sub("TOKEN", text_of(client.get(url, headers=headers)))
            for url, headers in SAME_FOR_EVERYONE
        ]

    for language in ("en_GB", "pl", "ur", "ar"):
        change_settings(demo_app, {"kiosk_language": language})
        client = demo_app.test_client()
        kept = screens(client) + screens(client)
        monkeypatch.setattr(views, "SAME_FOR_EVERYONE", frozenset())
        fresh = screens(client)
        monkeypatch.undo()
        assert f'lang="{language.replace("_", "-")}"' in kept[1]
        assert kept == fresh * 2, language


def test_a_change_of_language_shows_at_once(demo_app, demo_client):
    assert '<html lang="en" dir="ltr">' in text_of(demo_client.get("/"))
    assert "Type your PIN or scan your card." in text_of(demo_client.get("/parent", headers=HX))
    change_settings(demo_app, {"kiosk_language": "pl"})
    assert '<html lang="pl" dir="ltr">' in text_of(demo_client.get("/"))
    pad = text_of(demo_client.get("/parent", headers=HX))
    assert 'lang="pl"' in pad and "Type your PIN or scan your card." not in pad
    demo_client.post("/language", data={"language": "ar"}, headers=HX)
    pad = text_of(demo_client.get("/parent", headers=HX))
    assert 'lang="ar" dir="rtl"' in pad and "Type your PIN or scan your card." not in pad


def test_a_change_of_settings_shows_at_once(demo_app, demo_client):
    first = text_of(demo_client.get("/"))
    assert 'data-idle-seconds="60"' in first
    change_settings(demo_app, {"setting_name": "Willow Tree Nursery", "idle_timeout_seconds": "90"})
    page = text_of(demo_client.get("/"))
    assert "<title>Willow Tree Nursery</title>" in page and 'data-idle-seconds="90"' in page


def test_each_browser_gets_its_own_token_and_it_works(strict_app):
    first, second = strict_app.test_client(), strict_app.test_client()
    tokens = [token_of(text_of(c.get("/"))) for c in (first, second, first)]
    assert tokens[0] != tokens[1]
    assert "doorbook-csrf" not in tokens[0]
    for client, token in ((first, tokens[2]), (second, tokens[1])):
        answer = client.post(
            "/language", data={"language": "pl"}, headers={**HX, "X-CSRFToken": token}
        )
        assert answer.status_code == 200 and 'lang="pl"' in text_of(answer)
    # One browser's token is no good in another's session.
    refused = second.post("/reset", headers={**HX, "X-CSRFToken": tokens[0]})
    assert refused.status_code == 400


def test_the_next_person_never_sees_the_last_ones_children(demo_app):
    words = demo_child_words()
    rachel, next_person = demo_app.test_client(), demo_app.test_client()
    children = text_of(identify(rachel, "482913"))
    assert "Oscar" in children
    for client in (rachel, next_person):
        for url, headers in SAME_FOR_EVERYONE:
            page = text_of(client.get(url, headers=headers))
            assert not [w for w in words if w in page], url
    # The PIN pad after a wrong PIN says so, to that person only.
    wrong = text_of(identify(next_person, "000000"))
    assert "was not recognised" in wrong
    assert "was not recognised" not in text_of(rachel.get("/parent", headers=HX))
