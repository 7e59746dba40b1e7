"""Kiosk routes. Each step of a journey is a partial swapped into #screen; the address bar
stays at / so that nothing personal is ever in a URL and the back button leads nowhere."""

from __future__ import annotations

from flask import abort, g, render_template, request, session
from flask_babel import gettext as _

from doorbook import htmx, settings
from doorbook.db import get_db
from doorbook.languages import DEFAULT, LANGUAGES
from kiosk import bp
from kiosk.device import is_kiosk


@bp.before_request
def only_kiosks():
    if not is_kiosk(request):
        abort(403)
    g.language = session.get("kiosk_language", DEFAULT)


@bp.errorhandler(403)
def not_a_kiosk(_error):
    return (
        render_template(
            "error.html",
            title=_("This screen is for the entrance kiosk"),
            message=_("Please use the admin panel at /admin."),
        ),
        403,
    )


def screen(template: str, **context):
    """A kiosk screen: the partial alone for htmx, or the whole page around it."""
    context.setdefault("setting_name", settings.get(get_db(), "setting_name"))
    context.setdefault("idle_seconds", settings.get_int(get_db(), "idle_timeout_seconds"))
    if htmx and not htmx.history_restore_request:
        response = render_template(template, **context)
    else:
        response = render_template("kiosk/page.html", screen_template=template, **context)
    return response, 200, {"Vary": "HX-Request"}


@bp.get("/")
def home():
    return screen("kiosk/_home.html", languages=LANGUAGES)


@bp.get("/language")
def language_picker():
    return screen("kiosk/_language.html", languages=LANGUAGES)


@bp.post("/language")
def choose_language():
    code = request.form.get("language", "")
    if code in LANGUAGES:
        session["kiosk_language"] = code
        g.language = code
    return screen("kiosk/_home.html", languages=LANGUAGES)


COMING_NEXT = {
    "professional": "Visiting professional",
    "visitor": "Other visitor",
    "staff": "Staff",
    "parent": "Parent or carer",
    "signing-out": "Signing out",
}


@bp.get("/<any(parent, professional, visitor, staff, 'signing-out'):journey>")
def coming_next(journey: str):
    return screen("kiosk/_coming_next.html", journey=_(COMING_NEXT[journey]))


@bp.post("/reset")
def reset():
    """The idle timer's call: forget everything about the last person at the kiosk."""
    session.clear()
    return "", 204
