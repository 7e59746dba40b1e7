"""Kiosk routes. Each step of a journey is a partial swapped into #screen; the address bar
stays at / so that nothing personal is ever in a URL and the back button leads nowhere."""

from __future__ import annotations

from datetime import timedelta

from babel.lists import format_list
from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta, get_locale
from flask_babel import gettext as _

from doorbook import (
    alerts,
    answers,
    collection,
    register,
    settings,
    speed,
    staff_register,
    supervision,
    text,
    visits,
)
from doorbook.db import get_db
from doorbook.extensions import htmx
from doorbook.identify import identify
from doorbook.languages import DEFAULT, KEYBOARD_LAYOUTS, LANGUAGES, language_from_code
from kiosk import bp, device
from kiosk.device import kiosk_name
from kiosk.state import Interaction, Interactions

MESSAGE_MAX = 300
VARY = {"Vary": "HX-Request"}


def interactions() -> Interactions:
    return current_app.extensions.setdefault("kiosk_interactions", Interactions())


def idle_seconds() -> int:
    if "idle_seconds" not in g:
        g.idle_seconds = settings.get_int(get_db(), "idle_timeout_seconds")
    return g.idle_seconds


def current() -> Interaction | None:
    return interactions().get(session.get("kiosk_interaction"), idle_seconds())


def forget() -> None:
    interactions().end(session.pop("kiosk_interaction", None))


def setting_language() -> str:
    """The kiosk's language between people: the setting's own (``kiosk_language``)."""
    return language_from_code(settings.get(get_db(), "kiosk_language")) or DEFAULT


def next_person() -> None:
    """The person at the kiosk is done (done, cancel, please-wait, idle): forget them and
    their language choice, so the next person meets the setting's language."""
    forget()
    session.pop("kiosk_language", None)
    g.language = setting_language()


@bp.before_request
def only_kiosks():
    if request.endpoint in ("kiosk.enrol", "kiosk.enrol_submit"):
        return
    g.kiosk = kiosk_name(request)
    if g.kiosk is None:
        abort(403)
    interaction = current()
    person_language = interaction.person.language if interaction and interaction.person else None
    g.language = person_language or session.get("kiosk_language") or setting_language()


@bp.after_request
def renew_device_cookie(response):
    return device.renew_device_cookie(response)


@bp.errorhandler(403)
def not_a_kiosk(_error):
    return answers.error_answer(
        403,
        _("This screen is for the entrance kiosk"),
        _("Please use the admin panel at /admin."),
        in_page=bool(htmx and not htmx.history_restore_request),
    )


def explain(problem: text.TextProblem) -> str:
    """A text problem in the kiosk's language (the label comes already translated)."""
    messages = {
        "missing": _("Please enter %(label)s.", label=problem.label),
        "too_long": _(
            "Please keep %(label)s under %(limit)s characters.",
            label=problem.label,
            limit=problem.limit,
        ),
        "direction": _(
            "Please type %(label)s again: it contains hidden text-direction characters.",
            label=problem.label,
        ),
        "control": _(
            "Please type %(label)s again: it contains a control character.", label=problem.label
        ),
        "unstorable": _(
            "Please type %(label)s again: it contains characters that cannot be stored.",
            label=problem.label,
        ),
    }
    return messages[problem.kind]


# Screens that show nothing of any person and read only what they are given (and the
# language): rendered once per language and values, then served as kept (doorbook.speed).
SAME_FOR_EVERYONE = frozenset({"kiosk/_home.html", "kiosk/_identify.html"})
TABLES = {"languages": LANGUAGES, "keyboard_layouts": KEYBOARD_LAYOUTS}


def screen(template: str, status: int = 200, **context):
    """A kiosk screen: the partial alone for htmx, or the whole page around it."""
    context.setdefault("setting_name", settings.get(get_db(), "setting_name"))
    context.setdefault("idle_seconds", idle_seconds())
    context.setdefault("badge_paper", settings.get(get_db(), "badge_paper"))
    context.setdefault("please_wait_seconds", settings.get_int(get_db(), "please_wait_seconds"))
    page = "kiosk/_screen.html" if htmx and not htmx.history_restore_request else "kiosk/page.html"
    if template in SAME_FOR_EVERYONE:
        body = speed.render_same_for_everyone(page, TABLES, screen_template=template, **context)
    else:
        body = render_template(page, screen_template=template, **TABLES, **context)
    return body, status, VARY


def too_many_tries(seconds: int | str) -> str:
    """The lock-out, said plainly with the time left ("45 seconds", "5 minutes"). Given a
    string, it stands in for the time (kiosk.js counts down with it)."""
    left = (
        seconds
        if isinstance(seconds, str)
        else format_timedelta(timedelta(seconds=seconds), threshold=2)
    )
    return _("Too many tries. Please wait %(time)s, or ask a member of staff.", time=left)


