"""Visitors at the kiosk: invited and unannounced professionals, other visitors, their
badges, and signing out. Nothing here reveals a child beyond the first name of the child a
visitor was booked to see."""

from __future__ import annotations

from flask import g, request, session
from flask_babel import gettext as _

from doorbook import audit, qr, schemas, settings, text, visits
from doorbook.db import get_db
from kiosk import bp
from kiosk.views import (
    act_once,
    current,
    explain,
    forget,
    identified,
    idle_seconds,
    interactions,
    screen,
    start_again,
)


def N_(text: str) -> str:  # noqa: N802 - marks a string for extraction; translated when shown
    return text


ROLES = [
    N_("Speech and language therapist"),
    N_("Educational psychologist"),
    N_("Social worker"),
    N_("Health visitor"),
    N_("SEND adviser"),
    N_("Ofsted inspector"),
]


def begin(journey: str, **data):
    """A fresh interaction for a visitor's screen: it carries the one-time code (K7)."""
    forget()
    session["kiosk_interaction"] = interactions().start(None, journey, idle_seconds())
    interaction = current()
    interaction.data.update(data)
    return interaction


def ongoing(journey: str):
    interaction = current()
    if interaction is None or interaction.journey != journey or interaction.person is not None:
        return None
    return interaction


def labels() -> dict[str, str]:
    """The visitor forms' fields as the kiosk names them, in the screen's language."""
    return {
        "name": _("your full name"),
        "organisation": _("your organisation"),
        "role": _("your role"),
        "phone": _("your phone number"),
        "child": _("the name of the child you are visiting"),
        "purpose": _("the reason for your visit"),
        "here_to_see": _("who you are here to see"),
    }


def checked(schema: type[schemas.Visitor], errors: dict, names=None) -> dict:
    """Check the posted form with its schema (the same rules as everywhere else); put
    each field's problem, in the screen's language, in ``errors``; return what was typed."""
    form = schema(request.form)
    form.check()
    named = labels()
    for name, problem in form.problems_in(names).items():
        if problem.kind == "phone":
            errors[name] = _("Please enter a phone number using digits only.")
        else:
            errors[name] = explain(problem.as_text_problem(named[name]))
    return {name: value for name, value in form.values.items() if names is None or name in names}


def already_here_message() -> str:
    return _(
        "You are already signed in today. If you have lost your badge, "
        "please ask a member of staff."
    )


def sign_in_or_explain(errors, values, template, interaction, sign_in, **context):
    """A visitor form's end: the badge if all is well, else the form again with why."""
    if not errors:
        try:
            return badge_screen(sign_in()), True
        except visits.VisitProblem:
            errors["form"] = already_here_message()
    return screen(template, errors=errors, values=values, nonce=interaction.nonce, **context), False


def badge_screen(signed_in: visits.SignedIn):
    return screen(
        "kiosk/_badge.html",
        badge=signed_in,
        qr_code=qr.svg(signed_in.badge_token),
        auto_print=settings.get(get_db(), "badge_auto_print") == "yes",
    )


# ---- Visiting professionals ----


def professional_start(error: str | None = None, code: str = ""):
    interaction = begin("professional")
    return screen("kiosk/_professional.html", error=error, code=code, nonce=interaction.nonce)


@bp.get("/professional")
def professional():
    return professional_start()


@bp.post("/professional/invitation")
def professional_invitation():
    # A scanned invitation arrives as "credential" (the scanner's keystrokes); a typed
    # reference code as "code".
    code = (request.form.get("credential") or request.form.get("code") or "")[:300]
    invitation = visits.find_invitation(get_db(), code)
    if invitation is None:
        shown, _problem = text.clean(code, "code", max_length=20, required=False)
        return professional_start(
            _(
                "We could not find that invitation for today. Check the code, or sign in "
                "without an invitation."
            ),
            code=shown,
        )
    interaction = begin("professional", invitation=invitation.expected_visit_id)
    return screen("kiosk/_invitation.html", invitation=invitation, nonce=interaction.nonce)


@bp.post("/professional/invitation/confirm")
def professional_confirm():
    interaction = ongoing("professional")
    if interaction is None or "invitation" not in interaction.data:
        return start_again()

    def act():
        try:
            signed_in = visits.sign_in_invited(
                get_db(), interaction.data["invitation"], kiosk=g.kiosk
            )
        except visits.VisitProblem as problem:
            message = (
                already_here_message()
                if str(problem) == "already_on_site"
                else _("This invitation has already been used. Please ask a member of staff.")
            )
            return screen("kiosk/_visitor_problem.html", message=message), True
        return badge_screen(signed_in), True

    return act_once(interaction, start_again, act)


# The unannounced professional's form comes in two steps, so each fits an 800x480 screen:
# who they are (name, organisation, role), then why they are here (the child, a phone). The
# second step carries the first's answers in hidden fields and checks everything again.
ABOUT = schemas.Professional.ABOUT


def professional_form(interaction, step: int, errors: dict, values: dict):
    return screen(
        "kiosk/_professional_form.html",
        step=step,
        errors=errors,
        values=values,
        roles=ROLES,
        nonce=interaction.nonce,
    )


