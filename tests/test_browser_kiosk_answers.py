"""Every answer reaches the person at the kiosk, in their language, on their keyboard (issue
13), proven in Debian's Chromium at the touchscreen's 800x480: what a person sees."""

import re
import subprocess

import pytest
from babel.support import Translations
from playwright.sync_api import Page, expect

from doorbook import alerts, cards, people, settings, visits
from doorbook.audit import SYSTEM
from doorbook.db import get_db
from tests.browser import start_as_parent, tap_pin, type_on_kiosk_keyboard
from tests.conftest import PROJECT
from tests.kiosk_helpers import aisha_supervises_two_visitors

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 800, 480


def words(code: str):
    """The kiosk's words in a language, from its own catalogue."""
    return Translations.load(str(PROJECT / "translations"), [code]).gettext


def in_view(locator, what: str) -> None:
    """The whole of it is on the 800x480 screen, with no scrolling."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None, what
    assert box["x"] >= 0 and box["y"] >= 0, f"{what} starts off screen: {box}"
    assert box["x"] + box["width"] <= WIDTH + 0.5, f"{what} is cut off at the side: {box}"
    assert box["y"] + box["height"] <= HEIGHT + 0.5, f"{what} is below the fold: {box}"


def with_db(app, act):
    with app.app_context():
        return act(get_db())


def funmi_card(app) -> str:
    def issue(db):
        funmi = db.execute("SELECT id FROM contacts WHERE name = 'Funmi Adeyemi'").fetchone()[0]
        return cards.issue(db, contact_id=funmi, actor=SYSTEM)

    return with_db(app, issue)


def lock_the_pad(kiosk: Page, url: str) -> None:
    kiosk.goto(url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    for _attempt in range(5):
        tap_pin(kiosk, "111111")
    expect(kiosk.get_by_role("alert")).to_contain_text("Too many tries.")


# ---- 1, 2: a lock-out is shown, says what to do, counts down, and staff can lift it ----


def test_a_lock_out_says_how_long_and_staff_lift_it_from_the_panel(kiosk, panel, live_demo):
    lock_the_pad(kiosk, live_demo.url)
    tap_pin(kiosk, "482913")  # the right PIN, during the lock-out
    said = kiosk.get_by_role("alert")
    expect(said).to_have_text(
        re.compile(r"Too many tries\. Please wait \d+ seconds, or ask a member of staff\.")
    )
    expect(kiosk.locator(".pin-dots span.filled")).to_have_count(0)  # the pad is usable
    first = said.inner_text()
    expect(said).not_to_have_text(first)  # the seconds count down
    kiosk.screenshot(path=str(PROJECT / "screenshots" / "kiosk-lockout-800x480.png"))

    alert = panel.locator("li.alert-pin_lockout")
    expect(alert).to_contain_text("Kiosk PIN lock-out")
    alert.get_by_role("button", name="Lift the lock-out now").click()
    expect(
        panel.get_by_text("Lock-out lifted: the entrance kiosk takes PINs again.")
    ).to_be_visible()
    expect(panel.locator("li.alert-pin_lockout")).to_have_count(0)

    tap_pin(kiosk, "482913")
    expect(kiosk.get_by_role("heading", name="Hello, Rachel")).to_be_visible()


def test_a_qr_card_still_works_during_a_pin_lock_out(kiosk, live_demo):
    token = funmi_card(live_demo.app)
    lock_the_pad(kiosk, live_demo.url)
    kiosk.keyboard.type(token, delay=2)  # the USB scanner types the card's token...
    kiosk.keyboard.press("Enter")  # ...and Enter
    expect(kiosk.get_by_role("heading", name="Hello, Funmi")).to_be_visible()


# ---- 3: the language goes back to the setting's; every part speaks the screen's ----


def test_the_language_follows_the_person_and_goes_back_after_done(kiosk, live_demo):
    pl, en = words("pl"), words("en_GB")
    start_as_parent(kiosk, live_demo.url, "245781")  # Katarzyna Nowak prefers Polish
    expect(kiosk.get_by_role("heading", name=pl("Hello, %(name)s") % {"name": "Katarzyna"}))
    expect(kiosk.locator("html")).to_have_attribute("lang", "pl")
    # The parts rendered with the page follow the screen: idle dialog, answers, keyboard.
    expect(kiosk.locator("#idle-title")).to_have_text(pl("Are you still there?"))
    expect(kiosk.locator("[data-idle-extend]")).to_have_text(pl("I need more time"))
    unreachable = pl(
        "The screen could not reach Doorbook. Nothing new was saved. Please try again; if it "
        "keeps happening, please use the paper book and tell a member of staff."
    )
    expect(kiosk.locator("#answer")).to_have_attribute("data-unreachable", unreachable)
    kiosk.locator("#message").click()
    keyboard = kiosk.get_by_role("group", name=pl("Keyboard"))
    expect(keyboard.get_by_role("button", name="ą", exact=True)).to_be_visible()
    expect(keyboard.get_by_role("button", name=pl("Space"), exact=True)).to_be_visible()
    kiosk.screenshot(path=str(PROJECT / "screenshots" / "kiosk-keyboard-pl-800x480.png"))

    kiosk.locator("form.family-group button[type=submit]").first.click()
    expect(kiosk.locator(".done")).to_be_visible()
    kiosk.locator(".done button.big").click()  # Done
    expect(kiosk.get_by_role("heading", name="Welcome. Please sign in.")).to_be_visible()
    expect(kiosk.locator("html")).to_have_attribute("lang", "en-GB")
    expect(kiosk.locator("#idle-title")).to_have_text(en("Are you still there?"))
    expect(kiosk.locator("#answer")).not_to_have_attribute("data-unreachable", unreachable)


def test_a_language_chosen_at_the_kiosk_does_not_outlive_its_person(kiosk, live_demo):
    kiosk.goto(live_demo.url + "/")
    kiosk.locator("button[hx-get='/language']").click()
    kiosk.locator("button[name=language][value=ur]").click()
    expect(kiosk.locator("html")).to_have_attribute("dir", "rtl")
    kiosk.locator("button.journey-parent").click()
    kiosk.locator("button.back").click()  # Back before anything is done keeps it
    expect(kiosk.locator("html")).to_have_attribute("dir", "rtl")
    kiosk.reload()  # the next person
    expect(kiosk.get_by_role("heading", name="Welcome. Please sign in.")).to_be_visible()
    expect(kiosk.locator("html")).to_have_attribute("dir", "ltr")


# ---- 4: a keyboard a family can use ----


def test_lucja_wisniewska_types_her_name_on_the_kiosk_keys_and_reaches_the_id_check(
    kiosk, live_demo
):
    def arrange(db):
        noah = db.execute("SELECT id FROM children WHERE first_name = 'Noah'").fetchone()[0]
        people.add_one_off(
            db,
            SYSTEM,
            child_id=noah,
            collector_name="Łucja Wiśniewska",
            relationship="Aunt",
            arranged_by="Funmi Adeyemi",
            note=None,
        )

    with_db(live_demo.app, arrange)
    violations = []
    kiosk.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    kiosk.get_by_role("button", name="I'm collecting for a family").click()
    kiosk.get_by_label("Your full name").click()
    type_on_kiosk_keyboard(kiosk, "Łucja Wiśniewska")
    expect(kiosk.get_by_label("Your full name")).to_have_value("Łucja Wiśniewska")
    keyboard = kiosk.get_by_role("group", name="Keyboard")
    keyboard.get_by_role("button", name="Next").click()  # ✓ moves to the next field
    expect(kiosk.get_by_label("The family's collection password")).to_be_focused()
    type_on_kiosk_keyboard(kiosk, "sunflower")
    keyboard.get_by_role("button", name="Done").click()  # the last ✓ sends the form
    expect(
        kiosk.get_by_role("heading", name="Thank you — please show photo ID to a member of staff.")
    ).to_be_visible()
    assert violations == []  # simple-keyboard works under style-src 'self'

    def waiting(db):
        return [a["kind"] for a in alerts.open_alerts(db)]

    assert "one_off_waiting" in with_db(live_demo.app, waiting)


def test_a_message_with_punctuation_typed_on_the_keys_reaches_the_register(kiosk, live_demo):
    message = "slept badly, Calpol at 7am."
    start_as_parent(kiosk, live_demo.url, "482913")
    kiosk.get_by_label("Message for the key person (optional)").click()
    type_on_kiosk_keyboard(kiosk, message)
    expect(kiosk.get_by_label("Message for the key person (optional)")).to_have_value(message)
    kiosk.get_by_role("group", name="Keyboard").get_by_role("button", name="Done").click()
    expect(kiosk.get_by_role("heading", name="Signed in")).to_be_visible()

    def stored(db):
        return db.execute(
            "SELECT message_for_key_person FROM attendance a JOIN children c ON c.id = a.child_id "
            "WHERE c.first_name = 'Amelia'"
        ).fetchone()[0]

    assert with_db(live_demo.app, stored) == message


def test_urdu_and_arabic_keyboards_type_their_own_letters_and_latin_ones(kiosk, live_demo):
    ur = words("ur")
    kiosk.goto(live_demo.url + "/")
    kiosk.locator("button[hx-get='/language']").click()
    kiosk.locator("button[name=language][value=ur]").click()
    kiosk.locator("button[hx-get='/visitor']").click()
    kiosk.locator("#f-purpose").click()
    keyboard = kiosk.get_by_role("group", name=ur("Keyboard"))
    for letter in "ملاقات":
        keyboard.get_by_role("button", name=letter, exact=True).click()
    keyboard.get_by_role("button", name=ur("Space"), exact=True).click()
    keyboard.get_by_role("button", name=ur("Latin letters"), exact=True).click()
    for letter in "ok":
        keyboard.get_by_role("button", name=letter, exact=True).click()
    expect(kiosk.locator("#f-purpose")).to_have_value("ملاقات ok")
    kiosk.screenshot(path=str(PROJECT / "screenshots" / "kiosk-keyboard-ur-800x480.png"))


# ---- 5, 8: every screen fits 800x480, each starts at the top; the badge's code decodes ----


def test_the_badge_and_its_qr_code_fit_the_screen_and_decode(kiosk, live_demo, tmp_path):
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Visiting professional").click()
    kiosk.get_by_role("button", name="I don't have an invitation").click()
    kiosk.get_by_label("Your full name").click()
    type_on_kiosk_keyboard(kiosk, "Grace Mensah")
    keyboard = kiosk.get_by_role("group", name="Keyboard")
    keyboard.get_by_role("button", name="Next").click()
    kiosk.get_by_label("Organisation").fill("NHS Children's Speech and Language Therapy")
    kiosk.get_by_role("button", name="Speech and language therapist").click()
    kiosk.get_by_role("button", name="Next", exact=True).click()
    kiosk.get_by_label("The child you have come to see").click()
    type_on_kiosk_keyboard(kiosk, "Millie Hart")
    # The keyboard is open and the screen scrolled for it: the badge still starts at the top.
    keyboard.get_by_role("button", name="Next").click()  # to the phone number (optional)
    kiosk.evaluate("document.getElementById('screen').scrollTop = 10000")
    keyboard.get_by_role("button", name="Done").click()
    badge = kiosk.get_by_role("article", name="Visitor badge")
    expect(badge).to_contain_text("Escorted at all times")
    assert kiosk.evaluate("document.getElementById('screen').scrollTop") == 0
    in_view(badge, "the badge")
    in_view(kiosk.locator(".badge-qr svg"), "the badge's QR code")
    in_view(kiosk.get_by_role("button", name="Done"), "Done")
    shot = tmp_path / "screen.png"
    kiosk.screenshot(path=str(shot))  # the screen as it is, not the full page
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(shot)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert decoded.startswith("bdg_")
    kiosk.screenshot(path=str(PROJECT / "screenshots" / "kiosk-badge-agency-800x480.png"))


WALK_PEOPLE = {"en_GB": "482913", "pl": "245781", "ur": "427159"}  # Rachel, Katarzyna, Imran


@pytest.mark.parametrize("code", ["en_GB", "pl", "ur"])
def test_every_kiosk_screen_fits_800x480_with_its_main_button_in_sight(kiosk, live_demo, code):
    """A walk through every kiosk screen: each one's main action is on the screen without
    scrolling. Screenshots of each, in English, Polish and Urdu, go to screenshots/."""
    url = live_demo.url
    shots = PROJECT / "screenshots"

    def prepare(db):
        settings.set_many(db, {"please_wait_seconds": "300"})
        aisha_supervises_two_visitors(
            db, "NHS Children's Speech and Language Therapy", "Speech and language therapist"
        )
        return db.execute(
            "SELECT reference_code FROM expected_visits WHERE visitor_name = 'Mark Ellis'"
        ).fetchone()

    invitation = with_db(live_demo.app, prepare)

    def home():
        kiosk.goto(url + "/")
        if code != "en_GB":
            kiosk.locator("button[hx-get='/language']").click()
            kiosk.locator(f"button[name=language][value={code}]").click()
        expect(kiosk.locator("section.home")).to_be_visible()

    def screen(name: str, *main: str) -> None:
        kiosk.wait_for_timeout(100)  # let focus and the keyboard settle before the picture
        assert kiosk.evaluate("document.getElementById('screen').scrollTop") == 0, name
        for selector in main:
            in_view(kiosk.locator(selector).first, f"{name}: {selector}")
        kiosk.screenshot(path=str(shots / f"walk-{name}-{code}.png"))

    home()
    screen("home", "button.journey-parent", "button.journey-out", "button.help")
    kiosk.locator("button[hx-get='/language']").click()
    screen("language", "button[name=language][value=ar]", "button.back")

    home()
    kiosk.locator("button.journey-parent").click()
    screen("identify", "form.keypad button[type=submit]", "button.back")
    kiosk.locator("button[hx-get='/collecting']").click()
    screen("collecting", "form.stacked button[type=submit]")
    kiosk.locator("#collector-name").fill("Nobody Known")
    kiosk.locator("#collection-password").fill("guess")
    kiosk.locator("form.stacked button[type=submit]").click()
    expect(kiosk.locator(".please-wait")).to_be_visible()
    screen("please-wait", ".please-wait h1")

    home()
    kiosk.locator("button.journey-parent").click()
    tap_pin(kiosk, WALK_PEOPLE[code])
    expect(kiosk.locator(".family-group")).to_be_visible()
    screen("children", "form.family-group button[type=submit]")
    kiosk.locator(".absence-offer button").click()
    expect(kiosk.locator("section.absence")).to_be_visible()
    screen("absence", ".absence .reasons button")
    kiosk.locator("section.absence button.back").click()
    kiosk.locator("form.family-group button[type=submit]").first.click()
    expect(kiosk.locator(".done")).to_be_visible()
    screen("done", ".done button.big")

    home()
    kiosk.locator("button[hx-get='/staff']").click()
    tap_pin(kiosk, "731850")  # Aisha Begum, supervising two visitors
    expect(kiosk.locator(".staff-screen .warning")).to_be_visible()
    screen("staff-supervising", ".staff-screen form button[type=submit]", ".staff-screen .warning")

    home()
    kiosk.locator("button[hx-get='/professional']").click()
    screen(
        "professional", "form.stacked button[type=submit]", "button[hx-get='/professional/details']"
    )
    kiosk.locator("#reference-code").fill(invitation[0] if invitation else "ABCD-2345")
    kiosk.locator("form.stacked button[type=submit]").click()
    if invitation:
        expect(kiosk.locator("section.invitation")).to_be_visible()
        screen("invitation", "section.invitation button[type=submit]")
    home()
    kiosk.locator("button[hx-get='/professional']").click()
    kiosk.locator("button[hx-get='/professional/details']").click()
    screen("professional-step-1", ".form-actions button[type=submit]")
    kiosk.locator(".form-actions button[type=submit]").click()
    expect(kiosk.locator(".kiosk-field .error").first).to_be_visible()
    screen("professional-step-1-errors", ".form-actions button[type=submit]")
    kiosk.locator("#f-name").fill("Priya Gill")
    kiosk.locator("#f-organisation").fill("Lambeth Early Help")
    kiosk.locator(".chip").nth(2).click()
    kiosk.locator(".form-actions button[type=submit]").click()
    expect(kiosk.locator("#f-child")).to_be_visible()
    screen("professional-step-2", ".form-actions button[type=submit]")
    kiosk.locator("#f-phone").fill("not a phone")
    kiosk.locator(".form-actions button[type=submit]").click()
    expect(kiosk.locator(".kiosk-field .error").first).to_be_visible()
    screen("professional-step-2-errors", ".form-actions button[type=submit]")
    kiosk.locator("#f-child").fill("Noah Adeyemi")
    kiosk.locator("#f-phone").fill("")
    kiosk.locator(".form-actions button[type=submit]").click()
    expect(kiosk.locator("article.badge")).to_be_visible()
    screen("badge", "article.badge", ".badge-qr svg", ".badge-actions button.big")

    home()
    kiosk.locator("button[hx-get='/visitor']").click()
    screen("visitor", ".form-actions button[type=submit]")
    kiosk.locator(".form-actions button[type=submit]").click()
    expect(kiosk.locator(".kiosk-field .error").first).to_be_visible()
    screen("visitor-errors", ".form-actions button[type=submit]")
    kiosk.locator("#f-name").click()
    expect(kiosk.locator(".keyboard")).to_be_visible()
    screen("visitor-keyboard", ".keyboard .hg-button-next", "#f-name")

    home()
    kiosk.locator("button.journey-out").click()
    screen("signing-out", ".on-site-list button", "button.back")
    kiosk.locator(".on-site-list button").first.click()
    screen("signing-out-confirm", "button.stop")
    kiosk.locator("button.stop").click()
    expect(kiosk.locator(".done")).to_be_visible()
    screen("signed-out", ".done button.big")

    home()
    kiosk.locator("button.help").click()
    screen("help", ".please-wait h1", "button.back")

    home()
    kiosk.locator("button.journey-parent").click()
    for _attempt in range(6):
        tap_pin(kiosk, "111111")
    expect(kiosk.locator(".lockout")).to_be_visible()
    screen("lockout", ".lockout", "form.keypad button[type=submit]")


# ---- 6, 7, 8, 9: a supervisor is told; please-wait frees the kiosk; the public list; a card ----


def test_a_supervisor_is_told_before_signing_out_and_the_alerts_stay(kiosk, live_demo):
    def supervising(db):
        aisha_supervises_two_visitors(db, "Lambeth Early Help", "Social worker")

    with_db(live_demo.app, supervising)
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Staff", exact=True).click()
    tap_pin(kiosk, "731850")
    warning = kiosk.get_by_role("alert")
    expect(warning).to_contain_text("please hand over first")
    said = warning.inner_text().replace("\u2068", "").replace("\u2069", "")
    assert said == "You are supervising Grace M. and Sarah O. — please hand over first."
    kiosk.get_by_role("button", name="Sign out", exact=True).click()
    expect(kiosk.get_by_role("heading", name="Signed out")).to_be_visible()

    def unsupervised(db):
        return [a["kind"] for a in alerts.open_alerts(db)].count("unsupervised_visit")

    assert with_db(live_demo.app, unsupervised) == 2


def test_please_wait_goes_home_by_itself_and_the_alert_stays_open(kiosk, live_demo):
    with_db(live_demo.app, lambda db: settings.set_many(db, {"please_wait_seconds": "5"}))
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Parent or carer").click()
    kiosk.get_by_role("button", name="I'm collecting for a family").click()
    kiosk.get_by_label("Your full name").fill("Nobody Known")
    kiosk.get_by_label("The family's collection password").fill("guess")
    kiosk.get_by_role("button", name="Continue").click()
    expect(
        kiosk.get_by_role("heading", name="Please wait — a member of staff is coming to help you.")
    ).to_be_visible()
    # Nobody touches the screen: it goes home by itself, for the next family.
    expect(kiosk.get_by_role("heading", name="Welcome. Please sign in.")).to_be_visible(
        timeout=20_000
    )

    def refused(db):
        return [a["kind"] for a in alerts.open_alerts(db)]

    assert "collection_refused" in with_db(live_demo.app, refused)


def test_the_public_list_shows_no_agency(kiosk, live_demo):
    with_db(
        live_demo.app,
        lambda db: visits.sign_in_agency(
            db,
            name="Grace Mensah",
            organisation="NHS Children's Speech and Language Therapy",
            role="Speech and language therapist",
            phone=None,
            child_name="Millie Hart",
            kiosk="entrance",
        ),
    )
    kiosk.goto(live_demo.url + "/")
    kiosk.get_by_role("button", name="Signing out").click()
    expect(kiosk.get_by_role("button", name="Grace M.", exact=True)).to_be_visible()
    expect(kiosk.get_by_text("NHS")).to_have_count(0)
    expect(kiosk.get_by_text("Speech")).to_have_count(0)


def test_a_card_scanned_on_the_home_screen_starts_the_journey(kiosk, live_demo):
    token = funmi_card(live_demo.app)
    kiosk.goto(live_demo.url + "/")
    expect(kiosk.get_by_role("heading", name="Welcome. Please sign in.")).to_be_visible()
    kiosk.keyboard.type(token, delay=2)
    kiosk.keyboard.press("Enter")
    expect(kiosk.get_by_role("heading", name="Hello, Funmi")).to_be_visible()
    expect(kiosk.get_by_role("checkbox", name="Noah Adeyemi")).to_be_visible()


def test_a_staff_card_scanned_on_the_home_screen_starts_the_staff_journey(kiosk, live_demo):
    def aisha_card(db):
        aisha = db.execute("SELECT id FROM staff WHERE name = 'Aisha Begum'").fetchone()[0]
        return cards.issue(db, staff_id=aisha, actor=SYSTEM)

    token = with_db(live_demo.app, aisha_card)
    for _scan in range(6):  # more scans than the wrong tries allowed: none counts as wrong
        kiosk.goto(live_demo.url + "/")
        expect(kiosk.get_by_role("heading", name="Welcome. Please sign in.")).to_be_visible()
        kiosk.keyboard.type(token, delay=2)
        kiosk.keyboard.press("Enter")
        expect(kiosk.get_by_role("heading", name="Hello, Aisha")).to_be_visible()
    expect(kiosk.get_by_text("You are not signed in.")).to_be_visible()
    kiosk.get_by_role("button", name="Sign in", exact=True).click()
    expect(kiosk.get_by_text("Aisha Begum signed in at")).to_be_visible()
    start_as_parent(kiosk, live_demo.url, "482913")  # the pad still takes a parent's PIN
    expect(kiosk.get_by_role("heading", name="Hello, Rachel")).to_be_visible()