def start_again():
    """The interaction has expired (idle) or never was: back to the start, gently."""
    forget()
    return screen("kiosk/_home.html", notice=_("Please start again."))


# ---- Home, language, help ----


@bp.get("/")
def home():
    next_person()  # coming home forgets whoever was here, and their language
    return screen("kiosk/_home.html")


@bp.get("/back")
def back():
    """*Back* before anything was done: home, keeping the language just chosen."""
    forget()
    return screen("kiosk/_home.html")


@bp.get("/language")
def language_picker():
    return screen("kiosk/_language.html")


@bp.post("/language")
def choose_language():
    code = request.form.get("language", "")
    if code in LANGUAGES:
        session["kiosk_language"] = code
        g.language = code
    return screen("kiosk/_home.html")


@bp.post("/reset")
def reset():
    """The idle timer's call: forget everything about the last person at the kiosk."""
    forget()
    session.clear()
    return "", 204


@bp.post("/help")
def call_staff():
    alerts.help_requested(get_db(), kiosk=g.kiosk)
    return screen("kiosk/_help.html")


# ---- Identification: PIN pad or QR card (a USB scanner types the token and Enter) ----

JOURNEYS = {"parent": "contact", "staff": "staff"}


def identify_screen(journey: str, error: str | None = None, status: int = 200, **context):
    return screen("kiosk/_identify.html", status=status, journey=journey, error=error, **context)


@bp.get("/parent")
def parent():
    forget()
    return identify_screen("parent")


@bp.get("/staff")
def staff():
    forget()
    return identify_screen("staff")


@bp.post("/<any(parent, staff):journey>/identify")
def identify_person(journey: str):
    return identified(journey, JOURNEYS[journey])


def identified(journey: str, kind: str):
    """Check the PIN or card; start the journey of whoever it is (a card scanned on the home
    screen may be a parent's or a member of staff's: ``kind="card"``)."""
    db = get_db()
    outcome = identify(db, request.form.get("credential", "")[:300], kiosk=g.kiosk, kind=kind)
    if outcome.locked:
        return identify_screen(
            journey,
            too_many_tries(outcome.wait_seconds),
            status=429,
            wait_seconds=outcome.wait_seconds,
            countdown_text=too_many_tries("{t}"),
        )
    if not outcome.recognised:
        return identify_screen(
            journey, _("That PIN or card was not recognised. Please try again."), status=200
        )
    forget()
    journey = "staff" if outcome.person.kind == "staff" else "parent"
    session["kiosk_interaction"] = interactions().start(outcome.person, journey, idle_seconds())
    g.language = outcome.person.language or g.language
    if journey == "staff":
        return staff_screen(current())
    return children_screen(current())


# ---- Parents and carers: their own children, sign in, sign out ----


def children_screen(interaction: Interaction, error: str | None = None, message: str = ""):
    children = register.children_for(get_db(), interaction.person.id)
    return screen(
        "kiosk/_children.html",
        person=interaction.person,
        not_here=[c for c in children if not c.here],
        here=[c for c in children if c.here],
        nonce=interaction.nonce,
        error=error,
        message=message,
        message_max=MESSAGE_MAX,
    )


@bp.get("/parent/children")
def family_children():
    interaction = current()
    if interaction is None or interaction.journey != "parent":
        return start_again()
    return children_screen(interaction)


def chosen_children() -> list[int]:
    chosen = []
    for value in request.form.getlist("child")[:50]:
        if value.isdigit() and len(value) < 12:
            chosen.append(int(value))
    return chosen


def act_once(interaction: Interaction, out_of_date, act):
    """Run a confirmed action once per screen (K7): the form carries the screen's nonce; a
    double tap or a replay gets the same confirmation again and changes nothing.

    ``act`` returns (response, acted); only an action that happened uses up the nonce.
    """
    nonce = request.form.get("nonce", "")
    if nonce in interaction.done:
        return interaction.done[nonce], 200, VARY
    if nonce != interaction.nonce:
        return out_of_date()
    response, acted = act()
    if acted:
        interaction.done[nonce] = response[0]
        interaction.renew_nonce()
    return response


def family_action(action: str):
    interaction = current()
    if interaction is None or interaction.journey != "parent":
        return start_again()

    def act():
        chosen = chosen_children()
        if not chosen:
            return children_screen(interaction, _("Please choose a child first.")), False
        db = get_db()
        if action == "sign-in":
            message, problem = text.clean(
                request.form.get("message"),
                _("a message"),
                max_length=MESSAGE_MAX,
                required=False,
            )
            if problem:
                return children_screen(interaction, explain(problem), message=message), False
            results = register.sign_in(
                db, interaction.person, chosen, kiosk=g.kiosk, message=message or None
            )
        else:
            results = register.sign_out(db, interaction.person, chosen, kiosk=g.kiosk)
        if any(r.outcome in ("refused", "not_theirs") for r in results):
            return screen("kiosk/_please_wait.html"), True
        from kiosk.voice import ask_after  # (kiosk.voice builds on this module)

        return screen(
            "kiosk/_done.html", results=results, action=action, ask=ask_after(interaction)
        ), True

    return act_once(
        interaction,
        lambda: children_screen(interaction, _("This screen was out of date; please try again.")),
        act,
    )