def professional_values(errors: dict, *, whole: bool) -> dict:
    return checked(schemas.Professional, errors, None if whole else ABOUT)


@bp.get("/professional/details")
def professional_details():
    return professional_form(begin("professional"), 1, {}, {})


@bp.post("/professional/details/next")
def professional_details_next():
    interaction = ongoing("professional")
    if interaction is None:
        return start_again()
    errors: dict[str, str] = {}
    values = professional_values(errors, whole=False)
    return professional_form(interaction, 2 if not errors else 1, errors, values)


@bp.post("/professional/details")
def professional_details_submit():
    interaction = ongoing("professional")
    if interaction is None:
        return start_again()

    def act():
        errors: dict[str, str] = {}
        values = professional_values(errors, whole=True)
        if errors:
            step = 1 if any(name in errors for name in ABOUT) else 2
            return professional_form(interaction, step, errors, values), False
        return sign_in_or_explain(
            errors,
            values,
            "kiosk/_professional_form.html",
            interaction,
            lambda: visits.sign_in_agency(
                get_db(),
                name=values["name"],
                organisation=values["organisation"],
                role=values["role"],
                phone=values["phone"] or None,
                child_name=values["child"],
                kiosk=g.kiosk,
            ),
            roles=ROLES,
            step=2,
        )

    return act_once(interaction, start_again, act)


# ---- Other visitors ----


@bp.get("/visitor")
def visitor():
    interaction = begin("visitor")
    return screen("kiosk/_visitor_form.html", errors={}, values={}, nonce=interaction.nonce)


@bp.post("/visitor")
def visitor_submit():
    interaction = ongoing("visitor")
    if interaction is None:
        return start_again()

    def act():
        errors: dict[str, str] = {}
        values = checked(schemas.OtherVisitor, errors)
        return sign_in_or_explain(
            errors,
            values,
            "kiosk/_visitor_form.html",
            interaction,
            lambda: visits.sign_in_other(
                get_db(),
                name=values["name"],
                organisation=values["organisation"] or None,
                purpose=values["purpose"],
                here_to_see=values["here_to_see"],
                kiosk=g.kiosk,
            ),
        )

    return act_once(interaction, start_again, act)


# ---- Signing out: scan the badge, or pick your name ----


def signing_out_screen(error: str | None = None):
    interaction = begin("signing-out")
    on_site = visits.public_visitor_list(get_db())
    interaction.data["on_site"] = {str(v.visit_id) for v in on_site}
    return screen("kiosk/_signing_out.html", on_site=on_site, error=error, nonce=interaction.nonce)


@bp.get("/signing-out")
def signing_out():
    return signing_out_screen()


def visitor_actor(visit_id: int) -> audit.Actor:
    visitor_id, name = visits.visitor_of(get_db(), visit_id)
    return audit.Actor("visitor", visitor_id, name, g.kiosk)


def signed_out_screen(visit_id: int):
    try:
        done = visits.sign_out(get_db(), visit_id, visitor_actor(visit_id))
    except visits.VisitProblem:
        return signing_out_screen(_("You have already signed out. Thank you for visiting."))
    return screen("kiosk/_signed_out.html", done=done)


@bp.post("/signing-out/badge")
def signing_out_badge():
    visit_id = visits.visit_for_badge(get_db(), request.form.get("credential", "")[:300].strip())
    if visit_id is None:
        return signing_out_screen(
            _("That badge was not recognised. Please pick your name, or ask a member of staff.")
        )
    return signed_out_screen(visit_id)


@bp.post("/signing-out/choose")
def signing_out_choose():
    interaction = ongoing("signing-out")
    chosen = request.form.get("visit", "")
    if interaction is None or chosen not in interaction.data.get("on_site", set()):
        return signing_out_screen()
    interaction.data["chosen"] = int(chosen)
    shown = next(
        v.shown_as for v in visits.public_visitor_list(get_db()) if v.visit_id == int(chosen)
    )
    return screen("kiosk/_signing_out_confirm.html", shown_as=shown, nonce=interaction.nonce)


@bp.post("/signing-out/confirm")
def signing_out_confirm():
    interaction = ongoing("signing-out")
    if interaction is None or "chosen" not in interaction.data:
        return start_again()
    return act_once(
        interaction, start_again, lambda: (signed_out_screen(interaction.data["chosen"]), True)
    )


# ---- A card scanned on the home screen starts its own journey (one tap saved) ----


@bp.post("/scan")
def scan():
    """What a USB scanner typed on the home screen: a visitor's badge signs them out, an
    invitation opens it, a parent's or a member of staff's QR card starts their journey."""
    credential = request.form.get("credential", "")[:300].strip()
    if credential.startswith(visits.BADGE_PREFIX):
        return signing_out_badge()
    if credential.startswith(visits.INVITATION_PREFIX):
        return professional_invitation()
    return identified("parent", "card")


@bp.post("/professional/details/back")
def professional_details_back():
    """From step 2 back to step 1, with what was typed."""
    interaction = ongoing("professional")
    if interaction is None:
        return start_again()
    values = {name: schemas.Professional(request.form)[name].data for name in ABOUT}
    return professional_form(interaction, 1, {}, values)
