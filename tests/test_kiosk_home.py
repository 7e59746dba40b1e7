"""The kiosk's home screen: the five journeys, nothing about any child, nothing cached."""

from doorbook import settings
from tests.kiosk_helpers import HX, demo_child_words, text_of

KIOSK_SCREENS = ["/", "/language", "/parent", "/professional", "/visitor", "/staff", "/signing-out"]


def test_home_has_the_five_journeys_the_language_picker_and_help(demo_client):
    page = demo_client.get("/").get_data(as_text=True)
    for label in (
        "Parent or carer",
        "Visiting professional",
        "Other visitor",
        "Staff",
        "Signing out",
        "Call a member of staff",
        "English",
    ):
        assert label in page
    assert '<html lang="en" dir="ltr">' in page


def test_no_kiosk_screen_shows_a_child_before_identity(demo_client):
    words = demo_child_words()
    for url in KIOSK_SCREENS:
        for headers in ({}, {"HX-Request": "true"}):
            page = demo_client.get(url, headers=headers).get_data(as_text=True)
            found = [w for w in words if w in page]
            assert not found, f"{url} shows {found}"


def test_kiosk_pages_are_never_cached(demo_client):
    for url in KIOSK_SCREENS:
        response = demo_client.get(url)
        assert response.headers["Cache-Control"] == "no-store"
        assert "HX-Request" in response.headers.get("Vary", "")


def test_htmx_gets_the_partial_and_a_browser_gets_the_page(demo_client):
    partial = demo_client.get("/parent", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial and "Parent or carer" in partial
    whole = demo_client.get("/parent").get_data(as_text=True)
    assert whole.startswith("<!doctype html>") and "Parent or carer" in whole


def test_a_chosen_language_lasts_until_the_person_is_done(demo_client):
    response = demo_client.post(
        "/language", data={"language": "ur"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and 'lang="ur" dir="rtl"' in text_of(response)
    # Their next steps (and *Back* before anything is done) stay in Urdu ...
    assert 'lang="ur" dir="rtl"' in text_of(demo_client.get("/parent", headers=HX))
    assert 'lang="ur" dir="rtl"' in text_of(demo_client.get("/back", headers=HX))
    # ... and the home screen proper (done, cancel, a reload) is the setting's language again.
    assert '<html lang="en" dir="ltr">' in demo_client.get("/").get_data(as_text=True)


def test_the_kiosk_speaks_the_settings_own_language_between_people(demo_client, demo_db):
    settings.set_many(demo_db, {"kiosk_language": "pl"})
    assert '<html lang="pl" dir="ltr">' in text_of(demo_client.get("/"))
    demo_client.post("/language", data={"language": "ar"}, headers=HX)
    assert '<html lang="pl" dir="ltr">' in text_of(demo_client.get("/"))


def test_an_unknown_language_is_ignored(demo_client):
    demo_client.post("/language", data={"language": "<script>"})
    assert '<html lang="en" dir="ltr">' in demo_client.get("/").get_data(as_text=True)


def test_kiosk_pages_refuse_a_device_that_is_not_the_kiosk(demo_client):
    response = demo_client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 403
    assert "This screen is for the entrance kiosk" in response.get_data(as_text=True)


def test_admin_login_page_renders(demo_client):
    response = demo_client.get("/admin/", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Log in to the admin panel" in page and 'name="password"' in page


def test_an_unknown_page_is_a_friendly_404(demo_client):
    response = demo_client.get("/no-such-page")
    assert response.status_code == 404
    assert "Back to the start" in response.get_data(as_text=True)


def test_an_oversized_request_is_a_clear_message_not_a_crash(demo_client):
    response = demo_client.post("/language", data={"language": "x" * (9 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too much" in response.get_data(as_text=True)
