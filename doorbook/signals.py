"""The Pi's own signals: an alert LED and a buzzer in the office, a *call staff* button at
reception. One small interface, so nothing else imports gpiozero; with no pins configured
(or no GPIO), a null implementation does nothing.

Pins come from the environment (BCM numbers): DOORBOOK_GPIO_LED, DOORBOOK_GPIO_BUZZER,
DOORBOOK_GPIO_BUTTON. Devices are made in ``init_app``, never at import (the reloader would
make them twice), and only the one server process may own them."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from flask import Flask

from doorbook import alerts, events
from doorbook.db import db_path, open_db

log = logging.getLogger(__name__)
ENVIRONMENT = {
    "led": "DOORBOOK_GPIO_LED",
    "buzzer": "DOORBOOK_GPIO_BUZZER",
    "button": "DOORBOOK_GPIO_BUTTON",
}


class Signals(Protocol):
    def alerting(self, on: bool) -> None: ...
    def chime(self) -> None: ...
    def close(self) -> None: ...


class NullSignals:
    """No GPIO: the panel's screen and sound do the alerting."""

    def alerting(self, on: bool) -> None:
        pass

    def chime(self) -> None:
        pass

    def close(self) -> None:
        pass


class GpioSignals:
    """An LED that is lit while any alert is unacknowledged, a buzzer that sounds for each
    new alert, and a button that raises a *help requested* alert."""

    def __init__(
        self,
        *,
        led: int | None = None,
        buzzer: int | None = None,
        button: int | None = None,
        on_button: Callable[[], None] | None = None,
        pin_factory=None,
    ):
        from gpiozero import LED, Button, Buzzer

        self.led = LED(led, pin_factory=pin_factory) if led is not None else None
        self.buzzer = Buzzer(buzzer, pin_factory=pin_factory) if buzzer is not None else None
        self.button = None
        if button is not None:
            self.button = Button(button, pull_up=True, bounce_time=0.05, pin_factory=pin_factory)
            if on_button:
                self.button.when_pressed = lambda: on_button()

    def alerting(self, on: bool) -> None:
        if self.led is not None:
            self.led.on() if on else self.led.off()

    def chime(self) -> None:
        if self.buzzer is not None:
            self.buzzer.beep(on_time=0.2, off_time=0.15, n=2, background=True)

    def close(self) -> None:
        for device in (self.led, self.buzzer, self.button):
            if device is not None:
                device.close()


def pins_from_environment() -> dict[str, int]:
    pins = {}
    for name, variable in ENVIRONMENT.items():
        value = os.environ.get(variable, "").strip()
        if value:
            pins[name] = int(value)
    return pins


class Wiring:
    """Connects the alerts to the signals for one app; ``close`` undoes it."""

    def __init__(self, database: Path, signals: Signals):
        self.database = database
        self.signals = signals
        self._stop = events.on_publish(self.published)
        self.refresh()

    def _unacknowledged(self) -> int:
        db = open_db(self.database)  # called from other threads: a handle of its own
        try:
            return alerts.unacknowledged_count(db)
        finally:
            db.close()

    def published(self, topic: str, payload: dict[str, Any]) -> None:
        if topic != "alerts":
            return
        if "raised" in payload:
            self.new_alert()
        else:
            self.refresh()

    def refresh(self) -> None:
        self.signals.alerting(self._unacknowledged() > 0)

    def new_alert(self) -> None:
        self.signals.chime()
        self.refresh()

    def button_pressed(self) -> None:
        db = open_db(self.database)  # gpiozero's thread: a handle of its own
        try:
            alerts.help_requested(db, kiosk="reception", source="button")
        finally:
            db.close()

    def close(self) -> None:
        self._stop()
        self.signals.close()


def init_app(app: Flask, pin_factory=None) -> Wiring | None:
    pins = app.config.get("GPIO_PINS")
    if pins is None:
        pins = pins_from_environment()
    if not pins:
        app.extensions["signals"] = NullSignals()
        return None
    holder: dict[str, Wiring] = {}
    try:
        signals = GpioSignals(
            **pins, on_button=lambda: holder["wiring"].button_pressed(), pin_factory=pin_factory
        )
    except Exception as error:  # no GPIO here (BadPinFactory, busy pin): run without it
        log.warning("GPIO signals are off: %s", error)
        app.extensions["signals"] = NullSignals()
        return None
    holder["wiring"] = Wiring(db_path(app), signals)
    app.extensions["signals"] = signals
    app.extensions["signal_wiring"] = holder["wiring"]
    return holder["wiring"]
