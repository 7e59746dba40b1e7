"""Flask extensions shared by the kiosk and the panel, apart from the app factory, so the
blueprints can use them without importing the package that registers the blueprints."""

from __future__ import annotations

from flask_babel import Babel
from flask_htmx import HTMX
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
htmx = HTMX()
babel = Babel()