@bp.post("/parent/sign-in")
def family_sign_in():
    return family_action("sign-in")


@bp.post("/parent/sign-out")
def family_sign_out():
    return family_action("sign-out")


# ---- Someone else is collecting: the emergency plan ----


@bp.get("/collecting")
def collecting():
    forget()
    return screen("kiosk/_collecting.html", errors={}, values={})


@bp.post("/collecting")
def collecting_submit():
    name, name_problem = text.clean(
        request.form.get("name"), _("your full name"), max_length=text.NAME_MAX
    )
    password = request.form.get("password", "")
    password_problem = None
    if not password.strip():
        password_problem = _("Please enter the family's collection password.")
    elif len(password) > 100 or any(ord(ch) < 32 for ch in password):
        password_problem = _("That password is not one the kiosk can accept; please type it again.")
    if name_problem or password_problem:
        errors = {
            "name": explain(name_problem) if name_problem else None,
            "password": password_problem,
        }
        return screen("kiosk/_collecting.html", status=200, errors=errors, values={"name": name})
    outcome = collection.collector_at_door(get_db(), name, password, kiosk=g.kiosk)
    if outcome.locked:
        return screen(
            "kiosk/_too_many_tries.html",
            status=429,
            message=too_many_tries(outcome.wait_seconds),
            wait_seconds=outcome.wait_seconds,
            countdown_text=too_many_tries("{t}"),
        )
    if outcome.waiting_for_id:
        return screen("kiosk/_show_id.html")
    return screen("kiosk/_please_wait.html")


# ---- Staff ----


def staff_screen(interaction: Interaction):
    db = get_db()
    entry = staff_register.staff_open_entry(db, interaction.person.id)
    supervising = [
        visits.shown_as(name)
        for name in supervision.visitors_supervised_by(db, interaction.person.id)
    ]
    supervising_warning = (
        _(
            "You are supervising %(names)s — please hand over first.",
            # Each name isolated, so "Grace M." reads right inside right-to-left text.
            names=format_list([f"\u2068{name}\u2069" for name in supervising], locale=get_locale()),
        )
        if supervising and entry
        else None
    )
    return screen(
        "kiosk/_staff.html",
        person=interaction.person,
        entry=entry,
        nonce=interaction.nonce,
        supervising_warning=supervising_warning,
    )


@bp.post("/staff/<any('sign-in', 'sign-out'):action>")
def staff_action(action: str):
    interaction = current()
    if interaction is None or interaction.journey != "staff":
        return start_again()

    def act():
        db = get_db()
        if action == "sign-in":
            result = staff_register.sign_in(db, interaction.person, kiosk=g.kiosk)
        else:
            result = staff_register.sign_out(db, interaction.person, kiosk=g.kiosk)
        return screen("kiosk/_done.html", results=[result], action=action), True

    return act_once(interaction, lambda: staff_screen(interaction), act)


@bp.post("/staff/roll-call")
def staff_roll_call():
    """The fire roll call at the entrance, for a member of staff who gave their PIN."""
    from doorbook import audit, dashboard

    interaction = current()
    if interaction is None or interaction.journey != "staff":
        return start_again()
    db = get_db()
    audit.record(db, interaction.person.actor(g.kiosk), "viewed", what="fire roll call")
    return screen("kiosk/_roll_call.html", roll=dashboard.roll_call(db))


# ---- Enrolling another device as a kiosk (the manager starts it in the panel) ----


def enrol_page(error: str | None = None, status: int = 200):
    if not request.is_secure and not device.is_loopback(request):
        # The device token is a credential: never over plain HTTP on the setting's Wi-Fi.
        error, status = (
            "Open this page over HTTPS (https://" + request.host + "/enrol) to enrol this device.",
            400,
        )
    return render_template("enrol.html", error=error), status


@bp.get("/enrol")
def enrol():
    g.language = DEFAULT
    return enrol_page()


@bp.post("/enrol")
def enrol_submit():
    from doorbook import kiosks

    g.language = DEFAULT
    if not request.is_secure and not device.is_loopback(request):
        return enrol_page()
    done = kiosks.complete_enrolment(get_db(), request.form.get("code", ""))
    if done is None:
        return enrol_page(
            "That code is not right, or has expired (codes last 15 minutes). "
            "Ask the manager for a new one.",
            400,
        )
    _name, token = done
    response = redirect(url_for("kiosk.home"))
    device.set_device_cookie(response, token)
    return response
