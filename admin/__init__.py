"""The manager's admin panel: one blueprint. It imports doorbook only, never kiosk."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from admin import (  # noqa: E402,F401  (routes register on bp)
    absences,
    adults,
    auth,
    bookings,
    children,
    kiosks,
    live,
    professionals,
    replication,
    reports,
    settings,
    staff,
    views,
    voice,
)
