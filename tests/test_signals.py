"""The Pi's LED, buzzer and call-staff button, through gpiozero's mock pins."""

import shutil

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from doorbook import alerts, create_app
from doorbook.audit import SYSTEM
from doorbook.db import get_db
from tests.conftest import TEST_CONFIG

PINS = {"led": 17, "buzzer": 27, "button": 22}


@pytest.fixture
def pi(tmp_path, demo_template):
    """A demo app wired to mock GPIO pins, as on a Pi with an LED, buzzer and button."""
    shutil.copytree(demo_template, tmp_path / "pi")
    factory = MockFactory(pin_class=MockPWMPin)
    app = create_app(
        {
            "DATA_DIR": str(tmp_path / "pi"),
            **TEST_CONFIG,
            "GPIO_PINS": PINS,
            "GPIO_PIN_FACTORY": factory,
        }
    )
    yield app
    app.extensions["signal_wiring"].close()
    factory.reset()


def test_pressing_the_call_staff_button_raises_a_help_alert(pi):
    button = pi.extensions["signals"].button
    button.pin.drive_low()  # pressed (pulled up)
    button.pin.drive_high()
    with pi.app_context():
        (alert,) = alerts.open_alerts(get_db())
    assert alert["kind"] == "help_requested" and alert["kiosk"] == "reception"
    assert "call-staff button" in alert["message"]


def test_the_led_is_lit_while_an_alert_is_unacknowledged(pi):
    led = pi.extensions["signals"].led
    assert not led.is_lit
    with pi.app_context():
        db = get_db()
        alert = alerts.help_requested(db, kiosk="entrance")
        assert led.is_lit and led.pin.state
        alerts.acknowledge(db, alert, SYSTEM, "on my way")
        assert not led.is_lit


def test_the_buzzer_sounds_for_a_new_alert(pi):
    import threading

    pin = pi.extensions["signals"].buzzer.pin
    pin.clear_states()
    with pi.app_context():
        alerts.help_requested(get_db(), kiosk="entrance")
    beeped = threading.Event()
    for _ in range(100):  # the beep runs in gpiozero's background thread
        if [state for _, state in pin.states][:3] == [False, True, False]:
            beeped.set()
            break
        beeped.wait(0.05)
    assert beeped.is_set(), pin.states


def test_without_pins_the_signals_are_off(app):
    from doorbook.signals import NullSignals

    assert isinstance(app.extensions["signals"], NullSignals)


def test_with_no_gpio_on_the_machine_the_app_still_starts(tmp_path, monkeypatch):
    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    from doorbook.signals import NullSignals

    app = create_app(
        {
            "DATA_DIR": str(tmp_path / "x"),
            **TEST_CONFIG,
            "GPIO_PINS": {"led": 17},
            "GPIO_PIN_FACTORY": "not-a-factory",
        }
    )
    assert isinstance(app.extensions["signals"], NullSignals)
