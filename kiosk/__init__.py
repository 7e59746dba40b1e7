"""The entrance touchscreen: one blueprint. It imports doorbook only, never admin."""

from flask import Blueprint

bp = Blueprint("kiosk", __name__)

from kiosk import absences, views, visitors, voice  # noqa: E402,F401  (routes register on bp)
