"""Drop-off in Urdu and in Polish, in Debian's Chromium at 800x480."""

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in_other_visitor, start_as_parent

pytestmark = pytest.mark.browser


def test_drop_off_in_urdu_reads_right_to_left(browser, live_demo, screenshots):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    start_as_parent(page, live_demo.url, "427159")  # Imran Khan prefers Urdu
    expect(page.get_by_role("heading", name="السلام علیکم، Imran")).to_be_visible()
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ur"
    page.screenshot(path=str(screenshots / "kiosk-urdu-children-800x480.png"))
    page.get_by_role("button", name="آمد درج کریں").click()  # "Sign in"
    expect(page.get_by_role("heading", name="آمد درج ہو گئی")).to_be_visible()
    expect(page.get_by_text("Yusuf Khan کی آمد")).to_be_visible()
    page.screenshot(path=str(screenshots / "kiosk-urdu-signed-in-800x480.png"))
    page.close()


def test_the_pin_pad_reads_1_2_3_left_to_right_even_in_urdu(browser, live_demo, screenshots):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    page.goto(live_demo.url + "/")
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="اردو").click()
    parent = page.get_by_role("button", name="والدین یا نگہداشت کنندہ")
    expect(parent).to_be_visible()
    assert page.evaluate("document.documentElement.dir") == "rtl"
    parent.click()
    keypad = page.locator("form.keypad")
    xs = [keypad.get_by_role("button", name=d, exact=True).bounding_box()["x"] for d in "123"]
    assert xs == sorted(xs), "1, 2, 3 read left to right"
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert heading["x"] > keypad.bounding_box()["x"], "the layout is mirrored"
    page.screenshot(path=str(screenshots / "kiosk-urdu-pin-800x480.png"))
    page.close()


def test_drop_off_in_polish(browser, live_demo, screenshots):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    start_as_parent(page, live_demo.url, "245781")  # Katarzyna Nowak prefers Polish
    expect(page.get_by_role("heading", name="Dzień dobry, Katarzyna")).to_be_visible()
    page.screenshot(path=str(screenshots / "kiosk-polish-children-800x480.png"))
    page.get_by_role("button", name="Zapisz wejście").click()
    expect(page.get_by_text("Zosia Nowak – wejście o")).to_be_visible()
    page.screenshot(path=str(screenshots / "kiosk-polish-signed-in-800x480.png"))
    page.close()


def test_the_idle_warning_gives_more_time_with_one_tap(browser, live_demo):
    from doorbook import settings
    from doorbook.db import get_db

    with live_demo.app.app_context():
        settings.set_many(get_db(), {"idle_timeout_seconds": "21"})
    page = browser.new_page(viewport={"width": 800, "height": 480})
    start_as_parent(page, live_demo.url, "482913")
    expect(page.get_by_role("heading", name="Hello, Rachel")).to_be_visible()
    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=15_000)
    warning.get_by_role("button", name="I need more time").click()
    expect(warning).to_be_hidden()
    expect(page.get_by_role("heading", name="Hello, Rachel")).to_be_visible()
    page.close()


def test_the_kiosk_works_at_200_percent_zoom(browser, live_demo):
    # 200 % zoom of a 1280x800 screen leaves a 640x400 CSS viewport.
    page = browser.new_page(viewport={"width": 640, "height": 400})
    page.goto(live_demo.url + "/")
    for name in (
        "Parent or carer",
        "Visiting professional",
        "Other visitor",
        "Staff",
        "Signing out",
        "Call a member of staff",
    ):
        button = page.get_by_role("button", name=name, exact=True)
        button.scroll_into_view_if_needed()
        expect(button).to_be_in_viewport()
    start_as_parent(page, live_demo.url, "482913")
    sign_in = page.get_by_role("button", name="Sign in", exact=True)
    sign_in.scroll_into_view_if_needed()
    sign_in.click()
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    page.close()


def test_no_kiosk_text_is_smaller_than_20px(browser, live_demo):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    start_as_parent(page, live_demo.url, "482913")
    expect(page.get_by_role("heading", name="Hello, Rachel")).to_be_visible()
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('#screen *')]
             .filter(e => e.offsetParent !== null && [...e.childNodes].some(
                 n => n.nodeType === 3 && n.textContent.trim()))
             .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= 20
    page.close()


# Where "M" and the "." after it are drawn, in the first text of ``element`` with "M." in it.
WHERE_M_DOT = """(element) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf("M.");
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + 1);
    const m = range.getBoundingClientRect();
    range.setStart(node, at + 1); range.setEnd(node, at + 2);
    const dot = range.getBoundingClientRect();
    return {m: m.right, dot: dot.left};
  }
  return null;
}"""


def assert_reads_grace_m_dot(locator, what: str) -> None:
    """On the screen, the "." of "Grace M." sits just after the "M", not across the line."""
    drawn = locator.evaluate(WHERE_M_DOT)
    assert drawn is not None, what
    assert -1 < drawn["dot"] - drawn["m"] < 4, f"{what}: the full stop has moved: {drawn}"


def test_a_latin_name_keeps_its_order_and_full_stop_in_urdu_sentences(
    browser, live_demo, screenshots
):
    page = browser.new_page(viewport={"width": 800, "height": 480})
    sign_in_other_visitor(page, live_demo.url, "Grace Mensah")  # on the list as "Grace M."
    expect(page.get_by_role("article", name="Visitor badge")).to_be_visible()
    page.goto(live_demo.url + "/")
    page.locator("button[hx-get='/language']").click()
    page.locator("button[name=language][value=ur]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("button.journey-out").click()
    page.get_by_role("button", name="Grace M.", exact=True).click()
    question = page.get_by_role("heading", level=1)
    expect(question).to_contain_text("Grace M.")
    assert_reads_grace_m_dot(question, "Sign out Grace M.?")
    page.screenshot(path=str(screenshots / "kiosk-sign-out-confirm-ur-800x480.png"))
    page.locator("button.stop").click()
    said = page.get_by_role("status")
    expect(said).to_contain_text("Grace M.")
    assert_reads_grace_m_dot(said, "Grace M. signed out at ...")
    page.screenshot(path=str(screenshots / "kiosk-signed-out-ur-800x480.png"))
    page.close()
