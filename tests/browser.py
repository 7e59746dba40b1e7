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


def type_on_kiosk_keyboard(page: Page, text: str) -> None:
    """Type with the kiosk's own on-screen keyboard, as a person at the touchscreen would."""
    keyboard = page.get_by_role("group", name="Keyboard")
    for ch in text:
        if ch == " ":
            keyboard.get_by_role("button", name="Space", exact=True).click()
        elif ch.isupper():
            # Names capitalise by themselves after a space; press Shift only when needed.
            key = keyboard.get_by_role("button", name=ch, exact=True)
            if key.count() == 0:
                keyboard.get_by_role("button", name="Shift", exact=True).click()
            keyboard.get_by_role("button", name=ch, exact=True).click()
        else:
            key = keyboard.get_by_role("button", name=ch, exact=True)
            if key.count() == 0:  # shown in capitals: turn Shift off
                keyboard.get_by_role("button", name="Shift", exact=True).click()
            keyboard.get_by_role("button", name=ch, exact=True).click()
