"""Helpers for browser tests: a person's actions at the kiosk, by role and label."""

from __future__ import annotations

from playwright.sync_api import Page, expect

SIZES = [(800, 480), (1280, 800)]
SIZE_IDS = ["800x480", "1280x800"]


def tap_pin(page: Page, pin: str) -> None:
    keypad = page.locator("form.keypad")
    for digit in pin:
        keypad.get_by_role("button", name=digit, exact=True).click()


def start_as_parent(page: Page, url: str, pin: str) -> None:
    page.goto(url + "/")
    page.get_by_role("button", name="Parent or carer").click()
    expect(page.get_by_text("Type your PIN or scan your card.")).to_be_visible()
    tap_pin(page, pin)


ENGLISH_KEYS = {
    "keyboard": "Keyboard",
    "space": "Space",
    "shift": "Shift",
    "more": "More letters",
    "letters": "Letters",
}


def type_on_kiosk_keyboard(page: Page, text: str, keys: dict[str, str] = ENGLISH_KEYS) -> None:
    """Type with the kiosk's own on-screen keyboard, as a person at the touchscreen would:
    find each character on the keys shown; if it is not there, try Shift, then the layer of
    more letters (accents and punctuation). ``keys`` names the special keys in the screen's
    language."""
    keyboard = page.get_by_role("group", name=keys["keyboard"])
    expect(keyboard).to_be_visible()

    def key(name: str):
        return keyboard.get_by_role("button", name=name, exact=True)

    def tap_if_shown(ch: str) -> bool:
        if key(ch).count():
            key(ch).first.click()
            return True
        return False

    for ch in text:
        if ch == " ":
            key(keys["space"]).click()
            continue
        if tap_if_shown(ch):
            continue
        key(keys["shift"]).first.click()
        if tap_if_shown(ch):
            continue
        key(keys["shift"]).first.click()  # not there either: Shift off again
        key(keys["more"]).click()
        if tap_if_shown(ch):
            continue
        key(keys["shift"]).first.click()
        if tap_if_shown(ch):
            continue
        raise AssertionError(f"{ch!r} is not on the kiosk's keyboard")


def log_in_to_panel(page: Page, url: str, who: tuple[str, str]) -> None:
    page.goto(url + "/admin")
    page.get_by_label("Username").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Log in").click()


def sign_in_other_visitor(page: Page, url: str, name: str, **fields: str) -> None:
    """An *Other visitor* signs in at the kiosk with the form filled in directly."""
    page.goto(url + "/")
    page.get_by_role("button", name="Other visitor").click()
    page.get_by_label("Your full name").fill(name)
    if "organisation" in fields:
        page.get_by_label("Organisation (optional)").fill(fields["organisation"])
    page.get_by_label("Reason for your visit").fill(fields.get("purpose", "Boiler"))
    page.get_by_label("Who are you here to see?").fill(fields.get("here_to_see", "Tom"))
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_in_unannounced_professional(
    page: Page,
    url: str,
    name: str = "Priya Gill",
    child: str = "Noah Adeyemi",
    organisation: str = "Lambeth Early Help",
    role: str = "Social worker",
) -> None:
    """A professional without an invitation signs in: who they are, then the child."""
    page.goto(url + "/")
    page.get_by_role("button", name="Visiting professional").click()
    page.get_by_role("button", name="I don't have an invitation").click()
    page.get_by_label("Your full name").fill(name)
    page.get_by_label("Organisation").fill(organisation)
    page.get_by_label("Your role").fill(role)
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_label("The child you have come to see").fill(child)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("article", name="Visitor badge")).to_be_visible()
